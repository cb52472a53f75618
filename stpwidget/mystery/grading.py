"""Grading a class: every readable row graded, every other row reported, nothing fatal.

:func:`grade` reads the submissions forgivingly (``_rows``), keeps each student's last
readable submission, checks names against the roster and the check code against the class
code, and scores each estimate on the held-out trains (``scoring``). pandas is imported
here only: it is a test dependency of stpwidget, not a runtime one.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
from typing import IO, TYPE_CHECKING, Any

import numpy as np

from stpwidget.mystery import _rows
from stpwidget.mystery._text import canonical, formula_safe
from stpwidget.mystery.classroom import Classroom
from stpwidget.mystery.scoring import VALUE_COLUMNS, check_code, error_percent, relative_rms
from stpwidget.mystery.synapse import _hidden

if TYPE_CHECKING:
    from collections.abc import Mapping

    import pandas as pd

    from stpwidget.params import TMParameters

__all__ = ["GRADE_COLUMNS", "PROBLEM_COLUMNS", "GradeReport", "grade"]

#: Columns of :attr:`GradeReport.grades`.
GRADE_COLUMNS = ("student", "score", "error", "kind", "status", *VALUE_COLUMNS, "row")
#: Columns of :attr:`GradeReport.problems`.
PROBLEM_COLUMNS = ("row", "student", "action", "problem")
#: Status of a student in the grades.
GRADED, UNCHECKED, MISMATCH, MISSING = (
    "graded",
    "graded, no check code",
    "check code differs",
    "missing",
)


@dataclasses.dataclass(frozen=True)
class GradeReport:
    """What :func:`grade` found.

    Attributes
    ----------
    grades : pandas.DataFrame
        One row per roster student, in roster order (without a roster: per submitting
        student, in order of first submission), with the columns ``student``; ``score``
        (points, ``max(0, 100 − error)``); ``error`` (the held-out error in %, one decimal,
        as the student saw it); ``kind`` of the hidden synapse; ``status`` (graded;
        graded, no check code; check code differs; missing); the submitted ``tau_f``,
        ``tau_d`` (s), ``U``, ``A`` (pA); and the CSV ``row`` that counted. Blank (NaN)
        where there is no graded submission.
    problems : pandas.DataFrame
        Every row skipped, fixed, noted or replaced: ``row`` (the header is row 1),
        ``student``, ``action`` and ``problem`` (why), in row order.
    truths : pandas.DataFrame
        The hidden ``kind``, ``tau_f``, ``tau_d``, ``U`` and ``A`` of each student of
        ``grades``, indexed by student: the lecturer's reveal.
    """

    grades: pd.DataFrame
    problems: pd.DataFrame
    truths: pd.DataFrame

    def to_csv(self, path: str | os.PathLike[str] | IO[str], table: str = "grades") -> None:
        """Write ``grades`` (or ``problems``) as CSV, safe to open in a spreadsheet.

        Text cells that a spreadsheet would run as a formula (starting with ``=``, ``+``,
        ``-``, ``@``, a tab or a carriage return) get a leading ``'``; missing values are
        empty cells.

        Raises
        ------
        ValueError
            If ``table`` is not ``"grades"`` or ``"problems"``.
        """
        if table not in ("grades", "problems"):
            raise ValueError(f"table must be 'grades' or 'problems'; got {table!r}")
        frame = getattr(self, table).copy()
        for column in ("student", "kind", "status", "action", "problem"):
            if column in frame.columns:
                frame[column] = [
                    formula_safe(v) if isinstance(v, str) else v for v in frame[column]
                ]
        frame.to_csv(path, index=False, na_rep="", lineterminator="\n")


def grade(
    classroom: Classroom | str,
    submissions: Mapping[str, TMParameters] | str | os.PathLike[str] | IO[Any] | pd.DataFrame,
) -> GradeReport:
    """Score each student's estimate by how well it predicts held-out recordings.

    Parameters
    ----------
    classroom : Classroom or str
        The class (:meth:`Classroom.create` or :meth:`Classroom.load`: it holds the key and
        the roster), or a plain class code (no key, no roster).
    submissions : mapping, path, file or pandas.DataFrame
        A dict of student name to :class:`TMParameters`, or a table with a header: a CSV
        file (path or open text/binary file; ``,``, ``;`` or tab separated) or a DataFrame.
        The columns ``student,tau_f,tau_d,U,A,check`` in any order (time constants in s,
        ``A`` in pA; ``check`` optional), or one column ``submission`` holding the line
        :func:`submission_row` made (a form). Other columns (a form's ``Timestamp``) are
        ignored.

    Returns
    -------
    GradeReport
        ``grades``, ``problems`` and ``truths``. Each student's last readable submission
        counts. Names are matched ignoring case, spacing and Unicode form. A row is
        skipped (and reported) for an empty or unreadable cell, a value out of range, a
        name not on the roster, or a check code that belongs to another name or class
        code; a pasted header, a decimal comma, a line pasted into one cell and a time
        constant of 10 or more (read as ms) are fixed and reported.

    Raises
    ------
    TypeError
        For a ``classroom`` or ``submissions`` of the wrong type, or a dict entry that is
        not a name and a TMParameters.
    ValueError
        For a class code made by :meth:`Classroom.create` given as text (it needs its
        key: pass the Classroom), or a dict entry with a blank name or a batch.
    """
    import pandas as pd

    room = _classroom(classroom)
    entries, notes = _rows.read(submissions)
    kept: dict[str, _rows.Entry] = {}
    for entry in entries:
        earlier = kept.pop(canonical(entry.student), None)
        if earlier is not None:
            later = f"a later submission (row {entry.row}) counts"
            notes.append(_rows.Note(earlier.row, earlier.student, "replaced", later))
        kept[canonical(entry.student)] = entry
    names = {canonical(s): s for s in room.roster}
    status: dict[str, str] = {}
    written = {key: entry.student for key, entry in kept.items()}
    for key, entry in list(kept.items()):
        why = _refusal(room, names, entry)
        if why is not None:
            notes.append(_rows.Note(entry.row, entry.student, "skipped", why))
            del kept[key]
            if why.startswith("check code"):
                status[key] = MISMATCH
        else:
            status[key] = GRADED if entry.check else UNCHECKED
    students = list(room.roster) or [written[k] for k in status]
    graded = [kept[canonical(s)] for s in students if canonical(s) in kept]
    values = np.array([e.values for e in graded], dtype=np.float64).reshape(-1, 4)
    truths = {canonical(s): _hidden(room.code, s) for s in students}
    errors = relative_rms(values, [truths[canonical(e.student)][0] for e in graded])
    by_student = dict(zip((canonical(e.student) for e in graded), error_percent(errors)))
    rows = []
    for s in students:
        got = kept.get(canonical(s))
        if got is None:
            state = status.get(canonical(s), MISSING)
            rows.append([s, np.nan, np.nan, truths[canonical(s)][1], state, *[np.nan] * 4, None])
            continue
        percent = float(by_student[canonical(s)])
        points = max(0.0, round(100.0 - percent, 1))
        kind, state = truths[canonical(s)][1], status[canonical(s)]
        rows.append([s, points, percent, kind, state, *got.values, got.row])
    grades = pd.DataFrame(rows, columns=list(GRADE_COLUMNS))
    grades["row"] = grades["row"].astype("Int64")
    ordered = sorted(notes, key=lambda n: n.row)
    problems = pd.DataFrame(
        [dataclasses.astuple(n) for n in ordered], columns=list(PROBLEM_COLUMNS)
    )
    true = pd.DataFrame(
        [[k, *(float(getattr(p, c)) for c in VALUE_COLUMNS)] for p, k in truths.values()],
        columns=["kind", *VALUE_COLUMNS],
        index=pd.Index(students, name="student"),
    )
    return GradeReport(grades, problems, true)


def _classroom(classroom: Any) -> Classroom:
    if isinstance(classroom, Classroom):
        return classroom
    if isinstance(classroom, str):
        return Classroom.from_code(classroom)
    raise TypeError(
        f"classroom must be a Classroom or a class code (str); got {type(classroom).__name__}"
    )


def _refusal(room: Classroom, roster: dict[str, str], entry: _rows.Entry) -> str | None:
    """Why a readable entry is not graded (not on the roster, wrong check code), or None."""
    name = canonical(entry.student)
    if roster and name not in roster:
        close = difflib.get_close_matches(name, list(roster), n=1, cutoff=0.6)
        hint = f" (closest: {roster[close[0]]!r})" if close else ""
        return f"{entry.student!r} is not on the roster{hint}; fix the name and grade again"
    if entry.check is None or entry.check == check_code(room.code, entry.student):
        return None
    owners = [s for s in room.roster if check_code(room.code, s) == entry.check]
    if owners:
        return f"check code {entry.check!r} is {owners[0]!r}'s: the line was made under that name"
    return (
        f"check code {entry.check!r} does not match: the synapse was drawn with another "
        "spelling of the name or another class code"
    )
