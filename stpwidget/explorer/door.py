"""The one door between the explorer's sections and the explorer.

A section sees a :class:`Door`: the shown state and frame, a way to ask for a new state,
and a way to act that turns whatever goes wrong into a message. It never sees the explorer,
its view or another section. :class:`Echoes` tells a user's change of a widget from the
echo of a value the explorer put there itself.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any, Protocol

import ipywidgets as widgets

from stpwidget.state import ExplorerState, Frame


class Door(Protocol):
    """What a section may do: read the shown state, ask for another, act, bind controls."""

    @property
    def state(self) -> ExplorerState:
        """The state shown now."""

    @property
    def frame(self) -> Frame | None:
        """The frame shown now (None before the first)."""

    def request(self, make: Callable[[], ExplorerState]) -> bool:
        """Show the state ``make()`` returns; a rejection is a message. True if shown."""

    def acting(self) -> contextlib.AbstractContextManager[None]:
        """A block whose errors become the message (a bug report for unexpected ones)."""

    def bind(self, control: widgets.Widget, make: Callable[[Any], ExplorerState]) -> None:
        """On a user's change of ``control``, request the state ``make(new value)``."""

    def on_click(self, button: widgets.Button, action: Callable[[], object]) -> None:
        """Run ``action`` on a click of ``button``, inside :meth:`acting`."""

    def watch(self, control: widgets.Widget, action: Callable[[Any], object]) -> None:
        """Run ``action(new value)`` on a user's change of ``control``, inside :meth:`acting`."""

    def put(self, control: widgets.Widget, value: Any) -> None:
        """Show ``value`` on ``control`` without it counting as the user's change."""


class Echoes:
    """One way to hold off echoes: changes of widgets that are not the user's.

    Three kinds reach an observer: the synchronous ones while the explorer moves its widgets
    to a state (a value set, or options replaced), held off by the :meth:`moving` block; a
    browser's reply with a value snapped to a linear slider's step; and late replies to
    values shown a moment before (the frames of the fit's animation). A change is an echo
    inside :meth:`moving`, or when it cannot be told from a value :meth:`put` on that widget
    during the current action, or the last one put before it (for a linear slider: within
    half its step). Each user action (:meth:`settle`) forgets all older values, so going back
    to one of them is a change again.
    """

    def __init__(self) -> None:
        self._put: dict[int, list[Any]] = {}
        self._since: set[int] = set()  # widgets put on since the last settle
        self._moving = 0

    @contextlib.contextmanager
    def moving(self) -> Iterator[None]:
        """A block in which the explorer moves widgets: every change in it is an echo."""
        self._moving += 1
        try:
            yield
        finally:
            self._moving -= 1

    def settle(self) -> None:
        """A user's action begins: only the last value put on each widget is still ours."""
        self._put = {key: values[-1:] for key, values in self._put.items()}
        self._since.clear()

    def put(self, control: widgets.Widget, value: Any) -> None:
        """Show ``value`` on ``control`` (set only if it differs), remembering it as ours."""
        key = id(control)
        if key in self._since:
            self._put[key].append(value)
        else:  # the first in this action: the value shown before is no longer ours
            self._put[key], self._since = [value], self._since | {key}
        if control.value != value:
            with self.moving():
                control.value = value

    def is_echo(self, control: widgets.Widget, new: Any) -> bool:
        """Whether ``new`` on ``control`` is an echo rather than the user's change."""
        if self._moving:
            return True
        tolerance = _tolerance(control)
        return any(_same(new, value, tolerance) for value in self._put.get(id(control), []))


def _tolerance(control: widgets.Widget) -> float:
    """How far a browser may move a value it echoes: half a linear slider's step."""
    if isinstance(control, widgets.FloatSlider):
        return float(control.step) / 2
    return 0.0


def _same(new: Any, value: Any, tolerance: float) -> bool:
    if tolerance and isinstance(new, int | float) and isinstance(value, int | float):
        return abs(float(new) - float(value)) < tolerance
    return bool(new == value)
