"""Deprecated home of :class:`stpwidget.Stimulus` (``Protocol``, renamed in 0.2).

``Protocol`` read as :class:`typing.Protocol`; the explorer's input is now
:class:`stpwidget.stimulus.Stimulus`. The old name works for one more release and warns.
"""

from __future__ import annotations

import warnings
from typing import Any

from stpwidget.stimulus import KINDS, WINDOWS, Kind, Stimulus

__all__ = ["KINDS", "WINDOWS", "Kind", "Stimulus"]


def __getattr__(name: str) -> Any:
    if name == "Protocol":
        warnings.warn(
            "stpwidget.protocols.Protocol is deprecated; use stpwidget.Stimulus "
            "(same fields, same behaviour)",
            DeprecationWarning,
            stacklevel=2,
        )
        return Stimulus
    raise AttributeError(f"module 'stpwidget.protocols' has no attribute {name!r}")
