"""Render paths of the explorer: an ipympl canvas, or core ``ipywidgets.Image`` layers.

* The image path (what Colab shows; core widgets only) stacks two images in one grid cell:
  the static layer (axes, ticks, labels, legends) as a PNG drawn at the screen's pixel
  density, and the data artists as SVG on top, which the browser draws sharp at any density.
  An update sends only the SVG (~15 kB); the PNG changes only with the axis limits, and
  each limit set's PNG is kept.
* The ipympl path draws on ipympl's canvas (zoom, pan), which knows the screen's pixel ratio
  itself; an update restores the cached static layer and redraws the data artists, and
  ipympl sends the changed pixels.

Both paths carry a hidden :class:`Frontend` probe: a few lines of JavaScript (run by the
HTML widget's markup, nothing to install) report the screen's pixel ratio and the page's
colours through a hidden text widget, and keep Notebook 7's command-mode shortcuts from
taking the arrow keys of a focused slider. Where the script cannot run, the figure stays
at 1x and in the light theme.
"""

from __future__ import annotations

import contextlib
import functools
import threading
import weakref
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

import ipywidgets as widgets
import matplotlib
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from stpwidget.view._frontend import Frontend
from stpwidget.view._layers import (
    DIFF_API,
    StaticLayer,
    encode_png,
    fast_diff_image,
    overlay_svg,
)
from stpwidget.view.style import Style, Theme, restyle

__all__ = [
    "BACKENDS",
    "Frontend",
    "ImageRenderer",
    "IpymplRenderer",
    "encode_png",
    "fast_diff_image",
    "make_renderer",
    "resolve_backend",
]

BACKENDS: tuple[str, ...] = ("auto", "ipympl", "image")
T = TypeVar("T")
#: Pixel ratios the image path draws at (a browser at 110 % zoom reports 1.1): the smallest
#: of these at or above the reported ratio, so a figure is never drawn coarser than shown.
RATIOS = (1.0, 1.25, 1.5, 2.0, 2.5, 3.0)


def resolve_backend(backend: str) -> str:
    """``"ipympl"`` or ``"image"``: ``"auto"`` follows matplotlib's current backend."""
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}; got {backend!r}")
    if backend != "auto":
        return backend
    name = str(matplotlib.get_backend()).lower()
    return "ipympl" if "ipympl" in name or name == "widget" else "image"


def drawn_ratio(reported: float) -> float:
    """The pixel ratio to draw at for a reported ``window.devicePixelRatio``."""
    return next((r for r in RATIOS if r >= reported - 1e-6), RATIOS[-1])


# -- renderers -----------------------------------------------------------------------------


class _Renderer:
    """What both paths share: the figure's style, the animated artists, the static layer."""

    figure: Figure
    widget: widgets.Box
    frontend: Frontend
    _background: np.ndarray | None

    def _setup(self, style: Style) -> None:
        self.style = style
        self.theme: Theme = style.theme
        self._animated: list[Any] = []
        self._drawing = False
        self.static = StaticLayer(self.figure)
        self._styled: weakref.WeakSet[Any] = weakref.WeakSet()
        self._forget()
        self.figure.canvas.mpl_connect("draw_event", self._on_draw)
        self.frontend = Frontend(self._report)
        #: Held while matplotlib draws this figure. JupyterLab (4.6 here, its default
        #: "commsOverSubshells") runs widget messages on a kernel subshell thread beside the
        #: main thread; matplotlib is not thread-safe (mathtext shares FreeType fonts across
        #: threads), so every draw takes this lock.
        self.lock = threading.RLock()

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
        self._forget()
        self.render(full=True)

    def _on_report(self, ratio: float, theme: Theme | None) -> None:
        if theme is not None and theme != self.theme:
            self._set_style(None, theme)

    def _on_draw(self, _event: Any) -> None:
        """A full draw made outside the static layer (ipympl's zoom, pan, resize).

        Matplotlib leaves animated artists out of it: what it drew is the static layer now,
        kept as the background (the cached tiles stay: they are keyed by what they show).
        """
        canvas: Any = self.figure.canvas
        if not self._drawing and not canvas.is_saving():  # savefig: another dpi, all drawn
            self._background = np.asarray(canvas.get_renderer().buffer_rgba()).copy()
            self._draw_animated()  # as a full draw of the figure would have shown them

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
        raise NotImplementedError


class _FigureBox(widgets.GridBox):  # type: ignore[misc]
    """The image path's widget: two images in one grid cell, and the hidden probe."""

    renderer: ImageRenderer

    @property
    def value(self) -> bytes:
        """The figure as shown, as one PNG (composed on demand; for scripts and tests)."""
        return self.renderer.png()


class ImageRenderer(_Renderer):
    """The figure as two core ``ipywidgets.Image`` layers (see the module's docstring).

    Parameters
    ----------
    width, height : int
        Size on the page in CSS pixels.
    dpi : float
        Dots per inch at a pixel ratio of 1 (the figure is ``width / dpi`` inches wide).
    style : Style, optional
        Presentation scale and theme.
    """

    def __init__(self, width: int, height: int, dpi: float, style: Style | None = None) -> None:
        self.base_dpi = dpi
        self.ratio = 1.0
        self.figure = Figure(figsize=(width / dpi, height / dpi), dpi=dpi)
        FigureCanvasAgg(self.figure)  # not in pyplot's registry: nothing to leak
        self._setup(style or Style())
        size = {"width": f"{width}px", "height": f"{height}px"}
        self.background = widgets.Image(format="png", layout=widgets.Layout(**size))
        self.overlay = widgets.Image(format="svg+xml", layout=widgets.Layout(**size))
        self.background.add_class("stp-static")
        self.overlay.add_class("stp-vector")
        for image in (self.background, self.overlay):
            image.layout.grid_area = "1 / 1 / 2 / 2"  # one cell: the overlay lies on top
        box = _FigureBox(
            [self.background, self.overlay, *self.frontend.widgets],
            layout=widgets.Layout(
                grid_template_columns=size["width"], grid_template_rows=size["height"], **size
            ),
        )
        box.renderer = self
        box.add_class("stp-render")
        self.widget = box

    def _on_report(self, ratio: float, theme: Theme | None) -> None:
        drawn = drawn_ratio(ratio)
        if drawn != self.ratio:
            self.ratio = drawn
            self.static.reset()
            self._background = None
            if theme is None or theme == self.theme:
                self.render(full=True)
        super()._on_report(ratio, theme)

    @contextlib.contextmanager
    def _ratio_dpi(self) -> Iterator[None]:
        previous = self.figure.dpi
        self.figure.dpi = self.base_dpi * self.ratio
        try:
            yield
        finally:
            self.figure.dpi = previous

    def _at_ratio(self) -> contextlib.AbstractContextManager[None]:
        """Agg draws at the pixel ratio; the view's thinning stays in CSS pixels."""
        return self._ratio_dpi()

    def render(self, full: bool) -> None:
        """Publish the data layer, and the static layer if its pixels may have changed."""
        with self.lock:
            if full or not self._published:
                self._publish_static()
            svg = overlay_svg(self.figure, self._animated)
        self.overlay.value = svg

    def _publish_static(self) -> None:
        """Show the static layer's PNG (each limit set's PNG is kept: 16 at most)."""
        self._catch_up()
        key = self.static.keys()
        png = self._pngs.get((self.ratio, key)) if key is not None else None
        if png is None:
            with self._at_ratio():
                static = self._compose_static()
            png = encode_png(static)
            if self.static.key is not None:
                if len(self._pngs) >= 16:
                    self._pngs.pop(next(iter(self._pngs)))
                self._pngs[(self.ratio, self.static.key)] = png
        else:
            self._background = None  # composed again only if png() asks for it
        self.background.value = png
        self._published = True

    def close(self) -> None:
        """Release the widgets (the figure is not registered with pyplot)."""
        for child in (self.background, self.overlay, self.widget):
            child.close()
        self.frontend.close()


class IpymplRenderer(_Renderer):
    """The figure on an ipympl canvas widget (zoom and pan work).

    ipympl draws at the screen's pixel ratio itself. Updates restore the static layer and
    redraw the data artists; ipympl sends only the changed pixels.
    """

    def __init__(self, width: int, height: int, dpi: float, style: Style | None = None) -> None:
        with plt.ioff():  # made while interactive, a figure would be displayed twice
            self.figure = plt.figure(figsize=(width / dpi, height / dpi), dpi=dpi)
        canvas: Any = self.figure.canvas  # ipympl's Canvas widget
        canvas.header_visible = False
        canvas.footer_visible = False
        canvas.resizable = False
        self.canvas = canvas
        # Drawn when the explorer says so: pyplot's auto-draw would make a second, full
        # draw per update (any stale artist calls draw_idle in interactive mode).
        self.figure.stale_callback = None
        self._setup(style or Style())
        if all(hasattr(canvas, name) for name in DIFF_API):
            canvas.get_diff_image = self._locked(functools.partial(fast_diff_image, canvas))
        canvas.draw = self._locked(canvas.draw)  # ipympl draws on its own messages too
        self._shown = False
        self.widget = widgets.Box([canvas, *self.frontend.widgets])
        self.widget.add_class("stp-render")

    def _on_draw(self, event: Any) -> None:
        super()._on_draw(event)
        if not self._drawing and not self.canvas.is_saving():  # ipympl's own (first, zoom)
            self._shown = True

    def render(self, full: bool) -> None:
        """Draw and let ipympl send the changed pixels.

        Until the browser has asked for its first draw, ask for one with ``draw_idle``: a
        draw made earlier would reach it as raw pixels (ipympl sends its unencoded buffer
        until the view reports "initialized") and break the canvas.
        """
        if not self._shown:
            self.figure.canvas.draw_idle()
            return
        with self.lock:
            self.draw(full)
        self.canvas.blit(self.figure.bbox)

    def _locked(self, method: Callable[[], T]) -> Callable[[], T]:
        @functools.wraps(method)
        def locked() -> T:
            with self.lock:
                return method()

        return locked

    def close(self) -> None:
        """Remove the figure from pyplot and close its canvas widget."""
        plt.close(self.figure)
        self.canvas.close()
        self.widget.close()
        self.frontend.close()


def make_renderer(
    backend: str, width: int, height: int, dpi: float, style: Style | None = None
) -> ImageRenderer | IpymplRenderer:
    """Build the renderer for ``backend`` (``"auto"``, ``"ipympl"`` or ``"image"``)."""
    if resolve_backend(backend) == "ipympl":
        return IpymplRenderer(width, height, dpi, style)
    return ImageRenderer(width, height, dpi, style)
