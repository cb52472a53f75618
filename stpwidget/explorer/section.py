"""A section of the explorer: a group of widgets bound to part of its state."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from stpwidget.state import ExplorerState

if TYPE_CHECKING:
    from stpwidget.explorer.explorer import STPExplorer


def with_stimulus(state: ExplorerState, **values: Any) -> ExplorerState:
    """``state`` with some stimulus fields replaced (validated by :class:`Stimulus`)."""
    return dataclasses.replace(state, stimulus=dataclasses.replace(state.stimulus, **values))


class Section:
    """Widgets for one part of the state. They change it only through the explorer.

    A subclass builds :attr:`widget`, binds its controls with :meth:`bind` and moves them
    to a new state in :meth:`sync`. Adding a section to the explorer is one line.
    """

    widget: widgets.Widget

    def __init__(self, explorer: STPExplorer) -> None:
        self.explorer = explorer

    def bind(self, control: widgets.Widget, make: Callable[[Any], ExplorerState]) -> None:
        """On a user's change of ``control``, show the state ``make(new value)`` returns."""
        self.explorer.bind(control, make)

    def sync(self, state: ExplorerState) -> None:
        """Move the widgets to ``state`` (observers are held meanwhile)."""
