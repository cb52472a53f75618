"""The render paths: the static layer's cache, the SVG data layer, the browser probe.

References are independent of the code under test: the static layer is compared with one
plain full Agg draw of the same figure, SVG coordinates with positions worked out by hand
from the axes' place and limits.
"""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
import zlib

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from stpwidget.render import RATIOS, ImageRenderer, drawn_ratio
from stpwidget.render.svg import overlay_svg
from stpwidget.render.tiles import StaticLayer
from stpwidget.view.style import DARK

SVG = "{http://www.w3.org/2000/svg}"


def three_panels(dpi: float = 100):
    """A figure like the explorer's: two stacked time axes, a side axes with a twin."""
    fig = Figure(figsize=(6.0, 4.0), dpi=dpi)
    FigureCanvasAgg(fig)
    top = fig.add_axes((0.1, 0.55, 0.5, 0.35))
    bottom = fig.add_axes((0.1, 0.1, 0.5, 0.35), sharex=top)
    side = fig.add_axes((0.72, 0.1, 0.22, 0.6))
    twin = side.twinx()
    side.set_xscale("log")
    side.set_xlim(1, 100)
    data = []
    for ax in (top, bottom, side, twin):
        ax.plot([0.2, 0.8], [0.2, 0.8], label="static")  # part of the static layer
        (line,) = ax.plot([0.1, 0.9], [0.9, 0.1], lw=2, label="data")
        line.set_animated(True)
        data.append(line)
    top.legend(loc="lower left", bbox_to_anchor=(0, 1))
    bottom.set_xlabel("time (s)")
    return fig, (top, bottom, side, twin), data


def full_draw(fig: Figure) -> np.ndarray:
    """The reference: matplotlib's own full draw (animated artists left out)."""
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba()).copy()


def test_static_layer_is_the_full_draw_and_is_cached_per_limit_set():
    fig, (top, bottom, _side, _twin), _ = three_panels()
    layer = StaticLayer(fig)
    np.testing.assert_array_equal(layer.render(), full_draw(fig))
    assert layer.groups is not None and len(layer.groups) == 3  # the twin joins its axes
    first, ylim = layer.draws, bottom.get_ylim()
    bottom.set_ylim(0, 2)  # one group's limits change: only that group is drawn again
    np.testing.assert_array_equal(layer.render(), full_draw(fig))
    assert layer.draws == first + 1
    bottom.set_ylim(*ylim)  # back to a limit set met before: nothing is drawn
    np.testing.assert_array_equal(layer.render(), full_draw(fig))
    assert layer.draws == first + 1
    top.set_xlim(0, 2)  # shared x: both time axes change
    np.testing.assert_array_equal(layer.render(), full_draw(fig))
    assert layer.draws == first + 3


def test_static_layer_redraws_when_a_static_artist_changes_without_new_limits():
    fig, (top, *_), _ = three_panels()
    layer = StaticLayer(fig)
    layer.render()
    draws = layer.draws
    top.get_legend().get_texts()[0].set_text("a longer label than before")
    np.testing.assert_array_equal(layer.render(), full_draw(fig))
    assert layer.draws == draws + 1
    # A new legend with the first entries again: by content, the first tile is found.
    top.legend(loc="lower left", bbox_to_anchor=(0, 1))
    np.testing.assert_array_equal(layer.render(), full_draw(fig))
    assert layer.draws == draws + 1


def test_groups_that_grow_into_each_other_are_merged():
    fig, (top, bottom, *_), _ = three_panels()
    layer = StaticLayer(fig)
    layer.render()
    bottom.set_title("a title tall enough to reach the panel above\n" * 3)
    np.testing.assert_array_equal(layer.render(), full_draw(fig))
    assert any(top in g and bottom in g for g in layer.groups)


def test_figure_level_artists_fall_back_to_full_draws():
    fig, _, _ = three_panels()
    fig.suptitle("a figure title")
    layer = StaticLayer(fig)
    np.testing.assert_array_equal(layer.render(), full_draw(fig))
    assert layer.key is None


def test_svg_layer_puts_lines_where_the_axes_say_in_points():
    fig = Figure(figsize=(4.0, 2.0), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.25, 0.2, 0.5, 0.6))
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 4)
    (line,) = ax.plot([5, 10], [1, 3], lw=3.0, color="#0072B2")
    svg = overlay_svg(fig, [line])
    root = ET.fromstring(svg)
    assert root.get("viewBox") == "0 0 288 144"  # 4 x 2 in at 72 points per inch
    path = next(p for p in root.iter(f"{SVG}path") if "stroke: #0072b2" in p.get("style", ""))
    coords = [float(v) for v in path.get("d").replace("M", " ").replace("L", " ").split()]
    # x = 5 is the middle of the axes: (0.25 + 0.5 * 0.5) * 288 pt; y = 1 is a quarter up
    # the axes, counted from the top in SVG: (1 - (0.2 + 0.6 * 0.25)) * 144 pt.
    assert coords[:2] == pytest.approx([0.5 * 288, (1 - 0.35) * 144], abs=0.01)
    assert coords[2:4] == pytest.approx([0.75 * 288, (1 - (0.2 + 0.6 * 0.75)) * 144], abs=0.01)
    assert "stroke-width: 3" in path.get("style")  # points, as the Agg figure's 3 pt
    assert overlay_svg(fig, [line]) == svg  # same artists, same bytes: nothing resent
    assert fig.dpi == 100


@pytest.mark.parametrize(("reported", "drawn"), [(1, 1), (1.1, 1.25), (2, 2), (2.2, 2.5), (9, 3)])
def test_drawn_ratio_is_never_coarser_than_the_screen(reported, drawn):
    assert drawn_ratio(reported) == drawn
    assert drawn in RATIOS


def _renderer():
    renderer = ImageRenderer(300, 200, dpi=100)
    fig = renderer.figure
    ax = fig.add_subplot()
    (line,) = ax.plot([0, 1], [0, 1])
    renderer.attach([line])
    renderer.render(full=True)
    return renderer, ax, line


def _size(png: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(png)) as image:
        return image.size


def report(renderer, **values) -> None:
    renderer.frontend.report.value = json.dumps(values)


def test_image_path_draws_at_the_reported_pixel_ratio_in_the_same_css_box():
    renderer, _, line = _renderer()
    assert _size(renderer.background.value) == (300, 200)
    svg_before = renderer.overlay.value
    report(renderer, ratio=2, bg="rgb(255, 255, 255)", fg="rgb(0, 0, 0)")
    assert _size(renderer.background.value) == (600, 400)
    assert _size(renderer.png()) == (600, 400)
    for image in (renderer.background, renderer.overlay, renderer.widget):
        assert (image.layout.width, image.layout.height) == ("300px", "200px")
    assert renderer.figure.dpi == 100  # the view's thinning stays in CSS pixels
    assert renderer.overlay.value == svg_before  # the vector layer needs no redraw
    line.set_ydata([1, 0])
    renderer.render(full=False)
    assert renderer.overlay.value != svg_before
    renderer.close()


@pytest.mark.parametrize(
    "value",
    ["", "not json", '{"ratio": "x"}', '{"ratio": 0.1}', '{"ratio": NaN}', '{"bg": "red"}'],
)
def test_probe_ignores_what_is_not_a_report(value):
    renderer, _, _ = _renderer()
    before = renderer.background.value
    renderer.frontend.report.value = value
    assert renderer.ratio == 1.0 and renderer.background.value == before
    renderer.close()


def test_probe_reports_the_page_theme():
    renderer, _ax, _ = _renderer()
    report(renderer, ratio=1, bg="rgb(17, 17, 17)", fg="rgba(255, 255, 255, 0.87)")
    assert renderer.theme == DARK
    with Image.open(io.BytesIO(renderer.background.value)) as image:
        assert image.convert("RGB").getpixel((0, 0)) == (17, 17, 17)
    renderer.close()


def test_probe_markup_runs_a_script_and_has_a_channel():
    renderer, _, _ = _renderer()
    html = renderer.frontend.script.value
    assert "<img" in html and "onerror=" in html and "data-lm-suppress-shortcuts" in html
    # The data layer lets the mouse through to what lies below it (ipympl's zoom and pan).
    assert re.search(r"\.stp-vector \{[^}]*pointer-events: none", html)
    assert "stp-frontend" in renderer.frontend.report._dom_classes
    assert renderer.frontend.report.layout.display == "none"
    assert "stp-render" in renderer.widget._dom_classes
    renderer.close()


def test_the_explorer_figure_value_is_the_full_picture():
    """``widget.value``: matplotlib's full static draw with the data artists drawn on top."""
    from stpwidget.explorer.explorer import STPExplorer

    explorer = STPExplorer(backend="image")
    try:
        renderer = explorer.renderer
        composite = np.asarray(Image.open(io.BytesIO(renderer.widget.value)).convert("RGBA"))
        fig = renderer.figure
        renderer._drawing = True  # the renderer's own draw_event handler stays out of it
        fig.canvas.draw()  # matplotlib leaves animated artists out of a full draw
        renderer._drawing = False
        for artist in renderer._animated:
            fig.draw_artist(artist)
        np.testing.assert_array_equal(composite, np.asarray(fig.canvas.buffer_rgba()))
    finally:
        explorer.close()


@pytest.mark.parametrize("pattern", ["none", "all", "some", "first-last"])
def test_sparse_png_of_a_diff_image_decodes_to_it(pattern):
    """Rows marked clean must be zero; Pillow decodes the PNG back to the exact pixels."""
    rng = np.random.default_rng(7)
    rgba = rng.integers(0, 256, size=(41, 29, 4), dtype=np.uint8)
    rows = {
        "none": np.zeros(41, bool),
        "all": np.ones(41, bool),
        "some": rng.random(41) < 0.4,
        "first-last": np.isin(np.arange(41), [0, 40]),
    }[pattern]
    rgba[~rows] = 0
    from stpwidget.render.png import encode_png

    for _ in range(2):  # the second time, zero runs come from the cache
        png = encode_png(rgba, rows=rows)
        with Image.open(io.BytesIO(png)) as image:
            np.testing.assert_array_equal(np.asarray(image), rgba)
        # zlib itself checks the stream's Adler-32 (Pillow may not say).
        start = png.index(b"IDAT") + 4
        idat = png[start : start + int.from_bytes(png[start - 8 : start - 4], "big")]
        raw = zlib.decompress(idat)
        assert len(raw) == 41 * (1 + 4 * 29)


def test_saving_draws_every_artist_once():
    """``save`` (savefig) gives what matplotlib alone gives: no data drawn twice on top."""
    renderer, _, _ = _renderer()
    ours, reference = io.BytesIO(), io.BytesIO()
    renderer.save(ours, format="png", dpi=80)
    renderer._drawing = True  # the renderer's draw_event handler stays out of this one
    for artist in renderer._animated:
        artist.set_animated(False)
    renderer.figure.savefig(reference, format="png", dpi=80)
    renderer._drawing = False
    with Image.open(ours) as a, Image.open(reference) as b:
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    renderer.close()
