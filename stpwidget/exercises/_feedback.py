"""Verdicts and the comparisons every checker shares: numbers, tolerances, known slips.

A checker never gives the model's value away to a wrong answer: it says whether the answer
is too high or too low, names a known mistake when the answer is one (a *slip*), and adds
a hint. Only a right answer is shown the model's value.
"""

from __future__ import annotations

import dataclasses
import decimal
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch

#: How close (relative) an answer must be to a known slip's value to be diagnosed as it:
#: close enough for the slip rounded to two digits (0.51 for 0.5135), not for another slip.
SLIP_RTOL = 0.01


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
    """The answer as a float, or a :class:`Verdict` explaining why it is not one.

    A number, a 0-d or one-element tensor or NumPy array, or a one-element list counts as
    one number; anything else gets a verdict that says what is wrong (never an exception).
    """
    if answer is None or answer is Ellipsis:
        return Verdict(False, f"No answer yet: replace `None` with your {what}.")
    if isinstance(answer, bool | str | bytes):
        return Verdict(False, f"Not a number: the {what} should be a number; got {answer!r}.")
    if isinstance(answer, torch.Tensor):
        answer = answer.detach().cpu().numpy()
    if isinstance(answer, np.ndarray | list | tuple):
        try:
            array = np.asarray(answer)
        except ValueError:  # a ragged list
            array = np.asarray(answer, dtype=object)
        if array.size != 1:
            return Verdict(
                False,
                f"Not a number: give one value for the {what}, not {array.size} values "
                f"(shape {tuple(array.shape)}).",
            )
        answer = array.reshape(()).item()
        if isinstance(answer, bool | str | bytes):
            return Verdict(False, f"Not a number: the {what} should be a number; got {answer!r}.")
    if not hasattr(answer, "__float__"):
        return Verdict(False, f"Not a number: the {what} should be a number; got {answer!r}.")
    value = float(answer)
    if not math.isfinite(value):
        return Verdict(False, f"Not a number: the {what} should be finite; got {value!r}.")
    return value


def digits_span(value: float) -> tuple[float, float]:
    """The numbers that ``value``, as typed, may stand for: rounded or cut off to its digits.

    A value typed with at least two significant digits, say 0.51 or 2.9, may be a model value
    rounded (0.505 to 0.515) or cut off (2.9 to 3.0) to those digits: the span from half a
    unit of its last digit below it to a whole unit above it (the other way round for a
    negative value). A value with one significant digit, or one computed to full precision,
    stands only for itself.

    Examples
    --------
    >>> digits_span(2.9)
    (2.85, 3.0)
    >>> digits_span(-0.51)
    (-0.52, -0.505)
    >>> digits_span(3.0)
    (3.0, 3.0)
    """
    exact = decimal.Decimal(repr(float(value))).normalize()
    sign, digits, exponent = exact.as_tuple()
    if len(digits) < 2 or len(digits) >= 12 or not isinstance(exponent, int):
        return value, value
    size, unit = exact.copy_abs(), decimal.Decimal(1).scaleb(exponent)
    low, high = float(size - unit / 2), float(size + unit)
    return (-high, -low) if sign else (low, high)


def _near(value: float, target: float, rtol: float) -> bool:
    """Within ``rtol`` of ``target``, or ``target`` rounded or cut off to ``value``'s digits."""
    low, high = digits_span(value)
    return abs(value - target) <= rtol * abs(target) or low <= target <= high


#: For each unit: the factor that turns a slipped answer into the intended one, and what
#: the slip looks like ({v}: the answer).
_SCALED = {
    " s": (1e-3, "the API uses seconds; {v:g} s looks like milliseconds"),
    " Hz": (
        1e3,
        "rates are in Hz; {v:g} Hz is a thousand times too small, as a time in milliseconds "
        "instead of seconds gives (1/Δ with Δ in ms is in kHz)",
    ),
    "": (1e-2, "{v:g} looks like per cent; give a plain number (50% is 0.5)"),
}


def _unit_slip(
    value: float,
    unit: str,
    passes: Callable[[float], bool],
    looks_like_ms: tuple[float, float] | None,
) -> Verdict | None:
    """A verdict for a unit slip (ms typed as s, a rate off by 1000, per cent), else None."""
    scale, message = _SCALED.get(unit, (None, ""))
    if scale is not None and passes(value * scale):
        return Verdict(False, f"Check the unit: {message.format(v=value)}.")
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

    An answer typed with two or more significant digits also passes when it is ``expected``
    rounded or cut off to those digits (:func:`digits_span`): 0.29 for 0.2931. A wrong answer
    within :data:`SLIP_RTOL` of a slip's value gets the slip's explanation instead of the
    hint (the nearest slip, if more than one). An answer that would pass a thousand times
    smaller (``unit`` " s": milliseconds), a thousand times larger (" Hz") or a hundred times
    smaller ("": per cent) is told to check the unit;
    ``looks_like_ms``: for a time in seconds, a range of answers that must be milliseconds.
    """
    value = as_number(answer, what)
    if isinstance(value, Verdict):
        return value
    tolerance = f"±{100 * rtol:g}%"
    if _near(value, expected, rtol):
        return Verdict(
            True,
            f"Correct: {value:{fmt}}{unit} matches the model's {what} "
            f"({expected:{fmt}}{unit}) within {tolerance}.",
        )

    def passes(v: float) -> bool:
        return abs(v - expected) <= rtol * abs(expected)

    if (unit_slip := _unit_slip(value, unit, passes, looks_like_ms)) is not None:
        return unit_slip
    direction = "too high" if value > expected else "too low"
    advice = f"Hint: {hint}"
    known = [s for s in slips if abs(value - s.value) <= SLIP_RTOL * abs(s.value)]
    if known:  # the nearest, if a rounded answer could be more than one
        advice = min(known, key=lambda s: abs(value - s.value)).explanation
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
    unit: str = "",
    looks_like_ms: tuple[float, float] | None = None,
) -> Verdict:
    """Accept an ``answer`` at which ``fn`` is within ``rtol`` of its largest value.

    For a flat-topped curve the place of the maximum is ill-defined, its height is not:
    any answer whose ``fn`` is at most ``rtol`` below ``fn(peak)`` passes, and so does an
    answer typed with two or more significant digits that may stand for such a value,
    rounded or cut off (:func:`digits_span`): every end of the range the feedback shows
    passes.

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
    unit : {"", " s", " Hz"}
        The answer's unit, for the check of a factor of 1000 (see :func:`compare`).
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
    best, here = fn(peak), fn(value)
    level = (1.0 - rtol) * best
    low_typed, high_typed = digits_span(value)
    if here >= level or fn(min(max(peak, low_typed), high_typed)) >= level:
        low, high = _passing_range(fn, peak, level)
        at = (
            f"at {show(value)} the {quantity} is {here:.4g}, within {100 * rtol:g}% of"
            if here >= level
            else f"{show(value)}, as rounded, lies where the {quantity} is within "
            f"{100 * rtol:g}% of"
        )
        return Verdict(
            True,
            f"Correct: {at} the largest ({best:.4g} at {show(peak)}). The top is flat: every "
            f"{what} from {show(low)} to {show(high)} is as good.",
        )

    def passes(v: float) -> bool:
        return v > 0 and fn(v) >= level

    if (unit_slip := _unit_slip(value, unit, passes, looks_like_ms)) is not None:
        return unit_slip
    below = 1.0 - here / best
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
