"""The x/u panel: available resources and utilization, with the presynaptic spikes."""

from __future__ import annotations

from matplotlib.axes import Axes

from stpwidget.state import Frame
from stpwidget.view.figure import (
    set_trace,
    set_upper_limit,
    spike_marks,
    state_lines,
    style_state_axes,
)
from stpwidget.view.panels.base import Panel


class StatePanel(Panel):
    """x (resources) and u (utilization) against time, spikes marked on top."""

    name = "state"

    def __init__(self, ax: Axes) -> None:
        super().__init__(ax)
        style_state_axes(ax)
        self.lines.update(state_lines(ax))
        self.lines["spikes"] = spike_marks(ax)
        self._trace_ghosts(lambda: state_lines(ax, ghost=True))
        self._legend()

    def show(self, frame: Frame, width_px: int) -> bool:
        """Draw x, u and the spikes of the frame's trace and of its ghosts."""
        set_trace(self.lines, frame.trace, width_px)
        self._show_trace_ghosts(frame, width_px)
        trace = frame.trace
        changed = self._legend()
        return changed | set_upper_limit(self.ax, "x", float(trace.t[-1]) + trace.dt, exact=True)
