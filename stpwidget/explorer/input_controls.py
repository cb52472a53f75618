"""Controls of the explorer's input: the kind of train and its settings."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from stpwidget.explorer.controls import PROBE_DELAY, RATE_AFTER, show_value
from stpwidget.explorer.section import Section, with_stimulus
from stpwidget.state import ExplorerState

if TYPE_CHECKING:
    from stpwidget.explorer.explorer import STPExplorer

#: The input kinds a student picks from (label, kind); "recorded" joins with recordings.
KIND_OPTIONS = [
    ("regular", "regular"),
    ("Poisson", "poisson"),
    ("regular + probe", "probe"),
    ("rate step", "step"),
]
#: Which settings each kind uses (the others are hidden).
USES = {
    "regular": ("n_spikes",),
    "poisson": ("n_spikes", "seed"),
    "probe": ("n_spikes", "probe_delay"),
    "step": ("rate_after",),
    "recorded": (),
}


class InputSection(Section):
    """Kind of input, spike count, probe delay, rate after a step, Poisson seed."""

    def __init__(self, explorer: STPExplorer) -> None:
        super().__init__(explorer)
        stim = explorer.state.stimulus
        self.controls: dict[str, widgets.Widget] = {
            "kind": widgets.ToggleButtons(
                options=KIND_OPTIONS, value=stim.kind, description="input"
            ),
            "n_spikes": widgets.IntSlider(
                value=stim.n_spikes, min=1, max=200, description="spikes", continuous_update=True
            ),
            "probe_delay": PROBE_DELAY.make("probe_delay", stim.probe_delay * PROBE_DELAY.scale),
            "rate_after": RATE_AFTER.make("rate_after", stim.rate_after),
            "seed": widgets.BoundedIntText(
                value=stim.seed, min=0, max=2**31 - 1, description="seed", layout={"width": "12em"}
            ),
        }
        self.new_draw = widgets.Button(description="new draw", tooltip="next Poisson seed")
        scales = {"kind": 1.0, "n_spikes": 1.0, "seed": 1.0}
        scales.update(probe_delay=PROBE_DELAY.scale, rate_after=RATE_AFTER.scale)
        for key, scale in scales.items():
            self.controls[key].add_class(f"stp-{key}")
            self.bind(self.controls[key], functools.partial(self._set, key, scale))
        self.new_draw.add_class("stp-new_draw")
        self.new_draw.on_click(lambda _: self._next_seed())
        c = self.controls
        self.widget = widgets.VBox(
            [
                c["kind"],
                c["n_spikes"],
                c["probe_delay"],
                c["rate_after"],
                widgets.HBox([c["seed"], self.new_draw]),
            ]
        )

    def _set(self, key: str, scale: float, value: Any) -> ExplorerState:
        if scale != 1.0:
            value = float(value) / scale
        return with_stimulus(self.explorer.state, **{key: value})

    def _next_seed(self) -> None:
        self.controls["seed"].value += 1

    def sync(self, state: ExplorerState) -> None:
        """Show the state's input; hide the settings its kind does not use."""
        stim, c = state.stimulus, self.controls
        kinds = KIND_OPTIONS + ([("recorded", "recorded")] if state.recordings else [])
        if list(c["kind"].options) != kinds:
            c["kind"].options = kinds
        c["kind"].value = stim.kind
        c["n_spikes"].value = stim.n_spikes
        c["seed"].value = stim.seed
        show_value(c["probe_delay"], stim.probe_delay * PROBE_DELAY.scale)
        show_value(c["rate_after"], stim.rate_after)
        for key in ("n_spikes", "probe_delay", "rate_after", "seed"):
            c[key].layout.display = None if key in USES[stim.kind] else "none"
        self.new_draw.layout.display = None if "seed" in USES[stim.kind] else "none"
