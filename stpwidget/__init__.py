"""stpwidget: see short-term synaptic plasticity (the Tsodyks–Markram model).

The kernel (``simulate``, spike trains, closed forms, the membrane, recordings and fitting,
the virtual rig, the explorer's :class:`Stimulus`) is torch and NumPy only; the explorer
widget and the static plots are imported lazily.
"""

from stpwidget.closed_form import (
    PoissonSteadyState,
    SteadyState,
    half_ceiling_rate,
    limiting_frequency,
    paired_pulse_ratio,
    peak_frequency,
    poisson_steady_state,
    steady_state,
)
from stpwidget.fit import FitResult, FitWarning, fit, goodness_of_fit
from stpwidget.membrane import LIFResponse, lif_response, postsynaptic_potential
from stpwidget.model import STPState, STPTrace, release_per_spike, simulate
from stpwidget.mystery import (
    SUBMISSION_HEADER,
    Classroom,
    GradeReport,
    MysterySynapse,
    grade,
    held_out_protocol,
    mystery_synapse,
    score,
    submission_row,
)
from stpwidget.params import PRESETS, TMParameters
from stpwidget.quantal import VirtualSynapse
from stpwidget.recordings import Recording, read_recordings, write_recordings
from stpwidget.stimulus import Stimulus
from stpwidget.trains import poisson_train, regular_train, step_train, with_recovery_probe


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
    "SUBMISSION_HEADER",
    "Classroom",
    "FitResult",
    "FitWarning",
    "GradeReport",
    "LIFResponse",
    "MysterySynapse",
    "PoissonSteadyState",
    "Recording",
    "STPExplorer",
    "STPState",
    "STPTrace",
    "SteadyState",
    "Stimulus",
    "TMParameters",
    "VirtualSynapse",
    "fit",
    "goodness_of_fit",
    "grade",
    "half_ceiling_rate",
    "held_out_protocol",
    "lif_response",
    "limiting_frequency",
    "mystery_synapse",
    "paired_pulse_ratio",
    "peak_frequency",
    "plot_trace",
    "poisson_steady_state",
    "poisson_train",
    "postsynaptic_potential",
    "read_recordings",
    "regular_train",
    "release_per_spike",
    "score",
    "simulate",
    "steady_state",
    "step_train",
    "submission_row",
    "with_recovery_probe",
    "write_recordings",
]
