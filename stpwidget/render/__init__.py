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

import matplotlib

from stpwidget.render.image import RATIOS, ImageRenderer, drawn_ratio
from stpwidget.render.ipympl import IpymplRenderer
from stpwidget.render.probe import Frontend
from stpwidget.view.style import Style

__all__ = [
    "BACKENDS",
    "RATIOS",
    "Frontend",
    "ImageRenderer",
    "IpymplRenderer",
    "drawn_ratio",
    "make_renderer",
    "resolve_backend",
]

BACKENDS: tuple[str, ...] = ("auto", "ipympl", "image")


def resolve_backend(backend: str) -> str:
    """``"ipympl"`` or ``"image"``: ``"auto"`` follows matplotlib's current backend."""
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}; got {backend!r}")
    if backend != "auto":
        return backend
    name = str(matplotlib.get_backend()).lower()
    return "ipympl" if "ipympl" in name or name == "widget" else "image"


def make_renderer(
    backend: str, width: int, height: int, dpi: float, style: Style | None = None
) -> ImageRenderer | IpymplRenderer:
    """Build the renderer for ``backend`` (``"auto"``, ``"ipympl"`` or ``"image"``)."""
    if resolve_backend(backend) == "ipympl":
        return IpymplRenderer(width, height, dpi, style)
    return ImageRenderer(width, height, dpi, style)
