"""The numbers shown beside the traces: readouts and the frequency response.

Pure torch and NumPy. :func:`readout_values` gives the explorer's live numbers for a synapse
and a stimulus; :func:`frequency_response` the steady state over :data:`RATES` (what the
frequency panel draws) and :func:`ceiling_fraction` the release rate f·r·τ_d on that grid.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import torch

from stpwidget.closed_form import (
    SteadyState,
    half_ceiling_rate,
    paired_pulse_ratio,
    poisson_steady_state,
    steady_state,
)
from stpwidget.model import release_per_spike
from stpwidget.params import TMParameters
from stpwidget.stimulus import Stimulus

#: Input rates (Hz) of the frequency-response panel.
RATES = np.logspace(0, 2, 121)
_RATES = torch.as_tensor(RATES)


def readout_values(params: TMParameters, stimulus: Stimulus) -> dict[str, float]:
    """The explorer's live numbers for one synapse and stimulus.

    Returns
    -------
    dict of str to float
        ``first``: release of the first spike from rest (= U); ``ppr``: paired-pulse ratio
        at the stimulus' interval 1/rate; ``steady``: release per spike after a long train
        at the stimulus' rate (regular input: the exact steady state; Poisson input: the
        mean-field value); ``flim``: the half-ceiling rate in Hz, where the release rate
        f·r reaches half its ceiling 1/τ_d (for the same kind of input; regular trains for
        recorded input).

        For recorded input (``kind="recorded"``) they describe the recorded train: ``ppr``
        at its first interval (``nan`` for a single spike) and ``steady`` is the release at
        its last spike.
    """
    poisson = stimulus.kind == "poisson"
    frequency = frequency_response(params, poisson)
    values = {
        "first": float(params.U),
        "ppr": float(paired_pulse_ratio(params, 1.0 / stimulus.rate)),
        "steady": float(_steady(params, stimulus.rate, poisson)),
        "flim": _half_ceiling(params, ceiling_fraction(params, frequency), poisson),
    }
    if stimulus.kind == "recorded":
        times = stimulus.times
        pair = paired_pulse_ratio(params, times[1] - times[0]) if len(times) > 1 else math.nan
        values["ppr"] = float(pair)
        values["steady"] = float(_release(params, times)[-1])
    return values


@functools.lru_cache(maxsize=8)
def _release(params: TMParameters, times: tuple[float, ...]) -> torch.Tensor:
    """Release at each of ``times`` (s), from rest (cached: the train does not change)."""
    return release_per_spike(params, torch.tensor(times, dtype=torch.float64))


def _steady(params: TMParameters, rate: float, poisson: bool) -> torch.Tensor:
    if poisson:
        return poisson_steady_state(params, rate).release
    return steady_state(params, rate).release


def ceiling_fraction(params: TMParameters, frequency: SteadyState) -> np.ndarray:
    """f·r·τ_d on :data:`RATES`: the release rate as a fraction of its ceiling 1/τ_d."""
    release = frequency.release.detach().cpu().numpy()
    return np.asarray(RATES * release * float(params.tau_d))


def _half_ceiling(params: TMParameters, level: np.ndarray, poisson: bool) -> float:
    """Where f·r·τ_d crosses 1/2, interpolated on :data:`RATES` (the panel's curve).

    The frequency response is computed on that grid anyway; the closed form's root finder
    costs 15 ms, the interpolation microseconds (tests check they agree to 0.1 %).
    Outside the grid: the root finder for regular input, ``nan`` for Poisson input.
    """
    above = np.flatnonzero(level >= 0.5)
    if not len(above):
        return float("nan") if poisson else float(half_ceiling_rate(params))
    k = int(above[0])
    if k == 0:
        return float("nan") if poisson else float(half_ceiling_rate(params))
    lo, hi = np.log(RATES[k - 1 : k + 1])
    a, b = level[k - 1 : k + 1]
    return float(np.exp(lo + (0.5 - a) / (b - a) * (hi - lo)))


@functools.lru_cache(maxsize=8)
def frequency_response(params: TMParameters, poisson: bool = False) -> SteadyState:
    """Response over :data:`RATES`: a regular train's steady state, or Poisson's mean field.

    For Poisson input the ``current`` field holds the time-averaged current.
    """
    if poisson:
        return SteadyState(*poisson_steady_state(params, _RATES))
    return steady_state(params, _RATES)
