"""What the explorer holds and what it shows: ``compute(ExplorerState) -> Frame``.

Pure torch and NumPy, no widgets and no matplotlib, so it is tested on its own. The explorer
keeps one frozen :class:`ExplorerState` (every input: the synapse, the stimulus, the display
options); :func:`compute` turns it into a :class:`Frame` (every number that is shown); the
view's panels draw a frame. One change flows one way: widget → state → frame → panels.
"""

from __future__ import annotations

import dataclasses
import functools

import numpy as np
import torch

from stpwidget._checks import check_range
from stpwidget.closed_form import (
    SteadyState,
    half_ceiling_rate,
    paired_pulse_ratio,
    poisson_steady_state,
    steady_state,
)
from stpwidget.fit import goodness_of_fit
from stpwidget.membrane import lif_response, postsynaptic_potential
from stpwidget.model import STPTrace, simulate
from stpwidget.params import PRESETS, TMParameters
from stpwidget.recordings import Recording
from stpwidget.stimulus import Stimulus

#: Input rates (Hz) of the frequency-response panel.
RATES = np.logspace(0, 2, 121)
_RATES = torch.as_tensor(RATES)
#: The preset selector's value once a parameter leaves the active preset.
CUSTOM = "custom"
#: The preset that "show other preset" overlays, for each preset.
OTHER_PRESET = {"facilitating": "depressing", "depressing": "facilitating"}


@dataclasses.dataclass(frozen=True)
class ExplorerState:
    """Every input of the explorer (immutable: a change makes a new state).

    Parameters
    ----------
    params : TMParameters
        The synapse, time constants in s (exact values: a slider shows the nearest it can).
    stimulus : Stimulus
        The presynaptic input and its display window.
    preset : {"depressing", "facilitating", "custom"}
        What the preset selector shows: a preset's name while ``params`` are its values.
    active_preset : {"depressing", "facilitating"}
        The preset **reset** returns to; "show other preset" overlays the other one.
    compare : bool
        Whether the other preset's traces are overlaid.
    pinned : tuple of (TMParameters, Stimulus), optional
        The inputs kept as a faint ghost by **pin**.
    dt : float
        Sampling step of the traces in s.
    membrane : bool
        Whether to compute the postsynaptic membrane potential (the membrane panel).
    tau_m : float
        Membrane time constant in s.
    lif : bool
        Whether a leaky integrate-and-fire neuron fires from the membrane potential.
    threshold : float
        Its threshold, in units of A (the potential's unit at gain 1; reset 0, 2 ms
        refractory period).
    recordings : tuple of Recording
        Recorded responses to compare the model with (the data panel, fitting).
    """

    params: TMParameters
    stimulus: Stimulus = dataclasses.field(default_factory=Stimulus)
    preset: str = "depressing"
    active_preset: str = "depressing"
    compare: bool = False
    pinned: tuple[TMParameters, Stimulus] | None = None
    dt: float = 1e-4
    membrane: bool = False
    tau_m: float = 0.02
    lif: bool = False
    threshold: float = 0.15
    recordings: tuple[Recording, ...] = ()

    def __post_init__(self) -> None:
        if self.active_preset not in PRESETS:
            raise ValueError(
                f"active_preset must be one of {tuple(PRESETS)}; got {self.active_preset!r}"
            )
        if self.preset not in (*PRESETS, CUSTOM):
            raise ValueError(f"preset must be one of {(*PRESETS, CUSTOM)}; got {self.preset!r}")
        check_range("dt", self.dt, low=0.0, high=0.01, low_open=True, unit=" s")
        check_range("tau_m", self.tau_m, low=0.0, high=10.0, low_open=True, unit=" s")
        check_range("threshold", self.threshold, low=0.0, low_open=True)

    @classmethod
    def from_preset(
        cls, name: str, stimulus: Stimulus | None = None, dt: float = 1e-4
    ) -> ExplorerState:
        """The state showing preset ``name`` (``"depressing"`` or ``"facilitating"``)."""
        if name not in PRESETS:
            raise ValueError(f"preset must be one of {tuple(PRESETS)}; got {name!r}")
        return cls(PRESETS[name], stimulus or Stimulus(), name, name, dt=dt)

    def with_preset(self, name: str) -> ExplorerState:
        """The same state with preset ``name``'s exact parameters, now the active one."""
        if name not in PRESETS:
            raise ValueError(f"preset must be one of {tuple(PRESETS)}; got {name!r}")
        return dataclasses.replace(self, params=PRESETS[name], preset=name, active_preset=name)

    def with_params(self, **values: float) -> ExplorerState:
        """The same state with some parameters changed (s); the selector shows "custom".

        Raises
        ------
        ValueError
            For an unknown name or an invalid value (nothing changes).
        """
        fields = ("tau_f", "tau_d", "tau_s", "U", "A")
        unknown = sorted(set(values) - set(fields))
        if unknown:
            raise ValueError(f"unknown parameter(s) {unknown}; use {fields}")
        params = dataclasses.replace(self.params, **values)  # validates
        return dataclasses.replace(self, params=params, preset=CUSTOM)


@dataclasses.dataclass(frozen=True)
class Ghost:
    """A faint overlay: another trace on the same time axis, and its frequency response."""

    trace: STPTrace
    frequency: SteadyState | None = None


@dataclasses.dataclass(frozen=True)
class Frame:
    """Everything the explorer shows for one state.

    Attributes
    ----------
    state : ExplorerState
        The inputs.
    trace : STPTrace
        Exact trace of the state's synapse and stimulus.
    rates : numpy.ndarray
        Input rates of the frequency response in Hz (:data:`RATES`).
    frequency : SteadyState
        Steady state of a regular train at each of ``rates``.
    poisson : bool
        Whether ``frequency`` and the readouts describe Poisson input (mean field) rather
        than a regular train.
    limit : float
        The half-ceiling rate in Hz: where the release rate f·r reaches half its ceiling
        1/τ_d (``nan`` if not below 100 Hz).
    readouts : dict of str to float
        The live numbers (see :func:`readout_values`).
    ghosts : dict of str to Ghost or None
        ``"pin"`` (the pinned inputs) and ``"other"`` (the other preset), or None when off.
    v : torch.Tensor or None
        Membrane potential at ``trace.t`` (units of A), when ``state.membrane``: the LIF
        neuron's (reset after each of its spikes) when ``state.lif``.
    output_spikes : torch.Tensor or None
        Spike times (s) of the LIF neuron, when ``state.lif``.
    data : DataFit or None
        The model against ``state.recordings``, when there are any.
    """

    state: ExplorerState
    trace: STPTrace
    rates: np.ndarray
    frequency: SteadyState
    poisson: bool
    limit: float
    readouts: dict[str, float]
    ghosts: dict[str, Ghost | None]
    v: torch.Tensor | None = None
    output_spikes: torch.Tensor | None = None
    data: DataFit | None = None


@dataclasses.dataclass(frozen=True)
class DataFit:
    """How well the model's amplitudes ``A · release`` match recorded ones.

    Attributes
    ----------
    predicted : tuple of torch.Tensor
        ``A · release`` at every spike of each recording.
    sse : float
        Sum of squared residuals over every spike of every recording, each weighted by
        ``1 / sd²`` where the recording gives ``sd`` (as :func:`stpwidget.fit` minimises).
    r2 : float
        ``1 − sse / sst``, with ``sst`` the same weighted sum around the weighted mean
        amplitude (1 is a perfect match; below 0 is worse than a constant).
    """

    predicted: tuple[torch.Tensor, ...]
    sse: float
    r2: float


def data_fit(params: TMParameters, recordings: tuple[Recording, ...]) -> DataFit:
    """The model's amplitudes for ``recordings`` and how well they match (see DataFit)."""
    predicted, sse, r2 = goodness_of_fit(params, recordings)
    return DataFit(predicted, sse, r2)


def readout_values(params: TMParameters, stimulus: Stimulus) -> dict[str, float]:
    """The explorer's live numbers for one synapse and stimulus.

    Returns
    -------
    dict of str to float
        ``first``: release of the first spike from rest (= U); ``ppr``: paired-pulse ratio
        at the stimulus' interval 1/rate; ``steady``: release per spike after a long train
        at the stimulus' rate (regular input: the exact steady state; Poisson input: the
        mean-field value); ``flim``: the half-ceiling rate in Hz, where the release rate
        f·r reaches half its ceiling 1/τ_d (for the same kind of input).
    """
    poisson = stimulus.kind == "poisson"
    frequency = _frequency(params, poisson)
    return {
        "first": float(params.U),
        "ppr": float(paired_pulse_ratio(params, 1.0 / stimulus.rate)),
        "steady": float(_steady(params, stimulus.rate, poisson)),
        "flim": _half_ceiling(params, frequency.release, poisson),
    }


def _steady(params: TMParameters, rate: float, poisson: bool) -> torch.Tensor:
    if poisson:
        return poisson_steady_state(params, rate).release
    return steady_state(params, rate).release


def _half_ceiling(params: TMParameters, release: torch.Tensor, poisson: bool) -> float:
    """Where f·r·τ_d crosses 1/2, interpolated on :data:`RATES` (the panel's curve).

    The frequency response is computed on that grid anyway; the closed form's root finder
    costs 15 ms, the interpolation microseconds (tests check they agree to 0.1 %).
    Outside the grid: the root finder for regular input, ``nan`` for Poisson input.
    """
    level = RATES * release.detach().cpu().numpy() * float(params.tau_d)
    above = np.flatnonzero(level >= 0.5)
    if not len(above):
        return float("nan") if poisson else float(half_ceiling_rate(params))
    k = int(above[0])
    if k == 0:
        return float("nan") if poisson else float(half_ceiling_rate(params))
    lo, hi = np.log(RATES[k - 1 : k + 1])
    a, b = level[k - 1 : k + 1]
    return float(np.exp(lo + (0.5 - a) / (b - a) * (hi - lo)))


def compute(state: ExplorerState) -> Frame:
    """Everything shown for ``state``: trace, frequency response, readouts and ghosts.

    Raises
    ------
    ValueError
        For inputs the kernel refuses (the message names the argument).
    """
    stimulus, params = state.stimulus, state.params
    poisson = stimulus.kind == "poisson"
    trace = _simulate(params, stimulus, state.dt)
    ghosts: dict[str, Ghost | None] = {"pin": None, "other": None}
    if state.pinned is not None:
        pinned_params, pinned_stimulus = state.pinned
        ghosts["pin"] = Ghost(
            _simulate(pinned_params, pinned_stimulus, state.dt),
            _frequency(pinned_params, poisson),
        )
    if state.compare:
        other = PRESETS[OTHER_PRESET[state.active_preset]]
        ghosts["other"] = Ghost(simulate(other, trace.spike_times, stimulus.duration, dt=state.dt))
    readouts = readout_values(params, stimulus)
    v = spikes = None
    if state.membrane and state.lif:  # the neuron's potential: reset after each spike
        v, spikes = lif_response(trace, state.tau_m, state.threshold)
    elif state.membrane:
        v = postsynaptic_potential(trace, state.tau_m)
    return Frame(
        state=state,
        trace=trace,
        rates=RATES,
        frequency=_frequency(params, poisson),
        poisson=poisson,
        limit=readouts["flim"],
        readouts=readouts,
        ghosts=ghosts,
        v=v,
        output_spikes=spikes,
        data=data_fit(params, state.recordings) if state.recordings else None,
    )


@functools.lru_cache(maxsize=8)
def _simulate(params: TMParameters, stimulus: Stimulus, dt: float) -> STPTrace:
    # Cached: a pinned ghost is recomputed for every frame, but its inputs do not change.
    return simulate(params, stimulus.spikes(), stimulus.duration, dt=dt)


@functools.lru_cache(maxsize=8)
def _frequency(params: TMParameters, poisson: bool = False) -> SteadyState:
    """Response over :data:`RATES`: a regular train's steady state, or Poisson's mean field.

    For Poisson input the ``current`` field holds the time-averaged current.
    """
    if poisson:
        return SteadyState(*poisson_steady_state(params, _RATES))
    return steady_state(params, _RATES)
