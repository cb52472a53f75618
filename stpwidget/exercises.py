"""Answer checkers for the exercises of the lesson notebook (``notebooks/02_lesson``).

Kernel room: torch, the kernel and the closed forms only (no widgets, no plotting). Every
checker computes the model's value with :mod:`stpwidget` itself, compares the student's
answer with it within a stated tolerance and returns a :class:`Verdict`: true when the
answer matches, false otherwise, and shown in a notebook as one line of feedback. A wrong
answer is told whether it is too high or too low, never the value itself.

Examples
--------
>>> from stpwidget.exercises import check_limiting_frequency
>>> check_limiting_frequency(3.0)
Correct: 3 Hz matches the model's limiting frequency (2.963 Hz) within ±2%.
>>> bool(check_limiting_frequency(30.0))
False
"""

from __future__ import annotations

import dataclasses
import functools
import math
from typing import Any

import torch

from stpwidget.closed_form import limiting_frequency, paired_pulse_ratio, steady_state
from stpwidget.model import simulate
from stpwidget.params import PRESETS, TMParameters
from stpwidget.trains import poisson_train, regular_train

__all__ = [
    "NORSE_EXERCISE",
    "Verdict",
    "check_limiting_frequency",
    "check_norse_translation",
    "check_poisson_release",
    "check_ppr_peak",
    "check_recovery_time",
    "check_second_release",
    "check_tuned_rate",
]


@dataclasses.dataclass(frozen=True)
class Verdict:
    """The outcome of a check: true when the answer matches the model.

    Attributes
    ----------
    ok : bool
        Whether the answer is within the tolerance of the model's value.
    message : str
        One line of feedback for the student (it is also the ``repr``).
    """

    ok: bool
    message: str

    def __bool__(self) -> bool:
        return self.ok

    def __repr__(self) -> str:
        return self.message


def _number(answer: Any, what: str) -> float | Verdict:
    """The answer as a float, or a :class:`Verdict` explaining why it is not one."""
    if answer is None or answer is Ellipsis:
        return Verdict(False, f"No answer yet: replace `None` with your {what}.")
    if isinstance(answer, torch.Tensor):
        if answer.numel() != 1:
            return Verdict(
                False,
                f"Not a number: give one value for the {what}, not a tensor of shape "
                f"{tuple(answer.shape)}.",
            )
        answer = answer.detach().cpu().item()
    if isinstance(answer, bool | str) or not hasattr(answer, "__float__"):
        return Verdict(False, f"Not a number: the {what} should be a number; got {answer!r}.")
    value = float(answer)
    if not math.isfinite(value):
        return Verdict(False, f"Not a number: the {what} should be finite; got {value!r}.")
    return value


def _compare(
    answer: Any,
    expected: float,
    *,
    what: str,
    unit: str,
    rtol: float,
    hint: str,
    fmt: str = ".4g",
    looks_like_ms: tuple[float, float] | None = None,
) -> Verdict:
    """Compare ``answer`` with ``expected`` within a relative tolerance ``rtol``.

    ``looks_like_ms``: for a time in seconds, the range of answers that must be a unit slip
    (milliseconds typed as seconds); those are told so instead of "too high".
    """
    value = _number(answer, what)
    if isinstance(value, Verdict):
        return value
    if looks_like_ms and looks_like_ms[0] <= value <= looks_like_ms[1]:
        return Verdict(
            False, f"Check the unit: the API uses seconds; {value:g} s looks like milliseconds."
        )
    tolerance = f"±{100 * rtol:g}%"
    if abs(value - expected) <= rtol * abs(expected):
        return Verdict(
            True,
            f"Correct: {value:{fmt}}{unit} matches the model's {what} "
            f"({expected:{fmt}}{unit}) within {tolerance}.",
        )
    direction = "too high" if value > expected else "too low"
    return Verdict(
        False,
        f"Not yet: {value:{fmt}}{unit} is {direction} for the {what} (tolerance {tolerance}). "
        f"Hint: {hint}",
    )


def _argmax(fn: Any, low: float, high: float) -> float:
    """Location of the maximum of a smooth unimodal ``fn`` on ``[low, high]`` (log grid)."""
    for _ in range(4):  # zoom in on a log grid around the best point
        grid = torch.logspace(math.log10(low), math.log10(high), 2001, dtype=torch.float64)
        k = int(torch.argmax(fn(grid)))
        low, high = float(grid[max(k - 1, 0)]), float(grid[min(k + 1, grid.numel() - 1)])
    return 0.5 * (low + high)


# --- Exercise 1: the update order, by hand ------------------------------------------------


def check_second_release(answer: Any) -> Verdict:
    """Exercise 1: the second release of the depressing synapse, spikes 100 ms apart.

    Model value: ``simulate(PRESETS["depressing"], [0.0, 0.1], ...).release[1]``
    (0.2931). Tolerance: ±1%.

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
    return _compare(
        answer,
        expected,
        what="second release r₂",
        unit="",
        rtol=0.01,
        hint="between the spikes u decays with τ_f and x recovers with τ_d for 100 ms; at the "
        "second spike u jumps first, then r₂ = u⁺·x⁻.",
    )


# --- Exercise 2: paired pulses ---------------------------------------------------------


@functools.cache
def _ppr_peak_interval() -> float:
    p = PRESETS["facilitating"]
    return _argmax(lambda d: paired_pulse_ratio(p, d), 1e-3, 5.0)


def check_ppr_peak(answer: Any) -> Verdict:
    """Exercise 2: the interval at which the facilitating synapse's PPR is largest.

    Model value: the maximum of ``paired_pulse_ratio(PRESETS["facilitating"], interval)``
    over the interval (about 0.084 s). Tolerance: ±10%.

    Parameters
    ----------
    answer : float
        The interval in **seconds**.

    Returns
    -------
    Verdict
        True when the answer is within 10% of the model.
    """
    return _compare(
        answer,
        _ppr_peak_interval(),
        what="interval of the largest PPR",
        unit=" s",
        looks_like_ms=(10.0, 1000.0),
        rtol=0.10,
        hint="evaluate paired_pulse_ratio on many intervals (torch.linspace) and find the "
        "largest; think about which process, facilitation or recovery, is faster.",
        fmt=".3g",
    )


# --- Exercise 3: recovery ---------------------------------------------------------------


@functools.cache
def _recovery_time() -> float:
    p = PRESETS["depressing"]
    trace = simulate(p, regular_train(10.0, 9, start=0.1), 1.0)
    u_e, x_e = float(trace.post.u[-1]), float(trace.post.x[-1])
    U, tau_f, tau_d = p.U, p.tau_f, p.tau_d
    target = 0.9 * float(trace.release[0])

    def probe(gap: float) -> float:  # STP_MODEL.md: recovery probe a gap after the train
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
    return _compare(
        answer,
        _recovery_time(),
        what="gap for 90% recovery",
        unit=" s",
        looks_like_ms=(100.0, 100_000.0),
        rtol=0.05,
        hint="simulate with_recovery_probe(train, gap) for many gaps and compare the last "
        "release with 0.9 × the first.",
        fmt=".3g",
    )


# --- Exercise 4: the limiting frequency ------------------------------------------------


def check_limiting_frequency(answer: Any) -> Verdict:
    """Exercise 4: the limiting frequency of the depressing synapse, in Hz.

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
    return _compare(
        answer,
        float(limiting_frequency(PRESETS["depressing"])),
        what="limiting frequency",
        unit=" Hz",
        rtol=0.02,
        hint="f_lim = 1 / (U τ_d) with τ_d in seconds gives Hz.",
    )


# --- Exercise 5: the band-pass synapse ---------------------------------------------------


@functools.cache
def _tuned_rate() -> float:
    p = PRESETS["facilitating"]
    return _argmax(lambda f: steady_state(p, f).release, 0.1, 1000.0)


def check_tuned_rate(answer: Any) -> Verdict:
    """Exercise 5: the input rate that the facilitating synapse transmits best.

    Model value: the rate that maximises the steady-state release per spike,
    ``steady_state(PRESETS["facilitating"], rate).release`` (about 12.9 Hz). Tolerance: ±5%.

    Parameters
    ----------
    answer : float
        The rate in Hz.

    Returns
    -------
    Verdict
        True when the answer is within 5% of the model.
    """
    return _compare(
        answer,
        _tuned_rate(),
        what="best rate",
        unit=" Hz",
        rtol=0.05,
        hint="evaluate steady_state(p, rates).release on a fine grid of rates "
        "(torch.logspace) and take the rate of the largest value.",
        fmt=".3g",
    )


# --- Exercise 6: Poisson input ----------------------------------------------------------


@functools.cache
def _poisson_release(rate: float = 20.0) -> float:
    p = PRESETS["facilitating"]
    releases = []
    for seed in range(8):  # 8 × 250 s at 20 Hz: 40 000 spikes, a standard error well below 1%
        spikes = poisson_train(rate, 250.0, seed=10_000 + seed)
        releases.append(simulate(p, spikes, 0.01).release[20:])  # skip the onset
    return float(torch.cat(releases).mean())


def check_poisson_release(answer: Any) -> Verdict:
    """Exercise 6: mean release per spike of the facilitating synapse, Poisson input at 20 Hz.

    Model value: the mean release per spike over long Poisson trains at 20 Hz, after the
    onset (about 0.42; a regular train gives 0.51). Tolerance: ±5%, wide enough for an
    estimate from one 100-s train or the mean-field formula.

    Parameters
    ----------
    answer : float
        The mean release per spike (dimensionless).

    Returns
    -------
    Verdict
        True when the answer is within 5% of the model.
    """
    return _compare(
        answer,
        _poisson_release(),
        what="mean release per spike under Poisson input",
        unit="",
        rtol=0.05,
        hint="simulate a long poisson_train(20.0, 100.0, seed=...) and average trace.release "
        "(leave out the first spikes); the regular train's steady state is not the answer.",
        fmt=".3g",
    )


# --- Exercise 7: from the seed's Norse parameters to stpwidget --------------------------

#: The Norse-style parameters of exercise 7 (inverse time constants in 1/s).
NORSE_EXERCISE: dict[str, float] = {
    "tau_f_inv": 2.0,
    "tau_s_inv": 100.0,
    "tau_d_inv": 4.0,
    "U": 0.3,
}


def check_norse_translation(params: Any) -> Verdict:
    """Exercise 7: the :class:`TMParameters` of the Norse synapse :data:`NORSE_EXERCISE`.

    Model value: time constants 1 / ``tau_*_inv`` in seconds (τ_f = 0.5 s, τ_d = 0.25 s,
    τ_s = 0.01 s) and the same ``U``. Tolerance: ±1% on each field.

    Parameters
    ----------
    params : TMParameters
        The student's translation.

    Returns
    -------
    Verdict
        True when every field is within 1% of the translation.
    """
    if params is None or params is Ellipsis:
        return Verdict(False, "No answer yet: replace `None` with a TMParameters(...).")
    if not isinstance(params, TMParameters):
        return Verdict(
            False, f"Not yet: the answer should be a TMParameters; got {type(params).__name__}."
        )
    n = NORSE_EXERCISE
    expected = {
        "tau_f": 1.0 / n["tau_f_inv"],
        "tau_d": 1.0 / n["tau_d_inv"],
        "tau_s": 1.0 / n["tau_s_inv"],
        "U": n["U"],
    }
    for name, want in expected.items():
        given = getattr(params, name)
        if isinstance(given, torch.Tensor):
            if given.numel() != 1:
                return Verdict(False, f"Not yet: {name} should be one number, not a batch.")
            given = given.detach().cpu().item()
        given = float(given)
        if abs(given - want) <= 0.01 * abs(want):
            continue
        if name == "U":
            return Verdict(False, "Not yet: U is the same number in Norse and in stpwidget.")
        inverse = n[f"{name}_inv"]
        if abs(given - inverse) <= 0.01 * inverse:
            hint = f"{name} is a time constant; Norse's {name}_inv is its inverse."
        elif abs(given - 1e3 * want) <= 10 * want:
            hint = "stpwidget takes seconds, not milliseconds."
        else:
            hint = f"τ = 1 / {name}_inv, in seconds."
        return Verdict(False, f"Not yet: {name}={given:g} s is wrong. Hint: {hint}")
    return Verdict(True, "Correct: this is the same synapse in stpwidget's units (seconds).")
