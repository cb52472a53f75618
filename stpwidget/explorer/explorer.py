"""STPExplorer: binds widgets to one :class:`~stpwidget.state.ExplorerState` and a view.

One change flows one way: a widget's observer makes a new state, :func:`compute` turns it
into a frame, the view's panels draw the frame and the renderer puts it on screen once.
Nothing here computes or draws.
"""

from __future__ import annotations

import contextlib
import functools
import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from typing import Any

import ipywidgets as widgets

from stpwidget.explorer import text
from stpwidget.explorer.commands import Commands
from stpwidget.explorer.controls import (
    PARAM_KEYS,
    SLIDERS,
    is_snap,
    show_value,
)
from stpwidget.explorer.data_controls import DataSection
from stpwidget.explorer.export import Shown, deprecated
from stpwidget.explorer.input_controls import InputSection
from stpwidget.explorer.layout import arrange, build_controls
from stpwidget.explorer.membrane_controls import MembraneSection
from stpwidget.explorer.mystery_controls import MysterySection
from stpwidget.explorer.section import Section, with_stimulus
from stpwidget.render import make_renderer
from stpwidget.state import CUSTOM, ExplorerState, Frame, compute
from stpwidget.stimulus import Stimulus
from stpwidget.view import DEFAULT_PANELS, STPView
from stpwidget.view.style import Style

logger = logging.getLogger("stpwidget")


class STPExplorer(Shown, Commands, widgets.VBox):
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
        state = ExplorerState.from_preset(preset, stimulus, dt)
        self.state = replace(state, membrane="membrane" in panels)
        self.frame: Frame | None = None
        self.render_count = 0
        self.holding = False
        self.renderer = make_renderer(backend, width, height, dpi=100, style=Style(scale))
        self.renderer.widget.add_class("stp-figure")
        self._build_view(panels)
        c = build_controls(self.state)
        self.sliders, self.preset, self.buttons = c.sliders, c.preset, c.buttons
        self.readouts, self.message = c.readouts, c.message
        self.equations, self.code, self.details = c.equations, c.code, c.details
        # Typesetting them costs the browser ~60 ms per change: only while they are open.
        self.details.observe(lambda _: self._update_details(), "selected_index")
        self.readout_values: dict[str, float] = {}
        self.inputs = InputSection(self)
        self.stimulus_controls = self.inputs.controls
        self.buttons["new_draw"] = self.inputs.new_draw
        self.membrane_controls = MembraneSection(self)
        self.data_controls = DataSection(self)
        self.sections: list[Section] = [self.inputs, self.membrane_controls, self.data_controls]
        self.sections += [MysterySection(self, *mystery)] if mystery is not None else []
        for key, slider in self.sliders.items():
            slider.observe(functools.partial(self._on_slider, key), "value")
        self.preset.observe(self._on_preset, "value")
        self.buttons["reset"].on_click(lambda _: self.apply_preset(self.state.active_preset))
        self.bind(self.buttons["pin"], self._pinned)
        self.bind(self.buttons["compare"], lambda on: replace(self.state, compare=bool(on)))
        extras = [s.widget for s in self.sections[1:]]
        super().__init__(arrange(c, self.inputs.widget, extras, self.renderer.widget))
        self.add_class("stp-explorer")
        self.show(self.state)

    def _build_view(self, panels: Sequence[str]) -> None:
        STPView.check(panels)
        # Under the lock: ipympl's browser events (its first draw among them) arrive on
        # another kernel thread while the figure is being built.
        with self.renderer.lock:
            self.renderer.figure.clear()
            self.view = STPView(self.renderer.figure, panels, self.renderer.style.scale)
            self.renderer.attach(self.view.data_artists)

    def show(self, state: ExplorerState, raise_errors: bool = False) -> None:
        """Compute and draw ``state``, then move the widgets to it (one render).

        On an error the message area says why and the last good state stays shown (and its
        values return to the widgets); ``raise_errors`` re-raises it as well.
        """
        try:
            with self.renderer.lock:  # widget messages may arrive on a second kernel thread
                frame = compute(state)
                full = self.view.show(frame)
        except Exception as err:  # shown to the user, never only on the console
            if not isinstance(err, ValueError):
                logger.exception("stpwidget explorer: update failed")
            self.message.value = text.error_html(err)
            if self.frame is not None:
                with contextlib.suppress(Exception):  # best effort: the error is shown
                    self.view.show(self.frame)  # back to the last good state's artists
                self._sync_widgets()
            if raise_errors or self.frame is None:
                raise
            return
        self.state, self.frame = state, frame
        self.readout_values = frame.readouts
        self.message.value = ""
        self._sync_widgets()
        scale = self.renderer.style.scale
        self.readouts.value = text.readout_html(frame.readouts, state.stimulus, scale)
        self._update_details()
        self.render_count += 1
        self.renderer.render(full)

    # -- observers: a widget changed -> a new state --------------------------------------
    def _on_slider(self, key: str, change: dict[str, Any]) -> None:
        if self.holding:
            return
        spec = SLIDERS[key]
        value = float(change["new"]) / spec.scale
        if key == "rate":
            self.request(lambda: with_stimulus(self.state, rate=value))
        elif not is_snap(
            change["owner"], change["new"], float(getattr(self.params, key)) * spec.scale
        ):
            self.request(lambda: self.state.with_params(**{key: value}))
        # else: the browser put the exact value on the slider's grid: keep it

    def _on_preset(self, change: dict[str, Any]) -> None:
        if not self.holding and change["new"] != CUSTOM:
            self.request(lambda: self.state.with_preset(change["new"]))

    def _pinned(self, on: bool) -> ExplorerState:
        pinned = (self.state.params, self.state.stimulus) if on else None
        return replace(self.state, pinned=pinned)

    def bind(self, control: widgets.Widget, make: Callable[[Any], ExplorerState]) -> None:
        """On a user's change of ``control``, show the state ``make(new value)`` returns.

        Changes made while the widgets move to a new state (:attr:`holding`) are not the
        user's and are ignored; a ValueError from ``make`` is shown (see :meth:`request`).
        """

        def on_change(change: dict[str, Any]) -> None:
            if not self.holding:
                self.request(lambda: make(change["new"]))

        control.observe(on_change, "value")

    def _update_details(self) -> None:
        """Fill "model equations" or "copy as code" if it is the open one."""
        if self.details.selected_index == 0 and self.frame is not None:
            self.equations.value = text.equations_html(self.params)
        if self.details.selected_index == 1 and self.frame is not None:
            self.code.value = text.code_html(self.code_text())

    def request(self, make: Callable[[], ExplorerState]) -> None:
        """Show the state ``make()`` returns (for observers: a ValueError is shown too)."""
        try:
            state = make()
        except ValueError as err:
            self.message.value = text.error_html(err)
            self._sync_widgets()
            return
        self.show(state)

    @contextlib.contextmanager
    def _hold(self) -> Iterator[None]:
        """Suspend the observers (:attr:`holding`) while the widgets move to the state."""
        previous, self.holding = self.holding, True
        try:
            yield
        finally:
            self.holding = previous

    def _sync_widgets(self) -> None:
        """Move every widget to :attr:`state` (a log slider shows the nearest it can)."""
        state = self.state
        with self._hold():
            for key in PARAM_KEYS:
                value = float(getattr(state.params, key)) * SLIDERS[key].scale
                show_value(self.sliders[key], value)
            show_value(self.sliders["rate"], state.stimulus.rate)
            for section in self.sections:
                section.sync(state)
            self.preset.value = state.preset
            self.buttons["pin"].value = state.pinned is not None
            self.buttons["compare"].value = state.compare

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
