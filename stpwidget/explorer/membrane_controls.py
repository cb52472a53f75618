"""Controls of the membrane panel: τ_m, and the leaky integrate-and-fire readout."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import ipywidgets as widgets

from stpwidget.explorer.controls import SliderSpec, show_value
from stpwidget.explorer.section import Section
from stpwidget.state import ExplorerState

if TYPE_CHECKING:
    from stpwidget.explorer.explorer import STPExplorer

TAU_M = SliderSpec("τ_m (membrane)", "ms", 1.0, 200.0, True, 1e3)
THRESHOLD = SliderSpec("LIF threshold", "A", 0.01, 1.0, False)


class MembraneSection(Section):
    """τ_m slider (ms), a LIF on/off toggle and its threshold (units of A)."""

    def __init__(self, explorer: STPExplorer) -> None:
        super().__init__(explorer)
        state = explorer.state
        self.tau_m = TAU_M.make("tau_m", state.tau_m * TAU_M.scale)
        self.lif = widgets.ToggleButton(
            value=state.lif, description="LIF spikes", tooltip="a neuron that fires at threshold"
        )
        self.lif.add_class("stp-lif")
        self.threshold = THRESHOLD.make("threshold", state.threshold)
        self.bind(self.tau_m, lambda v: self._replace(tau_m=float(v) / TAU_M.scale))
        self.bind(self.lif, lambda v: self._replace(lif=bool(v)))
        self.bind(self.threshold, lambda v: self._replace(threshold=float(v)))
        self.widget = widgets.HBox([self.tau_m, self.lif, self.threshold])

    def _replace(self, **values: float | bool) -> ExplorerState:
        return dataclasses.replace(self.explorer.state, **values)  # type: ignore[arg-type]

    def sync(self, state: ExplorerState) -> None:
        """Show the state's τ_m and LIF settings; hide everything without the panel."""
        show_value(self.tau_m, state.tau_m * TAU_M.scale)
        self.lif.value = state.lif
        show_value(self.threshold, state.threshold)
        self.threshold.layout.visibility = "visible" if state.lif else "hidden"
        self.widget.layout.display = None if state.membrane else "none"
