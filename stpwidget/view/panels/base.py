"""The panel interface: one class per panel, knowing only its axes and the computed frame."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, Literal, cast

from matplotlib.axes import Axes
from matplotlib.legend import Legend
from matplotlib.lines import Line2D

from stpwidget.state import OTHER_PRESET, Frame
from stpwidget.view.figure import GHOST_STYLES, clear, place_legend, set_trace


class Panel:
    """One panel of the explorer's figure.

    A panel makes its artists on the axes it is given, and :meth:`show` updates them from a
    :class:`~stpwidget.state.Frame` with ``set_data``-like setters only. To add a panel,
    subclass this in a new module and list the class in
    :data:`stpwidget.view.panels.PANELS`.

    Attributes
    ----------
    name : str
        Key of the panel (``STPExplorer(panels=...)`` chooses panels by it).
    column : {"time", "side"}
        ``"time"`` panels are stacked on the left and share the time axis (s); ``"side"``
        panels sit in the right column.
    lines : dict of str to Line2D
        Artists a user may read (``explorer.lines`` merges every panel's).
    ghosts : dict of str to dict of str to Line2D
        Faint overlays by kind (``"pin"``, ``"other"``).
    """

    name: ClassVar[str]
    column: ClassVar[Literal["time", "side"]] = "time"

    def __init__(self, ax: Axes) -> None:
        self.ax = ax
        self.lines: dict[str, Line2D] = {}
        self.ghosts: dict[str, dict[str, Line2D]] = {}
        self._legend_key: object = None
        self._legend_size = 0.0

    def show(self, frame: Frame, width_px: int) -> bool:
        """Update the artists from ``frame``; return True if an axis limit changed.

        Parameters
        ----------
        frame : Frame
            What to show.
        width_px : int
            Width of the time axes in pixels (lines are thinned to about two points each).
        """
        raise NotImplementedError

    def _trace_ghosts(self, make: Callable[[], dict[str, Line2D]]) -> None:
        """Make hidden ``"pin"`` (dashed) and ``"other"`` (dotted) ghosts of trace lines."""
        self._trace_ghost_lines = {kind: make() for kind in GHOST_STYLES}
        for kind, lines in self._trace_ghost_lines.items():
            for line in lines.values():
                line.set_linestyle(GHOST_STYLES[kind])
            clear(lines)
        self.ghosts.update(self._trace_ghost_lines)

    def _show_trace_ghosts(self, frame: Frame, width_px: int) -> float:
        """Show the frame's ghost traces (or hide them); return their largest current."""
        peak = 0.0
        for kind, lines in self._trace_ghost_lines.items():
            ghost = frame.ghosts[kind]
            if ghost is None:
                clear(lines)
                continue
            peak = max(peak, set_trace(lines, ghost.trace, width_px))
            for line in lines.values():
                line.set_visible(True)
            # One legend entry per overlay: its first line stands for all.
            next(iter(lines.values())).set_label(ghost_label(kind, frame))
        return peak

    def _legend(self, title: str | None = None, ncols: int = 2) -> bool:
        """Make the legend of the visible labelled lines anew if they changed.

        Returns True when it changed (the figure then needs a full draw and a layout).
        """
        handles = [
            a
            for a in (*self.lines.values(), *(g for k in self.ghosts.values() for g in k.values()))
            if a.get_visible() and not str(a.get_label()).startswith("_")
        ]
        key = (tuple((id(h), h.get_label()) for h in handles), title)
        if key == self._legend_key:
            return False
        self._legend_key = key
        legend = self.ax.get_legend()
        if legend is not None:
            legend.remove()
        if handles:
            self._legend_size = cast(Any, place_legend(self.ax, handles, title, ncols))._fontsize
        return True

    def unstyled_legend(self) -> Legend | None:
        """The panel's legend while it is as made (not yet restyled to the figure's scale)."""
        legend = self.ax.get_legend()
        if legend is None or cast(Any, legend)._fontsize != self._legend_size:
            return None
        return legend

    @property
    def artists(self) -> list[Line2D]:
        """Every artist that changes with the data: ghosts first, so the data stays on top."""
        ghosts = [a for g in self.ghosts.values() for a in g.values()]
        return [*ghosts, *self.lines.values()]


def ghost_label(kind: str, frame: Frame) -> str:
    """The legend entry of an overlay: what it shows and how it is drawn."""
    if kind == "pin":
        return "pinned (dashed)"
    return f"{OTHER_PRESET[frame.state.active_preset]} (dotted)"
