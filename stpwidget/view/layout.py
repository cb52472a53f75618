"""The explorer's figure: panels laid out in a time column and a side column."""

from __future__ import annotations

import collections
import contextlib
from collections.abc import Iterator, Sequence
from typing import Any, cast

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.transforms import Bbox

from stpwidget.state import Frame
from stpwidget.view.panels import PANELS, Panel

#: The panels shown by default.
DEFAULT_PANELS: tuple[str, ...] = ("state", "current", "frequency")
#: Share of the figure's width for the side panels' axes (the time panels get the rest).
SIDE_WIDTH = 0.22
#: The least share of the width the side panels' axes keep.
MIN_SIDE_WIDTH = 0.12
#: Gap between neighbouring boxes (panels, labels, legends, the figure's edge) in points.
GAP_PT = 4.0


class STPView:
    """The explorer's figure, composed of panels.

    Time panels are stacked on the left and share the time axis; side panels sit on the
    right. :meth:`show` hands one :class:`~stpwidget.state.Frame` to every panel;
    :meth:`layout` places the panels so that no label, tick label or legend overlaps
    another panel or another panel's text.

    Parameters
    ----------
    figure : matplotlib.figure.Figure
        An empty figure to draw on (made by the caller, so the view does not care whether
        it belongs to pyplot, ipympl or a bare Agg canvas).
    panels : sequence of str, default :data:`DEFAULT_PANELS`
        Names from :data:`PANELS`, top to bottom within each column.
    scale : float, default 1
        Presentation scale the renderer restyles the figure to (:attr:`scale`; set it
        anew when the renderer's scale changes). :meth:`layout` measures the text as drawn,
        and legends made anew as they will be drawn at this scale.

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
        self.figure, self.scale = figure, scale
        first = figure.add_axes((0.1, 0.1, 0.5, 0.8))  # layout() places every panel
        axes = [first] + [figure.add_axes((0.1, 0.1, 0.5, 0.8), sharex=first) for _ in time[1:]]
        self.panels: list[Panel] = [cls(ax) for cls, ax in zip(time, axes)]
        for ax in axes[:-1]:  # one time axis label, at the bottom
            ax.tick_params(labelbottom=False)
            ax.set_xlabel("")
        axes[-1].set_xlabel("time (s)")
        self._time_axes = first
        self._placed: object = None  # the figure size and margins the panels are placed for
        self._signature: object = None  # what took room when they were placed
        #: Positions found for a given text (limits, labels, legends), and each axes'
        #: measured margins: revisiting a limit set measures nothing (most recent last).
        self._positions: collections.OrderedDict[Any, list[Any]] = collections.OrderedDict()
        self._margins: collections.OrderedDict[Any, Any] = collections.OrderedDict()
        self.panels += [cls(figure.add_axes((0.7, 0.1, 0.2, 0.8))) for cls in side]
        self.layout()

    def layout(self) -> bool:
        """Place the panels around their text as it is now drawn; True if any moved.

        Measures every panel's tick labels, axis labels, notes and legend (their window
        extents) and stacks the panels of each column with :data:`GAP_PT` between all of
        them; the columns share the height equally. Call it after the text changed size (a
        new presentation scale, a new legend or label: :meth:`show` returns True then, and
        lays out). A legend a panel made anew is measured as it will be drawn: at
        :attr:`scale` (the renderer restyles it before drawing).
        """
        figure = self.figure
        renderer = _renderer(figure)
        width, height = figure.bbox.width, figure.bbox.height
        gap = GAP_PT * figure.dpi / 72
        time = [p.ax for p in self.panels if p.column == "time"]
        side = [p.ax for p in self.panels if p.column == "side"]
        before = [ax.get_position().bounds for ax in figure.axes]
        signatures = [_text_signature(ax) for ax in figure.axes]
        signature = (width, height, self.scale, signatures)
        if signature == self._signature:  # nothing that takes room changed
            return False
        text = (width, height, self.scale, tuple(_text_key(ax) for ax in figure.axes))
        known = self._positions.get(text)
        if known is not None:  # this text was placed before: the same positions again
            self._positions.move_to_end(text)
            for ax, bounds in zip(figure.axes, known):
                ax.set_position(bounds)
            self._signature = (width, height, self.scale, [_text_signature(a) for a in figure.axes])
            return before != known
        fresh = [p.unstyled_legend() for p in self.panels]
        for _ in range(3):  # tick labels follow the axes' size: settle them
            with _scaled(fresh, self.scale):
                m = {ax: self._measure(ax, renderer) for ax in time + side}
            key = (width, height, [m[ax] for ax in time + side])
            if key == self._placed:  # placed for exactly this text already
                break
            self._placed = key
            left = gap + max(m[ax][0] for ax in time)
            right = width - gap
            if side:
                side_right = width - gap - max(m[ax][1] for ax in side)
                side_left = min(
                    side_right - SIDE_WIDTH * width,
                    width - gap - max(m[ax][4] for ax in side),  # legends fit the figure
                )
                # A time panel's legend wider than its panel: the side column gives way.
                reach = left + max(m[ax][4] for ax in time) + gap + max(m[ax][0] for ax in side)
                side_left = max(side_left, min(reach, side_right - MIN_SIDE_WIDTH * width))
                right = side_left - max(m[ax][0] for ax in side) - gap
                _column(side, m, side_left, side_right, width, height, gap)
            _column(time, m, left, right - max(m[ax][1] for ax in time), width, height, gap)
        self._signature = (width, height, self.scale, [_text_signature(ax) for ax in figure.axes])
        after = [ax.get_position().bounds for ax in figure.axes]
        _keep(self._positions, text, after)
        return before != after

    def _measure(self, ax: Axes, renderer: Any) -> tuple[float, float, float, float, float]:
        """:func:`_margins` of ``ax``, measured once per text, size and scale."""
        key = (id(ax), self.scale, _text_signature(ax))
        margins = self._margins.get(key)
        if margins is None:
            margins = _margins(ax, renderer)
            _keep(self._margins, key, margins)
        return margins

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
        if changed:
            self.layout()
        return changed


@contextlib.contextmanager
def _scaled(legends: Sequence[Legend | None], scale: float) -> Iterator[None]:
    """Legends' text at ``scale`` times its size for a while (as restyling will set it)."""
    done = [legend for legend in legends if legend is not None and scale != 1.0]
    for legend in done:
        _resize(legend, scale)
    try:
        yield
    finally:
        for legend in done:
            _resize(legend, 1 / scale)


def _resize(legend: Legend, factor: float) -> None:
    cast(Any, legend)._fontsize *= factor  # its paddings are in units of it
    for text in [*legend.get_texts(), legend.get_title()]:
        text.set_fontsize(float(text.get_fontsize()) * factor)


def _text_signature(ax: Axes) -> tuple[Any, ...]:
    """What decides the room an axes' text takes (cheap: nothing is measured)."""
    return (ax.get_position().bounds, _text_key(ax))


def _text_key(ax: Axes) -> tuple[Any, ...]:
    """The text of an axes by content, hashable, without its position (for the caches)."""
    legend = ax.get_legend()
    shown = None
    if legend is not None:
        entries = tuple(t.get_text() for t in legend.get_texts())
        shown = (legend.get_title().get_text(), entries, cast(Any, legend)._fontsize)
    sizes = [ax.xaxis.get_tick_params(which=w).get("labelsize") for w in ("major", "minor")]
    sizes += [ax.yaxis.get_tick_params(which=w).get("labelsize") for w in ("major", "minor")]
    return (
        ax.get_xlim(),
        ax.get_ylim(),
        tuple((a.label.get_text(), a.label.get_fontsize()) for a in (ax.xaxis, ax.yaxis)),
        tuple(sizes),
        shown,
        tuple((t.get_text(), t.get_fontsize()) for t in ax.texts),
    )


def _renderer(figure: Figure) -> Any:
    canvas: Any = figure.canvas
    if hasattr(canvas, "get_renderer"):
        return canvas.get_renderer()
    return figure._get_renderer()  # type: ignore[attr-defined]


def _keep(cache: collections.OrderedDict[Any, Any], key: Any, value: Any, most: int = 64) -> None:
    """Keep ``value`` under ``key``, dropping the least recently used beyond ``most``."""
    cache[key] = value
    cache.move_to_end(key)
    while len(cache) > most:
        cache.popitem(last=False)


def _margins(ax: Axes, renderer: Any) -> tuple[float, float, float, float, float]:
    """Pixels the axes' text reaches beyond its frame, and its legend's reach.

    Left, right, bottom, top; then from the frame's left edge to the legend's right edge (0
    without a legend). The legend sits above the frame, left-aligned.
    """
    legend = ax.get_legend()
    if legend is not None:
        legend.set_in_layout(False)  # measured apart: it may be wider than the axes
    frame = ax.bbox
    tight = ax.get_tightbbox(renderer) or frame
    top = tight.y1 - frame.y1
    legend_width = 0.0
    if legend is not None:
        box = legend.get_window_extent(renderer)
        top, legend_width = max(top, box.y1 - frame.y1), box.x1 - frame.x0
    return (
        max(0.0, frame.x0 - tight.x0),
        max(0.0, tight.x1 - frame.x1),
        max(0.0, frame.y0 - tight.y0),
        max(0.0, top),
        legend_width,
    )


def _column(
    axes: list[Axes],
    m: dict[Axes, tuple[float, float, float, float, float]],
    left: float,
    right: float,
    width: float,
    height: float,
    gap: float,
) -> None:
    """Stack ``axes`` top to bottom between ``left`` and ``right`` (px), equal heights."""
    free = height - 2 * gap - (len(axes) - 1) * gap - sum(m[ax][2] + m[ax][3] for ax in axes)
    each = max(1.0, free / len(axes))
    y = height - gap
    for ax in axes:
        y -= m[ax][3]
        # Whole pixels: the same text gives the same positions, whatever came before.
        x0, y0, x1, y1 = (round(v) for v in (left, y - each, right, y))
        box = Bbox.from_extents(x0 / width, y0 / height, x1 / width, y1 / height)
        ax.set_position(box)
        y -= each + m[ax][2] + gap
