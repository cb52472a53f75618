"""The one door between the explorer's sections and the explorer.

A section sees a :class:`Door`: the shown state and frame, a way to ask for a new state,
and a way to act that turns whatever goes wrong into a message. It never sees the explorer,
its view or another section. :class:`Echoes` tells a user's change of a widget from the
echo of a value the explorer put there itself.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator
from typing import Any, Protocol

import ipywidgets as widgets

from stpwidget.explorer import text
from stpwidget.state import ExplorerState, Frame

logger = logging.getLogger("stpwidget")


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


class Doorway:
    """The explorer's side of the :class:`Door`: requests, actions and their errors.

    :meth:`acting` is the one place that turns what goes wrong in a user's action into the
    message: a rejection (``ValueError``, ``TypeError``) as a sentence, anything else as a
    bug report with its traceback (and on the ``stpwidget`` logger).
    """

    state: ExplorerState
    frame: Frame | None
    message: widgets.HTML
    echoes: Echoes

    def show(self, state: ExplorerState, raise_errors: bool = False) -> None:  # noqa: D102
        raise NotImplementedError

    def _sync_widgets(self, frame: Frame) -> None:
        raise NotImplementedError

    def request(self, make: Callable[[], ExplorerState]) -> bool:
        """Show the state ``make()`` returns; a rejection is shown as a message.

        Returns
        -------
        bool
            Whether the state is now shown.
        """
        with self.acting():
            state = make()
            if state is not self.state:
                self.show(state, raise_errors=True)
            return True
        return False

    @contextlib.contextmanager
    def acting(self) -> Iterator[None]:
        """Run a block of a user's action; whatever goes wrong becomes the message.

        A ``ValueError`` or ``TypeError`` is the user's input: its message says what to
        change. Anything else is a bug: logged on the ``stpwidget`` logger and shown with
        its traceback. Either way the widgets show the last good state again.
        """
        try:
            yield
        except Exception as err:
            if not isinstance(err, ValueError | TypeError):
                logger.exception("stpwidget explorer: an action failed")
            self.message.value = text.error_html(err)
            if self.frame is not None:
                with contextlib.suppress(Exception):
                    self._sync_widgets(self.frame)

    def bind(self, control: widgets.Widget, make: Callable[[Any], ExplorerState]) -> None:
        """On a user's change of ``control``, show the state ``make(new value)`` returns."""
        self.watch(control, lambda new: self.request(lambda: make(new)))

    def watch(
        self, control: widgets.Widget, action: Callable[[Any], object], name: str = "value"
    ) -> None:
        """Run ``action(new value)`` on a user's change of ``control`` (echoes ignored)."""

        def on_change(change: dict[str, Any]) -> None:
            if name == "value" and self.echoes.is_echo(control, change["new"]):
                return
            self.echoes.settle()
            with self.acting():
                action(change["new"])

        control.observe(on_change, name)

    def on_click(self, button: widgets.Button, action: Callable[[], object]) -> None:
        """Run ``action`` on a click of ``button``; its errors become the message."""

        def clicked(_: Any) -> None:
            self.echoes.settle()
            with self.acting():
                action()

        button.on_click(clicked)

    def put(self, control: widgets.Widget, value: Any) -> None:
        """Show ``value`` on ``control`` without it counting as the user's change."""
        self.echoes.put(control, value)
