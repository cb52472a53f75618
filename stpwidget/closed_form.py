"""Closed forms of the Tsodyks–Markram model (``STP_MODEL.md``), vectorised with torch."""

from __future__ import annotations

from typing import NamedTuple

import torch

from stpwidget._checks import check_range
from stpwidget.params import TMParameters


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


def steady_state(params: TMParameters, rate: float | torch.Tensor) -> SteadyState:
    """Steady state of a synapse driven by a regular train.

    Parameters
    ----------
    params : TMParameters
        Synapse parameters (s).
    rate : float or torch.Tensor
        Input rate(s) in Hz (>= 0; 0 means isolated spikes). Broadcasts against the
        parameters' batch shape, so a 1-D tensor of rates gives a frequency response.

    Returns
    -------
    SteadyState
        u∞⁺, x∞⁻, r∞ and I∞⁺ (float64).
    """
    check_range("rate", rate, low=0.0, unit=" Hz")
    rate = torch.as_tensor(rate, dtype=torch.float64)
    p = params.as_tensors(torch.float64, rate.device)
    interval = 1.0 / rate  # inf for rate 0: every exponential below is then exactly 0
    ef = torch.exp(-interval / p["tau_f"])
    ed = torch.exp(-interval / p["tau_d"])
    es = torch.exp(-interval / p["tau_s"])
    u = p["U"] / (1.0 - (1.0 - p["U"]) * ef)
    x = (1.0 - ed) / (1.0 - (1.0 - u) * ed)
    release = u * x
    return SteadyState(u=u, x=x, release=release, current=p["A"] * release / (1.0 - es))


def paired_pulse_ratio(params: TMParameters, interval: float | torch.Tensor) -> torch.Tensor:
    """Paired-pulse ratio from rest: second release over first.

    Parameters
    ----------
    params : TMParameters
        Synapse parameters (s).
    interval : float or torch.Tensor
        Time between the two spikes in s (> 0).

    Returns
    -------
    torch.Tensor
        PPR(Δ) = (1 + (1 − U) e^{−Δ/τ_f}) (1 − U e^{−Δ/τ_d}), dimensionless, float64.
    """
    check_range("interval", interval, low=0.0, low_open=True, unit=" s")
    interval = torch.as_tensor(interval, dtype=torch.float64)
    p = params.as_tensors(torch.float64, interval.device)
    return (1.0 + (1.0 - p["U"]) * torch.exp(-interval / p["tau_f"])) * (
        1.0 - p["U"] * torch.exp(-interval / p["tau_d"])
    )


def limiting_frequency(params: TMParameters) -> torch.Tensor:
    """Limiting frequency of depression, f_lim = 1 / (U τ_d), in Hz.

    Above it the steady-state release falls roughly as 1 / (f τ_d), so the release rate
    f · r∞ saturates at 1 / τ_d.

    Parameters
    ----------
    params : TMParameters
        Synapse parameters (s).

    Returns
    -------
    torch.Tensor
        f_lim in Hz, float64, of the parameters' batch shape.
    """
    p = params.as_tensors(torch.float64)
    return 1.0 / (p["U"] * p["tau_d"])
