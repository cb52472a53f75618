"""The explorer: ipywidgets wiring only (sliders -> parameters -> kernel -> view).

One place owns the parameters (:class:`STPExplorer`); the view only updates artists; each
change ends in exactly one render. Slider events from the browser are coalesced: while an
update is pending, further events only record their value, so a fast drag never builds a
backlog and the last value is always the one drawn.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import torch

from stpwidget import text
from stpwidget.closed_form import limiting_frequency, steady_state
from stpwidget.model import STPTrace, simulate
from stpwidget.params import PRESETS, TMParameters
from stpwidget.protocols import Protocol
from stpwidget.render import make_renderer
from stpwidget.view import RATES, STPView

#: Slider key -> (label, unit, min, max, logarithmic, scale from API unit to slider unit).
SLIDERS: dict[str, tuple[str, str, float, float, bool, float]] = {
    "tau_f": ("τ_f (facilitation)", "ms", 1.0, 2000.0, True, 1e3),
    "tau_d": ("τ_d (depression)", "ms", 1.0, 2000.0, True, 1e3),
    "tau_s": ("τ_s (current)", "ms", 1.0, 200.0, True, 1e3),
    "U": ("U (utilization)", "", 0.01, 1.0, False, 1.0),
    "rate": ("input rate", "Hz", 1.0, 100.0, True, 1.0),
}
PARAM_KEYS = ("tau_f", "tau_d", "tau_s", "U")
CUSTOM = "custom"
OTHER_PRESET = {"facilitating": "depressing", "depressing": "facilitating"}
_RATES = torch.as_tensor(RATES)


#: Values per decade of the logarithmic sliders: roughly even ratios, and round numbers
#: (so the presets' 20, 50 and 750 ms are on the slider and shown exactly).
DECADE = (
    1,
    1.1,
    1.2,
    1.3,
    1.5,
    1.6,
    1.8,
    2,
    2.2,
    2.4,
    2.7,
    3,
    3.3,
    3.6,
    4,
    4.5,
    5,
    5.5,
    6,
    6.5,
    7,
    7.5,
    8,
    9,
)


def log_values(lo: float, hi: float) -> list[float]:
    """The slider values from ``lo`` to ``hi`` (both included), :data:`DECADE` per decade."""
    values = []
    for exponent in range(math.floor(math.log10(lo)), math.ceil(math.log10(hi)) + 1):
        values += [round(m * 10.0**exponent, 10) for m in DECADE]
    return [v for v in values if lo <= v <= hi]


def nearest(options: tuple, value: float) -> float:
    """The option closest to ``value`` on a log scale (what a slider can show)."""
    return min(options, key=lambda o: abs(math.log(o / value)))


def _slider(
    key: str, value: float, label: str, unit: str, lo: float, hi: float, log: bool
) -> widgets.widget.Widget:
    """A slider in display units: log-spaced values (exact, no float grid) or linear."""
    description = f"{label} [{unit}]" if unit else label
    common = dict(
        description=description,
        continuous_update=True,
        style={"description_width": "12em"},
        layout=widgets.Layout(width="30em"),
    )
    if log:
        options = log_values(lo, hi)
        slider = widgets.SelectionSlider(
            options=[(f"{v:g}", v) for v in options], value=nearest(options, value), **common
        )
    else:
        slider = widgets.FloatSlider(
            value=value, min=lo, max=hi, step=0.01, readout_format=".3g", **common
        )
    slider.add_class(f"stp-{key}")
    return slider


@contextlib.contextmanager
def _one_torch_thread() -> Iterator[None]:
    """Run torch single-threaded for the explorer's small arrays.

    Measured here: a 10 000-sample simulate takes 0.44 ms on one thread but 7-22 ms on two
    when the CPU is busy (thread hand-offs); the previous setting is restored afterwards.
    """
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


class STPExplorer(widgets.VBox):
    """Interactive Tsodyks–Markram synapse: sliders, live traces, readouts and presets.

    Parameters
    ----------
    preset : {"depressing", "facilitating"}, default "depressing"
        Starting synapse.
    protocol : Protocol, optional
        Starting input; default: the seed's 10 Hz train of 9 spikes from 0.1 s.
    backend : {"auto", "ipympl", "image"}, default "auto"
        ``"ipympl"`` draws on an ipympl canvas (zoom, pan); ``"image"`` sends PNG images and
        needs only core widgets (Colab). ``"auto"`` picks ipympl when matplotlib's backend
        is ipympl's (``%matplotlib widget``).
    width, height : int, default 920, 560
        Figure size in pixels (CSS px); it is drawn at exactly this size.
    dt : float, default 1e-4
        Sampling step of the traces in s (10x finer than the seed's 1 ms).

    Notes
    -----
    Sliders show milliseconds (time constants) and Hz (rate); :attr:`params`,
    :meth:`set_params` and the kernel use seconds.
    """

    def __init__(
        self,
        preset: str = "depressing",
        protocol: Protocol | None = None,
        backend: str = "auto",
        width: int = 920,
        height: int = 560,
        dt: float = 1e-4,
    ) -> None:
        if preset not in PRESETS:
            raise ValueError(f"preset must be one of {tuple(PRESETS)}; got {preset!r}")
        protocol = protocol or Protocol()
        self.dt = float(dt)
        self.render_count = 0
        self._holding = False
        self._scheduled = False
        self._active_preset = preset
        self._pinned: tuple[STPTrace, Any] | None = None
        self._trace: STPTrace | None = None
        self._params: TMParameters | None = None
        self._protocol: Protocol | None = None

        p = PRESETS[preset]
        values = {k: float(getattr(p, k)) * SLIDERS[k][5] for k in PARAM_KEYS}
        values["rate"] = protocol.rate
        self.sliders = {k: _slider(k, values[k], *SLIDERS[k][:5]) for k in SLIDERS}
        self.preset = widgets.ToggleButtons(
            options=[*PRESETS, CUSTOM], value=preset, description="synapse"
        )
        self.preset.add_class("stp-preset")
        self.protocol_controls = {
            "kind": widgets.ToggleButtons(
                options=[
                    ("regular", "regular"),
                    ("Poisson", "poisson"),
                    ("regular + probe", "probe"),
                ],
                value=protocol.kind,
                description="input",
            ),
            "n_spikes": widgets.IntSlider(
                value=protocol.n_spikes,
                min=1,
                max=200,
                description="spikes",
                continuous_update=True,
            ),
            "probe_delay": _slider(
                "probe_delay", protocol.probe_delay * 1e3, "probe delay", "ms", 10.0, 5000.0, True
            ),
            "seed": widgets.BoundedIntText(
                value=protocol.seed,
                min=0,
                max=2**31 - 1,
                description="seed",
                layout={"width": "12em"},
            ),
        }
        self.buttons = {
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
        for key, control in {**self.protocol_controls, **self.buttons}.items():
            control.add_class(f"stp-{key}")

        self.readouts = widgets.HTML()
        self.readouts.add_class("stp-readouts-box")
        self.readout_values: dict[str, float] = {}
        self.message = widgets.HTML()
        self.message.add_class("stp-message")
        self.equations = widgets.HTMLMath()
        self.code = widgets.HTML()
        self.renderer = make_renderer(backend, width, height, dpi=100)
        self.renderer.widget.add_class("stp-figure")
        self.view = STPView(self.renderer.figure)
        self.renderer.attach(self.view.data_artists)

        # The explorer owns the exact values (slider units); the sliders only show them: a log
        # slider the nearest of its round values, U its 0.01 step (see _on_slider).
        self._floats = {**self.sliders, "probe_delay": self.protocol_controls["probe_delay"]}
        self._values = {**values, "probe_delay": protocol.probe_delay * 1e3}
        for control in self._floats.values():
            control.observe(self._on_slider, "value")
        for key, control in self.protocol_controls.items():
            if key != "probe_delay":
                control.observe(self._on_control, "value")
        self.preset.observe(self._on_preset, "value")
        self.buttons["reset"].on_click(lambda _: self.apply_preset(self._active_preset))
        self.buttons["new_draw"].on_click(self._on_new_draw)
        self.buttons["pin"].observe(self._on_pin, "value")
        self.buttons["compare"].observe(self._on_control, "value")

        details = widgets.Accordion(children=[self.equations, self.code])
        details.set_title(0, "model equations")
        details.set_title(1, "copy as code")
        details.selected_index = None
        left = widgets.VBox([self.sliders[k] for k in SLIDERS])
        right = widgets.VBox(
            [
                self.protocol_controls["kind"],
                self.protocol_controls["n_spikes"],
                self.protocol_controls["probe_delay"],
                widgets.HBox([self.protocol_controls["seed"], self.buttons["new_draw"]]),
            ]
        )
        top = widgets.HBox(
            [self.preset, self.buttons["reset"], self.buttons["pin"], self.buttons["compare"]]
        )
        super().__init__(
            [
                top,
                widgets.HBox([left, right]),
                self.renderer.widget,
                self.readouts,
                self.message,
                details,
            ]
        )
        self.add_class("stp-explorer")
        self.update()

    # -- state -------------------------------------------------------------------------
    @property
    def figure(self):
        """The matplotlib figure."""
        return self.renderer.figure

    @property
    def lines(self) -> dict:
        """The view's artists: ``"x"``, ``"u"``, ``"current"`` (Line2D) and more."""
        return self.view.lines

    @property
    def params(self) -> TMParameters:
        """Parameters of the last drawn plot (seconds)."""
        return self._params

    @property
    def protocol(self) -> Protocol:
        """Input protocol of the last drawn plot."""
        return self._protocol

    @property
    def trace(self) -> STPTrace:
        """The last drawn :class:`STPTrace`."""
        return self._trace

    def _read_params(self) -> TMParameters:
        return TMParameters(**{k: self._values[k] / SLIDERS[k][5] for k in PARAM_KEYS})

    def _read_protocol(self) -> Protocol:
        c = self.protocol_controls
        return Protocol(
            kind=c["kind"].value,
            rate=self._values["rate"],
            n_spikes=c["n_spikes"].value,
            probe_delay=self._values["probe_delay"] / 1e3,
            seed=c["seed"].value,
        )

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
        unknown = set(values) - set(SLIDERS)
        if unknown:
            raise ValueError(f"unknown parameter(s) {sorted(unknown)}; use {tuple(SLIDERS)}")
        params = {k: values.get(k, self._values[k] / SLIDERS[k][5]) for k in PARAM_KEYS}
        TMParameters(**params)  # validates tau > 0, U in (0, 1], finiteness
        for key, value in values.items():
            _, unit, lo, hi, _, scale = SLIDERS[key]
            shown = float(value) * scale
            if not (math.isfinite(shown) and lo <= shown <= hi):
                raise ValueError(
                    f"{key} must be within the explorer's slider range "
                    f"[{lo / scale:g}, {hi / scale:g}] ({lo:g} to {hi:g} {unit or 'unitless'}"
                    f" on the slider); got {value!r}"
                )
        self._set_values({k: float(v) * SLIDERS[k][5] for k, v in values.items()})
        if set(values) & set(PARAM_KEYS):
            with self._hold():
                self.preset.value = CUSTOM
        self.update()

    def apply_preset(self, name: str) -> None:
        """Set every parameter slider to a preset's exact values in one update."""
        if name not in PRESETS:
            raise ValueError(f"preset must be one of {tuple(PRESETS)}; got {name!r}")
        p = PRESETS[name]
        self._active_preset = name
        self._set_values({k: float(getattr(p, k)) * SLIDERS[k][5] for k in PARAM_KEYS})
        with self._hold():
            self.preset.value = name
        self.update()

    @contextlib.contextmanager
    def _hold(self) -> Iterator[None]:
        """Suspend the observers while several controls change."""
        previous, self._holding = self._holding, True
        try:
            yield
        finally:
            self._holding = previous

    # -- observers ---------------------------------------------------------------------
    def _on_slider(self, change: dict) -> None:
        key = next(k for k, c in self._floats.items() if c is change["owner"])
        if self._holding or self._same_step(key, change["new"], self._values[key]):
            return  # the browser snapped an exact value to the slider's grid: keep it
        self._values[key] = float(change["new"])
        if key in PARAM_KEYS and self.preset.value != CUSTOM:
            with self._hold():
                self.preset.value = CUSTOM
        self._request_update(change)

    def _same_step(self, key: str, shown: float, held: float) -> bool:
        """Whether a linear slider's new value is the held one snapped to its step.

        The browser snaps a value to the slider's step and may send that back: not a
        change. Log sliders choose among exact values, so any change of theirs is real.
        """
        slider = self._floats[key]
        if isinstance(slider, widgets.SelectionSlider):
            return False
        return abs(shown - held) < slider.step / 2

    def _set_values(self, values: dict[str, float]) -> None:
        """Store exact values (slider units) and move their sliders, without updating."""
        with self._hold():
            for key, value in values.items():
                self._values[key] = float(value)
                slider = self._floats[key]
                if isinstance(slider, widgets.SelectionSlider):
                    value = nearest(tuple(v for _, v in slider.options), value)
                slider.value = value

    def _on_control(self, change: dict) -> None:
        if not self._holding:
            self._request_update(change)

    def _on_preset(self, change: dict) -> None:
        if not self._holding and change["new"] != CUSTOM:
            self.apply_preset(change["new"])

    def _on_new_draw(self, _button: Any) -> None:
        self.protocol_controls["seed"].value += 1

    def _on_pin(self, change: dict) -> None:
        if self._holding:
            return
        if change["new"] and self._trace is not None:
            self._pinned = (self._trace, steady_state(self._params, _RATES))
        else:
            self._pinned = None
        full = self.view.show_ghost("pin", *(self._pinned or (None,)))
        self._render(full)

    def _request_update(self, change: dict) -> None:
        """Update now, or, for events from the browser, once the pending ones are read."""
        from_browser = bool(getattr(change["owner"], "_property_lock", None))
        try:
            loop = asyncio.get_running_loop() if from_browser else None
        except RuntimeError:
            loop = None
        if loop is None:
            self.update()
        elif not self._scheduled:
            self._scheduled = True
            loop.call_soon(self._scheduled_update)

    def _scheduled_update(self) -> None:
        self._scheduled = False
        self.update()

    # -- the update --------------------------------------------------------------------
    def update(self) -> None:
        """Read the controls, simulate, update the view and render once.

        Errors (invalid values, a protocol too long to show, a failure in the view) are
        shown in the message area; the last good plot stays.
        """
        try:
            with _one_torch_thread():
                params, protocol = self._read_params(), self._read_protocol()
                trace = simulate(params, protocol.spikes(), protocol.duration, dt=self.dt)
                frequency = steady_state(params, _RATES)
                limit = float(limiting_frequency(params))
                values = text.readout_values(params, protocol)
                other = None
                if self.buttons["compare"].value:
                    other_params = PRESETS[OTHER_PRESET[self._active_preset]]
                    other = simulate(other_params, trace.spike_times, protocol.duration, dt=self.dt)
            full = self.view.show(trace, frequency, protocol.rate, limit)
            full |= self.view.show_ghost("other", other)
        except Exception as err:  # shown to the user, never only on the console
            self.message.value = text.error_html(err)
            return
        self._params, self._protocol, self._trace = params, protocol, trace
        self.readout_values = values
        self.message.value = ""
        self.readouts.value = text.readout_html(values, protocol)
        self.equations.value = text.equations_html(params)
        self.code.value = text.code_html(self.code_text())
        self._render(full)

    def _render(self, full: bool) -> None:
        self.render_count += 1
        self.renderer.render(full)

    # -- export ------------------------------------------------------------------------
    def code_text(self) -> str:
        """Python that reproduces the current plot with the public API."""
        return text.code_text(self._params, self._protocol, self.dt)

    def to_dataframe(self):
        """The current trace as a pandas DataFrame (columns t_s, x, u, current; needs pandas)."""
        import pandas as pd

        tr = self._trace
        return pd.DataFrame(
            {
                "t_s": tr.t.numpy(),
                "x": tr.x.numpy(),
                "u": tr.u.numpy(),
                "current": tr.current.numpy(),
            }
        )

    def to_csv(self) -> str:
        """The current trace as CSV text (header ``t_s,x,u,current``; no pandas needed)."""
        tr = self._trace
        rows = torch.stack([tr.t, tr.x, tr.u, tr.current], dim=1).tolist()
        return "t_s,x,u,current\n" + "".join(",".join(repr(v) for v in r) + "\n" for r in rows)

    def save_figure(self, path: str | Path, **kwargs: Any) -> None:
        """Save the figure as drawn (any format matplotlib writes: png, svg, pdf...)."""
        self.renderer.save(path, **kwargs)

    def close(self) -> None:
        """Close the figure and every widget of the explorer."""
        self.renderer.close()
        pending = [self]
        while pending:
            widget = pending.pop()
            pending.extend(getattr(widget, "children", ()))
            for part in (getattr(widget, "layout", None), getattr(widget, "style", None)):
                if isinstance(part, widgets.Widget):
                    part.close()  # a widget's layout and style are widgets of their own
            if widget is not self:
                widget.close()
        super().close()
