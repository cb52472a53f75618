"""Reading submissions forgivingly: every row a student or a form could produce, and notes.

A row that cannot be graded is skipped with a note naming its row (the header is row 1) and
why; a slip that has one reading (a decimal comma, a line pasted into one cell, a pasted
header, a time constant typed in ms) is fixed with a note. Nothing here raises for what is
in a cell; only a source of the wrong type raises.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import math
import os
import re
from collections.abc import Mapping
from typing import Any

from stpwidget._checks import interval
from stpwidget.mystery._text import canonical, check_name, unquote_formula
from stpwidget.mystery.scoring import VALUE_COLUMNS, param_values

#: Header names (canonical, first word) and the field each one is.
_HEADERS = {
    "student": "student",
    "name": "student",
    "tau_f": "tau_f",
    "tau_d": "tau_d",
    "u": "U",
    "a": "A",
    "check": "check",
    "submission": "line",
    "line": "line",
}
#: A time constant at least this large (s) is read as milliseconds: no mystery synapse has
#: one above 2 s, and the fit stops at 5 s.
MS_THRESHOLD = 10.0
#: Above this (s), a time constant is reported as suspicious (but graded as written).
SUSPICIOUS_S = 5.0
_LIMITS = {
    "tau_f": (0.0, math.inf, " s"),
    "tau_d": (0.0, math.inf, " s"),
    "U": (0.0, 1.0, ""),
    "A": (0.0, math.inf, " pA"),
}
_DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d+")


@dataclasses.dataclass
class Entry:
    """One readable submission: its row, the name as written, the four values, the check."""

    row: int
    student: str
    values: list[float]
    check: str | None


@dataclasses.dataclass
class Note:
    """What happened to a row: ``action`` is skipped, fixed, noted or replaced."""

    row: int
    student: str
    action: str
    problem: str


def read(source: Any) -> tuple[list[Entry], list[Note]]:
    """Entries and notes of a mapping, a DataFrame, a CSV path or an open file."""
    if isinstance(source, Mapping):
        return _from_mapping(source), []
    if _is_frame(source):
        header = [str(c) for c in source.columns]
        cells = source.astype(object).where(source.notna(), "").astype(str).values.tolist()
        return _from_table([header, *cells])
    if hasattr(source, "read"):
        text = source.read()
        text = text.decode("utf-8-sig") if isinstance(text, bytes) else text
    elif isinstance(source, (str, os.PathLike)):
        with open(source, encoding="utf-8-sig", newline="") as f:
            text = f.read()
    else:
        raise TypeError(
            "submissions must be a dict of student to TMParameters, a pandas DataFrame, a CSV "
            f"path or an open file; got {type(source).__name__}"
        )
    if not isinstance(text, str):
        raise TypeError(f"submissions: the file gave {type(text).__name__}, not text")
    first = next((line for line in text.splitlines() if line.strip()), "")
    try:
        delimiter = csv.Sniffer().sniff(first, delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    return _from_table(list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)))


def _is_frame(source: Any) -> bool:
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - pandas comes with the tests
        return False
    return isinstance(source, pd.DataFrame)


def _from_mapping(submissions: Mapping[Any, Any]) -> list[Entry]:
    entries = []
    for k, (student, params) in enumerate(submissions.items(), start=1):
        name = check_name("student", student)
        entries.append(Entry(k, name, param_values(f"submissions[{name!r}]", params), None))
    return entries


def _from_table(rows: list[list[str]]) -> tuple[list[Entry], list[Note]]:
    fields = [_HEADERS.get(_head(c), "") for c in rows[0]] if rows else []
    has_header = "student" in fields or "line" in fields
    entries: list[Entry] = []
    notes: list[Note] = []
    for number, cells in enumerate(rows, start=1):
        if (has_header and number == 1) or not any(c.strip() for c in cells):
            continue
        found = _fields(number, cells, fields if has_header else [], notes)
        if found is not None:
            entry = _clean(number, found, notes)
            if entry is not None:
                entries.append(entry)
    return entries, notes


def _head(cell: str) -> str:
    words = canonical(cell.replace("(", " ")).split()
    return words[0] if words else ""


def _fields(
    number: int, cells: list[str], header: list[str], notes: list[Note]
) -> dict[str, str] | None:
    """The named fields of one row, from its columns or from a line pasted in a cell."""
    by_name = {f: c for f, c in zip(header, cells) if f and f != "line"}
    if all(f in header for f in ("student", *VALUE_COLUMNS)):
        by_name = {f: by_name.get(f, "") for f in header if f and f != "line"}  # a short row
        if any(by_name[f].strip() for f in VALUE_COLUMNS):
            if _is_header(list(by_name.values())):
                notes.append(Note(number, "", "skipped", "a pasted header line (not a submission)"))
                return None
            return by_name
    if _is_header(cells):
        notes.append(Note(number, "", "skipped", "a pasted header line (not a submission)"))
        return None
    lines = [c for f, c in zip(header, cells) if f == "line" and c.strip()]
    pasted = lines or [c for c in cells if re.search(r"[,;\n]", c)]
    if pasted:
        return _from_line(number, pasted[-1], notes, not lines and len(cells) > 1)
    if not header and len(cells) >= 5:
        return dict(zip(("student", *VALUE_COLUMNS, "check"), cells))
    notes.append(Note(number, "", "skipped", "no submission line found in this row"))
    return None


def _is_header(cells: list[str]) -> bool:
    return [_HEADERS.get(_head(c)) for c in cells[:5]] == ["student", *VALUE_COLUMNS]


def _from_line(number: int, text: str, notes: list[Note], in_cell: bool) -> dict[str, str] | None:
    lines = [line for line in text.splitlines() if line.strip()]
    kept = [line for line in lines if not _is_header(_split(line))]
    if len(kept) < len(lines):
        notes.append(Note(number, "", "fixed", "a pasted header line in the cell was ignored"))
    if not kept:
        notes.append(Note(number, "", "skipped", "only a header line, no submission"))
        return None
    if len(kept) > 1:
        notes.append(Note(number, "", "fixed", f"{len(kept)} lines in one cell: the last counts"))
    cells = _split(kept[-1])
    if not 5 <= len(cells) <= 6:
        hint = " (decimal commas? write 0.45, not 0,45)" if len(cells) > 6 else ""
        why = f"the line has {len(cells)} fields, not 5 or 6{hint}: {kept[-1][:80]!r}"
        notes.append(Note(number, unquote_formula(cells[0].strip()), "skipped", why))
        return None
    if in_cell:
        notes.append(Note(number, "", "fixed", "a whole line pasted into one cell: read as a line"))
    return dict(zip(("student", *VALUE_COLUMNS, "check"), cells))


def _split(line: str) -> list[str]:
    delimiter = ";" if line.count(";") >= 4 else ","
    return next(csv.reader([line], delimiter=delimiter), [])


def _clean(number: int, fields: dict[str, str], notes: list[Note]) -> Entry | None:
    """An entry from text fields, or ``None`` with a note saying why not."""
    student = unquote_formula(fields.get("student", "").strip())
    if not student:
        notes.append(Note(number, "", "skipped", "the student's name is empty"))
        return None
    values = []
    for column in VALUE_COLUMNS:
        value = _number(number, student, column, fields.get(column, ""), notes)
        if value is None:
            return None
        values.append(value)
    check = canonical(fields.get("check", "")) or None
    # pull the notes about this row's name: they were made before the name was known
    for note in notes:
        if note.row == number and not note.student:
            note.student = student
    return Entry(number, student, values, check)


def _number(number: int, student: str, column: str, text: str, notes: list[Note]) -> float | None:
    text = text.strip()

    def skip(why: str) -> None:
        notes.append(Note(number, student, "skipped", f"column {column!r}: {why}"))

    if not text:
        skip("empty")
        return None
    if _DECIMAL_COMMA.fullmatch(text):
        fixed = text.replace(",", ".")
        why = f"column {column!r}: decimal comma, {text} read as {fixed}"
        notes.append(Note(number, student, "fixed", why))
        text = fixed
    try:
        value = float(text)
    except ValueError:
        skip(f"{text!r} is not a number")
        return None
    low, high, unit = _LIMITS[column]
    if column.startswith("tau") and value >= MS_THRESHOLD:
        why = f"column {column!r}: {text} read as {text} ms = {value / 1e3:g} s (times are in s)"
        notes.append(Note(number, student, "fixed", why))
        value /= 1e3
    elif column.startswith("tau") and value > SUSPICIOUS_S:
        why = f"column {column!r}: {value:g} s is longer than any mystery synapse's (at most 2 s)"
        notes.append(Note(number, student, "noted", why + "; graded as seconds"))
    if not (math.isfinite(value) and low < value <= high):
        hint = " (a percentage? U is a fraction)" if column == "U" and value > 1 else ""
        skip(f"{text} is not in {interval(low, high, True, False, unit)}{hint}")
        return None
    return value
