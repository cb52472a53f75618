"""The ipympl render path, under matplotlib.use("module://ipympl.backend_nbagg")."""

import importlib
import importlib.util
import io
import json

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from explorer_helpers import assert_line_on_trace, reference_trace
from matplotlib._pylab_helpers import Gcf
from matplotlib.colors import to_rgb
from PIL import Image

from stpwidget import STPExplorer

pytestmark = [
    pytest.mark.ipympl,
    pytest.mark.skipif(importlib.util.find_spec("ipympl") is None, reason="ipympl not installed"),
]


@pytest.fixture
def ipympl():
    # Importing ipympl's backend module switches matplotlib's backend: do it here only.
    previous = matplotlib.get_backend()
    matplotlib.use("module://ipympl.backend_nbagg")
    yield importlib.import_module("ipympl.backend_nbagg")
    plt.close("all")
    plt.switch_backend(previous)


def _pixels_of(rgba, color) -> int:
    """How many pixels of an RGBA array have exactly ``color`` (RGB, 0-255)."""
    return int(np.all(np.asarray(rgba)[..., :3] == color, axis=-1).sum())


def _decoded(png: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(png)) as image:
        return np.asarray(image.convert("RGBA"))


def test_auto_picks_the_ipympl_canvas_and_lays_the_data_on_it_as_svg(ipympl):
    explorer = STPExplorer()
    renderer, canvas = explorer.renderer, explorer.renderer.canvas
    assert canvas.toolbar_visible == "visible"  # not faded in on hover: Tab reaches it
    messages: list[dict] = []  # what the canvas sends the browser
    sent: list[bytes] = []  # the images among them
    canvas.syncing_data_url = False  # as once a browser view is connected

    def send(content, buffers=None):
        messages.append(json.loads(content["data"]))
        sent.extend(buffers or [])

    canvas.send = send
    try:
        assert isinstance(canvas, ipympl.Canvas)
        assert explorer.figure.canvas is canvas
        assert renderer.widget in explorer.children
        assert canvas in renderer.widget.children and renderer.overlay in renderer.widget.children
        # Nothing is drawn before the browser's view asks (ipympl would send raw pixels).
        assert renderer._background is None and not sent
        canvas.handle_draw({"type": "draw"})  # the view's first request
        assert len(sent) == 1
        x_color = tuple(round(255 * c) for c in to_rgb(explorer.lines["x"].get_color()))
        # The canvas shows the static layer (the x colour only in the legend); the x line is
        # in the SVG layer on top of it.
        legend = _pixels_of(canvas.buffer_rgba(), x_color)
        assert _pixels_of(_decoded(renderer.png()), x_color) > legend + 500
        assert _pixels_of(canvas.buffer_rgba(), x_color) == legend  # png() left it as shown
        svg, pixels = bytes(renderer.overlay.value), bytes(canvas.buffer_rgba())
        assert svg.startswith(b"<?xml") and b"<path" in svg

        del messages[:]
        explorer.sliders["tau_d"].value = 90.0  # no axis limit changes: only SVG goes out
        # pyplot redraws stale figures after every widget message: nothing is stale here.
        Gcf.draw_all()
        assert bytes(renderer.overlay.value) != svg and not messages  # no image, no resize
        assert bytes(canvas.buffer_rgba()) == pixels
        assert_line_on_trace(explorer.lines["x"], reference_trace(explorer), "x")

        explorer.sliders["rate"].value = 50.0  # the time axis changes: its pixels go out
        assert len(sent) == 2 and bytes(canvas.buffer_rgba()) != pixels
        assert _pixels_of(canvas.buffer_rgba(), x_color) == legend
        at_50 = np.asarray(canvas.buffer_rgba()).copy()
        explorer.sliders["rate"].value = 20.0
        assert len(sent) == 3 and canvas._image_mode == "diff"
        # Back to a limit set seen before: its whole PNG, kept, goes out as it was.
        explorer.sliders["rate"].value = 50.0
        assert len(sent) == 4 and np.array_equal(_decoded(sent[3]), at_50)
        assert canvas._image_mode == "full"  # the browser replaces, not overlays, its pixels

        # ipympl's own draw (zoom, pan) at new limits: the SVG layer follows them.
        svg = bytes(renderer.overlay.value)
        explorer.figure.axes[0].set_xlim(0.0, 0.2)
        canvas.draw()
        assert bytes(renderer.overlay.value) != svg and len(sent) == 5
        del messages[:]
        Gcf.draw_all()  # the draw's SVG left nothing stale: no second draw is asked for
        assert not messages
        assert _pixels_of(canvas.buffer_rgba(), x_color) == legend
    finally:
        explorer.close()


def test_ipympl_figures_are_closed(ipympl):
    before = plt.get_fignums()
    for _ in range(50):
        explorer = STPExplorer()
        assert len(plt.get_fignums()) == len(before) + 1
        explorer.close()
    assert plt.get_fignums() == before


def test_ipympl_sends_a_kept_png_for_every_limit_set_seen_before_at_any_scale(ipympl):
    # A panel that makes a new legend (the input kind changes its entries) has it styled
    # before the cache is asked: at scale 1.5 too, a second visit finds the kept PNG.
    explorer = STPExplorer(scale=1.5)
    renderer, canvas = explorer.renderer, explorer.renderer.canvas
    canvas.syncing_data_url = False
    canvas.send = lambda content, buffers=None: None
    canvas.handle_draw({"type": "draw"})
    whole: list[bytes] = []
    send_whole = renderer._send_whole
    renderer._send_whole = lambda png: (whole.append(png), send_whole(png))
    kind = explorer.stimulus_controls["kind"]
    try:
        for value in ("poisson", "probe", "regular"):  # first visits: no kept PNG yet
            kind.value = value
        assert not whole
        for value in ("poisson", "probe", "regular"):
            kind.value = value
        assert len(whole) == 3
    finally:
        explorer.close()
