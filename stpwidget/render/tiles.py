"""The static layer: axes, ticks, labels and legends drawn by Agg and kept as tiles.

Cached per group of axes and per limit set, so an update whose axis limits change redraws
only the axes that changed, and only the first time.
"""

from __future__ import annotations

import collections
from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.spines import Spine
from matplotlib.text import Text

Box = tuple[int, int, int, int]


def _color(value: Any) -> str:
    try:
        return to_hex(value, keep_alpha=True)
    except (ValueError, TypeError):
        return repr(value)


def _data(line: Line2D) -> Any:
    """A line's data by content (small lines) or identity (long ones)."""
    x, y = np.asarray(line.get_xdata(orig=True)), np.asarray(line.get_ydata(orig=True))
    if x.size + y.size > 20_000:
        return (id(line.get_xdata(orig=True)), id(line.get_ydata(orig=True)))
    return hash((x.tobytes(), y.tobytes(), x.dtype.str, y.dtype.str))


def _signature(artist: Artist) -> tuple[Any, ...]:
    """What a static artist shows, by content (a changed signature means: draw it again).

    By content, not identity: a panel that makes a new legend with the same entries still
    finds its cached tile.
    """
    if isinstance(artist, Text):
        # Not its position: drawing moves titles and labels (a key read before a draw must
        # equal the one read after it).
        align = (artist.get_horizontalalignment(), artist.get_verticalalignment())
        return ("T", artist.get_text(), _color(artist.get_color()), artist.get_fontsize(),
                artist.get_rotation(), align)  # fmt: skip
    if isinstance(artist, Legend):
        title = artist.get_title()
        return ("L", tuple(_signature(t) for t in artist.get_texts()), _signature(title),
                tuple(_signature(h) for h in artist.legend_handles if h is not None))  # fmt: skip
    if isinstance(artist, Line2D):
        return ("l", _data(artist), _color(artist.get_color()), artist.get_linewidth(),
                artist.get_linestyle(), str(artist.get_marker()), artist.get_markersize(),
                artist.get_alpha(), artist.get_visible())  # fmt: skip
    if isinstance(artist, Spine):
        return ("S", artist.get_visible(), artist.get_linewidth(), _color(artist.get_edgecolor()))
    if isinstance(artist, Patch):
        return ("P", _color(artist.get_facecolor()), _color(artist.get_edgecolor()),
                artist.get_visible())  # fmt: skip
    return (type(artist).__name__, id(artist))


def axes_key(ax: Axes) -> tuple[Any, ...]:
    """The limits, scales, position and static artists of one axes (the tile's cache key)."""
    children = tuple(
        _signature(c)
        for c in ax.get_children()
        if c.get_visible() and not c.get_animated() and not isinstance(c, Axis)
    )
    return (
        ax.get_xlim(),
        ax.get_ylim(),
        ax.get_xscale(),
        ax.get_yscale(),
        ax.get_position().bounds,
        ax.get_visible(),
        children,
    )


class StaticLayer:
    """Everything of a figure but its animated artists, as an RGBA array, cached.

    The axes are split into groups whose drawn areas do not touch (twins and overlapping
    axes share a group). Each group is drawn alone into a tile, cached under its axes' keys
    (:func:`axes_key`: limits, scales, static artists); the layer is the figure's background
    with every group's tile pasted in. After a change of axis limits only the groups whose
    key changed are drawn, and only on the first visit of that limit set. Whatever cannot be
    split this way (figure-level artists, groups that would overlap) falls back to one full
    draw.

    Parameters
    ----------
    figure : Figure
        The figure (its canvas must be Agg-based).
    budget : int
        Most bytes of tiles kept (least recently used go first).
    """

    PAD = 3  # device pixels around a group's tight bbox (antialiasing, rounding)

    def __init__(self, figure: Figure, budget: int = 96 << 20) -> None:
        self.figure = figure
        self.budget = budget
        self.tiles: collections.OrderedDict[Any, tuple[Box, np.ndarray]]
        self.tiles = collections.OrderedDict()
        self.groups: list[list[Axes]] | None = None
        self.draws = 0  # groups or figures drawn (not taken from the cache), for tests
        #: The cache keys of the layer :meth:`render` returned last (None: not cacheable).
        self.key: tuple[Any, ...] | None = None
        self._size: tuple[int, int] | None = None
        self._base: np.ndarray = np.zeros((0, 0, 4), np.uint8)

    def reset(self) -> None:
        """Forget every tile (after a change of size, pixel density, style or layout)."""
        self.tiles.clear()
        self.groups = None

    def _renderer(self) -> Any:
        canvas: Any = self.figure.canvas
        renderer = canvas.get_renderer()
        size = (int(renderer.height), int(renderer.width))
        if size != self._size:
            self.reset()
            self._size = size
        return renderer

    def _figure_level_artists(self) -> bool:
        f = self.figure
        return bool(f.texts or f.legends or f.lines or f.patches or f.images or f.subfigs)

    def _groups(self) -> list[list[Axes]]:
        """Axes grouped by where they sit: twins and overlapping axes together."""
        groups: list[list[Axes]] = []
        boxes: list[Any] = []
        for ax in (a for a in self.figure.axes if a.get_visible()):
            box = ax.get_position()
            hits = [k for k, b in enumerate(boxes) if b.overlaps(box)]
            merged = [ax]
            for k in reversed(hits):
                merged = groups.pop(k) + merged
                box = type(box).union([box, boxes.pop(k)])
            groups.append(merged)
            boxes.append(box)
        return groups

    def _store(self, key: Any, tile: tuple[tuple[int, int, int, int], np.ndarray]) -> None:
        self.tiles[key] = tile
        self.tiles.move_to_end(key)
        used = sum(t.nbytes for _, t in self.tiles.values())
        while used > self.budget and len(self.tiles) > 1:
            _, (_, old) = self.tiles.popitem(last=False)
            used -= old.nbytes

    def _draw_all(self) -> np.ndarray:
        """One full draw of the figure (the animated artists are left out by matplotlib)."""
        canvas: Any = self.figure.canvas
        canvas.draw()
        self.draws += 1
        pixels: np.ndarray = _pixels(canvas.get_renderer()).copy()
        return pixels

    def _tile(self, axes: Sequence[Axes], renderer: Any) -> tuple[Box, np.ndarray]:
        """Draw a group alone; cut out the rows and columns it drew in (padded)."""
        renderer.clear()
        self.figure.patch.draw(renderer)
        for ax in sorted(axes, key=lambda a: a.get_zorder()):
            ax.apply_aspect()
            ax.draw(renderer)
        self.draws += 1
        pixels = _pixels(renderer)
        drawn = pixels.view(np.uint32)[..., 0] != self._base.view(np.uint32)[..., 0]
        rows, cols = np.flatnonzero(drawn.any(1)), np.flatnonzero(drawn.any(0))
        if not len(rows):
            return (0, 0, 0, 0), pixels[:0, :0].copy()
        pad, (height, width) = self.PAD, drawn.shape
        box = (max(0, rows[0] - pad), min(height, rows[-1] + 1 + pad),
               max(0, cols[0] - pad), min(width, cols[-1] + 1 + pad))  # fmt: skip
        return box, pixels[box[0] : box[1], box[2] : box[3]].copy()

    def keys(self) -> tuple[Any, ...] | None:
        """The cache keys the layer would have now, without drawing (None: not known)."""
        if self.groups is None or self._figure_level_artists():
            return None
        return tuple(tuple(axes_key(ax) for ax in group) for group in self.groups)

    def render(self) -> np.ndarray:
        """The static layer now, as an (h, w, 4) uint8 array (a fresh copy)."""
        renderer = self._renderer()
        self.key = None
        if self._figure_level_artists():
            return self._draw_all()
        if self.groups is None:
            self.groups = self._groups()
            renderer.clear()
            self.figure.patch.draw(renderer)
            self._base = _pixels(renderer).copy()
        placed: list[tuple[Box, np.ndarray]] = []
        keys = []
        for group in self.groups:
            key = tuple(axes_key(ax) for ax in group)
            keys.append(key)
            tile = self.tiles.get(key)
            if tile is None:
                tile = self._tile(group, renderer)
                self._store(key, tile)
            else:
                self.tiles.move_to_end(key)
            placed.append(tile)
        for i, (a, _) in enumerate(placed):
            for j in range(i + 1, len(placed)):
                if _overlap(a, placed[j][0]):  # two groups reach into each other: merge them
                    self.groups[i] += self.groups.pop(j)
                    return self.render()
        out: np.ndarray = self._base.copy()
        for (top, bottom, left, right), pixels in placed:
            out[top:bottom, left:right] = pixels
        self.key = tuple(keys)
        return out


def _pixels(renderer: Any) -> np.ndarray:
    """The Agg renderer's buffer as an (h, w, 4) array (a view: writing it draws)."""
    pixels: np.ndarray = np.asarray(renderer.buffer_rgba())
    return pixels


def _overlap(a: Box, b: Box) -> bool:
    return a[0] < b[1] and b[0] < a[1] and a[2] < b[3] and b[2] < a[3]
