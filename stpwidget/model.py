"""The Tsodyks–Markram kernel: event-driven exact solution and the seed's Euler scheme.

See ``STP_MODEL.md`` (shared with the lesson) for the equations. Both methods share one
structure: a short loop over spikes computes the state entering and leaving every spike, and
the sampled trace is filled in one vectorised step by decaying the latest post-spike state.
Only the propagators differ:

* ``"exact"`` decays over an elapsed time ``Δ`` by ``exp(-Δ/τ)`` and applies the spike jump
  instantaneously;
* ``"euler"`` maps every spike to its grid step, decays by ``(1 - dt/τ)`` per step and applies
  the seed's update rule in the spike's step, which reproduces Norse's ``stp_step`` loop.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Literal, NamedTuple

import numpy as np
import torch

from stpwidget._checks import check_range, check_samples
from stpwidget.params import TMParameters
from stpwidget.trains import MAX_DURATION, as_spike_times

Method = Literal["exact", "euler"]
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
        Event-driven closed form, or the seed's forward-Euler scheme (for parity).
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
    taus = torch.stack([p["tau_d"], p["tau_f"], p["tau_s"]])
    clock = _ExactClock(spikes, n, dt) if method == "exact" else _EulerClock(spikes, n, dt, taus)
    pre, post = _spike_updates(p["U"], p["A"], taus, clock)
    # The trace: decay the latest post-spike state (a rest "event" at t = 0 leads the list).
    post_rest = torch.cat([post.new_zeros(*taus.shape, 1), post], dim=-1)
    idx = torch.searchsorted(clock.event_clock, clock.grid_clock, right=True) - 1
    elapsed = (clock.grid_clock - clock.event_clock[idx]).to(dev, dtype)
    grid = post_rest[..., idx.to(dev)] * clock.factor(taus, elapsed)
    return STPTrace(
        t=torch.arange(n, dtype=torch.float64, device=dev) * dt,
        x=1.0 - grid[0],
        u=grid[1],
        current=grid[2],
        spike_times=spikes.to(dev),
        release=(1.0 - pre[0]) * post[1],
        pre=_as_state(pre),
        post=_as_state(post),
        params=params,
        dt=dt,
        method=method,
    )


def _as_state(s: torch.Tensor) -> STPState:
    """Unstack ``(1 - x, u, I)`` into an :class:`STPState`."""
    return STPState(x=1.0 - s[0], u=s[1], current=s[2])


class _ExactClock:
    """Exact propagators: time in s, decay ``exp(-Δ/τ)``, instantaneous jumps."""

    def __init__(self, spikes: torch.Tensor, n: int, dt: float) -> None:
        self.event_clock = torch.cat([spikes.new_zeros(1), spikes])
        self.grid_clock = torch.arange(n, dtype=torch.float64) * dt
        # Elapsed time before each spike's update (the first one starts from rest).
        self.gaps = torch.diff(spikes, prepend=spikes[:1])

    def factor(self, taus: torch.Tensor, elapsed: torch.Tensor) -> torch.Tensor:
        return torch.exp(elapsed * (-1.0 / taus).unsqueeze(-1))

    def jump_factor(self, taus: torch.Tensor) -> torch.Tensor:
        return torch.ones_like(taus)


class _EulerClock:
    """The seed's forward Euler: time in steps, decay ``(1 - dt/τ)`` per step.

    A spike in step k acts in that step's update; sample k is the state after step k.
    """

    def __init__(self, spikes: torch.Tensor, n: int, dt: float, taus: torch.Tensor) -> None:
        for name, tau in zip(("tau_d", "tau_f", "tau_s"), taus.detach()):
            if bool((tau <= dt).any()):
                raise ValueError(
                    f"dt must be below {name} for method='euler' (forward Euler is unstable "
                    f"for dt >= tau); got dt={dt:g} s, {name}={tau.min().item():g} s"
                )
        steps = torch.round(spikes / dt)
        same = torch.diff(steps) == 0
        if bool(same.any()):
            k = int(torch.nonzero(same)[0])
            raise ValueError(
                f"spike_times {spikes[k].item():g} s and {spikes[k + 1].item():g} s fall into "
                f"the same Euler step of dt={dt:g} s; use a smaller dt or method='exact'"
            )
        self.dt = dt
        self.event_clock = torch.cat([steps.new_zeros(1), steps])
        self.grid_clock = torch.arange(n, dtype=torch.float64)
        # Steps of pure decay between two spike steps (the spike's own step is the jump).
        self.gaps = torch.diff(steps, prepend=steps[:1] - 1) - 1

    def factor(self, taus: torch.Tensor, elapsed: torch.Tensor) -> torch.Tensor:
        return torch.pow(self.jump_factor(taus).unsqueeze(-1), elapsed)

    def jump_factor(self, taus: torch.Tensor) -> torch.Tensor:
        return 1.0 - self.dt / taus


def _spike_updates(
    U: torch.Tensor, A: torch.Tensor, taus: torch.Tensor, clock: _ExactClock | _EulerClock
) -> tuple[torch.Tensor, torch.Tensor]:
    """Loop over spikes: the state ``(1 - x, u, I)`` entering and leaving each spike update.

    Returns two tensors of shape ``(3, *batch, n_spikes)``.
    """
    decay = clock.factor(taus, clock.gaps.to(taus.device, taus.dtype)).movedim(-1, 1)
    jump = clock.jump_factor(taus)
    # Without autograd the short loop runs on NumPy rows, or on Python floats for a single
    # synapse: several times faster than a loop of small torch operations.
    fast = taus.device.type == "cpu" and not any(t.requires_grad for t in (U, A, taus))
    if fast:
        scalar = U.dim() == 0
        decay, jump, U, A = (
            t.numpy().tolist() if scalar else t.numpy() for t in (decay, jump, U, A)
        )
    jd, jf, js = jump
    d, u, i = 0.0, 0.0, 0.0
    rows = []
    for fd, ff, fs in zip(*decay):
        pre = (d * fd, u * ff, i * fs)
        u = pre[1] * jf + U * (1.0 - pre[1])
        r = u * (1.0 - pre[0])
        d, i = pre[0] * jd + r, pre[2] * js + A * r
        rows.append((*pre, d, u, i))
    if not rows:
        empty = taus.new_zeros(*taus.shape, 0)
        return empty, empty
    if fast:  # rows: (n_spikes, 6, *batch) -> (6, *batch, n_spikes)
        cols = torch.from_numpy(np.moveaxis(np.asarray(rows, dtype=taus.numpy().dtype), 0, -1))
    else:
        cols = torch.stack([torch.stack(c, dim=-1) for c in zip(*rows)])
    return cols[:3], cols[3:]
