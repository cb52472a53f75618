"""STPExplorer: binds widgets to one :class:`~stpwidget.state.ExplorerState` and a view.

One change flows one way: a widget's observer makes a new state, :func:`compute` turns it
into a frame, the view's panels draw the frame and the renderer puts it on screen once.
Nothing here computes or draws.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import logging
from collections.abc import Iterator, Sequence
from typing import Any

import ipywidgets as widgets

from stpwidget.explorer import text
from stpwidget.explorer.controls import (
    PARAM_KEYS,
    PROBE_DELAY,
    SLIDERS,
    is_snap,
    show_value,
)
from stpwidget.explorer.export import Shown, deprecated
from stpwidget.explorer.layout import build_controls
from stpwidget.state import CUSTOM, ExplorerState, Frame, compute
from stpwidget.stimulus import Stimulus
from stpwidget.view import DEFAULT_PANELS, STPView
from stpwidget.view.render import make_renderer

logger = logging.getLogger("stpwidget")
#: Stimulus fields set by a widget, besides the rate and probe delay sliders.
_STIMULUS_CONTROLS = ("kind", "n_spikes", "seed")


class STPExplorer(Shown, widgets.VBox):
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
        Which panels to show, from :data:`stpwidget.view.PANELS`.
    protocol : Stimulus, optional
        Deprecated name of ``stimulus``.

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
    ) -> None:
        if protocol is not None:
            deprecated("STPExplorer(protocol=...)", "STPExplorer(stimulus=...)")
            stimulus = stimulus or protocol
        self.state = ExplorerState.from_preset(preset, stimulus, dt)
        self.frame: Frame | None = None
        self.render_count = 0
        self._holding = False
        self.renderer = make_renderer(backend, width, height, dpi=100)
        self.view = STPView(self.renderer.figure, panels)
        self.renderer.attach(self.view.data_artists)
        self.renderer.widget.add_class("stp-figure")
        c = build_controls(self.state, self.renderer.widget)
        self.sliders, self.preset, self.buttons = c.sliders, c.preset, c.buttons
        self.stimulus_controls = c.stimulus
        self.readouts, self.message, self.equations, self.code = (
            c.readouts,
            c.message,
            c.equations,
            c.code,
        )
        self.readout_values: dict[str, float] = {}
        for key, slider in self.sliders.items():
            slider.observe(functools.partial(self._on_number, key), "value")
        self.stimulus_controls["probe_delay"].observe(
            functools.partial(self._on_number, "probe_delay"), "value"
        )
        for key in _STIMULUS_CONTROLS:
            self.stimulus_controls[key].observe(functools.partial(self._on_stimulus, key), "value")
        self.preset.observe(self._on_preset, "value")
        self.buttons["reset"].on_click(lambda _: self.apply_preset(self.state.active_preset))
        self.buttons["new_draw"].on_click(self._on_new_draw)
        self.buttons["pin"].observe(self._on_pin, "value")
        self.buttons["compare"].observe(self._on_compare, "value")
        super().__init__(c.children)
        self.add_class("stp-explorer")
        self.show(self.state)

    # -- programmatic control ----------------------------------------------------------
    def set_params(self, **values: float) -> None:
        """Set several values in one update, in API units (s for τ, Hz for ``rate``).

        Parameters
        ----------
        **values : float
            Any of ``tau_f``, ``tau_d``, ``tau_s`` (s), ``U``, ``rate`` (Hz).

        Raises
        ------
        ValueError
            For an unknown name, an invalid value, or one outside the slider's range
            (sliders would clamp it silently). Nothing changes then.
        """
        unknown = sorted(set(values) - set(SLIDERS))
        if unknown:
            raise ValueError(f"unknown parameter(s) {unknown}; use {tuple(SLIDERS)}")
        state = self.state
        params = {k: float(v) for k, v in values.items() if k in PARAM_KEYS}
        if params:
            state = state.with_params(**params)  # validates τ > 0, U in (0, 1]
        for key, value in values.items():
            SLIDERS[key].check(key, value)
        if "rate" in values:
            state = self._with_stimulus(state, rate=float(values["rate"]))
        self.show(state, raise_errors=True)

    def set_input(self, **values: Any) -> None:
        """Set several input settings in one update, in API units.

        Parameters
        ----------
        **values
            Any of ``kind`` ({"regular", "poisson", "probe"}), ``rate`` (Hz), ``n_spikes``,
            ``probe_delay`` (s), ``seed``.

        Raises
        ------
        ValueError
            For an unknown name, an invalid value, or one outside its control's range,
            naming the argument. Nothing changes then.
        """
        allowed = ("kind", "rate", "n_spikes", "probe_delay", "seed")
        unknown = sorted(set(values) - set(allowed))
        if unknown:
            raise ValueError(f"unknown input setting(s) {unknown}; use {allowed}")
        for key, spec in (("rate", SLIDERS["rate"]), ("probe_delay", PROBE_DELAY)):
            if key in values:
                spec.check(key, values[key])
        for key in ("n_spikes", "seed"):
            control = self.stimulus_controls[key]
            if key in values and not control.min <= values[key] <= control.max:
                raise ValueError(
                    f"{key} must be an integer in [{control.min}, {control.max}]; "
                    f"got {values[key]!r}"
                )
        self.show(self._with_stimulus(self.state, **values), raise_errors=True)

    def apply_preset(self, name: str) -> None:
        """Set every parameter to a preset's exact values in one update."""
        self.show(self.state.with_preset(name), raise_errors=True)

    def show(self, state: ExplorerState, raise_errors: bool = False) -> None:
        """Compute and draw ``state``, then move the widgets to it (one render).

        On an error the message area says why and the last good state stays shown (and its
        values return to the widgets); ``raise_errors`` re-raises it as well.
        """
        try:
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
        self.readouts.value = text.readout_html(frame.readouts, state.stimulus)
        self.equations.value = text.equations_html(state.params)
        self.code.value = text.code_html(self.code_text())
        self.render_count += 1
        self.renderer.render(full)

    # -- observers: a widget changed -> a new state --------------------------------------
    @staticmethod
    def _with_stimulus(state: ExplorerState, **values: Any) -> ExplorerState:
        return dataclasses.replace(state, stimulus=dataclasses.replace(state.stimulus, **values))

    def _on_number(self, key: str, change: dict[str, Any]) -> None:
        if self._holding:
            return
        spec = PROBE_DELAY if key == "probe_delay" else SLIDERS[key]
        owner = change["owner"]
        value = float(change["new"]) / spec.scale
        if key in PARAM_KEYS:
            if is_snap(owner, change["new"], float(getattr(self.params, key)) * spec.scale):
                return  # the browser put the exact value on the slider's grid: keep it
            self._try(lambda: self.state.with_params(**{key: value}))
        else:
            self._try(lambda: self._with_stimulus(self.state, **{key: value}))

    def _on_stimulus(self, key: str, change: dict[str, Any]) -> None:
        if not self._holding:
            self._try(lambda: self._with_stimulus(self.state, **{key: change["new"]}))

    def _on_preset(self, change: dict[str, Any]) -> None:
        if not self._holding and change["new"] != CUSTOM:
            self._try(lambda: self.state.with_preset(change["new"]))

    def _on_new_draw(self, _button: Any) -> None:
        self.stimulus_controls["seed"].value += 1

    def _on_pin(self, change: dict[str, Any]) -> None:
        if not self._holding:
            pinned = (self.state.params, self.state.stimulus) if change["new"] else None
            self._try(lambda: dataclasses.replace(self.state, pinned=pinned))

    def _on_compare(self, change: dict[str, Any]) -> None:
        if not self._holding:
            self._try(lambda: dataclasses.replace(self.state, compare=bool(change["new"])))

    def _try(self, make: Any) -> None:
        """Show the state ``make()`` returns; a ValueError making it is shown too."""
        try:
            state = make()
        except ValueError as err:
            self.message.value = text.error_html(err)
            self._sync_widgets()
            return
        self.show(state)

    @contextlib.contextmanager
    def _hold(self) -> Iterator[None]:
        """Suspend the observers while the widgets are moved to the state."""
        previous, self._holding = self._holding, True
        try:
            yield
        finally:
            self._holding = previous

    def _sync_widgets(self) -> None:
        """Move every widget to :attr:`state` (a log slider shows the nearest it can)."""
        state = self.state
        with self._hold():
            for key in PARAM_KEYS:
                value = float(getattr(state.params, key)) * SLIDERS[key].scale
                show_value(self.sliders[key], value)
            show_value(self.sliders["rate"], state.stimulus.rate)
            show_value(self.stimulus_controls["probe_delay"], state.stimulus.probe_delay * 1e3)
            for key in _STIMULUS_CONTROLS:
                self.stimulus_controls[key].value = getattr(state.stimulus, key)
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
