"""The data panel: recorded amplitudes (mean ± sd) against pulse number, and the model's."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from stpwidget.recordings import Recording
from stpwidget.state import Frame
from stpwidget.view.figure import clear, set_upper_limit
from stpwidget.view.panels.base import Panel
from stpwidget.view.quantities import unit_of
from stpwidget.view.style import DATA_COLORS

#: One marker per recording (with :data:`DATA_COLORS`: colour is not the only cue).
DATA_MARKERS = ("o", "s", "^", "D", "v", "P")

__all__ = ["DATA_COLORS", "DATA_MARKERS", "DataPanel", "spread"]


def spread(rec: Recording) -> np.ndarray:
    """The error bar of every spike: the given ``sd``, else the trials' sd, else 0."""
    if rec.sd is not None:
        return rec.sd.numpy()
    if rec.n_trials > 1:
        return rec.amplitudes.std(0).numpy()
    return np.zeros(rec.spike_times.numel())


class DataPanel(Panel):
    """Each recording's amplitudes (points, ± sd) and the model's ``A · release`` (line).

    Shows up to :data:`DATA_COLORS` recordings, against pulse number so trains of any rate
    share the axis.
    """

    name = "data"
    column = "side"

    def __init__(self, ax: Axes) -> None:
        super().__init__(ax)
        ax.set_xlabel("pulse number")
        ax.set_ylabel(f"amplitude ({unit_of(())})")
        ax.grid(alpha=0.25)
        self.slots: list[dict[str, Line2D]] = []
        for k, (color, marker) in enumerate(zip(DATA_COLORS, DATA_MARKERS)):
            slot = {
                "points": ax.plot([], [], marker, color=color, ms=4)[0],
                "bars": ax.plot([], [], "-", color=color, lw=1.0)[0],
                "model": ax.plot([], [], "-", color=color, lw=1.4)[0],
            }
            self.slots.append(slot)
            self.lines.update({f"data{k}_{name}": line for name, line in slot.items()})
            clear(slot)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # pulses are whole numbers
        ax.set_ylim(0, 1e-9)
        ax.set_xlim(0.5, 10.5)
        self._shown: tuple[Recording, ...] | None = None

    def show(self, frame: Frame, width_px: int) -> bool:
        """Draw the frame's recordings and the model's amplitudes for them."""
        recordings = frame.state.recordings[: len(self.slots)]
        top, changed = 0.0, False
        for k, slot in enumerate(self.slots):
            if k >= len(recordings) or frame.data is None:
                clear(slot)
                continue
            rec, model = recordings[k], frame.data.predicted[k].detach().cpu().numpy()
            n = np.arange(1, rec.spike_times.numel() + 1)
            mean, sd = rec.mean.numpy(), spread(rec)
            slot["points"].set_data(n, mean)
            bars_x = np.repeat(n, 3).astype(float)
            bars_x[2::3] = np.nan
            bars_y = np.stack([mean - sd, mean + sd, np.full(len(n), np.nan)], 1).ravel()
            slot["bars"].set_data(bars_x, bars_y)
            slot["model"].set_data(n, model)
            for line in slot.values():
                line.set_visible(True)
            top = max(top, float(np.max(mean + sd)), float(model.max()))
        if recordings != self._shown:  # new data: new legend and pulse axis (a full draw)
            self._shown, changed = recordings, True
            for k, slot in enumerate(self.slots):
                label = (recordings[k].label or f"recording {k + 1}") if k < len(recordings) else ""
                slot["points"].set_label(label or "_nolegend_")
            longest = max((r.spike_times.numel() for r in recordings), default=10)
            self.ax.set_xlim(0.5, longest + 0.5)
            self.ax.set_ylabel(f"amplitude ({unit_of(recordings)})")
        ncols = 1 if max((len(r.label or "") for r in recordings), default=0) > 14 else 2
        changed |= self._legend("recorded: points ± sd\nmodel A·r: lines", ncols)
        return changed | set_upper_limit(self.ax, "y", 1.1 * top) if top > 0 else changed
