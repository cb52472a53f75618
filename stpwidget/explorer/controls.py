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
    #: The figure in words and tables (HTML the explorer fills), in a collapsed section.
    figure_text: widgets.HTML
    figure_table: widgets.Accordion


def build_controls(state: ExplorerState) -> Controls:
    """Make the explorer's sliders, buttons and text areas, showing ``state``."""
    values = {k: float(getattr(state.params, k)) * SLIDERS[k].scale for k in PARAM_KEYS}
    values["rate"] = state.stimulus.rate
    sliders = {k: spec.make(k, values[k]) for k, spec in SLIDERS.items()}
    preset = widgets.ToggleButtons(
        options=[*PRESETS, CUSTOM],
        value=state.preset,
        description="synapse",
        style={"button_width": "auto", "description_width": "4em"},
    )
    preset.add_class("stp-preset")
    buttons: dict[str, widgets.Widget] = {
        "reset": widgets.Button(description="reset", tooltip="back to the active preset"),
        "pin": widgets.ToggleButton(
            description="pin",
            tooltip="keep the current traces as a dashed ghost to compare with the next change",
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
    message.add_class("stp-message")  # a live region (the probe): errors are read out
    figure_text = widgets.HTML()
    figure_text.add_class("stp-figure-text")
    figure_table = widgets.Accordion(children=[figure_text])
    figure_table.set_title(0, "figure as text")
    figure_table.selected_index = None
    figure_table.add_class("stp-figure-table")
    equations, code = widgets.HTMLMath(), widgets.HTML()
    details = widgets.Accordion(children=[equations, code])
    details.set_title(0, "model equations")
    details.set_title(1, "copy as code")
    details.selected_index = None
    return Controls(
        sliders,
        preset,
        buttons,
        readouts,
        message,
        equations,
        code,
        details,
        figure_text,
        figure_table,
    )


def arrange(
    c: Controls, inputs: widgets.Widget, extras: list[widgets.Widget], figure: widgets.Widget
) -> list[widgets.Widget]:
    """The explorer's rows, top to bottom: presets, sliders and inputs, extras, figure, text.

    A row puts its parts side by side where they fit and one under another where not (a
    notebook column of 1000 px, a zoomed page), so that no control covers another. The
    order is the reading and Tab order: a synapse, its sliders, the input, the figure, its
    numbers, the message, the figure as text, the details.
    """
    wrap = {"flex_flow": "row wrap", "align_items": "flex-start"}
    top = widgets.HBox(
        [c.preset, c.buttons["reset"], c.buttons["pin"], c.buttons["compare"]], layout=wrap
    )
    left = widgets.VBox([c.sliders[k] for k in SLIDERS], layout={"margin": "0 2em 0 0"})
    middle = widgets.HBox([left, inputs], layout=wrap)
    text = [c.readouts, c.message, c.figure_table, c.details]
    return [top, middle, *extras, figure, *text]
