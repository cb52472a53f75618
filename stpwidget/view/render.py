"""Render paths of the explorer: an ipympl canvas, or core ``ipywidgets.Image`` layers.

* The image path (what Colab shows; core widgets only) stacks two images in one grid cell:
  the static layer (axes, ticks, labels, legends) as a PNG drawn at the screen's pixel
  density, and the data artists as SVG on top, which the browser draws sharp at any density.
  An update sends only the SVG (15–20 kB); the PNG changes only with the axis limits, and
  each limit set's PNG is kept.
* The ipympl path puts the same SVG data layer on ipympl's canvas (zoom, pan, toolbar),
  which draws the static layer at the screen's pixel ratio itself and sends its pixels only
  when they change (axis limits, theme, its own zoom and pan). So on both paths an update's
  cost does not grow with the screen's pixel ratio.

Both paths carry a hidden :class:`Frontend` probe: a few lines of JavaScript (run by the
HTML widget's markup, nothing to install) report the screen's pixel ratio and the page's
colours through a hidden text widget, and keep Notebook 7's command-mode shortcuts from
taking the arrow keys of a focused slider. Where the script cannot run, the figure stays
at 1x and in the light theme.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import ipywidgets as widgets
import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from stpwidget.view._base import CELL, _Renderer, _vector_layer
from stpwidget.view._frontend import Frontend
from stpwidget.view._ipympl import IpymplRenderer
from stpwidget.view._layers import (
    encode_png,
    fast_diff_image,
)
from stpwidget.view.style import Style, Theme

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
        self.background.add_class("stp-static")
        self.background.layout.grid_area = CELL
        self.overlay = _vector_layer(width, height)
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

    def _publish_static(self) -> None:
        """Show the static layer's PNG (each limit set's PNG is kept: 16 at most)."""
        png = self._kept_png(self.ratio)
        if png is None:
            with self._at_ratio():
                static = self._compose_static()
            png = encode_png(static)
            self._keep_png(self.ratio, png)
        else:
            self._background = None  # composed again only if png() asks for it
        self.background.value = png
        self._published = True

    def close(self) -> None:
        """Release the widgets (the figure is not registered with pyplot)."""
        for child in (self.background, self.overlay, self.widget):
            child.close()
        self.frontend.close()


def make_renderer(
    backend: str, width: int, height: int, dpi: float, style: Style | None = None
) -> ImageRenderer | IpymplRenderer:
    """Build the renderer for ``backend`` (``"auto"``, ``"ipympl"`` or ``"image"``)."""
    if resolve_backend(backend) == "ipympl":
        return IpymplRenderer(width, height, dpi, style)
    return ImageRenderer(width, height, dpi, style)
