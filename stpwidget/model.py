"""The Tsodyks–Markram kernel: an exact event-driven solution and the Norse tutorial's Euler.

See ``docs/model.md`` (also taught in the lesson) for the equations. Both methods share one
structure: a short loop over spikes computes the state entering and leaving every spike, and
the sampled trace is filled in one vectorised step by decaying the latest post-spike state.
Only the propagators differ:

* ``"exact"`` decays over an elapsed time ``Δ`` by ``exp(-Δ/τ)`` and applies the spike jump
  instantaneously;
* ``"euler"`` maps every spike to its grid step, decays by ``(1 - dt/τ)`` per step and applies
  the Norse tutorial's update rule in the spike's step, which reproduces Norse's ``stp_step``
  loop.

The same code runs on NumPy arrays (CPU, no autograd: small and fast) or on torch tensors
(CUDA, autograd, long traces) through two tiny namespaces, ``_NUMPY`` and ``_TORCH``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any, Literal, NamedTuple, cast

import numpy as np
import torch

from stpwidget._checks import check_range, check_samples
from stpwidget.params import TMParameters
from stpwidget.trains import MAX_DURATION, as_spike_times

Method = Literal["exact", "euler"]
#: An array of the kernel's loop: a NumPy array under ``_NUMPY``, a tensor under ``_TORCH``
#: (each namespace takes and returns its own kind; the static type cannot say which).
Array = Any
#: Traces up to this many samples (batch x time) are computed with NumPy on the CPU: the
#: explorer's longest window (100 s at 0.1 ms) too. A first visit of a 10 s window took
#: 60-140 ms in torch on a busy 2-core machine, 2-4 ms in NumPy (the same numbers, bit for
#: bit; benchmarks/README.md).
SMALL_TRACE = 1_000_000
METHODS: tuple[str, ...] = ("exact", "euler")


class STPState(NamedTuple):
    """Synapse state ``x``, ``u`` and ``current`` (tensors of one shape)."""

    x: torch.Tensor
    u: torch.Tensor
    current: torch.Tensor


@dataclasses.dataclass(frozen=True)
class STPTrace:
    """Result of :func:`simulate`.

    Attributes
    ----------
    t : torch.Tensor
        Sample times in s, shape ``(n,)``, float64: ``0, dt, 2 dt, ...``.
    x, u, current : torch.Tensor
        Resources, utilization and synaptic current (in units of ``A``) at the samples,
        shape ``batch_shape + (n,)``. A sample on a spike shows the post-spike state.
    spike_times : torch.Tensor
        The input spikes in s, shape ``(n_spikes,)``, float64.
    release : torch.Tensor
        Released fraction ``r = u⁺ x⁻`` per spike, shape ``batch_shape + (n_spikes,)``.
    pre, post : STPState
        State entering and leaving each spike update, shape ``batch_shape + (n_spikes,)``.
    params : TMParameters
        The parameters simulated.
    dt : float
        Sampling step in s.
    method : str
        ``"exact"`` or ``"euler"``.
    """

    t: torch.Tensor
    x: torch.Tensor
    u: torch.Tensor
    current: torch.Tensor
    spike_times: torch.Tensor
    release: torch.Tensor
    pre: STPState
    post: STPState
    params: TMParameters
    dt: float
    method: str


def simulate(
    params: TMParameters,
    spike_times: Sequence[float] | torch.Tensor,
    duration: float,
    dt: float = 1e-4,
    method: Method = "exact",
    dtype: torch.dtype = torch.float64,
    device: torch.device | str | None = None,
) -> STPTrace:
    """Simulate a Tsodyks–Markram synapse driven by a presynaptic spike train.

    Parameters
    ----------
    params : TMParameters
        Synapse parameters (time constants in s). Tensor fields with a batch shape give
        a batch of traces; gradients flow back to tensor fields that require them.
    spike_times : sequence of float or torch.Tensor
        Sorted presynaptic spike times in s (>= 0), shared by the whole batch. Spikes after
        ``duration`` still count in ``release`` but not in the sampled trace.
    duration : float
        Length of the sampled trace in s (> 0); ``n = round(duration / dt)`` samples.
    dt : float, default 1e-4
        Sampling step in s (> 0). With ``method="exact"`` the per-spike values do not depend
        on it; with ``"euler"`` it is the integration step and spikes snap to the nearest step.
    method : {"exact", "euler"}, default "exact"
        Event-driven closed form, or the Norse tutorial's forward-Euler scheme (for parity).
    dtype : torch.dtype, default torch.float64
        Floating dtype of the results (times are always float64).
    device : torch.device or str, optional
        Device of the results; default: that of a tensor parameter, else CPU.

    Returns
    -------
    STPTrace
        Sampled traces and per-spike values.

    Raises
    ------
    ValueError
        For a bad ``method``, ``dt``, ``duration``, spike train, or a trace that would need
        more than 10⁸ samples; with ``"euler"``, also when ``dt`` is not below every time
        constant or two spikes fall into one step.

    Examples
    --------
    >>> from stpwidget import PRESETS, regular_train, simulate
    >>> trace = simulate(PRESETS["depressing"], regular_train(10.0, 9, start=0.1), 1.0)
    >>> round(float(trace.release[1]), 6)
    0.293081
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}; got {method!r}")
    if not isinstance(params, TMParameters):
        raise ValueError(f"params must be a TMParameters; got {type(params).__name__}")
    check_range("dt", dt, low=0.0, high=1.0, low_open=True, unit=" s")
    check_range("duration", duration, low=0.0, high=MAX_DURATION, low_open=True, unit=" s")
    if not dtype.is_floating_point:
        raise ValueError(f"dtype must be a floating dtype; got {dtype}")
    dt, duration = float(dt), float(duration)
    n = round(duration / dt)
    if n < 1:
        raise ValueError(f"duration must be at least one step dt={dt:g} s; got {duration:g} s")
    p = params.as_tensors(dtype, device)
    check_samples("duration / dt", n * p["U"].numel())
    spikes = as_spike_times(spike_times)
    dev = p["U"].device
    # The state is kept as (1 - x, u, I) stacked on a leading axis: all three decay alike.
    taus_t = torch.stack([p["tau_d"], p["tau_f"], p["tau_s"]])
    # Without autograd on the CPU, NumPy runs the loop over spikes, and the trace too when it
    # is small: single-threaded, a fraction of torch's per-call cost, and unaffected by a
    # busy CPU (where torch's two threads took 7-22 ms for what one does in 0.5 ms). Large
    # traces, CUDA and autograd use torch.
    no_grad_cpu = dev.type == "cpu" and not any(t.requires_grad for t in (p["U"], p["A"], taus_t))
    ev = _NUMPY if no_grad_cpu else _TORCH
    xp = _NUMPY if no_grad_cpu and n * p["U"].numel() <= SMALL_TRACE else _TORCH

    def propagator_for(ops: Ops, taus_ops: Any) -> _ExactPropagator | _EulerPropagator:
        train = ops.array(spikes.to(dev))
        if method == "exact":
            return _ExactPropagator(ops, train, n, dt)
        return _EulerPropagator(ops, train, n, dt, taus_ops)

    U, A, taus_ev = (ev.array(t) for t in (p["U"], p["A"], taus_t))
    prop = propagator_for(ev, taus_ev)
    pre, post = _spike_updates(ev, U, A, taus_ev, prop)
    taus = taus_ev
    if ev is not xp:  # a NumPy loop, then a trace too long for NumPy: torch fills it
        pre, post = (torch.from_numpy(a).to(dev) for a in (pre, post))
        taus = xp.array(taus_t)
        prop = propagator_for(xp, taus)
    # The trace: decay the latest post-spike state (a rest "event" at t = 0 leads the list).
    post_rest = xp.cat([xp.zeros_like(taus[..., None]), post], -1)
    idx = xp.right_of(prop.event_clock, prop.grid_clock) - 1
    elapsed = xp.cast(prop.grid_clock - prop.event_clock[idx], taus)
    grid = post_rest[..., idx] * prop.factor(taus, elapsed)
    t = prop.grid_clock * dt if method == "euler" else prop.grid_clock
    return STPTrace(
        t=xp.tensor(t),
        x=xp.tensor(1.0 - grid[0]),
        u=xp.tensor(grid[1]),
        current=xp.tensor(grid[2]),
        spike_times=spikes.to(dev),
        release=xp.tensor((1.0 - pre[0]) * post[1]),
        pre=_as_state(xp, pre),
        post=_as_state(xp, post),
        params=params,
        dt=dt,
        method=method,
    )


#: Duration and step of :func:`per_spike`'s one-sample trace, in s.
_ONE_SAMPLE = 1e-3


def per_spike(params: TMParameters, spike_times: Sequence[float] | torch.Tensor) -> STPTrace:
    """:func:`simulate` for the per-spike values only (its trace is a single sample).

    ``release``, ``pre`` and ``post`` are those of ``simulate`` (the exact method, float64);
    ``t``, ``x``, ``u`` and ``current`` hold the state at ``t = 0`` alone.
    """
    return simulate(params, spike_times, duration=_ONE_SAMPLE, dt=_ONE_SAMPLE)


def release_per_spike(
    params: TMParameters, spike_times: Sequence[float] | torch.Tensor
) -> torch.Tensor:
    """Released fraction ``r = u⁺ x⁻`` at every spike, shape ``batch_shape + (n_spikes,)``.

    The same numbers as ``simulate(params, spike_times, duration).release`` for any
    duration (the exact method, float64), without a sampled trace.

    Raises
    ------
    ValueError
        If ``params`` is not a :class:`TMParameters` or for a bad spike train.

    Examples
    --------
    >>> from stpwidget import PRESETS, regular_train
    >>> r = release_per_spike(PRESETS["depressing"], regular_train(10.0, 9, start=0.1))
    >>> round(float(r[1]), 6)
    0.293081
    """
    return release_of_trains(params, [spike_times])[0]


def release_of_trains(
    params: TMParameters, trains: Sequence[Sequence[float] | torch.Tensor]
) -> list[torch.Tensor]:
    """:func:`release_per_spike` of several trains, each from rest, in one loop over spikes.

    The trains' spikes run through one loop with the state put back to rest before each
    train's first spike, so the cost of a call is paid once for all of them.
    """
    if not isinstance(params, TMParameters):
        raise ValueError(f"params must be a TMParameters; got {type(params).__name__}")
    spikes = [as_spike_times(t) for t in trains]
    p = params.as_tensors()
    dev = p["U"].device
    taus_t = torch.stack([p["tau_d"], p["tau_f"], p["tau_s"]])
    no_grad_cpu = dev.type == "cpu" and not any(t.requires_grad for t in (p["U"], p["A"], taus_t))
    xp = _NUMPY if no_grad_cpu else _TORCH
    gaps = torch.cat([torch.diff(s, prepend=s[:1]) for s in spikes]).to(dev)
    first = torch.cat([torch.arange(s.numel()) == 0 for s in spikes]).to(dev)
    prop = _FromRest(xp, xp.array(gaps), xp.array(~first))
    U, A, taus = (xp.array(t) for t in (p["U"], p["A"], taus_t))
    pre, post = _spike_updates(xp, U, A, taus, prop)
    release = xp.tensor((1.0 - pre[0]) * post[1])
    return list(torch.split(release, [s.numel() for s in spikes], dim=-1))


class _NUMPY:
    """Array operations the kernel needs, on NumPy arrays (results back as tensors)."""

    exp, cat, diff, round = np.exp, np.concatenate, np.diff, np.round

    @staticmethod
    def array(t: torch.Tensor) -> Array:
        return t.numpy()

    @staticmethod
    def tensor(a: Array) -> torch.Tensor:
        return torch.from_numpy(np.ascontiguousarray(a))

    @staticmethod
    def arange(n: int, like: Array) -> Array:
        return np.arange(n, dtype=like.dtype)

    @staticmethod
    def zeros_like(a: Array) -> Array:
        return np.zeros_like(a)

    @staticmethod
    def right_of(edges: Array, values: Array) -> Array:
        return np.searchsorted(edges, values, side="right")

    @staticmethod
    def cast(a: Array, like: Array) -> Array:
        return a.astype(like.dtype, copy=False)


class _TORCH:
    """The same operations on tensors (any device; autograd flows)."""

    exp, cat, diff, round = torch.exp, torch.cat, torch.diff, torch.round
    zeros_like = torch.zeros_like

    @staticmethod
    def array(t: torch.Tensor) -> Array:
        return t

    @staticmethod
    def tensor(a: Array) -> torch.Tensor:
        return cast(torch.Tensor, a)

    @staticmethod
    def arange(n: int, like: Array) -> Array:
        return torch.arange(n, dtype=like.dtype, device=like.device)

    @staticmethod
    def right_of(edges: Array, values: Array) -> Array:
        return torch.searchsorted(edges, values.to(edges.device), right=True)

    @staticmethod
    def cast(a: Array, like: Array) -> Array:
        return a.to(like.device, like.dtype)


Ops = type[_NUMPY] | type[_TORCH]


def _as_state(xp: Ops, s: Any) -> STPState:
    """Unstack ``(1 - x, u, I)`` into an :class:`STPState` of tensors."""
    return STPState(x=xp.tensor(1.0 - s[0]), u=xp.tensor(s[1]), current=xp.tensor(s[2]))


class _ExactPropagator:
    """Exact propagators: time in s, decay ``exp(-Δ/τ)``, instantaneous jumps."""

    def __init__(self, xp: Ops, spikes: Any, n: int, dt: float) -> None:
        self.xp = xp
        self.event_clock = xp.cat([xp.arange(1, spikes), spikes])  # a rest "event" at 0
        self.grid_clock = xp.arange(n, spikes) * dt
        # Elapsed time before each spike's update (the first one starts from rest).
        self.gaps = xp.diff(spikes, prepend=spikes[:1])

    def factor(self, taus: Any, elapsed: Any) -> Any:
        return self.xp.exp(elapsed * (-1.0 / taus)[..., None])

    def jump_factor(self, taus: Any) -> Any:
        return taus * 0.0 + 1.0


class _FromRest(_ExactPropagator):
    """Exact decay between spikes, and back to rest before each spike marked in ``keep``."""

    def __init__(self, xp: Ops, gaps: Any, keep: Any) -> None:
        self.xp, self.gaps, self.keep = xp, gaps, keep

    def factor(self, taus: Any, elapsed: Any) -> Any:
        return self.xp.exp(elapsed * (-1.0 / taus)[..., None]) * self.keep


class _EulerPropagator:
    """The Norse tutorial's forward Euler: time in steps, decay ``(1 - dt/τ)`` per step.

    A spike in step k acts in that step's update; sample k is the state after step k.
    """

    def __init__(self, xp: Ops, spikes: Any, n: int, dt: float, taus: Any) -> None:
        for name, tau in zip(("tau_d", "tau_f", "tau_s"), taus):
            if bool((tau <= dt).any()):
                raise ValueError(
                    f"dt must be below {name} for method='euler' (forward Euler is unstable "
                    f"for dt >= tau); got dt={dt:g} s, {name}={float(tau.min()):g} s"
                )
        steps = xp.round(spikes / dt)
        same = (steps[1:] == steps[:-1]).tolist()
        if any(same):
            k = same.index(True)
            raise ValueError(
                f"spike_times {float(spikes[k]):g} s and {float(spikes[k + 1]):g} s fall into "
                f"the same Euler step of dt={dt:g} s; use a smaller dt or method='exact'"
            )
        self.xp, self.dt = xp, dt
        self.event_clock = xp.cat([xp.arange(1, steps), steps])  # a rest "event" at 0
        self.grid_clock = xp.arange(n, steps)
        # Steps of pure decay between two spike steps (the spike's own step is the jump).
        self.gaps = xp.diff(steps, prepend=steps[:1] - 1) - 1

    def factor(self, taus: Any, elapsed: Any) -> Any:
        return self.jump_factor(taus)[..., None] ** elapsed

    def jump_factor(self, taus: Any) -> Any:
        return 1.0 - self.dt / taus


def _spike_updates(
    xp: Ops, U: Any, A: Any, taus: Any, prop: _ExactPropagator | _EulerPropagator
) -> tuple[Any, Any]:
    """Loop over spikes: the state ``(1 - x, u, I)`` entering and leaving each spike update.

    Returns two arrays of shape ``(3, *batch, n_spikes)``.
    """
    decay = prop.factor(taus, xp.cast(prop.gaps, taus))  # (3, *batch, n_spikes)
    decay = [decay[..., k] for k in range(decay.shape[-1])]
    jump = prop.jump_factor(taus)
    if xp is _NUMPY and U.ndim == 0:  # one synapse: Python floats are fastest of all
        decay, jump, U, A = [f.tolist() for f in decay], jump.tolist(), float(U), float(A)
    jd, jf, js = jump
    d, u, i = 0.0, 0.0, 0.0
    rows = []
    for fd, ff, fs in decay:
        pre = (d * fd, u * ff, i * fs)
        u = pre[1] * jf + U * (1.0 - pre[1])
        r = u * (1.0 - pre[0])
        d, i = pre[0] * jd + r, pre[2] * js + A * r
        rows.append((*pre, d, u, i))
    if not rows:
        empty = xp.zeros_like(taus[..., None][..., :0])
        return empty, empty
    cols: Array
    if xp is _NUMPY:  # rows: (n_spikes, 6, *batch) -> (6, *batch, n_spikes)
        cols = np.moveaxis(np.asarray(rows, dtype=taus.dtype), 0, -1)
    else:
        cols = torch.stack([torch.stack(c, dim=-1) for c in zip(*rows)])
    return cols[:3], cols[3:]
