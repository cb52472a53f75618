"""Controls of the explorer's input: the kind of train and its settings."""

from __future__ import annotations

import functools
from typing import Any

import ipywidgets as widgets

from stpwidget.explorer.door import Door
from stpwidget.explorer.sections.base import Section
from stpwidget.explorer.sliders import PROBE_DELAY, RATE_AFTER, shown_value
from stpwidget.state import ExplorerState, Frame

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

    def __init__(self, door: Door) -> None:
        super().__init__(door)
        stim = door.state.stimulus
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
            door.bind(self.controls[key], functools.partial(self._set, key, scale))
        self.new_draw.add_class("stp-new_draw")
        door.on_click(self.new_draw, self._next_seed)
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
        state = self.door.state
        if key == "kind" and value == "recorded":
            return state.showing_recording(state.shown_recording or 0)
        if scale != 1.0:
            value = float(value) / scale
        return state.with_stimulus(**{key: value})

    def _next_seed(self) -> None:
        seed = self.door.state.stimulus.seed
        self.door.request(lambda: self.door.state.with_stimulus(seed=seed + 1))

    def sync(self, frame: Frame) -> None:
        """Show the state's input; hide the settings its kind does not use."""
        state, put = frame.state, self.door.put
        stim, c = state.stimulus, self.controls
        kinds = KIND_OPTIONS + ([("recorded", "recorded")] if state.recordings else [])
        if list(c["kind"].options) != kinds:
            c["kind"].options = kinds
        put(c["kind"], stim.kind)
        put(c["n_spikes"], stim.n_spikes)
        put(c["seed"], stim.seed)
        put(c["probe_delay"], shown_value(c["probe_delay"], stim.probe_delay * PROBE_DELAY.scale))
        put(c["rate_after"], shown_value(c["rate_after"], stim.rate_after))
        for key in ("n_spikes", "probe_delay", "rate_after", "seed"):
            c[key].layout.display = None if key in USES[stim.kind] else "none"
        self.new_draw.layout.display = None if "seed" in USES[stim.kind] else "none"
