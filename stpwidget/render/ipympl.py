"""The ipympl render path: the static layer on ipympl's canvas, the data as SVG on top.

See :mod:`stpwidget.render` for both paths.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from stpwidget.render.base import CELL, Renderer, vector_layer
from stpwidget.render.diff import DIFF_API, fast_diff_image
from stpwidget.render.png import encode_png
from stpwidget.render.svg import overlay_svg
from stpwidget.view.style import Style

T = TypeVar("T")


class IpymplRenderer(Renderer):
    """The figure on an ipympl canvas widget (zoom, pan and its toolbar work).

    ipympl's canvas shows the static layer: ipympl draws it at the screen's pixel ratio and
    sends its changed pixels, which happens only when the axis limits, the theme or the
    view change (and on ipympl's own zoom, pan and resize). The data artists lie on top as
    the same SVG layer as on the image path, so an update sends 15–20 kB of SVG whatever the
    pixel ratio. Mouse events pass through the SVG to the canvas.
    """

    def __init__(self, width: int, height: int, dpi: float, style: Style | None = None) -> None:
        with plt.ioff():  # made while interactive, a figure would be displayed twice
            self.figure = plt.figure(figsize=(width / dpi, height / dpi), dpi=dpi)
        canvas: Any = self.figure.canvas  # ipympl's Canvas widget
        canvas.header_visible = False
        canvas.footer_visible = False
        canvas.resizable = False
        # The canvas at the widget's top left, where the SVG layer lies: the toolbar goes
        # to its right.
        canvas.toolbar_position = "right"
        # Always shown, not faded in on hover: a keyboard's Tab reaches its buttons, and a
        # control that takes the focus must be visible (WCAG 2.4.7).
        canvas.toolbar_visible = "visible"
        canvas.layout.grid_area = CELL
        self.canvas = canvas
        # Drawn when the explorer says so: pyplot's auto-draw would make a second, full
        # draw per update (any stale artist calls draw_idle in interactive mode).
        self.figure.stale_callback = None
        self._setup(style or Style())
        canvas.mpl_connect("draw_event", self._on_draw)
        if all(hasattr(canvas, name) for name in DIFF_API):
            canvas.get_diff_image = self._locked(functools.partial(fast_diff_image, canvas))
        # ipympl handles the browser's events (draw, resize, pixel ratio, zoom and pan) on
        # its own, on whichever kernel thread its messages arrive: each under the lock.
        canvas.draw = self._locked(canvas.draw)
        canvas.handle_event = self._locked(canvas.handle_event)
        self._shown = False
        self.overlay = vector_layer(width, height)
        # ipympl's canvas sits in two nested widget boxes, each with the widgets' margin.
        self.overlay.layout.margin = "calc(2 * var(--jp-widgets-margin, 2px))"
        self.widget = widgets.GridBox([canvas, self.overlay, *self.frontend.widgets])
        self.widget.add_class("stp-render")

    def _on_draw(self, _event: Any) -> None:
        """A full draw made by ipympl (the browser's first request, zoom, pan, resize).

        Matplotlib leaves the animated artists out of it, so the canvas shows the static
        layer at the figure's limits now: kept as the background; the SVG layer follows the
        new limits. (The cached tiles stay: they are keyed by what they show.)
        """
        canvas: Any = self.figure.canvas
        if self._drawing or canvas.is_saving():  # the static layer's own draws; savefig
            return
        self._shown = True
        self._background = np.asarray(canvas.get_renderer().buffer_rgba()).copy()
        self._published = True
        self.overlay.value = overlay_svg(self.figure, self._animated)
        self._drawn()

    def render(self, full: bool) -> None:
        """Publish the data layer, and the static layer if its pixels may have changed.

        Until the browser has asked for its first draw, ask for one with ``draw_idle``: a
        draw made earlier would reach it as raw pixels (ipympl sends its unencoded buffer
        until the view reports "initialized") and break the canvas.
        """
        if not self._shown:
            self.canvas.draw_idle()
        super().render(full)

    def _publish_static(self) -> None:
        """Send the static layer to ipympl's canvas.

        A limit set seen before sends its kept PNG, whole; a new one sends its changed
        pixels as ipympl's diff image, and is kept, whole, for the next visit.
        """
        if not self._shown:
            return
        size = self.canvas.get_width_height(physical=True)
        png = self._kept_png(size)
        if png is not None:
            self._background = None  # not in the buffer: composed again if png() asks
            self._send_whole(png)
        else:
            background = self._compose_static()
            np.copyto(np.asarray(self.canvas.get_renderer().buffer_rgba()), background)
            self.canvas.blit(self.figure.bbox)  # ipympl sends the changed pixels
            self._keep_png(size, encode_png(background))
        self._published = True

    def _send_whole(self, png: bytes) -> None:
        """Send a whole PNG of the canvas as ipympl would (it replaces what is shown)."""
        canvas = self.canvas
        canvas.set_image_mode("full")
        # The buffer does not hold these pixels: ipympl's next image cannot be a diff.
        canvas._force_full = True
        canvas.send_binary(png)

    def png(self) -> bytes:
        """The figure as shown (static and data layers, drawn by Agg), as PNG bytes."""
        with self.lock:
            png = super().png()
            if self._background is not None:  # the canvas itself shows the static layer
                np.copyto(np.asarray(self.canvas.get_renderer().buffer_rgba()), self._background)
        return png

    def _locked(self, method: Callable[..., T]) -> Callable[..., T]:
        @functools.wraps(method)
        def locked(*args: Any) -> T:
            with self.lock:
                return method(*args)

        return locked

    def close(self) -> None:
        """Remove the figure from pyplot and close its canvas widget."""
        plt.close(self.figure)
        self.canvas.close()
        self.widget.close()
        self.frontend.close()
