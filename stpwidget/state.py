"""What the explorer holds and what it shows: ``compute(ExplorerState) -> Frame``.

Pure torch and NumPy, no widgets and no matplotlib, so it is tested on its own. The explorer
keeps one frozen :class:`ExplorerState` (every input: the synapse, the stimulus, the display
options); :func:`compute` turns it into a :class:`Frame` (every number that is shown); the
view's panels draw a frame. One change flows one way: widget → state → frame → panels.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Sequence

import numpy as np
import torch

from stpwidget._checks import check_count, check_range
from stpwidget.closed_form import (
    SteadyState,
)
from stpwidget.fit import goodness_of_fit
from stpwidget.membrane import lif_response, postsynaptic_potential
from stpwidget.model import STPTrace, simulate
from stpwidget.params import PRESETS, TMParameters
from stpwidget.recordings import Recording
from stpwidget.response import RATES as RATES  # re-exported: the panels' grid
from stpwidget.response import ceiling_fraction, frequency_response
from stpwidget.response import readout_values as readout_values  # re-exported
from stpwidget.stimulus import Stimulus

#: The preset selector's value once a parameter leaves the active preset.
CUSTOM = "custom"
#: The preset that "show other preset" overlays, for each preset.
OTHER_PRESET = {"facilitating": "depressing", "depressing": "facilitating"}
#: The panels shown by default (names of :data:`stpwidget.view.PANELS`).
DEFAULT_PANELS: tuple[str, ...] = ("state", "current", "frequency")
#: The panel that shows recordings: shown exactly when there are recordings.
DATA_PANEL = "data"
#: The panel whose potential :func:`compute` computes.
MEMBRANE_PANEL = "membrane"
#: Most recordings at once: the data panel draws each in its own colour, and the rig and
#: loading refuse more.
MAX_RECORDINGS = 6


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
        The inputs kept as a dashed ghost by **pin**.
    dt : float
        Sampling step of the traces in s.
    tau_m : float
        Membrane time constant in s.
    lif : bool
        Whether a leaky integrate-and-fire neuron fires from the membrane potential.
    threshold : float
        Its threshold, in units of A (the potential's unit at gain 1; reset 0, 2 ms
        refractory period).
    recordings : tuple of Recording
        Recorded responses to compare the model with (the data panel, fitting), at most
        :data:`MAX_RECORDINGS`.
    panels : tuple of str
        The panels shown, top to bottom within each column. The data panel is among them
        exactly when there are recordings (:meth:`with_panels` and :meth:`with_recordings`
        keep that rule; the constructor refuses a state that breaks it).

    Raises
    ------
    ValueError
        For a value outside its range, a repeated panel, or panels and recordings that
        break the rule above.
    """

    params: TMParameters
    stimulus: Stimulus = dataclasses.field(default_factory=Stimulus)
    preset: str = "depressing"
    active_preset: str = "depressing"
    compare: bool = False
    pinned: tuple[TMParameters, Stimulus] | None = None
    dt: float = 1e-4
    tau_m: float = 0.02
    lif: bool = False
    threshold: float = 0.15
    recordings: tuple[Recording, ...] = ()
    panels: tuple[str, ...] = DEFAULT_PANELS

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
        _check_panels(self.panels, bool(self.recordings))
        if len(self.recordings) > MAX_RECORDINGS:
            raise ValueError(
                f"recordings: the data panel shows at most {MAX_RECORDINGS} recordings "
                f"(each in its own colour); got {len(self.recordings)}"
            )

    @property
    def membrane(self) -> bool:
        """Whether the membrane panel is shown (so :func:`compute` computes the potential)."""
        return MEMBRANE_PANEL in self.panels

    @property
    def shown_recording(self) -> int | None:
        """Index of the recording whose spike train the stimulus is, or None."""
        if self.stimulus.kind != "recorded":
            return None
        times = list(self.stimulus.times)
        return next(
            (k for k, r in enumerate(self.recordings) if r.spike_times.tolist() == times), None
        )

    def with_panels(self, panels: Sequence[str]) -> ExplorerState:
        """The same state showing ``panels``; the data panel joins while there are recordings.

        Raises
        ------
        ValueError
            For a repeated name, or the data panel without recordings.
        """
        names = tuple(p for p in panels if p != DATA_PANEL)
        if DATA_PANEL in panels and not self.recordings:
            _check_panels(tuple(panels), False)  # raises, naming the rule
        names += (DATA_PANEL,) if self.recordings else ()
        return dataclasses.replace(self, panels=names)

    def with_recordings(self, recordings: Sequence[Recording], shown: int = 0) -> ExplorerState:
        """The same state with ``recordings`` (none: the data panel and recorded input go).

        With recordings the data panel joins and the time panels show recording ``shown``'s
        spike train; without, a recorded input falls back to a regular train.

        Raises
        ------
        ValueError
            For more than :data:`MAX_RECORDINGS` recordings or ``shown`` out of range.
        """
        recs = tuple(recordings)
        panels = tuple(p for p in self.panels if p != DATA_PANEL)
        if not recs:
            stimulus = self.stimulus
            if stimulus.kind == "recorded":
                stimulus = dataclasses.replace(stimulus, kind="regular", times=())
            return dataclasses.replace(self, recordings=(), panels=panels, stimulus=stimulus)
        state = dataclasses.replace(self, recordings=recs, panels=(*panels, DATA_PANEL))
        return state.showing_recording(shown)

    def showing_recording(self, index: int) -> ExplorerState:
        """The same state with recording ``index``'s spike train as the input.

        Raises
        ------
        ValueError
            For an index that is not one of the recordings'.
        """
        index = check_count("index", index)
        if index >= len(self.recordings):
            raise ValueError(
                f"index must be in [0, {len(self.recordings) - 1}] (the recordings' "
                f"positions); got {index}"
            )
        times = tuple(self.recordings[index].spike_times.tolist())
        stimulus = dataclasses.replace(self.stimulus, kind="recorded", times=times)
        return dataclasses.replace(self, stimulus=stimulus)

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

    def with_stimulus(self, **values: object) -> ExplorerState:
        """The same state with some stimulus settings changed (validated by Stimulus)."""
        stimulus = dataclasses.replace(self.stimulus, **values)  # type: ignore[arg-type]
        return dataclasses.replace(self, stimulus=stimulus)


def _check_panels(panels: tuple[str, ...], recordings: bool) -> None:
    """The rules that tie the panels to the rest of the state (names are the view's)."""
    if not isinstance(panels, tuple) or not all(isinstance(p, str) for p in panels):
        raise TypeError(f"panels must be a tuple of panel names; got {panels!r}")
    if len(set(panels)) != len(panels):
        raise ValueError(f"panels must not repeat a name; got {list(panels)}")
    if (DATA_PANEL in panels) != recordings:
        raise ValueError(
            "panels: the data panel is shown exactly when there are recordings "
            f"(load_recordings(...) brings them); got panels {list(panels)} with "
            f"{'' if recordings else 'no '}recordings"
        )


@dataclasses.dataclass(frozen=True)
class Ghost:
    """An overlay (dashed or dotted): another trace on the time axis, its frequency response."""

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
        1/τ_d (``nan`` where the Poisson curve does not cross half within ``rates``).
    ceiling_fraction : numpy.ndarray
        f·r·τ_d at each of ``rates``: the release rate as a fraction of its ceiling.
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
    ceiling_fraction: np.ndarray
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
            frequency_response(pinned_params, poisson),
        )
    if state.compare:
        other = PRESETS[OTHER_PRESET[state.active_preset]]
        ghosts["other"] = Ghost(simulate(other, trace.spike_times, stimulus.duration, dt=state.dt))
    readouts = readout_values(params, stimulus)
    frequency = frequency_response(params, poisson)
    v = spikes = None
    if state.membrane and state.lif:  # the neuron's potential: reset after each spike
        v, spikes = lif_response(trace, state.tau_m, state.threshold)
    elif state.membrane:
        v = postsynaptic_potential(trace, state.tau_m)
    return Frame(
        state=state,
        trace=trace,
        rates=RATES,
        frequency=frequency,
        poisson=poisson,
        limit=readouts["flim"],
        ceiling_fraction=ceiling_fraction(params, frequency),
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
