"""Render paths of the explorer: an ipympl canvas, or PNG bytes in an ``ipywidgets.Image``.

Both draw the same matplotlib figure at the pixel size it is shown. The image path needs only
core widgets (what makes Colab work without its custom widget manager); it blits: the static
axes are rendered once into a background and only the data artists are redrawn per update.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterable
from typing import Any

import ipywidgets as widgets
import matplotlib
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

BACKENDS: tuple[str, ...] = ("auto", "ipympl", "image")


def resolve_backend(backend: str) -> str:
    """``"ipympl"`` or ``"image"``: ``"auto"`` follows matplotlib's current backend."""
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}; got {backend!r}")
    if backend != "auto":
        return backend
    name = str(matplotlib.get_backend()).lower()
    return "ipympl" if "ipympl" in name or name == "widget" else "image"


def _chunk(tag: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))


def encode_png(rgba: np.ndarray) -> bytes:
    """Encode an RGBA canvas (h, w, 4) as an RGB PNG, fast.

    Runs on every update of the image path, so it trades a little size for speed: no row
    filters and zlib's run-length strategy, which suits a plot's flat areas (about twice as
    fast as Pillow's encoder at its fastest level). The figure is opaque, so alpha is dropped.
    """
    height, width, _ = rgba.shape
    rows = np.empty((height, 1 + 3 * width), dtype=np.uint8)
    rows[:, 0] = 0  # filter type "None" for every row
    rows[:, 1:] = rgba[..., :3].reshape(height, -1)
    packer = zlib.compressobj(1, zlib.DEFLATED, 15, 9, zlib.Z_RLE)
    data = packer.compress(rows.tobytes()) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", data)
        + _chunk(b"IEND", b"")
    )


class _Blitter:
    """Blitting shared by both paths.

    The static axes are cached after every full draw (``draw_event``, also fired by
    ipympl's zoom and pan), and an update redraws only the data artists over them.
    """

    figure: Figure

    def attach(self, artists: Iterable[Any]) -> None:
        """Mark the artists redrawn per update (the rest is the cached background)."""
        self._animated = list(artists)
        self._background: Any = None
        for artist in self._animated:
            artist.set_animated(True)
        self.figure.canvas.mpl_connect("draw_event", self._on_draw)

    def _on_draw(self, _event: Any) -> None:
        canvas = self.figure.canvas
        self._background = canvas.copy_from_bbox(self.figure.bbox)
        self._draw_animated()

    def _draw_animated(self) -> None:
        for artist in self._animated:
            self.figure.draw_artist(artist)

    def draw(self, full: bool) -> None:
        """Draw the figure into the canvas buffer (from the cached background unless full)."""
        canvas = self.figure.canvas
        if full or self._background is None:
            canvas.draw()  # fires draw_event: caches the background, draws the data
        else:
            canvas.restore_region(self._background)
            self._draw_animated()
            canvas.blit(self.figure.bbox)

    def save(self, path: Any, **kwargs: Any) -> None:
        """``savefig`` with every artist drawn (animated ones included)."""
        for artist in self._animated:
            artist.set_animated(False)
        try:
            self.figure.savefig(path, **kwargs)
        finally:
            for artist in self._animated:
                artist.set_animated(True)


class ImageRenderer(_Blitter):
    """Agg figure shown as PNG bytes in an ``ipywidgets.Image`` of the same pixel size."""

    def __init__(self, width: int, height: int, dpi: float) -> None:
        self.figure = Figure(figsize=(width / dpi, height / dpi), dpi=dpi)
        FigureCanvasAgg(self.figure)  # not in pyplot's registry: nothing to leak
        self.widget = widgets.Image(format="png", width=str(width), height=str(height))
        self.widget.layout = widgets.Layout(width=f"{width}px", height=f"{height}px")

    def render(self, full: bool) -> None:
        """Draw and publish the PNG."""
        self.draw(full)
        self.widget.value = self.png()

    def png(self) -> bytes:
        """The current canvas as PNG bytes."""
        return encode_png(np.asarray(self.figure.canvas.buffer_rgba()))

    def close(self) -> None:
        """Release the widget (the figure is not registered with pyplot)."""
        self.widget.close()


class IpymplRenderer(_Blitter):
    """The figure on an ipympl canvas widget.

    Zoom and pan work; updates are blitted and ipympl sends only the changed pixels.
    """

    def __init__(self, width: int, height: int, dpi: float) -> None:
        with plt.ioff():  # made while interactive, a figure would be displayed twice
            self.figure = plt.figure(figsize=(width / dpi, height / dpi), dpi=dpi)
        canvas = self.figure.canvas
        canvas.header_visible = False
        canvas.footer_visible = False
        canvas.resizable = False
        self.widget = canvas

    def render(self, full: bool) -> None:
        """Draw; ipympl's canvas publishes the change itself."""
        self.draw(full)

    def close(self) -> None:
        """Remove the figure from pyplot and close its canvas widget."""
        plt.close(self.figure)
        self.widget.close()


def make_renderer(backend: str, width: int, height: int, dpi: float):
    """Build the renderer for ``backend`` (``"auto"``, ``"ipympl"`` or ``"image"``)."""
    cls = IpymplRenderer if resolve_backend(backend) == "ipympl" else ImageRenderer
    return cls(width, height, dpi)
