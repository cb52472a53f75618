"""Verdicts and the comparisons every checker shares: numbers, tolerances, known slips.

A checker never gives the model's value away to a wrong answer: it says whether the answer
is too high or too low, names a known mistake when the answer is one (a *slip*), and adds
a hint. Only a right answer is shown the model's value.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from typing import Any

import torch

#: How close (relative) an answer must be to a known slip's value to be diagnosed as it.
SLIP_RTOL = 0.005


@dataclasses.dataclass(frozen=True)
class Verdict:
    """The outcome of a check: true when the answer matches the model.

    Attributes
    ----------
    ok : bool
        Whether the answer is within the tolerance of the model's value.
    message : str
        One line of feedback for the student (it is also the ``repr``).

    Examples
    --------
    >>> verdict = Verdict(False, "Not yet: 0.3 is too high.")
    >>> bool(verdict), verdict
    (False, Not yet: 0.3 is too high.)
    """

    ok: bool
    message: str

    def __bool__(self) -> bool:
        return self.ok

    def __repr__(self) -> str:
        return self.message


@dataclasses.dataclass(frozen=True)
class Slip:
    """A known mistake: the value it leads to and what went wrong, in a student's words.

    Attributes
    ----------
    value : float
        The answer the mistake gives, in the exercise's unit.
    explanation : str
        One or two sentences that name the mistake without giving the right value.
    """

    value: float
    explanation: str


def as_number(answer: Any, what: str) -> float | Verdict:
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


def _unit_slip(value: float, looks_like_ms: tuple[float, float] | None) -> Verdict | None:
    if looks_like_ms and looks_like_ms[0] <= value <= looks_like_ms[1]:
        return Verdict(
            False, f"Check the unit: the API uses seconds; {value:g} s looks like milliseconds."
        )
    return None


def compare(
    answer: Any,
    expected: float,
    *,
    what: str,
    unit: str,
    rtol: float,
    hint: str,
    fmt: str = ".4g",
    looks_like_ms: tuple[float, float] | None = None,
    slips: Sequence[Slip] = (),
) -> Verdict:
    """Compare ``answer`` with ``expected`` within a relative tolerance ``rtol``.

    A wrong answer within :data:`SLIP_RTOL` of a slip's value gets the slip's explanation
    instead of the hint. ``looks_like_ms``: for a time in seconds, the range of answers that
    must be a unit slip (milliseconds typed as seconds).
    """
    value = as_number(answer, what)
    if isinstance(value, Verdict):
        return value
    if (unit_slip := _unit_slip(value, looks_like_ms)) is not None:
        return unit_slip
    tolerance = f"±{100 * rtol:g}%"
    if abs(value - expected) <= rtol * abs(expected):
        return Verdict(
            True,
            f"Correct: {value:{fmt}}{unit} matches the model's {what} "
            f"({expected:{fmt}}{unit}) within {tolerance}.",
        )
    direction = "too high" if value > expected else "too low"
    advice = f"Hint: {hint}"
    for slip in slips:
        if abs(value - slip.value) <= SLIP_RTOL * abs(slip.value):
            advice = slip.explanation
            break
    return Verdict(
        False,
        f"Not yet: {value:{fmt}}{unit} is {direction} for the {what} (tolerance {tolerance}). "
        f"{advice}",
    )


def near_peak(
    answer: Any,
    fn: Callable[[float], float],
    peak: float,
    *,
    what: str,
    quantity: str,
    rtol: float,
    show: Callable[[float], str],
    longer: str,
    shorter: str,
    looks_like_ms: tuple[float, float] | None = None,
) -> Verdict:
    """Accept an ``answer`` at which ``fn`` is within ``rtol`` of its largest value.

    For a flat-topped curve the place of the maximum is ill-defined, its height is not:
    any answer whose ``fn`` is at most ``rtol`` below ``fn(peak)`` passes.

    Parameters
    ----------
    answer : Any
        The student's answer (a positive number in the unit ``show`` formats).
    fn : callable
        The quantity as a function of the answer, e.g. the PPR of an interval.
    peak : float
        Where ``fn`` is largest.
    what, quantity : str
        Names of the answer ("interval") and of ``fn`` ("PPR") in the feedback.
    rtol : float
        Relative tolerance on ``fn``.
    show : callable
        Formats an answer with its unit ("84 ms").
    longer, shorter : str
        Advice when the answer lies below or above the range that passes.
    looks_like_ms : tuple of float, optional
        Answers in this range are told to check the unit.

    Returns
    -------
    Verdict
        True when ``fn(answer) >= (1 - rtol) fn(peak)``.
    """
    value = as_number(answer, what)
    if isinstance(value, Verdict):
        return value
    if value <= 0:
        return Verdict(False, f"Not yet: the {what} must be positive; got {value:g}.")
    if (unit_slip := _unit_slip(value, looks_like_ms)) is not None:
        return unit_slip
    best, here = fn(peak), fn(value)
    below = 1.0 - here / best
    if below <= rtol:
        low, high = _passing_range(fn, peak, (1.0 - rtol) * best)
        return Verdict(
            True,
            f"Correct: at {show(value)} the {quantity} is {here:.4g}, within {100 * rtol:g}% of "
            f"the largest ({best:.4g} at {show(peak)}). The top is flat: every {what} from "
            f"{show(low)} to {show(high)} is as good.",
        )
    advice = longer if value < peak else shorter
    return Verdict(
        False,
        f"Not yet: at {show(value)} the {quantity} is {here:.4g}, {100 * below:.1f}% below the "
        f"largest (tolerance {100 * rtol:g}%). {advice}",
    )


def _passing_range(fn: Callable[[float], float], peak: float, level: float) -> tuple[float, float]:
    """Where a unimodal ``fn`` falls to ``level`` on either side of ``peak`` (bisection)."""

    def edge(outside: float) -> float:
        inside = peak
        while fn(outside) >= level:  # widen until the bracket holds the edge
            outside = outside * (outside / peak)
        for _ in range(80):
            mid = math.sqrt(inside * outside)
            inside, outside = (mid, outside) if fn(mid) >= level else (inside, mid)
        return inside

    return edge(peak / 10.0), edge(peak * 10.0)
