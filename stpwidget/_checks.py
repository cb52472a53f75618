"""Input validation shared by the kernel: one place that words the errors.

A value of the wrong *type* raises :class:`TypeError` naming the argument; a value outside
its range raises :class:`ValueError` naming the argument, the offending value and the allowed
range. Nothing is clamped, and nothing is converted from text: ``"0.5"`` is not a number.
"""

from __future__ import annotations

import math
import operator
from typing import Any

import numpy as np
import torch

#: Largest number of samples (batch x time) one call may allocate.
MAX_SAMPLES = 100_000_000


def _describe(value: Any) -> str:
    if isinstance(value, torch.Tensor):
        if value.numel() == 1:
            return repr(value.detach().cpu().item())
        bad = value.detach().cpu().flatten()
        return f"tensor of shape {tuple(value.shape)} (e.g. {bad[:3].tolist()})"
    return repr(value)


def _not_a_number(name: str, value: Any, what: str = "a number (float)") -> TypeError:
    if isinstance(value, str | bytes):
        return TypeError(f"{name} must be {what}, got the string {value!r}")
    return TypeError(f"{name} must be {what}; got {value!r} of type {type(value).__name__}")


def as_real(name: str, value: Any) -> float:
    """``value`` as a Python ``float``; no range check (see :func:`check_range`).

    Accepts Python and NumPy numbers and one-element tensors or arrays. Strings, booleans,
    ``None`` and complex numbers are refused: no text is converted.

    Raises
    ------
    TypeError
        If ``value`` is not a real number (the message names ``name``).
    ValueError
        If ``value`` is a tensor or array of more than one element.
    """
    if isinstance(value, torch.Tensor | np.ndarray):
        if not _is_real(value):
            raise TypeError(f"{name} must be a real number; got a {value.dtype} {_kind(value)}")
        size = value.numel() if isinstance(value, torch.Tensor) else value.size
        if size != 1:
            raise ValueError(
                f"{name} must be a single number; got a {_kind(value)} of shape "
                f"{tuple(value.shape)}"
            )
        return float(value.item())
    if isinstance(value, bool | np.bool_ | str | bytes | complex | np.complexfloating):
        raise _not_a_number(name, value)
    try:
        return float(value)
    except (TypeError, ValueError):
        raise _not_a_number(name, value) from None


def parse_real(where: str, text: str) -> float:
    """The number written in a text cell (e.g. of a CSV file), for messages naming ``where``.

    The one place text becomes a number: API arguments are never converted from text.

    Raises
    ------
    ValueError
        If the cell is empty or does not hold a number (``where`` starts the message, e.g.
        ``"CSV row 3, column 'amplitude'"``). Range checks are :func:`check_range`'s.
    """
    text = text.strip()
    if not text:
        raise ValueError(f"{where}: the cell is empty; expected a number")
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"{where}: {text[:40]!r} is not a real number") from None


def _kind(value: torch.Tensor | np.ndarray) -> str:
    return "tensor" if isinstance(value, torch.Tensor) else "array"


def _is_real(value: torch.Tensor | np.ndarray) -> bool:
    """Whether a tensor's or array's dtype holds real numbers (not bool, complex or text)."""
    if isinstance(value, torch.Tensor):
        return not (value.is_complex() or value.dtype == torch.bool)
    return value.dtype.kind in "iuf"


def check_range(
    name: str,
    value: Any,
    *,
    low: float = -math.inf,
    high: float = math.inf,
    low_open: bool = False,
    high_open: bool = False,
    unit: str = "",
) -> None:
    """Raise unless every element of ``value`` is a finite real number in range.

    Parameters
    ----------
    name : str
        Argument name shown in the message.
    value : float or torch.Tensor
        Value(s) to check, in the argument's own unit. A tensor may hold many values.
    low, high : float
        Bounds of the allowed interval, in ``unit``.
    low_open, high_open : bool
        Whether the bound itself is excluded.
    unit : str
        Unit shown in the message (e.g. ``" s"``, ``" Hz"``).

    Raises
    ------
    TypeError
        If ``value`` is not a number or a real tensor (strings, booleans, ``None``).
    ValueError
        If a value is not finite or out of range; for a tensor the message gives the first
        offending element's index.
    """
    if isinstance(value, torch.Tensor) and value.numel() != 1:
        if not _is_real(value):
            raise TypeError(f"{name} must be real numbers; got a {value.dtype} tensor")
        a = value.detach().cpu().numpy()  # small inputs: NumPy checks are cheaper
        with np.errstate(invalid="ignore"):
            ok = np.isfinite(a) & ((a > low) if low_open else (a >= low))
            ok &= (a < high) if high_open else (a <= high)
        if not ok.all():
            where = tuple(int(i) for i in np.argwhere(~ok)[0])
            index = ", ".join(map(str, where))
            raise ValueError(
                f"{name} must be finite and in {interval(low, high, low_open, high_open, unit)}; "
                f"got {float(a[where])!r} at index [{index}] of a tensor of shape {tuple(a.shape)}"
            )
        return
    v = as_real(name, value)
    above = v > low if low_open else v >= low
    below = v < high if high_open else v <= high
    if not (math.isfinite(v) and above and below):
        raise ValueError(
            f"{name} must be finite and in {interval(low, high, low_open, high_open, unit)}; "
            f"got {_describe(value)}"
        )


def interval(low: float, high: float, low_open: bool, high_open: bool, unit: str = "") -> str:
    """Format an interval such as ``(0, 1]`` or ``(0 s, inf)`` for messages."""

    def fmt(b: float) -> str:
        return "inf" if math.isinf(b) else f"{b:g}{unit}"

    left = "(" if low_open or math.isinf(low) else "["
    right = ")" if high_open or math.isinf(high) else "]"
    lo = "-inf" if math.isinf(low) else fmt(low)
    return f"{left}{lo}, {fmt(high)}{right}"


def check_count(name: str, n: Any, minimum: int = 0, maximum: int | None = None) -> int:
    """``n`` as an ``int`` in [``minimum``, ``maximum``].

    Raises
    ------
    TypeError
        If ``n`` is not an integer: booleans, floats (even 1.0) and strings are refused,
        since a count is a whole number.
    ValueError
        If it is outside the range.
    """
    allowed = (
        f"an integer >= {minimum}" if maximum is None else f"an integer in [{minimum}, {maximum}]"
    )
    if isinstance(n, bool | np.bool_) or (isinstance(n, torch.Tensor) and n.dtype == torch.bool):
        raise TypeError(f"{name} must be {allowed}; got {n!r}")
    try:
        value = operator.index(n)
    except TypeError:
        raise _not_a_number(name, n, allowed) from None
    if value < minimum or (maximum is not None and value > maximum):
        raise ValueError(f"{name} must be {allowed}; got {value}")
    return value


def check_samples(name: str, n: int) -> None:
    """Refuse allocations of more than :data:`MAX_SAMPLES` samples."""
    if n > MAX_SAMPLES:
        raise ValueError(
            f"{name} would need {n:,} samples; the limit is {MAX_SAMPLES:,} "
            "(shorten the duration, raise dt or use a smaller batch)"
        )


#: Largest seed of a Poisson train, a Stimulus, the fit's starts and the page (the quantal rig
#: takes any 64-bit seed: the mystery synapses draw theirs from a hash).
SEED_MAX = 2**31 - 1


def check_seed(name: str, seed: Any) -> int:
    """``seed`` as an ``int`` in [0, :data:`SEED_MAX`]: the one seed rule of the package.

    Raises
    ------
    TypeError
        If ``seed`` is not an integer (booleans, floats and strings are refused).
    ValueError
        If it is outside [0, SEED_MAX].
    """
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise TypeError(f"{name} must be an integer in [0, {SEED_MAX}]; got {seed!r}")
    value = int(seed)
    if not 0 <= value <= SEED_MAX:
        raise ValueError(f"{name} must be an integer in [0, {SEED_MAX}]; got {value}")
    return value
