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
    limiting_frequency,
    paired_pulse_ratio,
    steady_state,
)
from stpwidget.model import STPTrace, simulate
from stpwidget.params import PRESETS, TMParameters
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
    """

    params: TMParameters
    stimulus: Stimulus = dataclasses.field(default_factory=Stimulus)
    preset: str = "depressing"
    active_preset: str = "depressing"
    compare: bool = False
    pinned: tuple[TMParameters, Stimulus] | None = None
    dt: float = 1e-4

    def __post_init__(self) -> None:
        if self.active_preset not in PRESETS:
            raise ValueError(
                f"active_preset must be one of {tuple(PRESETS)}; got {self.active_preset!r}"
            )
        if self.preset not in (*PRESETS, CUSTOM):
            raise ValueError(f"preset must be one of {(*PRESETS, CUSTOM)}; got {self.preset!r}")
        check_range("dt", self.dt, low=0.0, high=0.01, low_open=True, unit=" s")

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
    limit : float
        Limiting frequency 1/(U τ_d) in Hz.
    readouts : dict of str to float
        The live numbers (see :func:`readout_values`).
    ghosts : dict of str to Ghost or None
        ``"pin"`` (the pinned inputs) and ``"other"`` (the other preset), or None when off.
    """

    state: ExplorerState
    trace: STPTrace
    rates: np.ndarray
    frequency: SteadyState
    limit: float
    readouts: dict[str, float]
    ghosts: dict[str, Ghost | None]


def readout_values(params: TMParameters, stimulus: Stimulus) -> dict[str, float]:
    """The explorer's live numbers for one synapse and stimulus.

    Returns
    -------
    dict of str to float
        ``first``: release of the first spike from rest (= U); ``ppr``: paired-pulse ratio
        at the stimulus' interval 1/rate; ``steady``: steady-state release per spike at the
        stimulus' rate; ``flim``: limiting frequency 1/(U τ_d) in Hz.
    """
    return {
        "first": float(params.U),
        "ppr": float(paired_pulse_ratio(params, 1.0 / stimulus.rate)),
        "steady": float(steady_state(params, stimulus.rate).release),
        "flim": float(limiting_frequency(params)),
    }


def compute(state: ExplorerState) -> Frame:
    """Everything shown for ``state``: trace, frequency response, readouts and ghosts.

    Raises
    ------
    ValueError
        For inputs the kernel refuses (the message names the argument).
    """
    stimulus, params = state.stimulus, state.params
    trace = _simulate(params, stimulus, state.dt)
    ghosts: dict[str, Ghost | None] = {"pin": None, "other": None}
    if state.pinned is not None:
        pinned_params, pinned_stimulus = state.pinned
        ghosts["pin"] = Ghost(
            _simulate(pinned_params, pinned_stimulus, state.dt), _frequency(pinned_params)
        )
    if state.compare:
        other = PRESETS[OTHER_PRESET[state.active_preset]]
        ghosts["other"] = Ghost(simulate(other, trace.spike_times, stimulus.duration, dt=state.dt))
    return Frame(
        state=state,
        trace=trace,
        rates=RATES,
        frequency=_frequency(params),
        limit=float(limiting_frequency(params)),
        readouts=readout_values(params, stimulus),
        ghosts=ghosts,
    )


@functools.lru_cache(maxsize=8)
def _simulate(params: TMParameters, stimulus: Stimulus, dt: float) -> STPTrace:
    # Cached: a pinned ghost is recomputed for every frame, but its inputs do not change.
    return simulate(params, stimulus.spikes(), stimulus.duration, dt=dt)


@functools.lru_cache(maxsize=8)
def _frequency(params: TMParameters) -> SteadyState:
    return steady_state(params, _RATES)
