"""The image path: the figure as two core ``ipywidgets.Image`` layers (what Colab shows)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import ipywidgets as widgets
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from stpwidget.render.base import CELL, Renderer, vector_layer
from stpwidget.render.png import encode_png
from stpwidget.view.style import Style, Theme

#: Pixel ratios the image path draws at (a browser at 110 % zoom reports 1.1): the smallest
#: of these at or above the reported ratio, so a figure is never drawn coarser than shown.
RATIOS = (1.0, 1.25, 1.5, 2.0, 2.5, 3.0)


def drawn_ratio(reported: float) -> float:
    """The pixel ratio to draw at for a reported ``window.devicePixelRatio``."""
    return next((r for r in RATIOS if r >= reported - 1e-6), RATIOS[-1])


class _FigureBox(widgets.GridBox):  # type: ignore[misc]
    """The image path's widget: two images in one grid cell, and the hidden probe."""

    renderer: ImageRenderer

    @property
    def value(self) -> bytes:
        """The figure as shown, as one PNG (composed on demand; for scripts and tests)."""
        return self.renderer.png()


class ImageRenderer(Renderer):
    """The figure as two core ``ipywidgets.Image`` layers (see :mod:`stpwidget.render`).

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
        self.overlay = vector_layer(width, height)
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
