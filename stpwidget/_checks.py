"""Input validation shared by the kernel: one place that words the errors.

Every check raises :class:`ValueError` naming the argument, the offending value and the
allowed range. Nothing is clamped.
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
    """Raise ``ValueError`` unless every element of ``value`` is finite and in range.

    Parameters
    ----------
    name : str
        Argument name shown in the message.
    value : float or torch.Tensor
        Value(s) to check, in the argument's own unit.
    low, high : float
        Bounds of the allowed interval, in ``unit``.
    low_open, high_open : bool
        Whether the bound itself is excluded.
    unit : str
        Unit shown in the message (e.g. ``" s"``, ``" Hz"``).
    """
    if isinstance(value, torch.Tensor):
        if value.is_complex() or value.dtype == torch.bool:
            raise ValueError(f"{name} must be a real number; got {_describe(value)}")
        a = value.detach().cpu().numpy()  # small inputs: NumPy checks are cheaper
        finite = bool(np.isfinite(a).all())
        above = bool((a > low).all() if low_open else (a >= low).all())
        below = bool((a < high).all() if high_open else (a <= high).all())
    else:
        try:
            v = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"{name} must be a real number; got {value!r}") from None
        finite = math.isfinite(v)
        above = v > low if low_open else v >= low
        below = v < high if high_open else v <= high
    if not (finite and above and below):
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


def check_count(name: str, n: Any, minimum: int = 0) -> int:
    """``n`` as an ``int``; ``ValueError`` unless it is an integer >= ``minimum``.

    Booleans and floats are refused, even 1.0 or True: a count is a whole number.
    """
    if isinstance(n, bool):
        raise ValueError(f"{name} must be an integer >= {minimum}; got {n!r}")
    try:
        value = operator.index(n)
    except TypeError:
        raise ValueError(f"{name} must be an integer >= {minimum}; got {n!r}") from None
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}; got {value}")
    return value


def check_samples(name: str, n: int) -> None:
    """Refuse allocations of more than :data:`MAX_SAMPLES` samples."""
    if n > MAX_SAMPLES:
        raise ValueError(
            f"{name} would need {n:,} samples; the limit is {MAX_SAMPLES:,} "
            "(shorten the duration, raise dt or use a smaller batch)"
        )


#: Largest seed accepted anywhere (a Poisson train, the fit's starts, the rig, the page).
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
