"""Closed forms of the Tsodyks–Markram model (``docs/model.md``), vectorised with torch.

Every function takes :class:`~stpwidget.params.TMParameters` (seconds) and rates in Hz or
intervals in s, broadcasts over a batch of parameters and a tensor of rates, returns float64
tensors and lets gradients flow to tensor parameters. The rates that are defined by an
equation (:func:`half_ceiling_rate`, the self-consistent :func:`limiting_frequency`, the
computed :func:`peak_frequency`) are found by bisection and polished by one Newton step,
which also gives them the gradient of the implicit function.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, NamedTuple

import torch

from stpwidget._checks import check_range
from stpwidget.params import TMParameters

Tensors = dict[str, torch.Tensor]


class SteadyState(NamedTuple):
    """Steady state of a regular train (each field broadcast over rates and the batch).

    Attributes
    ----------
    u : torch.Tensor
        Utilization just after a spike, u∞⁺ (dimensionless).
    x : torch.Tensor
        Resources just before a spike, x∞⁻ (dimensionless).
    release : torch.Tensor
        Release per spike r∞ = u∞⁺ x∞⁻ (fraction of resources).
    current : torch.Tensor
        Peak current just after a spike, I∞⁺, in units of ``A``.
    """

    u: torch.Tensor
    x: torch.Tensor
    release: torch.Tensor
    current: torch.Tensor


class PoissonSteadyState(NamedTuple):
    """Mean-field steady state of Poisson input (each field broadcast like the rate).

    Attributes
    ----------
    u : torch.Tensor
        Mean utilization just after a spike, ⟨u⁺⟩ (dimensionless; exact).
    x : torch.Tensor
        Mean resources just before a spike, ⟨x⁻⟩ (dimensionless; mean field).
    release : torch.Tensor
        Mean release per spike ⟨u⁺⟩⟨x⁻⟩ (fraction of resources; mean field).
    current : torch.Tensor
        Time-averaged current A · f · release · τ_s, in units of ``A`` (mean field).
    """

    u: torch.Tensor
    x: torch.Tensor
    release: torch.Tensor
    current: torch.Tensor


def _as_float64(name: str, value: Any, unit: str, **bounds: Any) -> torch.Tensor:
    """``value`` (float, sequence, NumPy array or tensor) as float64, checked by ``bounds``."""
    try:
        tensor = torch.as_tensor(value, dtype=torch.float64)
    except (TypeError, ValueError, RuntimeError):
        raise ValueError(
            f"{name} must be a real number or an array of them; got {value!r}"
        ) from None
    check_range(name, tensor, unit=unit, **bounds)
    return tensor


def _steady(p: Tensors, rate: torch.Tensor) -> SteadyState:
    interval = 1.0 / rate  # inf for rate 0: every exponential below is then exactly 0
    ef = torch.exp(-interval / p["tau_f"])
    ed = torch.exp(-interval / p["tau_d"])
    es = torch.exp(-interval / p["tau_s"])
    u = p["U"] / (1.0 - (1.0 - p["U"]) * ef)
    x = (1.0 - ed) / (1.0 - (1.0 - u) * ed)
    release = u * x
    return SteadyState(u=u, x=x, release=release, current=p["A"] * release / (1.0 - es))


def steady_state(params: TMParameters, rate: Any) -> SteadyState:
    """Steady state of a synapse driven by a regular train.

    Parameters
    ----------
    params : TMParameters
        Synapse parameters (s).
    rate : float, array_like or torch.Tensor
        Input rate(s) in Hz (>= 0; 0 means isolated spikes). Broadcasts against the
        parameters' batch shape, so a 1-D array of rates gives a frequency response.

    Returns
    -------
    SteadyState
        u∞⁺, x∞⁻, r∞ and I∞⁺ (float64 tensors).

    Examples
    --------
    >>> from stpwidget import PRESETS
    >>> round(float(steady_state(PRESETS["depressing"], 10.0).release), 4)
    0.1103
    """
    f = _as_float64("rate", rate, " Hz", low=0.0)
    return _steady(params.as_tensors(torch.float64, f.device), f)


def poisson_steady_state(params: TMParameters, rate: Any) -> PoissonSteadyState:
    """Mean-field steady state of a synapse driven by Poisson input at a mean rate.

    ⟨u⁻⟩ = U f τ_f / (1 + U f τ_f) and ⟨u⁺⟩ = ⟨u⁻⟩ + U (1 − ⟨u⁻⟩) are exact (u is linear in
    itself). ⟨x⁻⟩ = 1 / (1 + ⟨u⁺⟩ f τ_d) neglects the correlation of u⁺ and x⁻ (a short
    interval raises u and lowers x): exact when u⁺ is the same at every spike (τ_f ≪ 1/f),
    otherwise a little high (for the two presets within 2 % of long simulations from 1 to
    100 Hz).

    Parameters
    ----------
    params : TMParameters
        Synapse parameters (s).
    rate : float, array_like or torch.Tensor
        Mean input rate(s) in Hz (>= 0). Broadcasts like in :func:`steady_state`.

    Returns
    -------
    PoissonSteadyState
        ⟨u⁺⟩, ⟨x⁻⟩, the mean release per spike and the time-averaged current (float64).

    Examples
    --------
    >>> from stpwidget import PRESETS
    >>> round(float(poisson_steady_state(PRESETS["facilitating"], 20.0).release), 3)
    0.425
    """
    f = _as_float64("rate", rate, " Hz", low=0.0)
    p = params.as_tensors(torch.float64, f.device)
    a = p["U"] * f * p["tau_f"]
    u_minus = a / (1.0 + a)
    u = u_minus + p["U"] * (1.0 - u_minus)
    x = 1.0 / (1.0 + u * f * p["tau_d"])
    release = u * x
    return PoissonSteadyState(u=u, x=x, release=release, current=p["A"] * f * release * p["tau_s"])


def paired_pulse_ratio(params: TMParameters, interval: Any) -> torch.Tensor:
    """Paired-pulse ratio from rest: second release over first.

    Parameters
    ----------
    params : TMParameters
        Synapse parameters (s).
    interval : float, array_like or torch.Tensor
        Time between the two spikes in s (> 0).

    Returns
    -------
    torch.Tensor
        PPR(Δ) = (1 + (1 − U) e^{−Δ/τ_f}) (1 − U e^{−Δ/τ_d}), dimensionless, float64.
    """
    d = _as_float64("interval", interval, " s", low=0.0, low_open=True)
    p = params.as_tensors(torch.float64, d.device)
    return (1.0 + (1.0 - p["U"]) * torch.exp(-d / p["tau_f"])) * (
        1.0 - p["U"] * torch.exp(-d / p["tau_d"])
    )


def _solve(
    fn: Callable[[torch.Tensor], torch.Tensor], low: torch.Tensor, high: torch.Tensor
) -> torch.Tensor:
    """The rate where ``fn`` crosses 0 upwards between ``low`` and ``high`` (Hz, batched).

    Bisection on a log scale without gradients, then one Newton step from the bracketed
    root: it changes the value by a rounding error and gives the result the gradient of
    the implicit function, −(∂fn/∂θ) / (∂fn/∂f).
    """
    with torch.no_grad():
        lo, hi = low.detach().clone(), high.detach().clone()
        for _ in range(64):  # make sure the bracket holds a crossing: fn(hi) >= 0
            hi = torch.where(fn(hi) < 0, 2.0 * hi, hi)
        for _ in range(100):  # the ratio hi / lo halves its logarithm every step
            mid = torch.sqrt(lo * hi)
            below = fn(mid) < 0
            lo, hi = torch.where(below, mid, lo), torch.where(below, hi, mid)
        root = torch.sqrt(lo * hi)
    with torch.enable_grad():
        at = root.clone().requires_grad_(True)
        (slope,) = torch.autograd.grad(fn(at).sum(), at)
    return root - fn(root) / slope


def half_ceiling_rate(params: TMParameters) -> torch.Tensor:
    """Input rate at which the release rate f · r∞ reaches half its ceiling 1/τ_d, in Hz.

    The release per second of a regular train, f · r∞, rises with the rate f and
    approaches 1/τ_d (recovery limits it). This is the rate at which it is half-way: a
    corner frequency right for depressing and facilitating synapses alike (2.36 Hz and
    19.3 Hz for the presets), unlike the classic :func:`limiting_frequency`.

    Parameters
    ----------
    params : TMParameters
        Synapse parameters (s).

    Returns
    -------
    torch.Tensor
        The rate in Hz, float64, of the parameters' batch shape.

    Examples
    --------
    >>> from stpwidget import PRESETS
    >>> [round(float(half_ceiling_rate(PRESETS[n])), 2) for n in ("depressing", "facilitating")]
    [2.36, 19.27]
    """
    p = params.as_tensors(torch.float64)

    def excess(f: torch.Tensor) -> torch.Tensor:
        return f * p["tau_d"] * _steady(p, f).release - 0.5

    # f·τ_d·r∞ < f·τ_d, so no crossing below 1/(2 τ_d); _solve doubles the upper end if needed.
    return _solve(excess, 0.5 / p["tau_d"], 4.0 / (p["U"] * p["tau_d"]))


def limiting_frequency(params: TMParameters, *, self_consistent: bool = False) -> torch.Tensor:
    """Limiting frequency of depression, in Hz.

    The classic f_lim = 1 / (U τ_d) (Tsodyks & Markram 1997): above it spikes come faster
    than resources recover, the release per spike falls roughly as 1 / (f τ_d) and the
    release rate f · r∞ saturates at 1/τ_d. It assumes that u ≈ U at the rates in question,
    true for a depressing synapse (2.96 Hz for the preset); with facilitation u∞⁺ grows with
    the rate and 1 / (U τ_d) is far too high (133 Hz for the facilitating preset).

    Parameters
    ----------
    params : TMParameters
        Synapse parameters (s).
    self_consistent : bool, default False
        Solve f = 1 / (u∞⁺(f) τ_d) instead, with the steady-state utilization of a regular
        train at the rate f itself (25.7 Hz for the facilitating preset, 2.96 Hz for the
        depressing one).

    Returns
    -------
    torch.Tensor
        f_lim in Hz, float64, of the parameters' batch shape.

    Examples
    --------
    >>> from stpwidget import PRESETS
    >>> round(float(limiting_frequency(PRESETS["depressing"])), 3)
    2.963
    >>> round(float(limiting_frequency(PRESETS["facilitating"], self_consistent=True)), 1)
    25.7
    """
    p = params.as_tensors(torch.float64)
    classic = 1.0 / (p["U"] * p["tau_d"])
    if not self_consistent:
        return classic

    def excess(f: torch.Tensor) -> torch.Tensor:  # increasing: f and u∞⁺(f) both grow
        return f * p["tau_d"] * _steady(p, f).u - 1.0

    # U <= u∞⁺ <= 1 puts the root between 1/τ_d and 1/(U τ_d).
    return _solve(excess, 1.0 / p["tau_d"], classic)


def peak_frequency(params: TMParameters, *, exact: bool = False) -> torch.Tensor:
    """Input rate at which the steady-state release per spike r∞ is largest, in Hz.

    By default the approximation 1 / √(U τ_d τ_f) of Markram, Wang & Tsodyks (1998), meant
    for a facilitating synapse (small U, τ_f ≫ τ_d): 13.3 Hz for the facilitating preset,
    whose computed peak is at 12.9 Hz. It is a rough guide (for other facilitating synapses
    it can be off by a factor of two) and a number without meaning for a depressing one.

    Parameters
    ----------
    params : TMParameters
        Synapse parameters (s).
    exact : bool, default False
        Locate the maximum of ``steady_state(params, f).release`` numerically instead. The
        result is NaN where r∞ has no maximum above its value U for isolated spikes (a
        depressing synapse: the release per spike only falls with the rate).

    Returns
    -------
    torch.Tensor
        The rate in Hz, float64, of the parameters' batch shape.

    Examples
    --------
    >>> from stpwidget import PRESETS
    >>> p = PRESETS["facilitating"]
    >>> round(float(peak_frequency(p)), 1), round(float(peak_frequency(p, exact=True)), 1)
    (13.3, 12.9)
    """
    p = params.as_tensors(torch.float64)
    approximate = 1.0 / torch.sqrt(p["U"] * p["tau_d"] * p["tau_f"])
    if not exact:
        return approximate
    shape = approximate.shape
    # A log grid of 40 points per decade over 8 decades around the approximation, then the
    # zero of dr∞/df between the grid neighbours of the largest point.
    grid = approximate.detach() * torch.logspace(
        -4, 4, 321, dtype=torch.float64, device=approximate.device
    ).reshape((-1,) + (1,) * len(shape))
    flat = {k: v.detach() for k, v in p.items()}
    release = _steady(flat, grid).release
    best = release.argmax(dim=0, keepdim=True)
    low = torch.gather(grid, 0, (best - 1).clamp(min=0))[0]
    high = torch.gather(grid, 0, (best + 1).clamp(max=grid.shape[0] - 1))[0]

    def slope(f: torch.Tensor) -> torch.Tensor:  # −dr∞/df: crosses 0 upwards at the peak
        with torch.enable_grad():
            at = f if f.requires_grad else f.detach().requires_grad_(True)
            graph = f.requires_grad or any(v.requires_grad for v in p.values())
            (d,) = torch.autograd.grad(_steady(p, at).release.sum(), at, create_graph=graph)
        return -d

    peak = _solve(slope, low, high)
    none = (torch.gather(release, 0, best)[0] <= p["U"]) | (best[0] == 0)
    return torch.where(none, torch.full_like(peak, math.nan), peak)
