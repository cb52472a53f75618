"""The postsynaptic membrane driven by the synaptic current of an :class:`STPTrace`.

A passive membrane integrates the current, ``τ_m dV/dt = −V + g·I(t)`` with ``V(0) = 0``;
see the "Membrane potential" section of ``docs/model.md``. Between presynaptic spikes the
current is ``I(t) = I⁺ e^(−Δ/τ_s)``, so the membrane has a closed form there, and it is solved
like the kernel: a short loop carries ``V`` exactly from spike to spike, then every sample
decays the latest spike's state. :func:`lif_response` adds a threshold, a reset and a
refractory period (a leaky integrate-and-fire readout) on top of the same solution.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import torch

from stpwidget._checks import check_range
from stpwidget.model import STPTrace

#: A tensor, or a NumPy array where the LIF evaluates the membrane without autograd.
Array = Any
#: Below this value of |1/τ_s − 1/τ_m|·Δ the response uses a Taylor series (see ``_phi``).
_SERIES_BELOW = 0.05
#: Samples the LIF threshold search looks at first; the window doubles after each miss.
_FIRST_WINDOW = 1024
#: Points per round when the LIF locates a crossing inside a step (5 rounds reach rounding).
_SUBDIVISIONS = 256


class LIFResponse(NamedTuple):
    """Result of :func:`lif_response`.

    Attributes
    ----------
    v : torch.Tensor
        Membrane potential at the trace's samples ``trace.t``, shape ``(n,)``, float64, in
        the unit of ``gain`` times the current. A sample in a refractory period (from an
        output spike up to, not including, its end) shows ``reset``.
    spike_times : torch.Tensor
        Output (postsynaptic) spike times in s, 1-D, float64, sorted.
    """

    v: torch.Tensor
    spike_times: torch.Tensor


def postsynaptic_potential(
    trace: STPTrace, tau_m: float | torch.Tensor, gain: float | torch.Tensor = 1.0
) -> torch.Tensor:
    """Membrane potential driven by the synaptic current of a trace.

    Solves ``τ_m dV/dt = −V + gain·I(t)`` with ``V(0) = 0``, where ``I`` is the trace's
    current, exactly: in closed form between presynaptic spikes (``V`` is continuous at a
    spike; only ``I`` jumps). Both the case ``τ_m = τ_s`` (a ``t·e^(−t/τ)`` response) and
    nearly equal time constants are exact and free of cancellation.

    Parameters
    ----------
    trace : STPTrace
        Result of :func:`~stpwidget.model.simulate` with ``method="exact"``.
    tau_m : float or torch.Tensor
        Membrane time constant in s (> 0). A tensor broadcasts against the trace's batch
        shape; gradients flow to it.
    gain : float or torch.Tensor, default 1.0
        Steady-state potential per unit of current (finite, any sign: a negative gain makes
        an inhibitory synapse). ``V`` is in the unit of ``gain`` times the current, e.g. mV
        if ``gain`` is in mV per unit of ``A``. Broadcasts like ``tau_m``.

    Returns
    -------
    torch.Tensor
        ``V`` at the samples ``trace.t``, shape ``batch_shape + (n,)`` with the batch shape
        broadcast from the trace, ``tau_m`` and ``gain`` (so shaped like ``trace.current``
        for scalar ``tau_m`` and ``gain``), dtype of ``trace.current`` (float64 by default).
        Gradients flow to ``tau_m``, ``gain`` and the trace's tensor parameters.

    Raises
    ------
    ValueError
        If ``trace`` is not an exact :class:`STPTrace`, ``tau_m`` is not finite and > 0, or
        ``gain`` is not finite.

    Examples
    --------
    >>> from stpwidget import PRESETS, regular_train, simulate
    >>> trace = simulate(PRESETS["depressing"], regular_train(10.0, 9, start=0.1), 1.0)
    >>> v = postsynaptic_potential(trace, tau_m=0.02)  # tau_m = tau_s: t e^(-t/tau) form
    >>> round(float(v[1200]), 6)  # 20 ms after the first spike: U e^(-1)
    0.165546
    """
    v: torch.Tensor = _membrane(trace, tau_m, gain).at(trace.t)
    return v


def lif_response(
    trace: STPTrace,
    tau_m: float,
    threshold: float,
    gain: float = 1.0,
    reset: float = 0.0,
    refractory: float = 0.002,
) -> LIFResponse:
    """Leaky integrate-and-fire readout: the postsynaptic spikes the synapse drives.

    The membrane obeys ``τ_m dV/dt = −V + gain·I(t)`` from ``V(0) = 0`` (as in
    :func:`postsynaptic_potential`). When ``V`` reaches ``threshold`` the neuron spikes,
    ``V`` is clamped at ``reset`` for ``refractory`` s, then integrates again from ``reset``;
    the synaptic current is not affected by the reset.

    ``V`` is exact at every sample (the solution is linear, so after a reset it is the free
    potential plus a decaying exponential that makes it ``reset`` at the end of the
    refractory period). A crossing is **detected on the sample grid** (the first sample at
    or above threshold), then **located exactly** inside that step of ``dt`` by repeated
    subdivision, to double precision. An excursion above threshold that starts and ends
    between two samples is missed, so use a ``dt`` well below ``τ_m`` and ``τ_s``. Spikes
    are sought up to the last sample.

    Parameters
    ----------
    trace : STPTrace
        Result of :func:`~stpwidget.model.simulate` with ``method="exact"`` for a single
        synapse (batch shape ``()``; loop over a batch). Used without gradients.
    tau_m : float
        Membrane time constant in s (> 0).
    threshold : float
        Spike threshold (> 0, the resting potential), in the unit of ``V``.
    gain : float, default 1.0
        Steady-state potential per unit of current (finite, any sign).
    reset : float, default 0.0
        Potential after a spike (finite, below ``threshold``).
    refractory : float, default 0.002
        Refractory period in s (>= 0), during which ``V`` stays at ``reset``.

    Returns
    -------
    LIFResponse
        ``v`` at ``trace.t`` (shape ``(n,)``, float64) and the output ``spike_times`` in s.

    Raises
    ------
    ValueError
        For a bad ``trace`` (not exact, or batched), or an argument out of range; the
        message names the argument and the allowed range.
    """
    args = {"tau_m": tau_m, "threshold": threshold, "gain": gain, "reset": reset}
    for name, value in {**args, "refractory": refractory}.items():
        _check_scalar(name, value)
    check_range("threshold", threshold, low=0.0, low_open=True)
    check_range("reset", reset, high=float(threshold), high_open=True)
    check_range("refractory", refractory, low=0.0, high=1e5, unit=" s")
    with torch.no_grad():
        membrane = _membrane(trace, tau_m, gain)
        if membrane.v.ndim != 1:
            raise ValueError(
                "lif_response takes a single synapse: trace must have batch shape (); got "
                f"{tuple(membrane.v.shape[:-1])} (loop over the batch)"
            )
        lif = _LIF(membrane, trace.t, float(threshold), float(reset), float(refractory))
        return lif.run()


def _check_scalar(name: str, value: float | torch.Tensor) -> None:
    if isinstance(value, torch.Tensor) and value.numel() != 1:
        raise ValueError(f"{name} must be a single number; got shape {tuple(value.shape)}")


class _Membrane(NamedTuple):
    """``V`` and ``I`` right after every event (a rest event at 0, then the spikes).

    The fields are tensors, or NumPy arrays in the LIF's copy (:meth:`numpy`); :meth:`at`
    works on either.
    """

    events: Array  # (n_events,) times in s
    v: Array  # batch + (n_events,)
    current: Array  # batch + (n_events,), broadcasts against v
    rate_s: Array  # 1 / τ_s, batch + (1,), in 1/s
    rate_m: Array  # 1 / τ_m, batch + (1,), in 1/s
    gain: Array  # batch + (1,)

    def at(self, times: Array) -> Array:
        """``V`` at times >= 0 (s, any order), shape batch + (len(times),)."""
        if isinstance(self.v, np.ndarray):
            xp: Any = np
            idx = np.maximum(np.searchsorted(self.events, times, side="right") - 1, 0)
            elapsed = times - self.events[idx]
        else:
            xp, times = torch, times.to(self.events.device, self.events.dtype)
            if times.device.type == "cpu":  # NumPy: torch's threads stall on a busy small CPU
                found = np.searchsorted(self.events.numpy(), times.detach().numpy(), "right")
                idx = torch.from_numpy(np.maximum(found - 1, 0))
            else:
                idx = (torch.searchsorted(self.events, times, right=True) - 1).clamp(min=0)
            elapsed = (times - self.events[idx]).to(self.v.dtype)
        decay = xp.exp(-self.rate_m * elapsed)
        drive = _response(elapsed, self.rate_s, self.rate_m)
        return self.v[..., idx] * decay + self.gain * self.current[..., idx] * drive

    def numpy(self) -> _Membrane:
        """The same membrane as NumPy arrays on the CPU (no autograd)."""
        return _Membrane(*(f.detach().cpu().numpy().astype(np.float64) for f in self))


def _membrane(
    trace: STPTrace, tau_m: float | torch.Tensor, gain: float | torch.Tensor
) -> _Membrane:
    """Validate, then carry ``V`` exactly from spike to spike."""
    if not isinstance(trace, STPTrace):
        raise ValueError(f"trace must be an STPTrace from simulate(); got {type(trace).__name__}")
    if trace.method != "exact":
        raise ValueError(
            "trace must come from simulate(..., method='exact'): the membrane is solved in "
            f"closed form between spikes; got method={trace.method!r}"
        )
    check_range("tau_m", tau_m, low=0.0, low_open=True, unit=" s")
    check_range("gain", gain)
    dtype, device = trace.current.dtype, trace.current.device
    tau_s = trace.params.as_tensors(dtype, device)["tau_s"]
    rate_s = (1.0 / tau_s)[..., None]
    rate_m = (1.0 / torch.as_tensor(tau_m, dtype=dtype, device=device))[..., None]
    g = torch.as_tensor(gain, dtype=dtype, device=device)[..., None]
    post = trace.post.current
    rest = post.new_zeros((*post.shape[:-1], 1))
    current = torch.cat([rest, post], -1)
    events = torch.cat([trace.spike_times.new_zeros(1), trace.spike_times])
    gaps = torch.diff(events).to(dtype)
    # From event k to event k + 1: V ← V·e^(−Δ/τ_m) + g·I⁺_k·R(Δ).
    decay = torch.exp(-rate_m * gaps)
    drive = g * current[..., :-1] * _response(gaps, rate_s, rate_m)
    shape = np.broadcast_shapes(decay.shape, drive.shape)
    v = _scan(decay.expand(shape), drive.expand(shape))
    return _Membrane(events, v, current, rate_s=rate_s, rate_m=rate_m, gain=g)


def _response(elapsed: Array, rate_s: Array, rate_m: Array) -> Array:
    """``V`` a time ``Δ`` after the current ``I₀ = 1`` starts at ``V = 0`` (per unit gain).

    ``R(Δ) = τ_s/(τ_s − τ_m)·(e^(−Δ/τ_s) − e^(−Δ/τ_m)) = (Δ/τ_m)·e^(−kΔ)·φ(|1/τ_s − 1/τ_m|Δ)``
    with ``k = min(1/τ_s, 1/τ_m)`` and ``φ(w) = (1 − e^(−w))/w``: no difference of nearly
    equal numbers, no overflow, and ``R(Δ) = (Δ/τ_m)·e^(−Δ/τ_m)`` when ``τ_m = τ_s``.
    """
    xp: Any = np if isinstance(elapsed, np.ndarray) else torch
    slow = xp.minimum(rate_s, rate_m)  # the longer time constant dominates the tail
    return elapsed * rate_m * xp.exp(-slow * elapsed) * _phi(abs(rate_s - rate_m) * elapsed)


def _phi(w: Array) -> Array:
    """``φ(w) = (1 − e^(−w))/w`` for ``w >= 0``, ``φ(0) = 1``, with finite gradients.

    Small ``w`` uses the Taylor series ``Σ (−w)^k/(k + 1)!`` up to ``w⁹/10!`` (error below
    1e-20 for ``w < 0.05``), so neither the value nor its derivative divides by a vanishing
    ``w``.
    """
    small = w < _SERIES_BELOW
    if isinstance(w, np.ndarray):  # no autograd: each branch only where it applies
        if not w.any():  # τ_m = τ_s exactly
            return np.ones_like(w)
        out = np.empty_like(w)
        big = ~small
        out[big] = -np.expm1(-w[big]) / w[big]
        out[small] = _series(w[small])
        return out
    if not bool(small.any()):
        return -torch.expm1(-w) / w
    safe = torch.where(small, torch.ones_like(w), w)
    closed = -torch.expm1(-safe) / safe
    return torch.where(small, _series(torch.where(small, w, torch.zeros_like(w))), closed)


def _series(w: Array) -> Array:
    """``φ(w)`` by its Taylor series to ``w⁹/10!`` (Horner), for ``0 <= w < 0.05``."""
    series: Array = 1.0 + 0.0 * w
    for k in range(9, 0, -1):  # 1 − (w/2)(1 − (w/3)(1 − ... (1 − w/10)))
        series = 1.0 - w / (k + 1) * series
    return series


def _scan(decay: torch.Tensor, drive: torch.Tensor) -> torch.Tensor:
    """``V_0 = 0, V_(k+1) = decay_k·V_k + drive_k`` along the last axis; returns all ``V_k``.

    Without autograd the loop runs on NumPy (a fraction of torch's per-call cost).
    """
    if not (decay.requires_grad or drive.requires_grad):
        a, b = decay.detach().cpu().numpy(), drive.detach().cpu().numpy()
        out = np.zeros((*a.shape[:-1], a.shape[-1] + 1), dtype=a.dtype)
        for k in range(a.shape[-1]):
            out[..., k + 1] = a[..., k] * out[..., k] + b[..., k]
        return torch.from_numpy(out).to(decay.device)
    v = torch.zeros_like(decay[..., 0])
    values = [v]
    for k in range(decay.shape[-1]):
        v = decay[..., k] * v + drive[..., k]
        values.append(v)
    return torch.stack(values, -1)


class _LIF:
    """Threshold, reset and refractory period on top of the free membrane (one synapse).

    After a reset ending at ``t_e`` the potential is ``V_free(t) + W e^(−(t − t_e)/τ_m)``
    with ``W = reset − V_free(t_e)``: the difference from the free solution obeys the
    homogeneous equation. Runs on NumPy, float64 (sequential and small: no autograd).
    """

    def __init__(
        self, membrane: _Membrane, t: torch.Tensor, threshold: float, reset: float, refr: float
    ) -> None:
        self.membrane = membrane.numpy()
        self.t = t.detach().cpu().numpy().astype(np.float64)
        self.threshold, self.reset, self.refractory = threshold, reset, refr
        self.rate_m = float(self.membrane.rate_m[0])
        self.free = self.membrane.at(self.t)  # V without threshold
        self.v = self.free.copy()  # the LIF's V, written segment by segment
        self.t_e, self.w = 0.0, 0.0  # the current free-running segment starts at t_e

    def potential(self, times: Array) -> Array:
        free = self.membrane.at(times)
        return free + self.w * np.exp(-self.rate_m * (times - self.t_e))

    def run(self) -> LIFResponse:
        spikes: list[float] = []
        start, n = 0, self.t.size
        while start < n:
            hit = self._first_crossing(start)
            if hit is None:
                break
            left = self.t_e if hit == start else float(self.t[hit - 1])
            crossing = self._locate(left, float(self.t[hit]))
            spikes.append(crossing)
            self.t_e = crossing + self.refractory
            end = int(np.searchsorted(self.t, self.t_e))
            self.v[hit:end] = self.reset
            self.w = self.reset - float(self.membrane.at(np.array([self.t_e]))[0])
            start = end  # >= hit: the crossing lies after sample hit - 1
        return LIFResponse(
            v=torch.from_numpy(self.v), spike_times=torch.tensor(spikes, dtype=torch.float64)
        )

    def _first_crossing(self, start: int) -> int | None:
        """Write ``V`` from sample ``start`` on; the first sample at or above threshold."""
        window, n = _FIRST_WINDOW, self.t.size
        while start < n:
            stop = min(n, start + window)
            decay = np.exp(-self.rate_m * (self.t[start:stop] - self.t_e))
            seg = self.free[start:stop] + self.w * decay
            self.v[start:stop] = seg
            above = np.flatnonzero(seg >= self.threshold)
            if above.size:
                return start + int(above[0])
            start, window = stop, 2 * window
        return None

    def _locate(self, lo: float, hi: float) -> float:
        """The crossing in ``(lo, hi]`` given ``V(lo) < threshold <= V(hi)``, to rounding."""
        while True:
            q = np.linspace(lo, hi, _SUBDIVISIONS + 1)[1:]
            q[-1] = hi
            above = np.flatnonzero(self.potential(q) >= self.threshold)
            k = int(above[0]) if above.size else q.size - 1
            new_lo, new_hi = (lo if k == 0 else float(q[k - 1])), float(q[k])
            if new_hi - new_lo >= hi - lo:  # no progress: the step is resolved to rounding
                return hi
            lo, hi = new_lo, new_hi
