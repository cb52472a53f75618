r"""Mystery synapses for a class: one hidden synapse per student, a trial budget, and grading.

The lecturer makes a :class:`Classroom` (its :attr:`~Classroom.code` carries the rules;
its :attr:`~Classroom.key` stays private). Every student gets :func:`mystery_synapse`
``(code, name)``, records from it within the budget and away from the graded trains
(:meth:`MysterySynapse.record`), estimates the Tsodyks–Markram parameters and hands in
:func:`submission_row`. :func:`grade` scores the estimates on trains nobody recorded
(:func:`held_out_protocol`) and reports every row it could not grade.

There is no server: a student's synapse is computed in their own kernel from the code and
the name, so the parameters are hidden from casual inspection and documented doors only
(``reveal`` and a hidden score need the key), not from someone who copies the draw.

Examples
--------
>>> import io
>>> from stpwidget import regular_train
>>> room = Classroom.create("BIO-412", trials=100, roster=["Ada", "Ben"])
>>> syn = mystery_synapse(room.code, "Ada")
>>> syn.trials_left, syn.show_score
(100, False)
>>> _ = syn.record(regular_train(20.0, 5, start=0.1), trials=30)
>>> syn.trials_left
70
>>> row = submission_row("Ada", syn.reveal(room.key), room.code)
>>> report = grade(room, io.StringIO(SUBMISSION_HEADER + "\n" + row))
>>> print(report.grades[["student", "score", "error", "status"]].to_string(index=False))
student  score  error  status
    Ada  100.0    0.0  graded
    Ben    NaN    NaN missing
"""

from stpwidget.mystery.classroom import DEFAULT_TRIALS, Classroom, ClassSettings, class_settings
from stpwidget.mystery.grading import GradeReport, grade
from stpwidget.mystery.plans import STARTER_DESIGN, lecturer_key, run_design
from stpwidget.mystery.rig import (
    HELD_OUT_PROBES,
    HELD_OUT_RATES,
    check_not_held_out,
    held_out_protocol,
    protocol_train,
)
from stpwidget.mystery.scoring import (
    SUBMISSION_COLUMNS,
    SUBMISSION_HEADER,
    check_code,
    score,
    submission_row,
)
from stpwidget.mystery.synapse import MYSTERY_RANGES, MysterySynapse, mystery_synapse

__all__ = [
    "DEFAULT_TRIALS",
    "HELD_OUT_PROBES",
    "HELD_OUT_RATES",
    "MYSTERY_RANGES",
    "STARTER_DESIGN",
    "SUBMISSION_COLUMNS",
    "SUBMISSION_HEADER",
    "ClassSettings",
    "Classroom",
    "GradeReport",
    "MysterySynapse",
    "check_code",
    "check_not_held_out",
    "class_settings",
    "grade",
    "held_out_protocol",
    "lecturer_key",
    "mystery_synapse",
    "protocol_train",
    "run_design",
    "score",
    "submission_row",
]
