"""Recorded responses to a spike train, and their CSV format (``docs/recordings.md``).

A :class:`Recording` holds the presynaptic spike times (s) and the measured response
amplitude of every spike: one value per spike, or a trials × spikes array whose trial mean is
what :func:`stpwidget.fit.fit` fits. :func:`read_recordings` and :func:`write_recordings` move
a list of recordings to and from a CSV file with the columns ``label,t_s,amplitude`` and the
optional ``trial`` and ``sd``; :func:`as_recordings` accepts any of these forms.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from stpwidget._recording import Recording
from stpwidget._recordings_csv import (
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    SAVE_AS_UTF8,
    PathOrBuffer,
    Source,
    read_recordings,
    write_recordings,
)

__all__ = [
    "OPTIONAL_COLUMNS",
    "REQUIRED_COLUMNS",
    "SAVE_AS_UTF8",
    "PathOrBuffer",
    "Recording",
    "Source",
    "as_recordings",
    "read_recordings",
    "write_recordings",
]

# Documented and pickled under this module, where users import them from.
for _public in (Recording, read_recordings, write_recordings):
    _public.__module__ = __name__


def as_recordings(recordings: Recording | Sequence[Recording] | Source) -> tuple[Recording, ...]:
    r"""Recordings from a :class:`Recording`, a sequence of them, or a CSV file.

    Parameters
    ----------
    recordings : Recording, sequence of Recording, or CSV source
        One recording, several, or anything :func:`read_recordings` reads: a path, a text
        or binary stream, or a file's content as bytes.

    Returns
    -------
    tuple of Recording
        At least one recording.

    Raises
    ------
    TypeError
        For anything else (naming ``recordings`` and the offending item).
    ValueError
        For an empty sequence, or a CSV file :func:`read_recordings` refuses.

    Examples
    --------
    >>> rec = Recording([0.1, 0.2], [1.0, 0.5], label="10 Hz")
    >>> as_recordings(rec) == (rec,), as_recordings([rec, rec])[1] is rec
    (True, True)
    >>> as_recordings(b"label,t_s,amplitude\r\nA,0.1,2.5\r\n")
    (Recording(label='A', 1 spikes),)
    """
    if isinstance(recordings, Recording):
        return (recordings,)
    if isinstance(recordings, str | os.PathLike | bytes | bytearray | memoryview) or hasattr(
        recordings, "read"
    ):
        return tuple(read_recordings(recordings))  # type: ignore[arg-type]
    if not isinstance(recordings, Sequence):
        raise TypeError(
            "recordings must be a Recording, a sequence of them, or a CSV path, stream or "
            f"bytes; got {type(recordings).__name__}"
        )
    recs: list[Recording] = []
    for k, rec in enumerate(recordings):
        if not isinstance(rec, Recording):
            raise TypeError(f"recordings[{k}] must be a Recording; got {type(rec).__name__}")
        recs.append(rec)
    if not recs:
        raise ValueError("recordings must hold at least one Recording; got an empty sequence")
    return tuple(recs)
