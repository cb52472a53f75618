"""The explorer's own widgets and their arrangement (no behaviour: the explorer binds them)."""

from __future__ import annotations

import dataclasses

import ipywidgets as widgets

from stpwidget.explorer.sliders import PARAM_KEYS, SLIDERS
from stpwidget.params import PRESETS
from stpwidget.state import CUSTOM, ExplorerState


@dataclasses.dataclass
class Controls:
    """The explorer's own widgets (sections bring theirs)."""

    sliders: dict[str, widgets.Widget]
    preset: widgets.ToggleButtons
    buttons: dict[str, widgets.Widget]
    readouts: widgets.HTML
    message: widgets.HTML
    equations: widgets.HTMLMath
    code: widgets.HTML
    details: widgets.Accordion


def build_controls(state: ExplorerState) -> Controls:
    """Make the explorer's sliders, buttons and text areas, showing ``state``."""
    values = {k: float(getattr(state.params, k)) * SLIDERS[k].scale for k in PARAM_KEYS}
    values["rate"] = state.stimulus.rate
    sliders = {k: spec.make(k, values[k]) for k, spec in SLIDERS.items()}
    preset = widgets.ToggleButtons(
        options=[*PRESETS, CUSTOM], value=state.preset, description="synapse"
    )
    preset.add_class("stp-preset")
    buttons: dict[str, widgets.Widget] = {
        "reset": widgets.Button(description="reset", tooltip="back to the active preset"),
        "pin": widgets.ToggleButton(
            description="pin",
            tooltip="keep the current traces as a faint ghost to compare with the next change",
        ),
        "compare": widgets.ToggleButton(
            description="show other preset", tooltip="the other preset's traces, dotted"
        ),
    }
    for key, control in buttons.items():
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
    return Controls(sliders, preset, buttons, readouts, message, equations, code, details)


def arrange(
    c: Controls, inputs: widgets.Widget, extras: list[widgets.Widget], figure: widgets.Widget
) -> list[widgets.Widget]:
    """The explorer's rows, top to bottom: presets, sliders and inputs, extras, figure, text."""
    top = widgets.HBox([c.preset, c.buttons["reset"], c.buttons["pin"], c.buttons["compare"]])
    left = widgets.VBox([c.sliders[k] for k in SLIDERS])
    return [top, widgets.HBox([left, inputs]), *extras, figure, c.readouts, c.message, c.details]
