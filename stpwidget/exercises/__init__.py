"""Answer checkers for the exercises of the lesson notebook (``notebooks/02_lesson``).

Torch, the kernel and the closed forms only (no widgets, no plotting). Every checker
computes the model's value with :mod:`stpwidget` itself, compares the student's answer with
it within a stated tolerance and returns a :class:`Verdict`: true when the answer matches,
false otherwise, and shown in a notebook as one line of feedback. A wrong answer is told
whether it is too high or too low and, when it is a known mistake, which one; never the
value itself.

Examples
--------
>>> from stpwidget.exercises import check_limiting_frequency
>>> check_limiting_frequency(3.0)
Correct: 3 Hz matches the model's limiting frequency (2.963 Hz) within ±2%.
>>> bool(check_limiting_frequency(30.0))
False
"""

from stpwidget.exercises._feedback import Verdict
from stpwidget.exercises.norse import NORSE_EXERCISE, check_norse_translation
from stpwidget.exercises.postsynaptic import STEP, STEP_WINDOW, check_step_transient
from stpwidget.exercises.rates import (
    DESIGN_MARGIN,
    DESIGN_RATES,
    check_depress_then_facilitate,
    check_limiting_frequency,
    check_poisson_release,
    check_tuned_rate,
)
from stpwidget.exercises.synapse import (
    CANDIDATES,
    RECORDING,
    RECORDING_PROTOCOL,
    check_ppr_peak,
    check_recovery_time,
    check_second_release,
    check_which_synapse,
)

__all__ = [
    "CANDIDATES",
    "DESIGN_MARGIN",
    "DESIGN_RATES",
    "NORSE_EXERCISE",
    "RECORDING",
    "RECORDING_PROTOCOL",
    "STEP",
    "STEP_WINDOW",
    "Verdict",
    "check_depress_then_facilitate",
    "check_limiting_frequency",
    "check_norse_translation",
    "check_poisson_release",
    "check_ppr_peak",
    "check_recovery_time",
    "check_second_release",
    "check_step_transient",
    "check_tuned_rate",
    "check_which_synapse",
]
