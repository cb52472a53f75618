"""The membrane panel: the postsynaptic potential, and the spikes of a LIF neuron."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes

from stpwidget.state import Frame
from stpwidget.view.figure import COLORS, clear, set_upper_limit, thinned
from stpwidget.view.panels.base import Panel
from stpwidget.view.quantities import unit_of


class MembranePanel(Panel):
    """V(t) from τ_m dV/dt = −V + I(t), threshold and output spikes when the LIF is on.

    V is in I's unit (gain 1): the recordings' once they name it.
    """

    name = "membrane"

    def __init__(self, ax: Axes) -> None:
        super().__init__(ax)
        ax.set_ylabel(f"V ({unit_of(())})")
        ax.set_xlabel("time (s)")
        ax.grid(alpha=0.25)
        plot = ax.plot
        self.lines.update(
            {
                "v": plot([], [], color=COLORS["current"], lw=1.4, label="membrane potential V")[0],
                "threshold": plot(
                    [], [], "--", color=COLORS["limit"], lw=1.0, label="LIF threshold"
                )[0],
                "output_spikes": plot(
                    [], [], "v", color=COLORS["limit"], ms=6, label="postsynaptic spikes"
                )[0],
            }
        )
        ax.set_ylim(0, 1e-9)  # the first show() picks the limit from the data
        self._legend()

    def show(self, frame: Frame, width_px: int) -> bool:
        """Draw the frame's membrane potential (the panel needs ``state.membrane``)."""
        state, trace = frame.state, frame.trace
        unit = unit_of(state.recordings)
        changed = self.ax.get_ylabel() != f"V ({unit})"
        self.ax.set_ylabel(f"V ({unit})")
        if frame.v is None:
            clear(self.lines)
            return self._legend() | changed
        self.lines["v"].set_visible(True)
        t, v = thinned(trace, frame.v, width_px)
        self.lines["v"].set_data(t, v)
        top = float(frame.v.max()) if frame.v.numel() else 0.0
        end = float(trace.t[-1]) + trace.dt
        if state.lif:
            self.lines["threshold"].set_data([0.0, end], [state.threshold] * 2)
            top = max(top, state.threshold)
            out = frame.output_spikes
            spikes = np.zeros(0) if out is None else out.cpu().numpy()
            self.lines["output_spikes"].set_data(spikes, np.full(len(spikes), 1.12 * top))
        else:
            clear({k: self.lines[k] for k in ("threshold", "output_spikes")})
        for key in ("threshold", "output_spikes"):
            self.lines[key].set_visible(state.lif)
        changed |= self._legend()
        changed |= set_upper_limit(self.ax, "y", 1.25 * top)
        return changed | set_upper_limit(self.ax, "x", end, exact=True)
