"""Checkers for the lesson's exercises on single synapses: update order, pairs, recovery.

Exercise 1 (:func:`check_second_release`), 2 (:func:`check_ppr_peak`), 3
(:func:`check_recovery_time`) and 4 (:func:`check_which_synapse`, with :data:`CANDIDATES`
and :data:`RECORDING`). Model values come from the kernel and the closed forms.

Examples
--------
>>> check_second_release(0.2728)
Not yet: 0.2728 is too low for the second release r₂ (tolerance ±1%). This is r₂ with \
u⁺ = U: by the second spike u has not decayed all the way to 0, and the jump U (1 − u⁻) \
starts from what is left.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import numpy as np

from stpwidget.closed_form import paired_pulse_ratio
from stpwidget.exercises._feedback import Slip, Verdict, compare, near_peak
from stpwidget.model import simulate
from stpwidget.params import PRESETS, TMParameters
from stpwidget.trains import regular_train, with_recovery_probe

__all__ = [
    "CANDIDATES",
    "RECORDING",
    "RECORDING_PROTOCOL",
    "check_ppr_peak",
    "check_recovery_time",
    "check_second_release",
    "check_which_synapse",
]

# --- Exercise 1: the update order, by hand ------------------------------------------------


def _second_release_slips() -> list[Slip]:
    p = PRESETS["depressing"]
    U, tau_f, tau_d, gap = float(p.U), float(p.tau_f), float(p.tau_d), 0.1
    u_minus, x_minus = U * math.exp(-gap / tau_f), 1.0 - U * math.exp(-gap / tau_d)
    u_plus = u_minus + U * (1.0 - u_minus)
    return [
        Slip(
            U * x_minus,
            "This is r₂ with u⁺ = U: by the second spike u has not decayed all the way to 0, "
            "and the jump U (1 − u⁻) starts from what is left.",
        ),
        Slip(
            u_plus * (1.0 - U),
            "This is r₂ with x⁻ = 1 − U, the value right after the first spike: x recovers "
            "towards 1 with τ_d during the 100 ms gap.",
        ),
        Slip(
            U * (1.0 - U),
            "This is U (1 − U): between the spikes u decays with τ_f and x recovers with τ_d; "
            "both change during the 100 ms gap.",
        ),
        Slip(
            u_minus * x_minus,
            "This releases with u⁻, before the jump: at a spike u jumps first, then r = u⁺ x⁻.",
        ),
        Slip(
            (U + U * (1.0 - U)) * (1.0 - U),
            "Check the units: with τ in ms and the gap in s (or the other way round) nothing "
            "decays or recovers between the spikes.",
        ),
    ]


def check_second_release(answer: Any) -> Verdict:
    """Exercise 1: the second release of the depressing synapse, spikes 100 ms apart.

    Model value: ``simulate(PRESETS["depressing"], [0.0, 0.1], ...).release[1]``
    (0.2931). Tolerance: ±1%. Known slips (u⁺ = U, x not recovered, release before the
    jump, mixed units) are named.

    Parameters
    ----------
    answer : float
        The student's value of r₂ (a fraction of the resources, dimensionless).

    Returns
    -------
    Verdict
        True when the answer is within 1% of the model.
    """
    expected = float(simulate(PRESETS["depressing"], [0.0, 0.1], 0.2).release[1])
    return compare(
        answer,
        expected,
        what="second release r₂",
        unit="",
        rtol=0.01,
        hint="between the spikes u decays with τ_f and x recovers with τ_d for 100 ms; at the "
        "second spike u jumps first, then r₂ = u⁺·x⁻.",
        slips=_second_release_slips(),
    )


# --- Exercise 2: paired pulses ---------------------------------------------------------


def _ppr(interval: float) -> float:
    return float(paired_pulse_ratio(PRESETS["facilitating"], interval))


@functools.cache
def _ppr_peak_interval() -> float:
    low, high = 1e-3, 5.0  # golden-section search for the maximum of the unimodal PPR
    g = (math.sqrt(5.0) - 1.0) / 2.0
    for _ in range(100):
        a, b = high - g * (high - low), low + g * (high - low)
        low, high = (low, b) if _ppr(a) > _ppr(b) else (a, high)
    return 0.5 * (low + high)


def check_ppr_peak(answer: Any) -> Verdict:
    """Exercise 2: an interval at which the facilitating synapse's PPR is largest.

    The PPR of ``PRESETS["facilitating"]`` peaks at about 0.084 s, but its top is flat, so
    the checker accepts any interval whose PPR is within 1% of the largest PPR (about 48 to
    133 ms): a student who reads the curve right passes.

    Parameters
    ----------
    answer : float
        The interval in **seconds**.

    Returns
    -------
    Verdict
        True when ``paired_pulse_ratio`` at the answer is within 1% of its largest value.
    """
    return near_peak(
        answer,
        _ppr,
        _ppr_peak_interval(),
        what="interval",
        quantity="PPR",
        rtol=0.01,
        show=lambda s: f"{1e3 * s:.0f} ms",
        unit=" s",
        longer="Try a longer interval: here x has not recovered yet from the first spike.",
        shorter="Try a shorter interval: here u has decayed too much since the first spike.",
        looks_like_ms=(10.0, 1000.0),
    )


# --- Exercise 3: recovery ---------------------------------------------------------------


@functools.cache
def _train_end() -> tuple[float, float]:
    post = simulate(PRESETS["depressing"], regular_train(10.0, 9, start=0.1), 1.0).post
    return float(post.u[-1]), float(post.x[-1])


@functools.cache
def _recovery_time() -> float:
    p = PRESETS["depressing"]
    U, tau_f, tau_d = float(p.U), float(p.tau_f), float(p.tau_d)
    u_e, x_e = _train_end()
    target = 0.9 * U  # the train's first release, from rest

    def probe(gap: float) -> float:  # docs/model.md: recovery probe a gap after the train
        u = u_e * math.exp(-gap / tau_f)
        return (u + U * (1.0 - u)) * (1.0 - (1.0 - x_e) * math.exp(-gap / tau_d))

    low, high = 1e-6, 100.0  # the probe release rises monotonically for this synapse
    for _ in range(200):
        mid = 0.5 * (low + high)
        low, high = (mid, high) if probe(mid) < target else (low, mid)
    return 0.5 * (low + high)


def check_recovery_time(answer: Any) -> Verdict:
    """Exercise 3: how long the depressing synapse needs to recover to 90%.

    After 9 spikes at 10 Hz, the gap between the last spike and a probe spike for which the
    probe's release is 90% of the first release of the train (about 1.64 s). Tolerance: ±5%.

    Parameters
    ----------
    answer : float
        The gap in **seconds**.

    Returns
    -------
    Verdict
        True when the answer is within 5% of the model.
    """
    tau_d = float(PRESETS["depressing"].tau_d)
    gap = _recovery_time()
    return compare(
        answer,
        gap,
        what="gap for 90% recovery",
        unit=" s",
        looks_like_ms=(100.0, 100_000.0),
        rtol=0.05,
        hint="simulate with_recovery_probe(train, gap) for many gaps and compare the last "
        "release with 0.9 × the first.",
        fmt=".3g",
        slips=[
            Slip(
                tau_d * math.log(10.0),
                "τ_d ln 10 is the time x needs to climb from 0 to 0.9; after the train x is "
                "low but not 0 (trace.post.x[-1]).",
            ),
            Slip(gap + 0.8, "Measure the gap from the last spike of the train, not the first."),
        ],
    )


# --- Exercise 4: which synapse was recorded? ------------------------------------------------

#: The candidates of exercise 4 (time constants in s).
CANDIDATES: Mapping[str, TMParameters] = MappingProxyType(
    {
        "A": TMParameters(tau_f=0.03, tau_d=0.15, tau_s=0.01, U=0.5),
        "B": TMParameters(tau_f=0.5, tau_d=0.1, tau_s=0.01, U=0.2),
        "C": TMParameters(tau_f=0.03, tau_d=0.5, tau_s=0.01, U=0.4),
        "D": TMParameters(tau_f=0.03, tau_d=0.6, tau_s=0.01, U=0.2),
    }
)
_RECORDED = "C"
#: The protocol of exercise 4: paired pulses, then a 20 Hz train and a recovery probe.
RECORDING_PROTOCOL: Mapping[str, float] = MappingProxyType(
    {"pair_interval": 0.05, "train_rate": 20.0, "train_spikes": 10, "probe_gap": 0.5}
)


def _measure(params: TMParameters) -> tuple[float, float]:
    """What exercise 4's experimenter measures on a synapse.

    Parameters
    ----------
    params : TMParameters
        One synapse (s).

    Returns
    -------
    tuple of float
        The paired-pulse ratio at 50 ms, and the release of a probe 0.5 s after a train of
        10 spikes at 20 Hz relative to the first release of the train (both dimensionless).
    """
    train = regular_train(RECORDING_PROTOCOL["train_rate"], int(RECORDING_PROTOCOL["train_spikes"]))
    release = simulate(
        params, with_recovery_probe(train, RECORDING_PROTOCOL["probe_gap"]), 0.01
    ).release
    ppr = float(paired_pulse_ratio(params, RECORDING_PROTOCOL["pair_interval"]))
    return ppr, float(release[-1] / release[0])


#: The measurements of exercise 4 (rounded as an experimenter would report them).
RECORDING: Mapping[str, float] = MappingProxyType(
    dict(zip(("ppr", "recovered"), (round(v, 2) for v in _measure(CANDIDATES[_RECORDED]))))
)


def _mismatch(name: str) -> str:
    ppr, recovered = _measure(CANDIDATES[name])
    want_ppr, want_recovered = RECORDING["ppr"], RECORDING["recovered"]
    if ppr > 1.0:
        return f"{name} facilitates: its PPR at 50 ms is above 1, the recording's is below."
    parts = []
    if abs(ppr - want_ppr) > 0.03:
        closer = "closer to" if ppr > want_ppr else "further below"
        parts.append(
            f"its PPR at 50 ms is {closer} 1 than the recording's (U sets how much one spike "
            "uses up)"
        )
    if abs(recovered - want_recovered) > 0.03:
        speed = "faster" if recovered > want_recovered else "slower"
        parts.append(f"it recovers {speed} after the train (τ_d)")
    if not parts:  # every distractor differs in one measurement at least (tested)
        return f"{name} fits the measurements too."
    agrees = " matches one measurement, but" if len(parts) == 1 else ":"
    return f"{name}{agrees} {' and '.join(parts)}."


def check_which_synapse(answer: Any) -> Verdict:
    """Exercise 4: which of :data:`CANDIDATES` produced :data:`RECORDING`.

    Parameters
    ----------
    answer : str
        A letter, ``"A"`` to ``"D"`` (case and spaces ignored).

    Returns
    -------
    Verdict
        True for the recorded synapse; a wrong letter is told which measurement it misses.
    """
    letters = ", ".join(CANDIDATES)
    if answer is None or answer is Ellipsis:
        return Verdict(False, f"No answer yet: replace `None` with one of {letters}.")
    if isinstance(answer, np.ndarray | list | tuple) and np.asarray(answer).size == 1:
        answer = np.asarray(answer).reshape(()).item()  # ["C"] or np.array(["C"])
    choice = answer.strip().upper() if isinstance(answer, str) else ""
    if choice not in CANDIDATES:
        return Verdict(
            False, f"Not one of the candidates: answer one of {letters}; got {answer!r}."
        )
    if choice == _RECORDED:
        return Verdict(
            True,
            f"Correct: {choice} depresses at 50 ms (PPR below 1) as much as the recording and "
            "recovers as slowly.",
        )
    return Verdict(False, f"Not yet: {_mismatch(choice)}")
