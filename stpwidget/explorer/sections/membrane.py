"""Controls of the membrane panel: τ_m, and the leaky integrate-and-fire readout."""

from __future__ import annotations

import dataclasses

import ipywidgets as widgets

from stpwidget.explorer.door import Door
from stpwidget.explorer.sections.base import Section
from stpwidget.explorer.sliders import SliderSpec, shown_value
from stpwidget.state import ExplorerState, Frame

TAU_M = SliderSpec("τ_m (membrane)", "ms", 1.0, 200.0, True, 1e3)
THRESHOLD = SliderSpec("LIF threshold", "A", 0.01, 1.0, False)


class MembraneSection(Section):
    """τ_m slider (ms), a LIF on/off toggle and its threshold (units of A)."""

    def __init__(self, door: Door) -> None:
        super().__init__(door)
        state = door.state
        self.tau_m = TAU_M.make("tau_m", state.tau_m * TAU_M.scale)
        self.lif = widgets.ToggleButton(
            value=state.lif, description="LIF spikes", tooltip="a neuron that fires at threshold"
        )
        self.lif.add_class("stp-lif")
        self.threshold = THRESHOLD.make("threshold", state.threshold)
        door.bind(self.tau_m, lambda v: self._replace(tau_m=float(v) / TAU_M.scale))
        door.bind(self.lif, lambda v: self._replace(lif=bool(v)))
        door.bind(self.threshold, lambda v: self._replace(threshold=float(v)))
        self.widget = widgets.HBox([self.tau_m, self.lif, self.threshold])

    def _replace(self, **values: float | bool) -> ExplorerState:
        return dataclasses.replace(self.door.state, **values)  # type: ignore[arg-type]

    def sync(self, frame: Frame) -> None:
        """Show the state's τ_m and LIF settings; hide everything without the panel."""
        state, put = frame.state, self.door.put
        put(self.tau_m, shown_value(self.tau_m, state.tau_m * TAU_M.scale))
        put(self.lif, state.lif)
        put(self.threshold, shown_value(self.threshold, state.threshold))
        self.threshold.layout.visibility = "visible" if state.lif else "hidden"
        self.widget.layout.display = None if state.membrane else "none"
