"""The recordings CSV format (``docs/recordings.md``), public in :mod:`stpwidget.recordings`.

:func:`read_recordings` reads what spreadsheets write; :func:`write_recordings` writes what it
reads back exactly.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import math
import os
from collections.abc import Iterable, Iterator, Sequence
from typing import IO, Any, TextIO

import torch

from stpwidget._checks import check_range, parse_real
from stpwidget._recording import MAX_UNIT, Recording, label_problem

#: Columns every recordings CSV must have, and the optional ones, in the order written.
REQUIRED_COLUMNS = ("label", "t_s", "amplitude")
OPTIONAL_COLUMNS = ("trial", "sd", "unit")

#: What to read: a path, a text or binary stream, or a file's content as bytes.
Source = str | os.PathLike[str] | TextIO | IO[bytes] | bytes | bytearray | memoryview
PathOrBuffer = str | os.PathLike[str] | TextIO

#: How to save a spreadsheet as UTF-8, quoted when a file is in another encoding.
SAVE_AS_UTF8 = (
    "save it as UTF-8: in Excel, File > Save As > 'CSV UTF-8 (Comma delimited) (*.csv)'; "
    "in LibreOffice Calc, File > Save As > 'Text CSV (.csv)' with 'Edit filter settings' "
    "and the character set 'Unicode (UTF-8)'; Google Sheets' File > Download > CSV is "
    "already UTF-8"
)


def write_recordings(recordings: Iterable[Recording], path_or_buffer: PathOrBuffer) -> None:
    """Write recordings to a CSV file that :func:`read_recordings` reads back.

    Parameters
    ----------
    recordings : iterable of Recording
        The recordings, each with a distinct ``label``; a recording without one is written
        as ``recording_<k>`` (k counts from 1 in the order given). Every label a
        :class:`Recording` accepts reads back exactly.
    path_or_buffer : str, os.PathLike or text file
        Where to write: a path (created or overwritten, UTF-8 without BOM) or an open text
        stream.

    Notes
    -----
    Columns ``label,t_s,amplitude``, then ``trial`` if any recording has several trials,
    ``sd`` if any has one and ``unit`` if any names its unit; cells that do not apply to a
    recording are left empty. Numbers are
    written with ``repr``, so they read back exactly. Nothing is written if a check fails.

    Raises
    ------
    TypeError
        If an item is not a :class:`Recording` or ``path_or_buffer`` is not a path or a
        text stream.
    ValueError
        If two recordings share a label.
    """
    recs = list(recordings)
    labels: list[str] = []
    for k, rec in enumerate(recs):
        if not isinstance(rec, Recording):
            raise TypeError(f"recordings[{k}] must be a Recording; got {type(rec).__name__}")
        label = rec.label if rec.label is not None else f"recording_{k + 1}"
        if label in labels:
            raise ValueError(
                f"recordings[{k}] has the label {label!r} of an earlier recording; labels "
                "must be distinct (they name the recordings in the file)"
            )
        labels.append(label)
    columns = list(REQUIRED_COLUMNS)
    columns += ["trial"] if any(r.amplitudes.ndim == 2 for r in recs) else []
    columns += ["sd"] if any(r.sd is not None for r in recs) else []
    columns += ["unit"] if any(r.unit is not None for r in recs) else []
    if not isinstance(path_or_buffer, str | os.PathLike) and (
        not hasattr(path_or_buffer, "write") or isinstance(path_or_buffer, io.BufferedIOBase)
    ):
        raise TypeError(
            "path_or_buffer must be a path or an open text stream (e.g. io.StringIO); "
            f"got {type(path_or_buffer).__name__}"
        )
    rows = [columns] + [
        row for label, rec in zip(labels, recs) for row in _rows(label, rec, columns)
    ]
    if isinstance(path_or_buffer, str | os.PathLike):
        with open(path_or_buffer, "w", newline="", encoding="utf-8") as stream:
            csv.writer(stream, lineterminator="\n").writerows(rows)
    else:
        csv.writer(path_or_buffer, lineterminator="\n").writerows(rows)


def _rows(label: str, rec: Recording, columns: Sequence[str]) -> Iterator[list[str]]:
    amps, times, sd = rec.amplitudes.numpy(), rec.spike_times.tolist(), rec.sd
    trials = [(str(k + 1), a) for k, a in enumerate(amps)] if amps.ndim == 2 else [("", amps)]
    for trial, row_amps in trials:
        for j, (t, a) in enumerate(zip(times, row_amps.tolist())):
            cells = {"label": label, "t_s": repr(t), "amplitude": repr(a), "trial": trial}
            cells["sd"] = "" if sd is None else repr(float(sd[j]))
            cells["unit"] = rec.unit or ""
            yield [cells[c] for c in columns]


def read_recordings(source: Source) -> list[Recording]:
    """Read recordings from a CSV file (format: ``docs/recordings.md``).

    Parameters
    ----------
    source : str, os.PathLike, text or binary stream, or bytes
        A path, an open stream, or a file's content (e.g. an upload's bytes). Bytes (from a
        path, a binary stream or given as such) must be UTF-8; a UTF-8 byte-order mark, as
        Excel's "CSV UTF-8" writes, is skipped. The header names the columns ``label``,
        ``t_s`` (spike time in s) and ``amplitude``, and optionally ``trial`` and ``sd``
        (standard deviation of the amplitude, > 0), in any order, in any case and with any
        white space around them. Columns with an empty header cell (the trailing empty
        column a spreadsheet may add) are ignored and must be empty. Rows may end with CRLF
        or LF; the cells may be separated by commas, or by semicolons with decimal commas
        (as Excel writes in many European locales), or by tabs.

    Returns
    -------
    list of Recording
        One recording per label, in the order the labels first appear. Without a ``trial``
        column (or with its cells empty for a label) a label's rows are its spikes in time
        order; with trials, its rows are grouped by trial (in order of first appearance) and
        every trial must list the same spike times. White space around a cell is ignored.

    Raises
    ------
    TypeError
        If ``source`` is not a path, a stream or bytes.
    ValueError
        Naming the CSV row (the header is row 1, as in a spreadsheet) and column: a missing
        or unknown column, an empty cell, a non-number, a non-finite value, a negative time,
        ``sd <= 0``, spike times out of order within a label (or trial), trials of one label
        with different spike times or ``sd``, a label mixing rows with and without a trial
        (or ``sd``), a cell too long to be a value, or bytes that are not UTF-8 (the
        message says how to save the file as UTF-8). Also for a file without data rows.
    """
    text = _text(source)
    lines = io.StringIO(text, newline="").readlines()
    if not lines:
        raise ValueError("CSV row 1: the file is empty; expected the header label,t_s,amplitude")
    delimiter = _delimiter(lines[0])
    reader = csv.reader(lines, delimiter=delimiter)
    groups: dict[str, dict[str, list[_Row]]] = {}  # label -> trial -> rows, in file order
    row_no, done = 0, 0  # rows read, and lines they took
    columns: dict[str, int] = {}
    try:
        for row_no, cells in enumerate(reader, start=1):
            if row_no == 1:
                columns = _header(cells)
            elif any(c.strip() for c in cells):  # else a blank line
                _add(groups, _Row.parse(cells, columns, row_no, delimiter == ";"))
            done = reader.line_num
    except csv.Error as err:
        raw = "".join(lines[done : reader.line_num])
        column = _too_long(raw, delimiter)
        where = "" if column is None else f", column {column}"
        if column is not None and row_no:  # below the header: name the column too
            where = f", {_column(lines[0], delimiter, column)}"
        limit = f": the cell is over {csv.field_size_limit():,} characters long" if where else ""
        raise ValueError(f"CSV row {row_no + 1}{where}{limit} ({err})") from None
    if not groups:
        raise ValueError("CSV: no data rows below the header")
    return [_recording(label, trials) for label, trials in groups.items()]


def _text(source: Source) -> str:
    """The text of ``source``: bytes decoded as UTF-8 (BOM skipped), a leading BOM dropped."""
    if isinstance(source, str | os.PathLike):
        with open(source, "rb") as file:
            content: Any = file.read()
    elif isinstance(source, bytes | bytearray | memoryview):
        content = bytes(source)
    elif hasattr(source, "read"):
        content = source.read()
    else:
        raise TypeError(
            "source must be a path, an open text or binary stream, or bytes; "
            f"got {type(source).__name__}"
        )
    if isinstance(content, bytes | bytearray):
        content = _decode(bytes(content))
    if not isinstance(content, str):
        raise TypeError(f"source.read() must give text or bytes; got {type(content).__name__}")
    return content.removeprefix("\ufeff")


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ValueError(f"CSV: the file is UTF-16 text (Excel's 'Unicode Text'); {SAVE_AS_UTF8}")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        start = err.start + (3 if data.startswith(b"\xef\xbb\xbf") else 0)
        before = data[:start].decode("utf-8-sig", errors="replace")
        lines = io.StringIO(before, newline="").readlines() or [""]
        cells = _cells(lines[-1], _delimiter(lines[0]))
        column = max(len(cells), 1) if lines[-1] and not lines[-1].endswith(("\n", "\r")) else 1
        row = len(lines) + (1 if before.endswith(("\n", "\r")) else 0)
        where = _column(lines[0], _delimiter(lines[0]), column) if row > 1 else f"column {column}"
        raise ValueError(
            f"CSV row {row}, {where}: byte 0x{data[start]:02x} is not UTF-8 text; the "
            f"file is in another encoding (e.g. Latin-1 or Windows-1252): {SAVE_AS_UTF8}"
        ) from None


def _delimiter(header_line: str) -> str:
    """``,`` unless the header names the required columns only when split at ``;`` or tab."""
    for delimiter in (",", ";", "\t"):
        names = {_name(c) for c in _cells(header_line, delimiter)}
        if set(REQUIRED_COLUMNS) <= names:
            return delimiter
    return ","


def _column(header_line: str, delimiter: str, k: int) -> str:
    """``column k ('name')``: column ``k`` (from 1) and its name in the header, if any."""
    names = _cells(header_line[:10_000], delimiter)
    name = names[k - 1].strip()[:40] if k <= len(names) else ""
    return f"column {k}" + (f" ({name!r})" if name else "")


def _cells(line: str, delimiter: str) -> list[str]:
    """The cells of one line, or none if the csv module cannot read it (a cell too long)."""
    try:
        return next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:
        return []


def _too_long(raw: str, delimiter: str) -> int | None:
    """Column (from 1) of the first cell of ``raw`` over the csv module's field limit."""
    limit, column, length, quoted = csv.field_size_limit(), 1, 0, False
    for char in raw:
        if char == '"':
            quoted = not quoted
        elif char == delimiter and not quoted:
            column, length = column + 1, 0
        else:
            length += 1
            if length > limit:
                return column
    return None


def _name(cell: str) -> str:
    return cell.strip().lower()


def _add(groups: dict[str, dict[str, list[_Row]]], row: _Row) -> None:
    rows = groups.setdefault(row.label, {}).setdefault(row.trial, [])
    if rows and row.t < rows[-1].t:
        raise ValueError(
            f"CSV row {row.row_no}, column 't_s': spike time {row.t!r} s is earlier than "
            f"{rows[-1].t!r} s in row {rows[-1].row_no} of label {row.label!r}"
            + (f", trial {row.trial!r}" if row.trial else "")
            + "; times must be sorted within a label"
        )
    rows.append(row)


@dataclasses.dataclass(frozen=True)
class _Row:
    row_no: int
    label: str
    t: float
    amplitude: float
    trial: str
    sd: float | None
    unit: str

    @classmethod
    def parse(
        cls, cells: Sequence[str], columns: dict[str, int], row_no: int, decimal_comma: bool
    ) -> _Row:
        for k in range(len(cells)):
            if k not in columns.values() and cells[k].strip():
                raise ValueError(
                    f"CSV row {row_no}, column {k + 1}: {cells[k].strip()[:40]!r} is in a "
                    "column without a name in the header; name the column or empty it"
                )

        def cell(name: str) -> str:
            k = columns.get(name, len(cells))
            return cells[k].strip() if k < len(cells) else ""

        def number(name: str, low: float = -math.inf, low_open: bool = False) -> float:
            text, where = cell(name), f"CSV row {row_no}, column {name!r}"
            comma = decimal_comma and "." not in text  # "1.000,5" stays as written
            value = parse_real(where, text.replace(",", ".") if comma else text)
            check_range(where, value, low=low, low_open=low_open)
            return value

        label = cell("label")
        problem = label_problem(label)
        if problem:
            raise ValueError(f"CSV row {row_no}, column 'label': the label {problem}")
        sd = number("sd", 0.0, low_open=True) if cell("sd") else None
        unit = cell("unit")
        why = label_problem(unit) if unit else None
        if why or len(unit) > MAX_UNIT:
            why = why or f"{unit!r} is longer than {MAX_UNIT} characters"
            raise ValueError(f"CSV row {row_no}, column 'unit': the unit {why}")
        t, amplitude = number("t_s", 0.0), number("amplitude")
        return cls(row_no, label, t, amplitude, cell("trial"), sd, unit)


def _header(header: Sequence[str]) -> dict[str, int]:
    """Column name -> index; empty header cells are columns to ignore."""
    names = [_name(h) for h in header]
    known = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
    for k, name in enumerate(names):
        if name and name not in known:
            raise ValueError(
                f"CSV row 1, column {k + 1}: unknown column {header[k].strip()[:40]!r}; the "
                f"columns are {', '.join(REQUIRED_COLUMNS)} and optionally "
                f"{', '.join(OPTIONAL_COLUMNS)}"
            )
        if name and names.index(name) != k:
            raise ValueError(f"CSV row 1, column {k + 1}: column {name!r} appears twice")
    for name in REQUIRED_COLUMNS:
        if name not in names:
            found = ", ".join(repr(h.strip()[:40]) for h in header)
            raise ValueError(f"CSV row 1 (header): missing column {name!r}; found {found}")
    return {name: k for k, name in enumerate(names) if name}


def _recording(label: str, trials: dict[str, list[_Row]]) -> Recording:
    """Assemble one label's rows: check that trials agree, then build the Recording."""
    all_rows = [r for rows in trials.values() for r in rows]
    for attr, column in (("trial", "trial"), ("sd", "sd")):
        has = [getattr(r, attr) not in ("", None) for r in all_rows]
        if any(has) and not all(has):
            bad = all_rows[has.index(not has[0])]
            raise ValueError(
                f"CSV row {bad.row_no}, column {column!r}: label {label!r} has rows with and "
                f"without a {column}; fill it in every row of the label or in none"
            )
    units = {r.unit for r in all_rows}
    if len(units) > 1:
        bad = next(r for r in all_rows if r.unit != all_rows[0].unit)
        raise ValueError(
            f"CSV row {bad.row_no}, column 'unit': {bad.unit!r} differs from "
            f"{all_rows[0].unit!r} (row {all_rows[0].row_no}); one recording has one unit"
        )
    first = next(iter(trials.values()))
    for rows in trials.values():
        for k in range(max(len(rows), len(first))):
            if k >= len(rows) or k >= len(first):
                row = rows[-1] if k >= len(rows) else rows[k]
                raise ValueError(
                    f"CSV row {row.row_no}, column 't_s': trial {rows[0].trial!r} of label "
                    f"{label!r} has {len(rows)} spikes, trial {first[0].trial!r} has "
                    f"{len(first)}; every trial must have the same spike times"
                )
            for attr, column in (("t", "t_s"), ("sd", "sd")):
                if getattr(rows[k], attr) != getattr(first[k], attr):
                    raise ValueError(
                        f"CSV row {rows[k].row_no}, column {column!r}: "
                        f"{getattr(rows[k], attr)!r} differs from {getattr(first[k], attr)!r} "
                        f"(row {first[k].row_no}), the same spike of trial "
                        f"{first[0].trial!r}; every trial of label {label!r} must have the "
                        f"same spike times and sd"
                    )
    amps = torch.tensor(
        [[r.amplitude for r in rows] for rows in trials.values()], dtype=torch.float64
    )
    return Recording(
        spike_times=torch.tensor([r.t for r in first], dtype=torch.float64),
        amplitudes=amps if first[0].trial else amps[0],
        label=label,
        unit=first[0].unit or None,
        sd=None
        if first[0].sd is None
        else torch.tensor([r.sd for r in first], dtype=torch.float64),
    )
