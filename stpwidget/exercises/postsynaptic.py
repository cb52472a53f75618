"""Checker for the lesson's exercise on what the postsynaptic cell sees: a rate step.

Exercise 9 (:func:`check_step_transient`): the explorer's rate step, 10 Hz from 0.1 s and
40 Hz from 0.8 s to 1.5 s (:data:`STEP`). How many times more does the depressing synapse
release in the 100 ms right after the step than in the 100 ms before it? The release in a
window is the sum of ``trace.release`` over the spikes in it: the release per second, times
the window's length.

Examples
--------
>>> check_step_transient(4.0).ok  # the ratio of the rates: depression is left out
False
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from stpwidget.closed_form import steady_state
from stpwidget.exercises._feedback import Slip, Verdict, compare
from stpwidget.model import simulate
from stpwidget.params import PRESETS
from stpwidget.trains import step_train

__all__ = ["STEP", "STEP_WINDOW", "check_step_transient"]

#: The rate step of exercise 9 (the explorer's default), arguments of :func:`step_train`:
#: rates in Hz, times in s.
STEP: Mapping[str, float] = MappingProxyType(
    {"rate_before": 10.0, "rate_after": 40.0, "switch": 0.8, "duration": 1.5, "start": 0.1}
)
#: Length of the windows compared, in s: the one before the step and the one after it.
STEP_WINDOW = 0.1
#: Rounding allowance at a window's edges, in s.
_EDGE = 1e-9


def window_release(name: str, begin: float, end: float) -> float:
    """Total release of preset ``name`` for the spikes of :data:`STEP` in ``[begin, end)`` s.

    Parameters
    ----------
    name : {"depressing", "facilitating"}
        The preset.
    begin, end : float
        The window in s.

    Returns
    -------
    float
        The sum of the releases of the spikes at ``begin <= t < end`` (dimensionless); a
        spike within 1 ns of an edge counts as on it (``0.8 - 0.1`` is not quite ``0.7``).
    """
    spikes, release = _step_release(name)
    inside = [r for t, r in zip(spikes, release) if begin - _EDGE <= t < end - _EDGE]
    return float(sum(inside))


@functools.cache
def _step_release(name: str) -> tuple[tuple[float, ...], tuple[float, ...]]:
    s = STEP
    spikes = step_train(
        s["rate_before"], s["rate_after"], s["switch"], s["duration"], start=s["start"]
    )
    release = simulate(PRESETS[name], spikes, duration=0.01).release
    return tuple(spikes.tolist()), tuple(release.tolist())


def _jump(name: str, begin_after: float) -> float:
    """Release in the window starting at ``begin_after``, over that just before the step."""
    switch = STEP["switch"]
    before = window_release(name, switch - STEP_WINDOW, switch)
    return window_release(name, begin_after, begin_after + STEP_WINDOW) / before


def _slips() -> list[Slip]:
    switch, end, w = STEP["switch"], STEP["duration"], STEP_WINDOW
    before, after = STEP["rate_before"], STEP["rate_after"]
    spikes, release = _step_release("depressing")
    k = next(i for i, t in enumerate(spikes) if t >= switch)  # the first spike after
    dep = PRESETS["depressing"]
    steady = float(steady_state(dep, after).release) / float(steady_state(dep, before).release)
    n_after, n_before = round(after * w), round(before * w)
    return [
        Slip(
            after / before,
            "That is the ratio of the rates: it would hold if every spike released as much as "
            "before the step. Depression makes the spikes after the step release less.",
        ),
        Slip(
            _jump("depressing", end - w),
            "That is the ratio for the last 100 ms of the step, after the synapse has adapted; "
            "the question asks for the first 100 ms after the step.",
        ),
        Slip(
            after / before * steady,
            "That is the steady state at the new rate against the old one: where the synapse "
            "ends up, not its first answer to the step.",
        ),
        Slip(
            _jump("depressing", switch) * n_before / n_after,
            "That compares the mean release per spike; the question asks for the total release "
            "in each 100 ms window (more spikes fall in the window after the step).",
        ),
        Slip(
            release[k] / release[k - 1],
            "That compares two single spikes, the first after the step and the last before "
            "it; add up every spike in each 100 ms window.",
        ),
        Slip(
            _jump("facilitating", switch),
            "That is the facilitating preset; the question is about the depressing one.",
        ),
    ]


def check_step_transient(answer: Any) -> Verdict:
    """Exercise 9: how much the depressing synapse's release jumps at a rate step.

    Model value: for ``PRESETS["depressing"]`` and the train ``step_train(**STEP)``, the
    total release of the spikes in the 100 ms after the step (0.8 ≤ t < 0.9 s, four spikes)
    divided by that in the 100 ms before it (0.7 ≤ t < 0.8 s, one spike): about 2.65,
    although the rate quadruples; by the end of the step the ratio is down to about 1.1.
    Tolerance: ±2%.

    Parameters
    ----------
    answer : float
        The ratio (dimensionless).

    Returns
    -------
    Verdict
        True when the answer is within 2% of the model; known slips (the ratio of the
        rates, the adapted ratio, the mean per spike, single spikes, the other preset) are
        named.
    """
    return compare(
        answer,
        _jump("depressing", STEP["switch"]),
        what="jump of the release per 100 ms at the step",
        unit="",
        rtol=0.02,
        hint="simulate the depressing preset on step_train(10.0, 40.0, 0.8, 1.5, start=0.1), "
        "then add up trace.release over the spikes at 0.8 <= t < 0.9 s and divide by the sum "
        "over 0.7 <= t < 0.8 s.",
        fmt=".3g",
        slips=_slips(),
    )
