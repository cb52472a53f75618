"""The explorer's controls: slider specifications, log value lists and widget factories."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import ipywidgets as widgets

#: Values per decade of the logarithmic sliders: roughly even ratios, and round numbers
#: (so the presets' 20, 50 and 750 ms are on the slider and shown exactly).
DECADE: tuple[float, ...] = (
    *(1, 1.1, 1.2, 1.3, 1.5, 1.6, 1.8, 2, 2.2, 2.4, 2.7, 3),
    *(3.3, 3.6, 4, 4.5, 5, 5.5, 6, 6.5, 7, 7.5, 8, 9),
)


def log_values(lo: float, hi: float) -> list[float]:
    """The slider values from ``lo`` to ``hi`` (both included), :data:`DECADE` per decade."""
    values = []
    for exponent in range(math.floor(math.log10(lo)), math.ceil(math.log10(hi)) + 1):
        values += [round(m * 10.0**exponent, 10) for m in DECADE]
    return [v for v in values if lo <= v <= hi]


def nearest(options: tuple[float, ...], value: float) -> float:
    """The option closest to ``value`` on a log scale (what a slider can show)."""
    return min(options, key=lambda o: abs(math.log(o / value)))


@dataclasses.dataclass(frozen=True)
class SliderSpec:
    """One slider: its label, unit and range in slider units, and the API's unit.

    Parameters
    ----------
    label : str
        What the student reads, e.g. ``"τ_d (depression)"``.
    unit : str
        Unit shown on the slider (``"ms"``, ``"Hz"`` or ``""``).
    low, high : float
        Range in slider units.
    log : bool
        Logarithmic (a choice among :func:`log_values`) or linear with step 0.01.
    scale : float, default 1.0
        Slider units per API unit (1000 for a time constant: ms on the slider, s in the API).
    """

    label: str
    unit: str
    low: float
    high: float
    log: bool
    scale: float = 1.0

    def check(self, name: str, value: float) -> float:
        """``value`` (API units) in slider units; ValueError if the slider cannot show it."""
        shown = float(value) * self.scale
        if not (math.isfinite(shown) and self.low <= shown <= self.high):
            raise ValueError(
                f"{name} must be within the explorer's slider range "
                f"[{self.low / self.scale:g}, {self.high / self.scale:g}] ({self.low:g} to "
                f"{self.high:g} {self.unit or 'unitless'} on the slider); got {value!r}"
            )
        return shown

    def make(self, name: str, value: float) -> widgets.Widget:
        """The slider widget, showing ``value`` (slider units) or the nearest it can."""
        description = f"{self.label} [{self.unit}]" if self.unit else self.label
        common: dict[str, Any] = dict(
            description=description,
            continuous_update=True,
            style={"description_width": "12em"},
            layout=widgets.Layout(width="30em"),
        )
        slider: widgets.Widget
        if self.log:
            options = log_values(self.low, self.high)
            slider = widgets.SelectionSlider(
                options=[(f"{v:g}", v) for v in options],
                value=nearest(tuple(options), value),
                **common,
            )
        else:
            slider = widgets.FloatSlider(
                value=value, min=self.low, max=self.high, step=0.01, readout_format=".3g", **common
            )
        slider.add_class(f"stp-{name}")
        return slider


#: The synapse's sliders and the input rate, keyed like the API's arguments.
SLIDERS: dict[str, SliderSpec] = {
    "tau_f": SliderSpec("τ_f (facilitation)", "ms", 1.0, 2000.0, True, 1e3),
    "tau_d": SliderSpec("τ_d (depression)", "ms", 1.0, 2000.0, True, 1e3),
    "tau_s": SliderSpec("τ_s (current)", "ms", 1.0, 200.0, True, 1e3),
    "U": SliderSpec("U (utilization)", "", 0.01, 1.0, False),
    "rate": SliderSpec("input rate", "Hz", 1.0, 100.0, True),
}
#: The recovery probe's delay slider.
PROBE_DELAY = SliderSpec("probe delay", "ms", 10.0, 5000.0, True, 1e3)
#: The rate after a rate step.
RATE_AFTER = SliderSpec("rate after the step", "Hz", 1.0, 100.0, True)
#: Which sliders set the synapse (the others set the stimulus).
PARAM_KEYS = ("tau_f", "tau_d", "tau_s", "U")


def shown_value(slider: widgets.Widget, value: float) -> float:
    """What ``slider`` can show of ``value`` (slider units): a log slider's nearest option."""
    if isinstance(slider, widgets.SelectionSlider):
        return nearest(tuple(v for _, v in slider.options), value)
    return value
