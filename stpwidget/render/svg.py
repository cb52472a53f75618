"""The data layer: the data artists alone as SVG, which a browser draws sharp at any density."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterable
from typing import Any

from matplotlib.artist import Artist
from matplotlib.backends.backend_svg import RendererSVG
from matplotlib.figure import Figure


class _RendererSVG(RendererSVG):
    """Matplotlib's SVG renderer, with ids that depend only on content.

    The same artists give the same bytes, so an unchanged overlay is not sent again.
    """

    def _make_id(self, type: str, content: Any) -> str:
        return f"{type}{hashlib.sha256(str(content).encode()).hexdigest()[:10]}"


_NO_METADATA = {"Creator": None, "Date": None, "Format": None, "Type": None}


def overlay_svg(figure: Figure, artists: Iterable[Artist]) -> bytes:
    """The visible ``artists`` alone on a transparent SVG of the figure's size.

    Drawn in points (72 per inch, as ``savefig`` does), so widths and marker sizes are those
    of the Agg figure once the SVG is shown at the figure's size in pixels.
    """
    width, height = figure.get_size_inches()
    out = io.StringIO()
    dpi = figure.dpi
    # Not ``figure.dpi = 72``: that resizes the window too (ipympl would tell the browser to
    # resize its canvas, twice per call).
    set_dpi: Any = getattr(figure, "_set_dpi")  # noqa: B009 (private: not in the stubs)
    set_dpi(72, forward=False)
    try:
        make: Any = _RendererSVG  # matplotlib's SVG renderer has no type hints
        renderer = make(width * 72, height * 72, out, metadata=_NO_METADATA)
        for artist in artists:
            if artist.get_visible():
                artist.draw(renderer)
        renderer.finalize()
    finally:
        set_dpi(dpi, forward=False)
    return out.getvalue().encode()
