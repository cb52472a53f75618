"""STPExplorer: binds widgets to one :class:`~stpwidget.state.ExplorerState` and a view.

One change flows one way: a widget's observer asks for a new state through the explorer's
door (:mod:`stpwidget.explorer.door`), :func:`compute` turns it into a frame, the view's
panels draw the frame and the renderer puts it on screen once. Nothing here computes or
draws, and every error of a user's action ends in the message area, never in an observer.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import ipywidgets as widgets

from stpwidget.explorer import text
from stpwidget.explorer.commands import Commands
from stpwidget.explorer.controls import arrange, build_controls
from stpwidget.explorer.door import Doorway, Echoes
from stpwidget.explorer.export import Shown, deprecated
from stpwidget.explorer.sections import (
    DataSection,
    InputSection,
    MembraneSection,
    MysterySection,
    Section,
)
from stpwidget.explorer.sliders import PARAM_KEYS, SLIDERS, shown_value
from stpwidget.render import make_renderer
from stpwidget.state import CUSTOM, DEFAULT_PANELS, ExplorerState, Frame, compute
from stpwidget.stimulus import Stimulus
from stpwidget.view import STPView
from stpwidget.view.describe import Description, describe
from stpwidget.view.style import Style


class STPExplorer(Shown, Commands, Doorway, widgets.VBox):
    """Interactive Tsodyks–Markram synapse: sliders, live traces, readouts and presets.

    Parameters
    ----------
    preset : {"depressing", "facilitating"}, default "depressing"
        Starting synapse.
    stimulus : Stimulus, optional
        Starting input; default: the Norse tutorial's 10 Hz train of 9 spikes from 0.1 s.
    backend : {"auto", "ipympl", "image"}, default "auto"
        ``"ipympl"`` draws on an ipympl canvas (zoom, pan); ``"image"`` sends PNG images and
        needs only core widgets (Colab). ``"auto"`` picks ipympl when matplotlib's backend
        is ipympl's (``%matplotlib widget``).
    width, height : int, default 920, 560
        Figure size in pixels (CSS px); it is drawn at exactly this size.
    dt : float, default 1e-4
        Sampling step of the traces in s (10x finer than the Norse tutorial's 1 ms).
    panels : sequence of str, default ("state", "current", "frequency")
        Which panels to show, from :data:`stpwidget.view.PANELS` (``"membrane"`` adds the
        postsynaptic potential and its controls; ``"data"`` comes with recordings).
    protocol : Stimulus, optional
        Deprecated name of ``stimulus``.
    scale : float, default 1
        Presentation scale (0.5 to 3): the figure's fonts, lines and marks this many times
        larger, 1.5 for a lecture hall; ``explorer.renderer.set_style(scale=...)`` switches.
    mystery : (str, str), optional
        ``(class_code, student)``: adds the mystery rig (record from the student's hidden
        synapse, fit, submit; see :mod:`stpwidget.mystery`). An empty name lets the student
        type it.

    Notes
    -----
    Sliders show milliseconds (time constants) and Hz (rate); :attr:`params`,
    :meth:`set_params` and the kernel use seconds.
    """

    def __init__(
        self,
        preset: str = "depressing",
        stimulus: Stimulus | None = None,
        backend: str = "auto",
        width: int = 920,
        height: int = 560,
        dt: float = 1e-4,
        panels: Sequence[str] = DEFAULT_PANELS,
        protocol: Stimulus | None = None,
        scale: float = 1.0,
        mystery: tuple[str, str] | None = None,
    ) -> None:
        if protocol is not None:
            deprecated("STPExplorer(protocol=...)", "STPExplorer(stimulus=...)")
            stimulus = stimulus or protocol
        self.state = ExplorerState.from_preset(preset, stimulus, dt).with_panels(panels)
        self.frame: Frame | None = None
        self.render_count = 0
        self.echoes = Echoes()
        self.renderer = make_renderer(backend, width, height, dpi=100, style=Style(scale))
        self.renderer.widget.add_class("stp-figure")
        self.renderer.on_scale = self._rescale
        self._build_view(self.state.panels)
        c = build_controls(self.state)
        self.sliders, self.preset, self.buttons = c.sliders, c.preset, c.buttons
        self.readouts, self.message = c.readouts, c.message
        self.equations, self.code, self.details = c.equations, c.code, c.details
        self.figure_text, self.figure_table = c.figure_text, c.figure_table
        # Typesetting them costs the browser ~60 ms per change: only while they are open.
        self.watch(self.details, lambda _: self._update_details(), "selected_index")
        self.watch(self.figure_table, lambda _: self._update_details(), "selected_index")
        self.readout_values: dict[str, float] = {}
        #: The figure's text alternative for the frame shown (summary and key values).
        self.description: Description
        self.inputs = InputSection(self)
        self.stimulus_controls = self.inputs.controls
        self.buttons["new_draw"] = self.inputs.new_draw
        self.membrane_controls = MembraneSection(self)
        self.data_controls = DataSection(self)
        self.sections: list[Section] = [self.inputs, self.membrane_controls, self.data_controls]
        if mystery is not None:
            self.sections.append(MysterySection(self, *mystery))
            self.data_controls.widget.selected_index = 0  # the fitting tools, open
        for key, slider in self.sliders.items():
            self.bind(slider, functools.partial(self._slider_state, key))
        self.bind(self.preset, self._preset_state)
        self.on_click(self.buttons["reset"], lambda: self.apply_preset(self.state.active_preset))
        self.bind(self.buttons["pin"], self._pinned)
        self.bind(self.buttons["compare"], lambda on: replace(self.state, compare=bool(on)))
        extras = [s.widget for s in self.sections[1:]]
        super().__init__(arrange(c, self.inputs.widget, extras, self.renderer.widget))
        self.add_class("stp-explorer")
        self.show(self.state, raise_errors=True)

    def _build_view(self, panels: Sequence[str]) -> None:
        STPView.check(panels)
        # Under the lock: ipympl's browser events (its first draw among them) arrive on
        # another kernel thread while the figure is being built.
        with self.renderer.lock:
            self.renderer.figure.clear()
            self.view = STPView(self.renderer.figure, panels, self.renderer.style.scale)
            self.renderer.attach(self.view.data_artists)

    def _rescale(self, scale: float) -> None:
        """A new presentation scale: the view makes room for the larger text, and readouts."""
        self.view.scale = scale
        self.view.layout()
        if self.frame is not None:
            self.readouts.value = text.readout_html(self.frame, scale)

    def _view_panels(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.view.panels)

    def show(self, state: ExplorerState, raise_errors: bool = False) -> None:
        """Compute and draw ``state``, then move the widgets to it (one render).

        The view is rebuilt when ``state.panels`` differ from those shown. On an error the
        last good state stays shown (its panels, artists and widget values) and the message
        area says why; ``raise_errors`` re-raises the error as well.
        """
        if not raise_errors:
            with self.acting():
                self.show(state, raise_errors=True)
            return
        shown = self._view_panels()
        try:
            with self.renderer.lock:  # widget messages may arrive on a second kernel thread
                rebuilt = state.panels != shown
                if rebuilt:
                    self._build_view(state.panels)
                frame = compute(state)
                full = self.view.show(frame) or rebuilt
                self._sync_widgets(frame)
        except Exception:
            self._roll_back(shown)
            raise
        self.state, self.frame = state, frame
        self.readout_values = frame.readouts
        self.message.value = ""
        self.readouts.value = text.readout_html(frame, self.renderer.style.scale)
        self.description = describe(frame, state.panels)
        self.renderer.frontend.describe(self.description.summary)
        self._update_details()
        self.render_count += 1
        self.renderer.render(full)

    def _roll_back(self, panels: tuple[str, ...]) -> None:
        """Back to the last good state: its panels, its artists and its widget values."""
        if self.frame is None:
            return
        with contextlib.suppress(Exception), self.renderer.lock:  # best effort: reported
            if self._view_panels() != panels:
                self._build_view(panels)
                self.view.show(self.frame)
                self.renderer.render(True)
            else:
                self.view.show(self.frame)
        self._sync_widgets(self.frame)

    # -- the explorer's own controls --------------------------------------------------------
    def _slider_state(self, key: str, shown: float) -> ExplorerState:
        value = float(shown) / SLIDERS[key].scale
        if key == "rate":
            return self.state.with_stimulus(rate=value)
        return self.state.with_params(**{key: value})

    def _preset_state(self, name: str) -> ExplorerState:
        return self.state if name == CUSTOM else self.state.with_preset(name)

    def _pinned(self, on: bool) -> ExplorerState:
        pinned = (self.state.params, self.state.stimulus) if on else None
        return replace(self.state, pinned=pinned)

    def _update_details(self) -> None:
        """Fill "model equations", "copy as code" or "figure as text" where open."""
        if self.details.selected_index == 0 and self.frame is not None:
            self.equations.value = text.equations_html(self.params)
        if self.details.selected_index == 1 and self.frame is not None:
            self.code.value = text.code_html(self.code_text())
        if self.figure_table.selected_index == 0 and self.frame is not None:
            self.figure_text.value = text.figure_table_html(self.description)

    def _sync_widgets(self, frame: Frame) -> None:
        """Move every widget to ``frame.state`` (a log slider shows the nearest it can)."""
        state = frame.state
        with self.echoes.moving():
            for key in PARAM_KEYS:
                value = float(getattr(state.params, key)) * SLIDERS[key].scale
                self.put(self.sliders[key], shown_value(self.sliders[key], value))
            rate = self.sliders["rate"]
            self.put(rate, shown_value(rate, state.stimulus.rate))
            for section in self.sections:
                section.sync(frame)
            self.put(self.preset, state.preset)
            self.put(self.buttons["pin"], state.pinned is not None)
            self.put(self.buttons["compare"], state.compare)

    def close(self) -> None:
        """Close the figure and every widget of the explorer."""
        self.renderer.close()
        pending: list[Any] = [self]
        while pending:
            widget = pending.pop()
            pending.extend(getattr(widget, "children", ()))
            for part in (getattr(widget, "layout", None), getattr(widget, "style", None)):
                if isinstance(part, widgets.Widget):
                    part.close()  # a widget's layout and style are widgets of their own
            if widget is not self:
                widget.close()
        super().close()
