"""The lecturer's key: a starter design, a follow-up for each kind of synapse, and baselines.

A student spends about a third of the budget on :data:`STARTER_DESIGN` (it tells the kinds
apart), then the rest on the follow-up for the kind they see (:data:`FOLLOW_UP`).
:func:`lecturer_key` measures, over many students of each kind, the held-out error of a
do-nothing answer (the explorer's depressing preset, scaled to the starter's data), of a fit
to the starter alone, and of a fit to the starter and the follow-up.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from types import MappingProxyType

import numpy as np
import numpy.typing as npt
import torch

from stpwidget._checks import check_count
from stpwidget.fit import fit
from stpwidget.model import simulate
from stpwidget.mystery._text import check_name
from stpwidget.mystery.classroom import class_settings
from stpwidget.mystery.scoring import param_values, relative_rms
from stpwidget.mystery.synapse import KINDS, MysterySynapse, _hidden
from stpwidget.params import PRESETS, TMParameters
from stpwidget.recordings import Recording
from stpwidget.trains import regular_train, with_recovery_probe

__all__ = ["DESIGNS", "FOLLOW_UP", "STARTER_DESIGN", "lecturer_key", "run_design"]

FloatArray = npt.NDArray[np.float64]
#: A design: (label, spike times in s, trials) for each protocol.
Design = tuple[tuple[str, torch.Tensor, int], ...]


def _burst(rate: float, n: int, gap: float | None = None) -> torch.Tensor:
    train = regular_train(rate, n, start=0.1)
    return train if gap is None else with_recovery_probe(train, gap)


#: The lesson's first design: 30 trials, about a third of the budget of 100.
STARTER_DESIGN: Design = (
    ("pair at 20 ms", _burst(50.0, 2), 10),
    ("20 Hz × 8 + probe at 300 ms", _burst(20.0, 8, 0.3), 10),
    ("20 Hz × 8 + probe at 1.5 s", _burst(20.0, 8, 1.5), 10),
)
#: What to record next with the other 70 trials, by the kind the starter shows.
FOLLOW_UP: Mapping[str, Design] = MappingProxyType(
    {
        "depressing": (
            ("pair at 10 ms", _burst(100.0, 2), 20),
            ("50 Hz × 5 + probe at 500 ms", _burst(50.0, 5, 0.5), 25),
            ("50 Hz × 5 + probe at 1.2 s", _burst(50.0, 5, 1.2), 25),
        ),
        "facilitating": (
            ("50 Hz × 10", _burst(50.0, 10), 20),
            ("10 Hz × 10", _burst(10.0, 10), 20),
            ("20 Hz × 8 + probe at 500 ms", _burst(20.0, 8, 0.5), 30),
        ),
        "mixed": (
            ("50 Hz × 10", _burst(50.0, 10), 20),
            ("10 Hz × 10", _burst(10.0, 10), 20),
            ("50 Hz × 5 + probe at 500 ms", _burst(50.0, 5, 0.5), 30),
        ),
    }
)
#: The answers :func:`lecturer_key` compares, in order.
DESIGNS = ("do nothing", "starter", "starter + follow-up")


def run_design(synapse: MysterySynapse, design: Design) -> list[Recording]:
    """Record every protocol of ``design`` (within the synapse's budget), labelled."""
    return [
        Recording(spikes, synapse.record(spikes, trials).amplitudes, label=label)
        for label, spikes, trials in design
    ]


def estimate(recordings: Sequence[Recording]) -> TMParameters:
    """The fit of U, τ_f, τ_d and A (a parameter the data leave free keeps its fit value)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # FitWarning: a parameter left undetermined
        return fit(list(recordings)).params


def do_nothing(recordings: Sequence[Recording]) -> TMParameters:
    """The depressing preset with the ``A`` that best matches the trial means (least squares)."""
    preset = PRESETS["depressing"]
    model = [simulate(preset, r.spike_times, duration=1e-3).release.numpy() for r in recordings]
    data = [r.mean.numpy() for r in recordings]
    a = sum(float(m @ d) for m, d in zip(model, data)) / sum(float(m @ m) for m in model)
    return preset.replace(A=a)


def lecturer_key(class_code: str, per_kind: int = 30) -> dict[str, dict[str, FloatArray]]:
    """Held-out errors of the three answers of :data:`DESIGNS`, over students of each kind.

    Parameters
    ----------
    class_code : str
        The class the students are drawn in (``"student 1"``, ``"student 2"``, ... in
        turn, until each kind has ``per_kind`` students).
    per_kind : int, default 30
        Students of each kind (>= 1).

    Returns
    -------
    dict
        ``{kind: {design: errors}}``: fractions (0.1 is 10 %), one per student.

    Raises
    ------
    TypeError
        If ``class_code`` is not a str.
    ValueError
        For a blank ``class_code``, ``per_kind`` not an integer >= 1, or a class whose
        budget is under the 100 trials the designs use.
    """
    class_code, per_kind = (
        check_name("class_code", class_code),
        check_count("per_kind", per_kind, 1),
    )
    needed = sum(t for *_, t in STARTER_DESIGN) + max(
        sum(t for *_, t in d) for d in FOLLOW_UP.values()
    )
    if class_settings(class_code).trials < needed:
        raise ValueError(f"class_code: the designs need {needed} trials; this class allows fewer")
    names: dict[str, list[str]] = {kind: [] for kind in KINDS}
    k = 0
    while min(len(v) for v in names.values()) < per_kind:
        k += 1
        kind = _hidden(class_code, f"student {k}")[1]
        if len(names[kind]) < per_kind:
            names[kind].append(f"student {k}")
    out = {}
    for kind, students in names.items():
        answers: dict[str, list[TMParameters]] = {d: [] for d in DESIGNS}
        for student in students:
            synapse = MysterySynapse(class_code, student)
            first = run_design(synapse, STARTER_DESIGN)
            answers["do nothing"].append(do_nothing(first))
            answers["starter"].append(estimate(first))
            both = first + run_design(synapse, FOLLOW_UP[kind])
            answers["starter + follow-up"].append(estimate(both))
        truths = [_hidden(class_code, s)[0] for s in students]
        out[kind] = {
            design: relative_rms(np.array([param_values("estimate", p) for p in given]), truths)
            for design, given in answers.items()
        }
    return out
