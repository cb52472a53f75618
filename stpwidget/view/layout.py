"""The explorer's figure: panels laid out in a time column and a side column."""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from stpwidget.state import Frame
from stpwidget.view.figure import legends_above
from stpwidget.view.panels import (
    CurrentPanel,
    DataPanel,
    FrequencyPanel,
    MembranePanel,
    Panel,
    StatePanel,
)

#: Every panel the explorer knows, by name, in their default order. A new panel is one
#: module in ``stpwidget/view/panels`` and one entry here.
PANELS: dict[str, type[Panel]] = {
    panel.name: panel
    for panel in (StatePanel, CurrentPanel, MembranePanel, FrequencyPanel, DataPanel)
}
#: The panels shown by default.
DEFAULT_PANELS: tuple[str, ...] = ("state", "current", "frequency")


class STPView:
    """The explorer's figure, composed of panels.

    Time panels are stacked on the left and share the time axis; side panels sit on the
    right. :meth:`show` hands one :class:`~stpwidget.state.Frame` to every panel.

    Parameters
    ----------
    figure : matplotlib.figure.Figure
        An empty figure to draw on (made by the caller, so the view does not care whether
        it belongs to pyplot, ipympl or a bare Agg canvas).
    panels : sequence of str, default :data:`DEFAULT_PANELS`
        Names from :data:`PANELS`, top to bottom within each column.
    scale : float, default 1
        Presentation scale of the text: margins and gaps grow with it, so that larger
        labels and legends still fit in the figure.

    Raises
    ------
    ValueError
        For an unknown or repeated panel name, or no time panel.
    """

    def __init__(
        self, figure: Figure, panels: Sequence[str] = DEFAULT_PANELS, scale: float = 1.0
    ) -> None:
        panels = self.check(panels)
        time = [PANELS[p] for p in panels if PANELS[p].column == "time"]
        side = [PANELS[p] for p in panels if PANELS[p].column == "side"]
        self.figure = figure
        m = scale  # margins for text this many times the normal size
        right = 0.6 - 0.03 * (m - 1) if side else 0.92
        grid = figure.add_gridspec(
            len(time),
            1,
            left=0.08 * m,
            right=right,
            top=1 - 0.1 * m,
            bottom=0.1 * m,
            hspace=0.16 * m,
        )
        first = figure.add_subplot(grid[0])
        axes = [first] + [figure.add_subplot(grid[k], sharex=first) for k in range(1, len(time))]
        self.panels: list[Panel] = [cls(ax) for cls, ax in zip(time, axes)]
        for ax in axes[:-1]:  # one time axis label, at the bottom
            ax.tick_params(labelbottom=False)
            ax.set_xlabel("")
        axes[-1].set_xlabel("time (s)")
        self._time_axes = first
        # Side panels share the column's height; each leaves room for its legend above it
        # (and, below another, for that one's axis label).
        slot = (1 - 0.2 * m) / max(1, len(side))
        left = 0.71 + 0.05 * (m - 1)
        for k, cls in enumerate(side):
            bottom = 0.1 * m + (len(side) - 1 - k) * slot
            height = slot - (0.16 if len(side) == 1 else 0.21) * m
            self.panels.append(cls(figure.add_axes((left, bottom, 0.92 - left, height))))
        time_axes = [p.ax for p in self.panels if p.column == "time"]
        legends_above(*(ax for ax in time_axes if ax.get_legend_handles_labels()[0]))

    @staticmethod
    def check(panels: Sequence[str]) -> tuple[str, ...]:
        """``panels`` as a tuple; ValueError for unknown or repeated names, or no time panel."""
        panels = tuple(panels)
        unknown = [p for p in panels if p not in PANELS]
        if unknown or len(set(panels)) != len(panels):
            raise ValueError(
                f"panels must be distinct names from {tuple(PANELS)}; got {list(panels)}"
            )
        if not any(PANELS[p].column == "time" for p in panels):
            raise ValueError(f"panels must include a time panel; got {list(panels)}")
        return panels

    @property
    def lines(self) -> dict[str, Line2D]:
        """Every panel's named artists (``"x"``, ``"u"``, ``"current"``, ...)."""
        return {k: a for p in self.panels for k, a in p.lines.items()}

    @property
    def ghosts(self) -> dict[str, dict[str, Line2D]]:
        """Ghost artists by kind (``"pin"``, ``"other"``), merged over the panels."""
        merged: dict[str, dict[str, Line2D]] = {}
        for p in self.panels:
            for kind, artists in p.ghosts.items():
                merged.setdefault(kind, {}).update(artists)
        return merged

    @property
    def width_px(self) -> int:
        """Width of the time panels in CSS pixels, for thinning.

        A screen's pixel ratio changes the pixels drawn, not the points a line needs.
        """
        bbox = self._time_axes.get_position(original=True)  # no apply_aspect: not stale
        ratio = float(getattr(self.figure.canvas, "device_pixel_ratio", 1.0))
        return max(1, int(bbox.width * self.figure.bbox.width / ratio))

    @property
    def data_artists(self) -> list[Line2D]:
        """Line2Ds that change with the data (redrawn when blitting)."""
        return [a for p in self.panels for a in p.artists]

    def show(self, frame: Frame) -> bool:
        """Show a frame on every panel; return True if an axis limit changed."""
        width = self.width_px
        changed = False
        for panel in self.panels:
            changed |= panel.show(frame, width)
        return changed
