"""Recorded responses to a spike train, and their CSV format (``docs/recordings.md``).

A :class:`Recording` holds the presynaptic spike times (s) and the measured response
amplitude of every spike: one value per spike, or a trials × spikes array whose trial mean is
what :func:`stpwidget.fit.fit` fits. :func:`read_recordings` and :func:`write_recordings` move
a list of recordings to and from a CSV file with the columns ``label,t_s,amplitude`` and the
optional ``trial`` and ``sd``.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import math
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, Any, TextIO

import torch

from stpwidget._checks import check_range
from stpwidget.trains import as_spike_times

#: Columns every recordings CSV must have, and the optional ones, in the order written.
REQUIRED_COLUMNS = ("label", "t_s", "amplitude")
OPTIONAL_COLUMNS = ("trial", "sd")

PathOrBuffer = str | os.PathLike[str] | TextIO


@dataclasses.dataclass(frozen=True, eq=False)
class Recording:
    """Response amplitudes recorded for one presynaptic spike train.

    Parameters
    ----------
    spike_times : sequence of float or torch.Tensor
        Presynaptic spike times in s: 1-D, at least one, finite, >= 0, sorted.
    amplitudes : array-like or torch.Tensor
        Response amplitude of every spike, in the recording's unit (e.g. pA, mV): shape
        ``(n_spikes,)``, or ``(n_trials, n_spikes)`` for repeated trials (the fit uses the
        trial mean, :attr:`mean`). Finite. The model's amplitudes ``A · release`` are
        positive: give inward currents as magnitudes.
    label : str, optional
        A name for the recording (e.g. ``"20 Hz"``); the CSV's ``label`` column.
    sd : array-like or torch.Tensor, optional
        Standard deviation of every spike's amplitude (> 0, finite), shape ``(n_spikes,)``,
        in the amplitudes' unit. The fit weights spike k's squared residual by
        ``1 / sd[k]**2``; without it every spike weighs 1.

    Raises
    ------
    ValueError
        Naming the argument: times that are not 1-D, empty, negative, non-finite or unsorted;
        amplitudes or ``sd`` of the wrong shape, NaN or infinite; ``sd <= 0``.

    Notes
    -----
    The fields are stored as float64 CPU tensors (``label`` as given). Two recordings compare
    equal only if they are the same object.

    Examples
    --------
    >>> rec = Recording([0.1, 0.2, 0.3], [[1.0, 0.7, 0.5], [1.2, 0.7, 0.6]], label="10 Hz")
    >>> rec.n_trials, rec.mean
    (2, tensor([1.1000, 0.7000, 0.5500], dtype=torch.float64))
    """

    spike_times: torch.Tensor
    amplitudes: torch.Tensor
    label: str | None = None
    sd: torch.Tensor | None = None

    def __post_init__(self) -> None:
        times = as_spike_times(self.spike_times)
        n = times.numel()
        if n == 0:
            raise ValueError("spike_times must hold at least one spike")
        amps = _as_float64("amplitudes", self.amplitudes)
        if amps.ndim not in (1, 2) or amps.shape[-1] != n or amps.shape[0] == 0:
            raise ValueError(
                f"amplitudes must have shape ({n},) or (n_trials, {n}) to match the {n} "
                f"spike_times; got shape {tuple(amps.shape)}"
            )
        check_range("amplitudes", amps)
        sd = None
        if self.sd is not None:
            sd = _as_float64("sd", self.sd)
            if sd.shape != (n,):
                raise ValueError(
                    f"sd must have shape ({n},), one per spike; got shape {tuple(sd.shape)}"
                )
            check_range("sd", sd, low=0.0, low_open=True)
        if self.label is not None and not isinstance(self.label, str):
            raise ValueError(f"label must be a str or None; got {type(self.label).__name__}")
        object.__setattr__(self, "spike_times", times)
        object.__setattr__(self, "amplitudes", amps)
        object.__setattr__(self, "sd", sd)

    @property
    def n_trials(self) -> int:
        """Number of trials (1 for one amplitude per spike)."""
        return 1 if self.amplitudes.ndim == 1 else int(self.amplitudes.shape[0])

    @property
    def mean(self) -> torch.Tensor:
        """Trial-mean amplitude of every spike, shape ``(n_spikes,)``, float64."""
        return self.amplitudes if self.amplitudes.ndim == 1 else self.amplitudes.mean(0)

    def __repr__(self) -> str:
        trials = f", {self.n_trials} trials" if self.amplitudes.ndim == 2 else ""
        sd = ", with sd" if self.sd is not None else ""
        return f"Recording(label={self.label!r}, {self.spike_times.numel()} spikes{trials}{sd})"


def _as_float64(name: str, value: Any) -> torch.Tensor:
    try:
        return torch.as_tensor(value, dtype=torch.float64).detach().cpu().clone()
    except (TypeError, ValueError, RuntimeError) as err:
        raise ValueError(f"{name} must be an array of real numbers; {err}") from None


def write_recordings(recordings: Iterable[Recording], path_or_buffer: PathOrBuffer) -> None:
    """Write recordings to a CSV file that :func:`read_recordings` reads back.

    Parameters
    ----------
    recordings : iterable of Recording
        The recordings, each with a distinct ``label``; a recording without one is written
        as ``recording_<k>`` (k counts from 1 in the order given).
    path_or_buffer : str, os.PathLike or text file
        Where to write: a path (created or overwritten, UTF-8) or an open text stream.

    Notes
    -----
    Columns ``label,t_s,amplitude``, then ``trial`` if any recording has several trials and
    ``sd`` if any has one; cells that do not apply to a recording are left empty. Numbers are
    written with ``repr``, so they read back exactly.

    Raises
    ------
    ValueError
        If an item is not a :class:`Recording` or two recordings share a label.
    """
    recs = list(recordings)
    labels: list[str] = []
    for k, rec in enumerate(recs):
        if not isinstance(rec, Recording):
            raise ValueError(f"recordings[{k}] must be a Recording; got {type(rec).__name__}")
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
    with _open(path_or_buffer, "w") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(columns)
        for label, rec in zip(labels, recs):
            amps = rec.amplitudes.numpy()
            trials = [(str(k + 1), a) for k, a in enumerate(amps)] if amps.ndim == 2 else None
            for trial, row_amps in trials or [("", amps)]:
                for j, (t, a) in enumerate(zip(rec.spike_times.tolist(), row_amps.tolist())):
                    cells = {"label": label, "t_s": repr(t), "amplitude": repr(a)}
                    cells["trial"] = trial
                    cells["sd"] = "" if rec.sd is None else repr(float(rec.sd[j]))
                    writer.writerow([cells[c] for c in columns])


def read_recordings(path_or_buffer: PathOrBuffer) -> list[Recording]:
    """Read recordings from a CSV file (format: ``docs/recordings.md``).

    Parameters
    ----------
    path_or_buffer : str, os.PathLike or text file
        A path (read as UTF-8) or an open text stream. The header names the columns
        ``label``, ``t_s`` (spike time in s) and ``amplitude``, and optionally ``trial`` and
        ``sd`` (standard deviation of the amplitude, > 0); their order is free.

    Returns
    -------
    list of Recording
        One recording per label, in the order the labels first appear. Without a ``trial``
        column (or with its cells empty for a label) a label's rows are its spikes in time
        order; with trials, its rows are grouped by trial (in order of first appearance) and
        every trial must list the same spike times.

    Raises
    ------
    ValueError
        Naming the CSV row (the header is row 1, as in a spreadsheet) and column: a missing
        or unknown column, an empty cell, a non-number, a non-finite value, a negative time,
        ``sd <= 0``, spike times out of order within a label (or trial), trials of one label
        with different spike times or ``sd``, or a label mixing rows with and without a
        trial (or ``sd``). Also for a file without data rows.
    """
    with _open(path_or_buffer, "r") as stream:
        reader = csv.reader(stream)
        header = next(reader, None)
        if header is None:
            raise ValueError(
                "CSV row 1: the file is empty; expected the header label,t_s,amplitude"
            )
        columns = _header(header)
        groups: dict[str, dict[str, list[_Row]]] = {}  # label -> trial -> rows, in file order
        for row_no, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue  # a blank line
            row = _Row.parse(cells, columns, row_no)
            trials = groups.setdefault(row.label, {})
            rows = trials.setdefault(row.trial, [])
            if rows and row.t < rows[-1].t:
                raise ValueError(
                    f"CSV row {row_no}, column 't_s': spike time {row.t!r} s is earlier than "
                    f"{rows[-1].t!r} s in row {rows[-1].row_no} of label {row.label!r}"
                    + (f", trial {row.trial!r}" if row.trial else "")
                    + "; times must be sorted within a label"
                )
            rows.append(row)
    if not groups:
        raise ValueError("CSV: no data rows below the header")
    return [_recording(label, trials) for label, trials in groups.items()]


@dataclasses.dataclass(frozen=True)
class _Row:
    row_no: int
    label: str
    t: float
    amplitude: float
    trial: str
    sd: float | None

    @classmethod
    def parse(cls, cells: Sequence[str], columns: dict[str, int], row_no: int) -> _Row:
        if len(cells) != len(columns):
            raise ValueError(
                f"CSV row {row_no}: {len(cells)} cells, but the header has {len(columns)} "
                f"columns ({', '.join(columns)})"
            )

        def cell(name: str) -> str:
            return cells[columns[name]].strip() if name in columns else ""

        def number(name: str, low: float = -math.inf, low_open: bool = False) -> float:
            text = cell(name)
            where = f"CSV row {row_no}, column {name!r}"
            if not text:
                raise ValueError(f"{where}: the cell is empty; expected a number")
            try:
                value = float(text)
            except ValueError:
                raise ValueError(f"{where}: {text!r} is not a number") from None
            check_range(where, value, low=low, low_open=low_open)
            return value

        label = cell("label")
        if not label:
            raise ValueError(f"CSV row {row_no}, column 'label': the cell is empty")
        sd = number("sd", 0.0, low_open=True) if cell("sd") else None
        return cls(row_no, label, number("t_s", 0.0), number("amplitude"), cell("trial"), sd)


def _header(header: Sequence[str]) -> dict[str, int]:
    names = [h.strip() for h in header]
    known = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
    for k, name in enumerate(names):
        if name not in known:
            raise ValueError(
                f"CSV row 1, column {k + 1}: unknown column {name!r}; the columns are "
                f"{', '.join(REQUIRED_COLUMNS)} and optionally {', '.join(OPTIONAL_COLUMNS)}"
            )
        if names.index(name) != k:
            raise ValueError(f"CSV row 1, column {k + 1}: column {name!r} appears twice")
    for name in REQUIRED_COLUMNS:
        if name not in names:
            raise ValueError(
                f"CSV row 1 (header): missing column {name!r}; found {', '.join(names)}"
            )
    return {name: k for k, name in enumerate(names)}


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
        sd=None
        if first[0].sd is None
        else torch.tensor([r.sd for r in first], dtype=torch.float64),
    )


class _open:
    """Context manager over a path (opened and closed here) or a caller's text stream."""

    def __init__(self, path_or_buffer: PathOrBuffer, mode: str) -> None:
        self.target, self.mode = path_or_buffer, mode
        self.owned: IO[str] | None = None

    def __enter__(self) -> IO[str]:
        target = self.target
        if isinstance(target, (str, os.PathLike)):
            owned = open(target, self.mode, newline="", encoding="utf-8")
            self.owned = owned
            return owned
        if not hasattr(target, "write" if self.mode == "w" else "read"):
            raise ValueError(
                f"path_or_buffer must be a path or an open text stream; got {type(target).__name__}"
            )
        if isinstance(target, (io.BufferedIOBase, io.RawIOBase)):
            raise ValueError("path_or_buffer must be a text stream (e.g. io.StringIO), not bytes")
        return target

    def __exit__(self, *exc: object) -> None:
        if self.owned is not None:
            self.owned.close()


def as_recordings(
    recordings: Recording | Sequence[Recording] | str | Path | IO[str],
) -> tuple[Recording, ...]:
    """Recordings from a :class:`Recording`, a sequence of them, or a CSV path or buffer.

    Raises
    ------
    ValueError
        For a bad file (naming the row and column) or no recordings.
    TypeError
        For anything else.
    """
    if isinstance(recordings, Recording):
        return (recordings,)
    if isinstance(recordings, str | Path) or hasattr(recordings, "read"):
        return tuple(read_recordings(recordings))  # type: ignore[arg-type]
    try:
        recs = tuple(recordings)
    except TypeError:
        raise TypeError(
            "recordings must be a Recording, a sequence of them, or a CSV path or file; "
            f"got {type(recordings).__name__}"
        ) from None
    if not all(isinstance(r, Recording) for r in recs):
        raise TypeError("recordings must be Recording objects, or a CSV file")
    if not recs:
        raise ValueError("recordings must hold at least one Recording; got none")
    return recs
