"""Mystery synapses for a class: one hidden synapse per student, reproducible, and grading.

A teacher picks a class code; every student gets :func:`mystery_synapse` ``(class_code,
name)``, records from it (:meth:`~stpwidget.quantal.VirtualSynapse.record`), estimates the
Tsodyks–Markram parameters and hands in :func:`submission_row`. :func:`grade` scores the
estimates on a protocol the students did not record (:func:`held_out_protocol`).

The hidden parameters are a pure function of the pair: SHA-256 of a canonical encoding of
the class code and the name gives every draw, so there is no server, no file and no state.
They are hidden from casual inspection only (``repr``, ``vars``, pickles show no values);
anyone holding the pair can call :meth:`MysterySynapse.reveal`, the teacher's door.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import unicodedata
from collections.abc import Mapping
from types import MappingProxyType
from typing import IO, TYPE_CHECKING, Any, NoReturn

import numpy as np
import numpy.typing as npt
import torch

from stpwidget._checks import check_range, parse_real
from stpwidget.params import TMParameters
from stpwidget.quantal import VirtualSynapse, _per_spike
from stpwidget.trains import regular_train, with_recovery_probe

if TYPE_CHECKING:
    import pandas as pd

FloatArray = npt.NDArray[np.float64]

__all__ = [
    "HELD_OUT_PROBES",
    "HELD_OUT_RATES",
    "MYSTERY_RANGES",
    "SUBMISSION_COLUMNS",
    "SUBMISSION_HEADER",
    "MysterySynapse",
    "grade",
    "held_out_protocol",
    "mystery_synapse",
    "score",
    "submission_row",
]

#: Log-uniform ranges (low, high) of the hidden parameters for each kind of synapse, in s for
#: the time constants. A kind is drawn first (one third each), then each parameter.
MYSTERY_RANGES: Mapping[str, Mapping[str, tuple[float, float]]] = MappingProxyType(
    {
        "depressing": {"U": (0.4, 0.9), "tau_f": (0.01, 0.05), "tau_d": (0.3, 2.0)},
        "facilitating": {"U": (0.05, 0.2), "tau_f": (0.3, 2.0), "tau_d": (0.01, 0.1)},
        "mixed": {"U": (0.15, 0.4), "tau_f": (0.1, 0.6), "tau_d": (0.2, 1.0)},
    }
)
#: Release sites (inclusive), quantal size in pA (log-uniform), quantal CV and noise SD in pA.
_SITES, _QUANTUM_PA, _CV, _NOISE_PA = (5, 20), (10.0, 30.0), (0.2, 0.4), (2.0, 5.0)
#: Current decay of every mystery synapse in s: it does not enter the amplitudes.
_TAU_S = 0.005

#: Held-out trains: 8 spikes from rest at each of these rates (Hz) ...
HELD_OUT_RATES: tuple[float, ...] = (3.0, 14.0, 33.0, 70.0)
#: ... and 8 spikes at 40 Hz followed by one probe spike after each of these gaps (s).
HELD_OUT_PROBES: tuple[float, ...] = (0.06, 0.25, 0.8, 2.5)
_HELD_OUT_SPIKES, _PROBE_RATE = 8, 40.0

#: Columns of a submissions CSV, in this order (time constants in s, ``A`` in pA).
SUBMISSION_COLUMNS: tuple[str, ...] = ("student", "tau_f", "tau_d", "U", "A")
SUBMISSION_HEADER = ",".join(SUBMISSION_COLUMNS)
_VALUE_RANGES: dict[str, dict[str, Any]] = {  # column: check_range keywords
    "tau_f": {"low": 0.0, "low_open": True, "unit": " s"},
    "tau_d": {"low": 0.0, "low_open": True, "unit": " s"},
    "U": {"low": 0.0, "high": 1.0, "low_open": True},
    "A": {"low": 0.0, "low_open": True},
}


class MysterySynapse(VirtualSynapse):
    """A :class:`VirtualSynapse` whose parameters are hidden; made by :func:`mystery_synapse`.

    ``n_sites``, ``quantal_cv`` and ``noise_sd`` (pA) are public facts of the rig; the
    Tsodyks–Markram parameters are not: there is no ``params`` attribute, and ``repr``,
    ``str``, ``vars`` and pickles show no values. Amplitudes are in pA.
    """

    def __init__(self, class_code: str, student: str) -> None:
        self.class_code = _name("class_code", class_code)
        self.student = _name("student", student)
        draw = _Draw(self.class_code, self.student)
        kind = tuple(MYSTERY_RANGES)[min(int(3 * draw("kind")), 2)]
        log = {name: draw.log_uniform(name, *r) for name, r in MYSTERY_RANGES[kind].items()}
        n_sites = _SITES[0] + min(int(draw("n_sites") * (_SITES[1] - _SITES[0] + 1)), 15)
        quantum = draw.log_uniform("quantum", *_QUANTUM_PA)
        params = TMParameters(tau_s=_TAU_S, A=n_sites * quantum, **log)
        super().__init__(
            params,
            n_sites=n_sites,
            quantal_cv=draw.uniform("quantal_cv", *_CV),
            noise_sd=draw.uniform("noise_sd", *_NOISE_PA),
            seed=int.from_bytes(draw.digest("seed")[:8], "big"),
        )

    @property
    def params(self) -> NoReturn:
        """Not available: a mystery synapse hides its parameters (see :meth:`reveal`)."""
        raise AttributeError(
            "a mystery synapse hides its parameters: estimate them from recordings "
            "(the teacher can call reveal())"
        )

    def reveal(self) -> TMParameters:
        """The hidden parameters (the teacher's door; time constants in s, ``A`` in pA)."""
        return self._model.value

    def __repr__(self) -> str:
        return (
            f"MysterySynapse(class_code={self.class_code!r}, student={self.student!r}, "
            f"n_sites={self.n_sites}, quantal_cv={self.quantal_cv:.3g}, "
            f"noise_sd={self.noise_sd:.3g} pA)"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        # Rebuilt from the pair (and the stream's position), so no value is in the pickle.
        return (_restore, (self.class_code, self.student, self._rng.bit_generator.state))

    def _label(self, trials: int) -> str:
        return f"mystery synapse of {self.student}, {trials} trials"


def mystery_synapse(class_code: str, student: str) -> MysterySynapse:
    """The hidden synapse of one student in one class, the same every time it is asked for.

    Parameters
    ----------
    class_code : str
        The class's code (non-empty), chosen by the teacher.
    student : str
        The student's name (non-empty). Class code and name are compared after Unicode NFC
        normalisation, trimming, collapsing inner whitespace and case folding, so
        ``" Ada  Lovelace"`` and ``"ada lovelace"`` get the same synapse.

    Returns
    -------
    MysterySynapse
        A depressing, facilitating or mixed synapse (one third each) with U in 0.05–0.9 and
        τ_f, τ_d in 10 ms–2 s (log-uniform within kind-specific ranges, see
        ``MYSTERY_RANGES``), 5–20 release sites, quanta of 10–30 pA with CV 0.2–0.4, and
        2–5 pA of recording noise. Its random stream is seeded from the pair too, so a
        fresh synapse replays the same recordings.

    Raises
    ------
    ValueError
        If ``class_code`` or ``student`` is not a non-empty string.
    """
    return MysterySynapse(class_code, student)


def held_out_protocol() -> dict[str, torch.Tensor]:
    """The trains :func:`grade` predicts: rates and recovery gaps the students did not use.

    Returns
    -------
    dict of str to torch.Tensor
        Spike times in s, each train from rest: 8 spikes at each of ``HELD_OUT_RATES``
        (3, 14, 33 and 70 Hz), and 8 spikes at 40 Hz followed by a probe spike after each of
        ``HELD_OUT_PROBES`` (60 ms, 250 ms, 800 ms and 2.5 s).
    """
    trains = {f"{r:g} Hz": regular_train(r, _HELD_OUT_SPIKES) for r in HELD_OUT_RATES}
    burst = regular_train(_PROBE_RATE, _HELD_OUT_SPIKES)
    for gap in HELD_OUT_PROBES:
        trains[f"{_PROBE_RATE:g} Hz + probe at {1e3 * gap:g} ms"] = with_recovery_probe(burst, gap)
    return trains


def submission_row(student: str, params: TMParameters) -> str:
    """One line of a submissions CSV (no newline), in the format :func:`grade` reads.

    Parameters
    ----------
    student : str
        The student's name (non-empty); quoted if it holds a comma or a quote.
    params : TMParameters
        The estimate (time constants in s, ``A`` in pA); ``τ_s`` is not submitted.

    Returns
    -------
    str
        ``student,tau_f,tau_d,U,A`` with every number written exactly (``repr`` of the
        float), under the header ``SUBMISSION_HEADER``.

    Examples
    --------
    >>> from stpwidget import TMParameters
    >>> submission_row("ada", TMParameters(tau_f=0.05, tau_d=0.75, tau_s=0.02, U=0.45, A=120))
    'ada,0.05,0.75,0.45,120.0'
    """
    values = _values("params", params)
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow([_name("student", student), *map(repr, values)])
    return out.getvalue()


def grade(
    class_code: str, submissions: Mapping[str, TMParameters] | str | os.PathLike[str] | IO[Any]
) -> pd.DataFrame:
    """Score each student's estimate by how well it predicts held-out recordings.

    The error is the relative RMS prediction error on :func:`held_out_protocol`: with
    ``p`` the predicted mean amplitudes ``A·r_k`` of every spike of every held-out train
    and ``t`` those of the student's hidden synapse, ``error = RMS(p − t) / RMS(t)``.
    It is exactly 0 for the true parameters; 0.1 means predictions off by 10 % of a typical
    response. ``τ_s`` plays no part.

    Parameters
    ----------
    class_code : str
        The class code the students' synapses were drawn with.
    submissions : mapping or path or file-like
        Either a dict of student name to :class:`TMParameters`, or a CSV file (path or
        open text/binary buffer) with the header ``student,tau_f,tau_d,U,A`` (any column
        order; time constants in s, ``A`` in pA), one row per student, as written by
        :func:`submission_row`. Blank lines are skipped.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``student`` (as submitted, trimmed), in submission order, with columns
        ``error``, ``tau_f``, ``tau_d``, ``U`` and ``A`` (the submitted values).

    Raises
    ------
    ValueError
        For an empty class code or student name, a student submitted twice, a value that is
        not a valid :class:`TMParameters`, or a bad CSV: missing or unknown columns, or a bad
        cell, named by its row (the header is row 1) and column.

    Notes
    -----
    pandas is imported here only: it is a test dependency of stpwidget, not a runtime one.
    """
    import pandas as pd

    code = _name("class_code", class_code)
    if isinstance(submissions, Mapping):
        rows = _from_mapping(submissions)
    else:
        rows = _from_csv(submissions)
    _refuse_duplicates(rows)
    columns = list(SUBMISSION_COLUMNS[1:])
    if not rows:
        return pd.DataFrame(columns=["error", *columns], index=pd.Index([], name="student"))
    values = np.array([v for _, _, v in rows], dtype=np.float64)
    truths = [mystery_synapse(code, student).reveal() for _, student, _ in rows]
    frame = pd.DataFrame(values, columns=columns, index=pd.Index([s for _, s, _ in rows]))
    frame.index.name = "student"
    frame.insert(0, "error", _relative_rms(values, truths))
    return frame


def score(class_code: str, student: str, params: TMParameters) -> float:
    """One student's error, as :func:`grade` computes it, without pandas.

    Parameters
    ----------
    class_code : str
        The class code the student's synapse is drawn with.
    student : str
        The student's name (compared as in :func:`mystery_synapse`).
    params : TMParameters
        The student's estimate (time constants in s, ``A`` in pA); ``τ_s`` plays no part.

    Returns
    -------
    float
        The relative RMS prediction error on :func:`held_out_protocol` (0 for the true
        parameters, 0.1 for predictions off by 10 % of a typical response): the value of
        the ``error`` column that :func:`grade` gives this submission.

    Raises
    ------
    ValueError
        For an empty class code or student name, or ``params`` that are not one synapse.
    """
    code, name = _name("class_code", class_code), _name("student", student)
    values = np.array([_values("params", params)], dtype=np.float64)
    return float(_relative_rms(values, [mystery_synapse(code, name).reveal()])[0])


def _relative_rms(values: FloatArray, truths: list[TMParameters]) -> FloatArray:
    """RMS(pred − true) / RMS(true) of ``A·r_k`` over the held-out trains, per student."""
    truth = np.array([_values("truth", p) for p in truths], dtype=np.float64)
    # Submissions and truths in one batch, (2 · students, 4): identical values give
    # bit-identical predictions, so the true parameters score exactly 0.
    both = torch.from_numpy(np.concatenate([values, truth]))
    batch = TMParameters(tau_f=both[:, 0], tau_d=both[:, 1], tau_s=_TAU_S, U=both[:, 2])
    release = torch.cat([_per_spike(batch, t).release for t in held_out_protocol().values()], -1)
    amp: FloatArray = (release * both[:, 3:]).numpy()
    pred, true = amp[: len(values)], amp[len(values) :]
    error: FloatArray = np.sqrt(np.mean((pred - true) ** 2, axis=1) / np.mean(true**2, axis=1))
    return error


def _from_mapping(submissions: Mapping[str, TMParameters]) -> list[tuple[str, str, list[float]]]:
    """``(where, student, [tau_f, tau_d, U, A])`` for each entry of a dict."""
    rows = []
    for student, params in submissions.items():
        name = _name("student", student)
        rows.append((f"student {name!r}", name, _values(f"submissions[{name!r}]", params)))
    return rows


def _from_csv(source: str | os.PathLike[str] | IO[Any]) -> list[tuple[str, str, list[float]]]:
    """Rows of a submissions CSV, every cell checked; errors name the row and column."""
    if hasattr(source, "read"):
        text = source.read()
        text = text.decode("utf-8-sig") if isinstance(text, bytes) else text
    elif isinstance(source, (str, os.PathLike)):
        with open(source, encoding="utf-8-sig", newline="") as f:
            text = f.read()
    else:
        raise ValueError(
            "submissions must be a dict of student to TMParameters, a CSV path or an open "
            f"file; got {type(source).__name__}"
        )
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip() for h in next(reader, [])]
    missing = [c for c in SUBMISSION_COLUMNS if c not in header]
    unknown = [h for h in header if h not in SUBMISSION_COLUMNS]
    if missing or unknown or len(set(header)) != len(header):
        raise ValueError(
            f"submissions CSV row 1 (header) must name the columns {SUBMISSION_HEADER} once "
            f"each; got {','.join(header) or 'nothing'} (missing: {missing}, unknown: {unknown})"
        )
    rows = []
    for cells in reader:
        if not any(c.strip() for c in cells):
            continue
        where = f"submissions CSV row {reader.line_num}"
        if len(cells) != len(header):
            raise ValueError(f"{where} has {len(cells)} cells; the header has {len(header)}")
        cell = dict(zip(header, (c.strip() for c in cells)))
        name = _name(f"{where}, column 'student'", cell["student"])
        values = []
        for column, limits in _VALUE_RANGES.items():
            at = f"{where}, column {column!r} (student {name!r})"
            value = parse_real(at, cell[column])
            check_range(at, value, **limits)
            values.append(value)
        rows.append((where, name, values))
    return rows


def _refuse_duplicates(rows: list[tuple[str, str, list[float]]]) -> None:
    seen: dict[str, str] = {}
    for where, student, _ in rows:
        key = _canonical(student)
        if key in seen:
            raise ValueError(
                f"{where}: student {student!r} is already submitted ({seen[key]}); "
                "names are compared ignoring case and extra spaces"
            )
        seen[key] = where


def _values(name: str, params: Any) -> list[float]:
    """``[tau_f, tau_d, U, A]`` of one synapse, as floats."""
    if not isinstance(params, TMParameters) or params.batch_shape.numel() != 1:
        raise ValueError(f"{name} must be one TMParameters (a single synapse); got {params!r}")
    return [float(getattr(params, c)) for c in SUBMISSION_COLUMNS[1:]]


def _name(what: str, value: Any) -> str:
    """A trimmed, non-empty string, else ``ValueError`` naming ``what``."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{what} must be a non-empty name; got {value!r}")
    return value.strip()


def _canonical(text: str) -> str:
    """NFC, trimmed, inner whitespace collapsed, case-folded: the identity of a name."""
    return " ".join(unicodedata.normalize("NFC", text).split()).casefold()


class _Draw:
    """Reproducible uniform draws in [0, 1), one per field name, from SHA-256 of the pair."""

    def __init__(self, class_code: str, student: str) -> None:
        pair = ["stpwidget.mystery/1", _canonical(class_code), _canonical(student)]
        self._key = json.dumps(pair, ensure_ascii=False).encode("utf-8")

    def digest(self, field: str) -> bytes:
        return hashlib.sha256(self._key + b"\0" + field.encode("ascii")).digest()

    def __call__(self, field: str) -> float:
        return (int.from_bytes(self.digest(field)[:8], "big") >> 11) / 2.0**53

    def uniform(self, field: str, low: float, high: float) -> float:
        return low + (high - low) * self(field)

    def log_uniform(self, field: str, low: float, high: float) -> float:
        return float(low * (high / low) ** self(field))


def _restore(class_code: str, student: str, state: dict[str, Any]) -> MysterySynapse:
    synapse = MysterySynapse(class_code, student)
    synapse._rng.bit_generator.state = state
    return synapse
