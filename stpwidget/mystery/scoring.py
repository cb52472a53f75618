"""The submission line, its check code, and the held-out error every reader sees the same way.

**The rule.** ``error`` is the relative RMS error of the predicted mean amplitudes ``A·r_k``
over every spike of :func:`held_out_protocol`, ``RMS(p − t) / RMS(t)``. Everyone reads it as
a percentage with one decimal (``round(100 · error, 1)``): the student's :func:`score` (if the
class shows it), the explorer's **submit**, and the ``error`` column of :func:`grade`. The
``score`` column of the grades is ``max(0, 100 − error %)`` points.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from typing import Any

import numpy as np
import numpy.typing as npt
import torch

from stpwidget.model import release_of_trains
from stpwidget.mystery._text import canonical, check_name, formula_safe
from stpwidget.mystery.classroom import class_settings
from stpwidget.mystery.rig import held_out_protocol
from stpwidget.mystery.synapse import TAU_S, _hidden
from stpwidget.params import TMParameters

FloatArray = npt.NDArray[np.float64]

__all__ = [
    "SUBMISSION_COLUMNS",
    "SUBMISSION_HEADER",
    "check_code",
    "error_percent",
    "score",
    "submission_row",
]

#: Columns of a submission line, in this order (time constants in s, ``A`` in pA, ``check``
#: the :func:`check_code` of the class code and name the synapse was drawn with).
SUBMISSION_COLUMNS: tuple[str, ...] = ("student", "tau_f", "tau_d", "U", "A", "check")
SUBMISSION_HEADER = ",".join(SUBMISSION_COLUMNS)
#: The estimated parameters, in the order of the line.
VALUE_COLUMNS: tuple[str, ...] = SUBMISSION_COLUMNS[1:5]


def check_code(class_code: str, student: str) -> str:
    """Five lowercase letters that tie a submission to the class code and name it was drawn with.

    A name or class code typed differently at grading gives another check code, so
    :func:`grade` notices it instead of grading against someone else's synapse. Letters
    only, so no spreadsheet turns the code into a number or a date.

    Examples
    --------
    >>> check_code("NEURO-301", "ada") == check_code(" neuro-301", "ADA ")
    True
    """
    code, name = check_name("class_code", class_code), check_name("student", student)
    pair = json.dumps(["stpwidget.check/1", canonical(code), canonical(name)], ensure_ascii=False)
    number = int.from_bytes(hashlib.sha256(pair.encode("utf-8")).digest()[:8], "big")
    letters = []
    for _ in range(5):
        number, k = divmod(number, len(_LETTERS))
        letters.append(_LETTERS[k])
    return "".join(letters)


#: Letters of a check code: no i, l or o, which read like digits.
_LETTERS = "abcdefghjkmnpqrstuvwxyz"


def submission_row(student: str, params: TMParameters, class_code: str | None = None) -> str:
    """One line of a submissions CSV (no newline), in the format :func:`grade` reads.

    Parameters
    ----------
    student : str
        The student's name (non-empty); quoted if it holds a comma or a quote, and written
        with a leading ``'`` if a spreadsheet would read it as a formula.
    params : TMParameters
        The estimate (time constants in s, ``A`` in pA); ``τ_s`` is not submitted.
    class_code : str, optional
        The class code the synapse was drawn with: adds its :func:`check_code`.

    Returns
    -------
    str
        ``student,tau_f,tau_d,U,A[,check]`` with every number written exactly (``repr`` of
        the float), under the header ``SUBMISSION_HEADER``.

    Examples
    --------
    >>> from stpwidget import TMParameters
    >>> submission_row("ada", TMParameters(tau_f=0.05, tau_d=0.75, tau_s=0.02, U=0.45, A=120))
    'ada,0.05,0.75,0.45,120.0'
    """
    name = check_name("student", student)
    values = param_values("params", params)
    check = [] if class_code is None else [check_code(class_code, name)]
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow([formula_safe(name), *map(repr, values), *check])
    return out.getvalue()


def score(class_code: str, student: str, params: TMParameters, key: str | None = None) -> float:
    """One student's held-out error, as a fraction (0.024 is shown as 2.4 %).

    Parameters
    ----------
    class_code : str
        The class code the student's synapse is drawn with.
    student : str
        The student's name (compared as in :func:`mystery_synapse`).
    params : TMParameters
        The student's estimate (time constants in s, ``A`` in pA); ``τ_s`` plays no part.
    key : str, optional
        The lecturer's key: the exact error, whatever the class shows.

    Returns
    -------
    float
        Without a key, the error rounded to 0.1 % (``round(100 · error, 1) / 100``), the
        number the student and the grades show; with the key, unrounded.

    Raises
    ------
    TypeError
        For arguments of the wrong type.
    ValueError
        For a blank code or name, ``params`` that are not one synapse, a wrong key, or no key
        in a class that hides the score until grading.
    """
    code, name = check_name("class_code", class_code), check_name("student", student)
    values = np.array([param_values("params", params)], dtype=np.float64)
    settings = class_settings(code)
    if key is not None:
        if not settings.accepts(code, key):
            raise ValueError("key: that is not the key of this class")
    elif not settings.show_score:
        raise ValueError(
            "class_code: this class hides the score until the lecturer grades (it is the "
            "error on trains nobody records; tuning on it would be tuning on the test)"
        )
    error = float(relative_rms(values, [_hidden(code, name)[0]])[0])
    return error if key is not None else float(error_percent(np.array(error))) / 100.0


def error_percent(error: FloatArray) -> FloatArray:
    """The error as everyone reads it: ``round(100 · error, 1)`` (%)."""
    rounded: FloatArray = np.round(100.0 * np.asarray(error, dtype=np.float64), 1)
    return rounded


def relative_rms(values: FloatArray, truths: list[TMParameters]) -> FloatArray:
    """RMS(pred − true) / RMS(true) of ``A·r_k`` over the held-out trains, per student."""
    if not len(truths):
        return np.zeros(0)
    truth = np.array([param_values("truth", p) for p in truths], dtype=np.float64)
    # Submissions and truths in one batch, (2 · students, 4): identical values give
    # bit-identical predictions, so the true parameters score exactly 0.
    both = torch.from_numpy(np.concatenate([values.reshape(-1, 4), truth.reshape(-1, 4)]))
    batch = TMParameters(tau_f=both[:, 0], tau_d=both[:, 1], tau_s=TAU_S, U=both[:, 2])
    release = torch.cat(release_of_trains(batch, list(held_out_protocol().values())), -1)
    amp: FloatArray = (release * both[:, 3:]).numpy()
    pred, true = amp[: len(values)], amp[len(values) :]
    error: FloatArray = np.sqrt(np.mean((pred - true) ** 2, axis=1) / np.mean(true**2, axis=1))
    return error


def param_values(name: str, params: Any) -> list[float]:
    """``[tau_f, tau_d, U, A]`` of one synapse, as floats."""
    if not isinstance(params, TMParameters):
        raise TypeError(f"{name} must be a TMParameters; got {type(params).__name__}")
    if params.batch_shape.numel() != 1:
        raise ValueError(f"{name} must be one TMParameters (a single synapse); got {params!r}")
    return [float(getattr(params, c)) for c in VALUE_COLUMNS]
