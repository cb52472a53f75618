"""Presynaptic spike trains: 1-D float64 tensors of spike times in seconds."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import torch

from stpwidget._checks import check_count, check_range, check_samples, check_seed

#: Longest train (in s) the helpers generate: longer is almost surely a unit slip (ms for s).
MAX_DURATION = 1e5


def regular_train(rate: float, n_spikes: int, start: float = 0.0) -> torch.Tensor:
    """A regular (periodic) spike train.

    Parameters
    ----------
    rate : float
        Firing rate in Hz (> 0); the inter-spike interval is ``1 / rate`` s.
    n_spikes : int
        Number of spikes (>= 0).
    start : float, default 0.0
        Time of the first spike in s (>= 0).

    Returns
    -------
    torch.Tensor
        Spike times ``start + k / rate`` in s, shape ``(n_spikes,)``, float64.

    Examples
    --------
    >>> regular_train(10.0, 3, start=0.1)
    tensor([0.1000, 0.2000, 0.3000], dtype=torch.float64)
    """
    check_range("rate", rate, low=0.0, low_open=True, unit=" Hz")
    check_range("start", start, low=0.0, high=MAX_DURATION, unit=" s")
    n = check_count("n_spikes", n_spikes)
    check_samples("n_spikes", n)
    return float(start) + torch.arange(n, dtype=torch.float64) / float(rate)


def poisson_train(rate: float, duration: float, seed: int | None = None) -> torch.Tensor:
    """A homogeneous Poisson spike train on ``[0, duration)``.

    Parameters
    ----------
    rate : float
        Mean firing rate in Hz (>= 0).
    duration : float
        Length of the train in s (> 0).
    seed : int, optional
        Seed in [0, 2**31 - 1] of a private ``torch.Generator``: the same seed gives the same
        train, and the global torch RNG is left untouched. ``None`` draws a fresh train.

    Returns
    -------
    torch.Tensor
        Sorted spike times in s, float64, shape ``(n,)`` with ``n ~ Poisson(rate * duration)``.

    Raises
    ------
    TypeError
        If ``seed`` is not an integer or ``None``, or a number is not a number.
    ValueError
        If ``rate`` or ``duration`` is out of range or ``seed`` outside [0, 2**31 - 1].
    """
    check_range("rate", rate, low=0.0, unit=" Hz")
    check_range("duration", duration, low=0.0, high=MAX_DURATION, low_open=True, unit=" s")
    return _poisson(rate, duration, None if seed is None else check_seed("seed", seed))


def _poisson(rate: float, duration: float, seed: int | None) -> torch.Tensor:
    """:func:`poisson_train` after validation; ``seed`` may be any 64-bit value here."""
    gen = torch.Generator()
    if seed is None:
        gen.seed()
    else:
        gen.manual_seed(seed)
    mean = torch.tensor(float(rate) * float(duration), dtype=torch.float64)
    check_samples("poisson_train(rate * duration)", int(mean) + 1)
    n = int(torch.poisson(mean, generator=gen))
    times = torch.rand(n, dtype=torch.float64, generator=gen) * float(duration)
    return torch.sort(times).values


def with_recovery_probe(spikes: Sequence[float] | torch.Tensor, delay: float) -> torch.Tensor:
    """Append one probe spike ``delay`` s after the last spike of a train.

    Parameters
    ----------
    spikes : sequence of float or torch.Tensor
        A non-empty, sorted train of spike times in s.
    delay : float
        Gap between the last spike and the probe, in s (> 0).

    Returns
    -------
    torch.Tensor
        The train followed by the probe, float64, shape ``(len(spikes) + 1,)``.
    """
    train = as_spike_times(spikes, "spikes")
    if train.numel() == 0:
        raise ValueError("spikes must hold at least one spike to probe recovery after it")
    check_range("delay", delay, low=0.0, high=MAX_DURATION, low_open=True, unit=" s")
    return torch.cat([train, train[-1:] + float(delay)])


def step_train(
    rate_before: float,
    rate_after: float,
    switch: float,
    duration: float,
    seed: int | None = None,
    start: float = 0.0,
) -> torch.Tensor:
    """A train whose rate steps from ``rate_before`` to ``rate_after`` at ``switch``.

    The train covers ``[start, duration)``: ``rate_before`` on ``[start, switch)`` and
    ``rate_after`` on ``[switch, duration)``.

    * ``seed=None``: regular on each side. The first spike is at ``start``, then one every
      ``1 / rate_before`` s while before the switch; a spike that would land on the switch
      (to within 1e-9 of an interval) belongs to the after side. After the switch the first
      spike is at ``switch``, then one every ``1 / rate_after`` s while before ``duration``.
      So the last interval before the switch may be shorter than ``1 / rate_before``.
    * an integer ``seed`` (in [0, 2**31 - 1]): a homogeneous Poisson train on each side,
      independent of each other. Both sides are drawn as by :func:`poisson_train` from two
      seeds derived from ``seed`` (NumPy's ``SeedSequence``), so the same seed gives the
      same train.

    A rate of 0 Hz gives no spikes on that side.

    Parameters
    ----------
    rate_before, rate_after : float
        Firing rate before and after the switch, in Hz (>= 0).
    switch : float
        Time of the rate step in s, in ``[start, duration]``.
    duration : float
        End of the train in s (> 0); spikes are strictly before it.
    seed : int, optional
        ``None`` (default) for regular trains; an integer in [0, 2**31 - 1] for Poisson
        trains.
    start : float, default 0.0
        Beginning of the train in s, in ``[0, duration)``.

    Returns
    -------
    torch.Tensor
        Sorted spike times in s, 1-D, float64.

    Raises
    ------
    TypeError
        If a number is not a number (e.g. a string) or ``seed`` is not an integer or None.
    ValueError
        If a rate is negative or not finite, ``start``, ``switch`` or ``duration`` is out
        of range, or ``seed`` is outside [0, 2**31 - 1]. The message names the argument.

    Examples
    --------
    >>> step_train(10.0, 40.0, switch=0.3, duration=0.4)
    tensor([0.0000, 0.1000, 0.2000, 0.3000, 0.3250, 0.3500, 0.3750], dtype=torch.float64)
    """
    if seed is not None:
        seed = check_seed("seed", seed)
    check_range("rate_before", rate_before, low=0.0, unit=" Hz")
    check_range("rate_after", rate_after, low=0.0, unit=" Hz")
    check_range("duration", duration, low=0.0, high=MAX_DURATION, low_open=True, unit=" s")
    check_range("start", start, low=0.0, high=float(duration), high_open=True, unit=" s")
    check_range("switch", switch, low=float(start), high=float(duration), unit=" s")
    expected = float(rate_before) * (float(switch) - float(start))
    check_samples("step_train (rates x times)", int(expected + float(rate_after) * float(duration)))
    sides = (
        (float(rate_before), float(start), float(switch)),
        (float(rate_after), float(switch), float(duration)),
    )
    if seed is None:
        parts = [_regular_between(rate, begin, end) for rate, begin, end in sides]
    else:
        seeds = np.random.SeedSequence(seed).generate_state(2, dtype=np.uint64).tolist()
        parts = [
            _poisson(rate, end - begin, seed=s) + begin
            for (rate, begin, end), s in zip(sides, seeds)
            if end > begin
        ]
    return torch.cat([torch.zeros(0, dtype=torch.float64), *parts])


def _regular_between(rate: float, begin: float, end: float) -> torch.Tensor:
    """Regular spikes ``begin + k / rate`` strictly before ``end`` (to 1e-9 of an interval)."""
    if rate == 0.0 or end <= begin:
        return torch.zeros(0, dtype=torch.float64)
    return regular_train(rate, max(0, math.ceil((end - begin) * rate - 1e-9)), start=begin)


def as_spike_times(
    spikes: Sequence[float] | torch.Tensor, name: str = "spike_times"
) -> torch.Tensor:
    """Validate spike times and return them as a new 1-D float64 CPU tensor (s).

    Parameters
    ----------
    spikes : sequence of float or torch.Tensor
        Spike times in s: 1-D, finite, >= 0 and sorted (equal times are allowed).
    name : str, default "spike_times"
        Argument name used in the messages.

    Returns
    -------
    torch.Tensor
        The same times, float64, on the CPU: always a copy, never the caller's tensor.

    Raises
    ------
    TypeError
        If ``spikes`` is text, or holds something that is not a real number.
    ValueError
        If the times are not 1-D, not finite, negative or not sorted; the message names the
        first offending spike (counting from 1).
    """
    if isinstance(spikes, str | bytes):
        raise TypeError(f"{name} must be a 1-D sequence of times in s, got the string {spikes!r}")
    if isinstance(spikes, torch.Tensor) and (spikes.is_complex() or spikes.dtype == torch.bool):
        raise TypeError(f"{name} must hold real numbers; got a {spikes.dtype} tensor")
    try:
        train = torch.as_tensor(spikes, dtype=torch.float64).detach().cpu().clone()
    except (TypeError, ValueError, RuntimeError) as err:
        raise TypeError(f"{name} must be a 1-D sequence of times in s; {err}") from None
    if train.ndim != 1:
        raise ValueError(
            f"{name} must be 1-D (one train shared by the batch); got shape {tuple(train.shape)}"
        )
    a = train.numpy()
    bad = ~(np.isfinite(a) & (a >= 0.0))
    if bad.any():
        k = int(np.argmax(bad))
        value = float(a[k])
        raise ValueError(f"{name} must be finite and in [0 s, inf); spike {k + 1} is {value!r} s")
    backwards = np.diff(a) < 0
    if backwards.any():
        k = int(np.argmax(backwards))
        raise ValueError(
            f"{name} must be sorted in increasing order; "
            f"spike {k + 2} at {a[k + 1]:g} s comes after {a[k]:g} s"
        )
    return train
