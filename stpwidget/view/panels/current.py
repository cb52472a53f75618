"""The current panel: the synaptic current and the release of every spike."""

from __future__ import annotations

from matplotlib.axes import Axes

from stpwidget.state import Frame
from stpwidget.view.figure import (
    current_lines,
    set_trace,
    set_upper_limit,
    style_current_axes,
)
from stpwidget.view.panels.base import Panel
from stpwidget.view.quantities import unit_of


class CurrentPanel(Panel):
    """The synaptic current I against time, A·r marked at every spike.

    I is in A's unit: the recordings' once they name it (see
    :func:`~stpwidget.view.figure.unit_of`).
    """

    name = "current"

    def __init__(self, ax: Axes) -> None:
        super().__init__(ax)
        style_current_axes(ax)
        self.lines.update(current_lines(ax))
        self._trace_ghosts(lambda: current_lines(ax, ghost=True))
        ax.set_ylim(0, 1e-9)  # the first show() picks the limit from the data
        self._legend()

    def show(self, frame: Frame, width_px: int) -> bool:
        """Draw the current of the frame's trace and ghosts; rescale in 1-2-5 steps."""
        peak = set_trace(self.lines, frame.trace, width_px)
        peak = max(peak, self._show_trace_ghosts(frame, width_px))
        label = f"I ({unit_of(frame.state.recordings)})"
        changed = label != self.ax.get_ylabel()
        self.ax.set_ylabel(label)
        changed |= self._legend()
        changed |= set_upper_limit(self.ax, "y", 1.1 * peak)
        trace = frame.trace
        return changed | set_upper_limit(self.ax, "x", float(trace.t[-1]) + trace.dt, exact=True)
