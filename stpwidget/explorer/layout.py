"""The explorer's widgets and their arrangement (no behaviour: the explorer binds them)."""

from __future__ import annotations

import dataclasses

import ipywidgets as widgets

from stpwidget.explorer.controls import PARAM_KEYS, PROBE_DELAY, SLIDERS
from stpwidget.params import PRESETS
from stpwidget.state import CUSTOM, ExplorerState


@dataclasses.dataclass
class Controls:
    """Every widget of the explorer, and the top-level children in display order."""

    sliders: dict[str, widgets.Widget]
    preset: widgets.ToggleButtons
    stimulus: dict[str, widgets.Widget]
    buttons: dict[str, widgets.Widget]
    readouts: widgets.HTML
    message: widgets.HTML
    equations: widgets.HTMLMath
    code: widgets.HTML
    children: list[widgets.Widget]


def build_controls(state: ExplorerState, figure: widgets.Widget) -> Controls:
    """Make the explorer's widgets, showing ``state``, around the ``figure`` widget."""
    values = {k: float(getattr(state.params, k)) * SLIDERS[k].scale for k in PARAM_KEYS}
    values["rate"] = state.stimulus.rate
    sliders = {k: spec.make(k, values[k]) for k, spec in SLIDERS.items()}
    preset = widgets.ToggleButtons(
        options=[*PRESETS, CUSTOM], value=state.preset, description="synapse"
    )
    preset.add_class("stp-preset")
    stimulus = state.stimulus
    inputs: dict[str, widgets.Widget] = {
        "kind": widgets.ToggleButtons(
            options=[("regular", "regular"), ("Poisson", "poisson"), ("regular + probe", "probe")],
            value=stimulus.kind,
            description="input",
        ),
        "n_spikes": widgets.IntSlider(
            value=stimulus.n_spikes, min=1, max=200, description="spikes", continuous_update=True
        ),
        "probe_delay": PROBE_DELAY.make("probe_delay", stimulus.probe_delay * PROBE_DELAY.scale),
        "seed": widgets.BoundedIntText(
            value=stimulus.seed, min=0, max=2**31 - 1, description="seed", layout={"width": "12em"}
        ),
    }
    buttons: dict[str, widgets.Widget] = {
        "reset": widgets.Button(description="reset", tooltip="back to the active preset"),
        "new_draw": widgets.Button(description="new draw", tooltip="next Poisson seed"),
        "pin": widgets.ToggleButton(
            description="pin",
            tooltip="keep the current traces as a faint ghost to compare with the next change",
        ),
        "compare": widgets.ToggleButton(
            description="show other preset", tooltip="the other preset's traces, dotted"
        ),
    }
    for key, control in {**inputs, **buttons}.items():
        if key != "probe_delay":  # the slider factory named it already
            control.add_class(f"stp-{key}")
    readouts = widgets.HTML()
    readouts.add_class("stp-readouts-box")
    message = widgets.HTML()
    message.add_class("stp-message")
    equations, code = widgets.HTMLMath(), widgets.HTML()
    details = widgets.Accordion(children=[equations, code])
    details.set_title(0, "model equations")
    details.set_title(1, "copy as code")
    details.selected_index = None
    left = widgets.VBox([sliders[k] for k in SLIDERS])
    right = widgets.VBox(
        [
            inputs["kind"],
            inputs["n_spikes"],
            inputs["probe_delay"],
            widgets.HBox([inputs["seed"], buttons["new_draw"]]),
        ]
    )
    top = widgets.HBox([preset, buttons["reset"], buttons["pin"], buttons["compare"]])
    children = [top, widgets.HBox([left, right]), figure, readouts, message, details]
    return Controls(sliders, preset, inputs, buttons, readouts, message, equations, code, children)
