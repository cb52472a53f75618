"""A section of the explorer: a group of widgets bound to part of its state."""

from __future__ import annotations

import ipywidgets as widgets

from stpwidget.explorer.door import Door
from stpwidget.state import Frame


class Section:
    """Widgets for one part of the state; they act only through a :class:`Door`.

    A subclass builds :attr:`widget`, binds its controls with ``door.bind`` (or
    ``door.on_click``, ``door.watch``) and moves them to a shown frame in :meth:`sync`
    (with ``door.put``, so that the moves are not read as the user's). Adding a section to
    the explorer: construct it with the explorer as its door, list it in ``sections``, and
    place its :attr:`widget`.
    """

    widget: widgets.Widget

    def __init__(self, door: Door) -> None:
        self.door = door

    def sync(self, frame: Frame) -> None:
        """Move the widgets to ``frame.state`` (the frame just shown)."""
