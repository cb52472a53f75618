"""stpwidget: see short-term synaptic plasticity (the Tsodyks–Markram model).

The kernel (``simulate``, spike trains, closed forms, the explorer's :class:`Stimulus`) is
torch and NumPy only; the explorer widget and the static plots are imported lazily.
"""

from stpwidget.closed_form import (
    SteadyState,
    limiting_frequency,
    paired_pulse_ratio,
    steady_state,
)
from stpwidget.model import STPState, STPTrace, simulate
from stpwidget.params import PRESETS, TMParameters
from stpwidget.stimulus import Stimulus
from stpwidget.trains import poisson_train, regular_train, with_recovery_probe


def __getattr__(name: str) -> object:
    # The explorer (ipywidgets) and the plots (matplotlib) load only when asked for, so
    # the kernel imports with torch alone.
    if name == "STPExplorer":
        from stpwidget.explorer import STPExplorer

        return STPExplorer
    if name == "plot_trace":
        from stpwidget.view.figure import plot_trace

        return plot_trace
    raise AttributeError(f"module 'stpwidget' has no attribute {name!r}")


__all__ = [
    "PRESETS",
    "STPExplorer",
    "STPState",
    "STPTrace",
    "SteadyState",
    "Stimulus",
    "TMParameters",
    "limiting_frequency",
    "paired_pulse_ratio",
    "plot_trace",
    "poisson_train",
    "regular_train",
    "simulate",
    "steady_state",
    "with_recovery_probe",
]
