"""What both render paths share.

The figure's style, its animated artists, the static layer and the SVG data layer; see
:mod:`stpwidget.render` for the paths.
"""

from __future__ import annotations

import contextlib
import threading
import weakref
from collections.abc import Callable, Iterable
from typing import Any

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from stpwidget.render.png import encode_png
from stpwidget.render.probe import Frontend
from stpwidget.render.svg import overlay_svg
from stpwidget.render.tiles import StaticLayer
from stpwidget.view.style import Style, Theme, restyle

#: The grid cell both layers of a figure share.
CELL = "1 / 1 / 2 / 2"


class Renderer:
    """What both paths share: the figure's style, the animated artists, the static layer."""

    figure: Figure
    widget: widgets.Box
    frontend: Frontend
    overlay: widgets.Image
    _background: np.ndarray | None

    def _setup(self, style: Style) -> None:
        self.style = style
        self.theme: Theme = style.theme
        self._animated: list[Any] = []
        self._drawing = False
        self.static = StaticLayer(self.figure)
        self._styled: weakref.WeakSet[Any] = weakref.WeakSet()
        self._forget()
        self.frontend = Frontend(self._report)
        #: Held while matplotlib draws this figure. JupyterLab (4.6 here, its default
        #: "commsOverSubshells") runs widget messages on a kernel subshell thread beside the
        #: main thread; matplotlib is not thread-safe (mathtext shares FreeType fonts across
        #: threads), so every draw takes this lock.
        self.lock = threading.RLock()
        #: Called with the new presentation scale before the full redraw it causes.
        self.on_scale: Callable[[float], None] | None = None

    def _current(self) -> Style:
        return Style(self.style.scale, self.theme)

    def _catch_up(self) -> None:
        """Style what the panels made since (a legend made anew) before a full draw."""
        if self._current() != Style():
            restyle(self.figure, Style(), self._current(), self._styled)

    def _report(self, ratio: float, theme: Theme | None) -> None:
        with self.lock:
            self._on_report(ratio, theme)

    def attach(self, artists: Iterable[Any]) -> None:
        """Take a freshly built view: its data artists are redrawn per update.

        The view is built in matplotlib's default look; here it gets the renderer's scale
        and theme.
        """
        self._animated = list(artists)
        for artist in self._animated:
            artist.set_animated(True)
        restyle(self.figure, Style(), self._current())
        self._styled = weakref.WeakSet(self.figure.findobj())
        self._forget()

    def _forget(self) -> None:
        """Drop every cached pixel (the figure's look or layout changed)."""
        self.static.reset()
        self._background = None
        self._pngs: dict[Any, bytes] = {}
        self._published = False

    def set_style(self, scale: float | None = None, theme: Theme | None = None) -> None:
        """Change the presentation scale or the theme now (one full redraw)."""
        with self.lock:
            self._set_style(scale, theme)

    def _set_style(self, scale: float | None, theme: Theme | None) -> None:
        new = Style(self.style.scale if scale is None else scale, theme or self.theme)
        restyle(self.figure, self._current(), new)
        self._styled.update(self.figure.findobj())
        self.style, self.theme = Style(new.scale, self.style.theme), new.theme
        if scale is not None and self.on_scale is not None:
            self.on_scale(new.scale)  # the owner lays its figure out for the new text size
        self._forget()
        self.render(full=True)

    def _on_report(self, ratio: float, theme: Theme | None) -> None:
        if theme is not None and theme != self.theme:
            self._set_style(None, theme)

    def _compose_static(self) -> np.ndarray:
        self._catch_up()
        self._drawing = True
        try:
            self._background = self.static.render()
        finally:
            self._drawing = False
        return self._background

    def _draw_animated(self) -> None:
        for artist in self._animated:
            self.figure.draw_artist(artist)

    def draw(self, full: bool) -> None:
        """Draw the whole figure into the Agg buffer (static layer + data artists)."""
        if full or self._background is None:
            self._compose_static()
        canvas: Any = self.figure.canvas
        buffer = np.asarray(canvas.get_renderer().buffer_rgba())
        assert self._background is not None
        if buffer.shape != self._background.shape:  # the pixel density changed meanwhile
            self._compose_static()
            buffer = np.asarray(canvas.get_renderer().buffer_rgba())
        np.copyto(buffer, self._background)
        self._draw_animated()

    def _at_ratio(self) -> contextlib.AbstractContextManager[None]:
        return contextlib.nullcontext()

    def png(self) -> bytes:
        """The figure as shown, as PNG bytes (drawn by Agg, at the current pixel ratio)."""
        with self.lock, self._at_ratio():
            self.draw(full=self._background is None)
            canvas: Any = self.figure.canvas
            return encode_png(np.asarray(canvas.get_renderer().buffer_rgba()))

    def save(self, path: Any, **kwargs: Any) -> None:
        """``savefig`` with every artist drawn (animated ones included)."""
        for artist in self._animated:
            artist.set_animated(False)
        try:
            self.figure.savefig(path, **kwargs)
        finally:
            for artist in self._animated:
                artist.set_animated(True)
        self._background = None  # savefig drew at another dpi: compose again

    def render(self, full: bool) -> None:
        """Publish the data layer, and the static layer if its pixels may have changed."""
        with self.lock:
            if full or not self._published:
                self._publish_static()
            svg = overlay_svg(self.figure, self._animated)
            self._drawn()
        self.overlay.value = svg

    def _drawn(self) -> None:
        """The figure is on screen as it is now: not stale.

        pyplot redraws its stale figures after every cell and every widget message
        (``draw_all`` on IPython's ``post_execute``): on ipympl's canvas, a full draw of
        the figure that the update just published, and its image sent again.
        """
        self.figure.stale = False

    def _publish_static(self) -> None:
        raise NotImplementedError

    def _kept_png(self, density: Any) -> bytes | None:
        """The kept PNG of the static layer as it would be drawn now (None: not kept).

        ``density`` tells apart PNGs of one limit set drawn at other pixel densities. What
        the panels made since the last draw is styled first, so that its key is the key it
        will be drawn and kept under.
        """
        self._catch_up()
        key = self.static.keys()
        return self._pngs.get((density, key)) if key is not None else None

    def _keep_png(self, density: Any, png: bytes) -> None:
        """Keep the PNG of the static layer just composed (16 limit sets at most)."""
        if self.static.key is not None:
            if len(self._pngs) >= 16:
                self._pngs.pop(next(iter(self._pngs)))
            self._pngs[(density, self.static.key)] = png


def vector_layer(width: int, height: int) -> widgets.Image:
    """The data layer: an SVG image of the figure's size, laid over the static layer."""
    image = widgets.Image(
        format="svg+xml", layout=widgets.Layout(width=f"{width}px", height=f"{height}px")
    )
    image.layout.grid_area = CELL  # one cell with the static layer: the overlay lies on top
    image.add_class("stp-vector")
    return image
