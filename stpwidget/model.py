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
from stpwidget.params import TIME_CONSTANTS, TMParameters
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
    check_samples("duration / dt", n * max(1, params.batch_shape.numel()))

    spikes = as_spike_times(spike_times)
    p = params.as_tensors(dtype, device)
    dev = p["U"].device
    if method == "exact":
        clock = _ExactClock(spikes, n, dt)
    else:
        clock = _EulerClock(spikes, n, dt, p)

    pre, post = _spike_updates(p, clock)
    # The trace: decay the latest post-spike state (a rest "event" at t = 0 leads the list).
    rest = STPState(*(torch.full_like(p["U"], v) for v in (1.0, 0.0, 0.0)))
    with_rest = STPState(*(torch.cat([r.unsqueeze(-1), s], dim=-1) for r, s in zip(rest, post)))
    idx = torch.searchsorted(clock.event_clock, clock.grid_clock, right=True) - 1
    elapsed = (clock.grid_clock - clock.event_clock[idx]).to(dev, dtype)
    idx = idx.to(dev)
    x, u, current = _decay(clock, p, STPState(*(s[..., idx] for s in with_rest)), elapsed)
    return STPTrace(
        t=torch.arange(n, dtype=torch.float64, device=dev) * dt,
        x=x,
        u=u,
        current=current,
        spike_times=spikes.to(dev),
        release=pre.x * post.u,
        pre=pre,
        post=post,
        params=params,
        dt=dt,
        method=method,
    )


class _ExactClock:
    """Exact propagators: time in s, decay ``exp(-Δ/τ)``, instantaneous jumps."""

    def __init__(self, spikes: torch.Tensor, n: int, dt: float) -> None:
        self.event_clock = torch.cat([spikes.new_zeros(1), spikes])
        self.grid_clock = torch.arange(n, dtype=torch.float64) * dt
        # Elapsed time before each spike's update (the first one starts from rest).
        self.gaps = torch.diff(spikes, prepend=spikes[:1])

    def factor(self, tau: torch.Tensor, elapsed: torch.Tensor) -> torch.Tensor:
        return torch.exp(-elapsed / tau.unsqueeze(-1))

    def jump_factor(self, tau: torch.Tensor) -> torch.Tensor | float:
        return 1.0


class _EulerClock:
    """The seed's forward Euler: time in steps, decay ``(1 - dt/τ)`` per step.

    A spike in step k acts in that step's update; sample k is the state after step k.
    """

    def __init__(self, spikes: torch.Tensor, n: int, dt: float, p: dict[str, torch.Tensor]) -> None:
        for name in TIME_CONSTANTS:
            if bool((p[name].detach() <= dt).any()):
                raise ValueError(
                    f"dt must be below {name} for method='euler' (forward Euler is unstable "
                    f"for dt >= tau); got dt={dt:g} s, {name}={p[name].detach().min().item():g} s"
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

    def factor(self, tau: torch.Tensor, elapsed: torch.Tensor) -> torch.Tensor:
        return torch.pow(1.0 - self.dt / tau.unsqueeze(-1), elapsed)

    def jump_factor(self, tau: torch.Tensor) -> torch.Tensor | float:
        return 1.0 - self.dt / tau


def _decay(
    clock: _ExactClock | _EulerClock,
    p: dict[str, torch.Tensor],
    s: STPState,
    elapsed: torch.Tensor,
) -> STPState:
    """Propagate states ``s`` (shape ``(..., m)``) over ``elapsed`` (shape ``(m,)``)."""
    return STPState(
        x=1.0 - (1.0 - s.x) * clock.factor(p["tau_d"], elapsed),
        u=s.u * clock.factor(p["tau_f"], elapsed),
        current=s.current * clock.factor(p["tau_s"], elapsed),
    )


def _spike_updates(
    p: dict[str, torch.Tensor], clock: _ExactClock | _EulerClock
) -> tuple[STPState, STPState]:
    """Loop over spikes: the state entering (pre) and leaving (post) each spike update."""
    dtype, dev = p["U"].dtype, p["U"].device
    gaps = clock.gaps.to(dev, dtype)
    decay = [clock.factor(p[n], gaps) for n in ("tau_d", "tau_f", "tau_s")]
    jump = [clock.jump_factor(p[n]) for n in ("tau_d", "tau_f", "tau_s")]
    U, A = p["U"], p["A"]
    tensors = [U, A, *decay, *(j for j in jump if isinstance(j, torch.Tensor))]
    # Without autograd, the short scalar loop runs far faster on NumPy arrays.
    fast = dev.type == "cpu" and not any(t.requires_grad for t in tensors)
    conv = (lambda t: t.numpy() if isinstance(t, torch.Tensor) else t) if fast else (lambda t: t)
    fd, ff, fs = (np.moveaxis(conv(f), -1, 0) if fast else f.movedim(-1, 0) for f in decay)
    jd, jf, js = (conv(j) for j in jump)
    U, A = conv(U), conv(A)

    x, u, i = 1.0, 0.0, 0.0
    rows: list[tuple] = []
    for k in range(gaps.shape[0]):
        x_pre = 1.0 - (1.0 - x) * fd[k]
        u_pre = u * ff[k]
        i_pre = i * fs[k]
        u = u_pre * jf + U * (1.0 - u_pre)
        r = u * x_pre
        x = 1.0 - (1.0 - x_pre) * jd - r
        i = i_pre * js + A * r
        rows.append((x_pre, u_pre, i_pre, x, u, i))

    if not rows:
        empty = p["U"].new_zeros(*p["U"].shape, 0)
        return STPState(empty, empty, empty), STPState(empty, empty, empty)
    # All fields share the batch shape (as_tensors broadcast them), so the rows stack.
    if fast:
        cols = [torch.from_numpy(np.stack(c, axis=-1)) for c in zip(*rows)]
    else:
        cols = [torch.stack(c, dim=-1) for c in zip(*rows)]
    return STPState(*cols[:3]), STPState(*cols[3:])
