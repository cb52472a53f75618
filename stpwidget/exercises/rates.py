"""Checkers for the lesson's exercises on rates: the frequency filter and Poisson input.

Exercise 5 (:func:`check_limiting_frequency`), 6 (:func:`check_tuned_rate`), 7
(:func:`check_poisson_release`) and 8 (:func:`check_depress_then_facilitate`).

Examples
--------
>>> check_tuned_rate(15.0).ok
True
"""

from __future__ import annotations

import functools
from typing import Any

import torch

from stpwidget.closed_form import (
    half_ceiling_rate,
    limiting_frequency,
    peak_frequency,
    steady_state,
)
from stpwidget.exercises._feedback import Slip, Verdict, compare, near_peak
from stpwidget.model import simulate
from stpwidget.params import PRESETS, TMParameters
from stpwidget.trains import poisson_train

__all__ = [
    "DESIGN_MARGIN",
    "DESIGN_RATES",
    "check_depress_then_facilitate",
    "check_limiting_frequency",
    "check_poisson_release",
    "check_tuned_rate",
]

# --- Exercise 5: the limiting frequency ------------------------------------------------


def check_limiting_frequency(answer: Any) -> Verdict:
    """Exercise 5: the classic limiting frequency of the depressing synapse, in Hz.

    Model value: ``limiting_frequency(PRESETS["depressing"])`` = 1 / (U τ_d) ≈ 2.96 Hz.
    Tolerance: ±2%.

    Parameters
    ----------
    answer : float
        The limiting frequency in Hz.

    Returns
    -------
    Verdict
        True when the answer is within 2% of the model.
    """
    p = PRESETS["depressing"]
    tau_d = float(p.tau_d)
    return compare(
        answer,
        float(limiting_frequency(p)),
        what="limiting frequency",
        unit=" Hz",
        rtol=0.02,
        hint="f_lim = 1 / (U τ_d) with τ_d in seconds gives Hz.",
        slips=[
            Slip(1.0 / tau_d, "1/τ_d is the ceiling of the release per second; f_lim has U too."),
            Slip(
                float(half_ceiling_rate(p)),
                "That is the half-ceiling rate, where f·r∞ reaches half of 1/τ_d; the question "
                "asks for the classic 1 / (U τ_d).",
            ),
            Slip(
                float(limiting_frequency(PRESETS["facilitating"])),
                "That is 1 / (U τ_d) of the facilitating preset; the question is about the "
                "depressing one.",
            ),
        ],
    )


# --- Exercise 6: the band-pass synapse ---------------------------------------------------


def _release(rate: float) -> float:
    return float(steady_state(PRESETS["facilitating"], rate).release)


def check_tuned_rate(answer: Any) -> Verdict:
    """Exercise 6: a rate that the facilitating synapse transmits best, per spike.

    The steady-state release per spike of ``PRESETS["facilitating"]`` is largest at about
    12.9 Hz (``peak_frequency(p, exact=True)``), but the top is flat: any rate whose release
    per spike is within 1% of the largest passes (about 10.8 to 15.3 Hz).

    Parameters
    ----------
    answer : float
        The rate in Hz.

    Returns
    -------
    Verdict
        True when the steady-state release at the answer is within 1% of the largest.
    """
    return near_peak(
        answer,
        _release,
        float(peak_frequency(PRESETS["facilitating"], exact=True)),
        what="rate",
        quantity="release per spike r∞",
        rtol=0.01,
        show=lambda f: f"{f:.3g} Hz",
        unit=" Hz",
        longer="Try a higher rate: here u decays too much between spikes.",
        shorter="Try a lower rate: here x has too little time to recover between spikes.",
    )


# --- Exercise 7: Poisson input ----------------------------------------------------------


@functools.cache
def _poisson_release(rate: float = 20.0) -> float:
    p = PRESETS["facilitating"]
    releases = []
    for seed in range(8):  # 8 × 250 s at 20 Hz: 40 000 spikes, a standard error near 0.1%
        spikes = poisson_train(rate, 250.0, seed=10_000 + seed)
        releases.append(simulate(p, spikes, 0.01).release[20:])  # skip the onset
    return float(torch.cat(releases).mean())


def check_poisson_release(answer: Any) -> Verdict:
    """Exercise 7: mean release per spike of the facilitating synapse, Poisson input at 20 Hz.

    Model value: the mean release per spike over long Poisson trains at 20 Hz, after the
    onset (about 0.42; a regular train gives 0.51). Tolerance: ±5%, wide enough for an
    estimate from one 100-s train or the mean-field :func:`~stpwidget.closed_form.
    poisson_steady_state`.

    Parameters
    ----------
    answer : float
        The mean release per spike (dimensionless).

    Returns
    -------
    Verdict
        True when the answer is within 5% of the model.
    """
    regular = float(steady_state(PRESETS["facilitating"], 20.0).release)
    return compare(
        answer,
        _poisson_release(),
        what="mean release per spike under Poisson input",
        unit="",
        rtol=0.05,
        hint="simulate a long poisson_train(20.0, 100.0, seed=...) and average trace.release, "
        "leaving out the first 20 spikes.",
        fmt=".3g",
        slips=[
            Slip(
                regular,
                "That is the steady state of a regular 20 Hz train; with Poisson input the "
                "intervals vary, and the mean release per spike changes.",
            )
        ],
    )


# --- Exercise 8: a synapse that depresses at low rates and facilitates at high ones --------

#: The two rates of exercise 8, in Hz: depress at the first, facilitate at the second.
DESIGN_RATES = (5.0, 40.0)
#: How far (relative) from the first release r₁ = U the steady states must be.
DESIGN_MARGIN = 0.01
#: A time constant this long (s) or longer is taken for milliseconds typed as seconds.
_LOOKS_LIKE_MS = 10.0


def check_depress_then_facilitate(params: Any) -> Verdict:
    """Exercise 8: a synapse that depresses at 5 Hz but facilitates at 40 Hz.

    "Depresses at 5 Hz": the steady-state release per spike of a regular 5 Hz train is at
    least 1% below the first release, r∞(5 Hz) ≤ 0.99 U. "Facilitates at 40 Hz":
    r∞(40 Hz) ≥ 1.01 U.

    Parameters
    ----------
    params : TMParameters
        The student's synapse (one, not a batch).

    Returns
    -------
    Verdict
        True when both conditions hold; otherwise says which fails and what sets it. A time
        constant of 10 s or more is taken for milliseconds typed as seconds, and said so.
    """
    if params is None or params is Ellipsis:
        return Verdict(False, "No answer yet: replace `None` with a TMParameters(...).")
    if not isinstance(params, TMParameters):
        return Verdict(
            False, f"Not yet: the answer should be a TMParameters; got {type(params).__name__}."
        )
    if params.batch_shape.numel() != 1:
        return Verdict(False, "Not yet: give one synapse, not a batch.")
    typed_ms = [
        f"{name}={float(getattr(params, name)):g} s"
        for name in ("tau_f", "tau_d", "tau_s")
        if float(getattr(params, name)) >= _LOOKS_LIKE_MS
    ]
    if typed_ms:
        return Verdict(
            False,
            f"Check the unit: TMParameters takes seconds; {', '.join(typed_ms)} "
            f"look{'s' if len(typed_ms) == 1 else ''} like milliseconds (40 ms is 0.04 s).",
        )
    low, high = DESIGN_RATES
    ratio = (steady_state(params, list(DESIGN_RATES)).release / float(params.U)).flatten()
    at_low, at_high = float(ratio[0]), float(ratio[-1])
    shown = (
        f"r∞/r₁ is {at_low:.3f} at {low:g} Hz and {at_high:.3f} at {high:g} Hz "
        f"(needed: ≤ {1 - DESIGN_MARGIN:g} and ≥ {1 + DESIGN_MARGIN:g})"
    )
    problems = []
    if at_low > 1.0 - DESIGN_MARGIN:
        problems.append(
            f"At {low:g} Hz it does not depress: x must still be short of 1 when the next "
            f"spike comes {1e3 / low:g} ms later (τ_d of a few hundred ms or more), while u has "
            f"decayed by then (τ_f well below {1 / low:g} s)."
        )
    if at_high < 1.0 + DESIGN_MARGIN:
        problems.append(
            f"At {high:g} Hz it does not facilitate: u must still be raised {1e3 / high:g} ms "
            "after a spike (τ_f of tens of ms), and each spike must use little of x (a small "
            "U), or depletion wins."
        )
    if problems:
        return Verdict(False, f"Not yet: {shown}. {' '.join(problems)}")
    return Verdict(True, f"Correct: {shown}.")
