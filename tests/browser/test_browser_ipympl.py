"""The explorer on ipympl's canvas (``%matplotlib widget``) in a real Chromium, at 1x and 2x.

On this path ipympl's canvas shows the static layer (axes, ticks, legends) and the data
artists lie on it as SVG. These tests check what that asks of the page: the two layers line
up exactly, mouse events go through the SVG to ipympl (its zoom works, and the data follow
the new limits), a slider step changes the figure without sending canvas pixels, the
canvas is as sharp as the screen, and nothing errs. JupyterLab serves
``benchmarks/browser_notebooks/explorer_ipympl.ipynb`` (the notebook ``bench_browser.py``
measures).
"""

from __future__ import annotations

import contextlib

import pytest

from tools.browser import browserkit as bk
from tools.browser.explorer_page import FIGURE, ExplorerPage

pytestmark = pytest.mark.browser

NOTEBOOK = bk.ROOT / "benchmarks" / "browser_notebooks" / "explorer_ipympl.ipynb"
SCALES = (1.0, 2.0)

# Boxes of ipympl's canvas and of the SVG layer, and what lies under the canvas' centre.
_LAYOUT_JS = """sel => {
  const root = document.querySelector(sel);
  const canvas = root.querySelector('canvas');
  const svg = root.querySelector('img.stp-vector');
  const box = el => { const b = el.getBoundingClientRect(); return [b.x, b.y, b.width, b.height]; };
  const c = canvas.getBoundingClientRect();
  const hit = document.elementFromPoint(c.x + c.width / 2, c.y + c.height / 2);
  const toolbar = root.querySelector('.jupyter-matplotlib-toolbar');
  return {canvas: box(canvas), svg: box(svg), pointerEvents: getComputedStyle(svg).pointerEvents,
          hitIsCanvas: hit !== null && hit.tagName === 'CANVAS' && root.contains(hit),
          toolbar: toolbar ? box(toolbar) : null};
}"""
# Hash of ipympl's canvas alone (the static layer), without the SVG on it.
_RASTER_JS = (
    "sel => window.__stp.hash(window.__stp.pixels([document.querySelector(sel + ' canvas')]))"
)
_XLIM = "_stp_json.dumps(list(_stp_ex[0].figure.axes[0].get_xlim()))"


@pytest.fixture(scope="module", params=SCALES, ids=lambda s: f"{s:g}x")
def app(request, browser_context):
    """The notebook in JupyterLab at one device scale factor (a server, and a kernel, each)."""
    browser, _ = browser_context
    with contextlib.ExitStack() as stack:
        server = stack.enter_context(bk.jupyter_server("lab", {NOTEBOOK.name: NOTEBOOK}))
        context = stack.enter_context(bk.new_context(browser, scale=request.param))
        page = ExplorerPage("lab", server, context.new_page())
        page.case = f"lab-ipympl@{request.param:g}x"
        try:
            page.load(NOTEBOOK.name)
            yield page
        finally:
            page.close()


def test_the_svg_layer_lies_exactly_on_the_canvas_and_lets_the_mouse_through(app):
    app.settle(quiet=0.5)
    layout = app.page.evaluate(_LAYOUT_JS, FIGURE)
    assert all(abs(a - b) <= 0.5 for a, b in zip(layout["canvas"], layout["svg"], strict=True)), (
        f"the data layer is not on the canvas: {layout}"
    )
    assert layout["pointerEvents"] == "none" and layout["hitIsCanvas"], layout
    canvas, toolbar = layout["canvas"], layout["toolbar"]
    assert toolbar is not None and toolbar[0] >= canvas[0] + canvas[2], (
        f"ipympl's toolbar covers the figure: {layout}"
    )
    # The canvas is drawn at the screen's pixel density (ipympl's own HiDPI handling).
    for layer in app.sharpness():
        assert 0.95 <= layer["density"] <= 1.6, f"blurred or wastefully fine: {layer}"


def test_a_slider_step_changes_the_figure_and_sends_no_canvas_pixels(app):
    app.settle(quiet=0.5)
    raster = app.page.evaluate(_RASTER_JS, FIGURE)
    before = app.figure_hash()
    ms = bk.measure_key_latency(app.page, FIGURE, app.handle("tau_d"), "ArrowLeft")
    assert ms < 5000
    app.settle(quiet=0.5)
    assert app.figure_hash() != before, "the figure did not change"
    assert app.page.evaluate(_RASTER_JS, FIGURE) == raster, "canvas pixels were sent again"
    assert app.state()["sliders"]["tau_d"] < 750.0


def test_ipympl_zoom_works_through_the_svg_layer_and_the_data_follow(app):
    app.settle(quiet=0.5)
    xlim = app.probe.eval("", _XLIM)
    before = app.figure_hash()

    def tool(title: str):
        return app.page.locator(f"{FIGURE} .jupyter-matplotlib-toolbar button[title^='{title}']")

    page = app.page
    canvas = page.locator(f"{FIGURE} canvas").first.bounding_box()
    assert canvas is not None
    # ipympl shows its toolbar while the mouse is over the figure: through the SVG layer.
    page.mouse.move(canvas["x"] + canvas["width"] / 2, canvas["y"] + canvas["height"] / 2)
    tool("Zoom").click()
    # A rectangle over the middle of the top-left (state) panel.
    x0, y0 = canvas["x"] + 0.25 * canvas["width"], canvas["y"] + 0.3 * canvas["height"]
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move(x0 + 60, y0 + 40, steps=6)
    page.mouse.up()
    app.settle(quiet=0.5)
    zoomed = app.probe.eval("", _XLIM)
    assert zoomed[0] > xlim[0] and zoomed[1] < xlim[1], f"no zoom: {xlim} -> {zoomed}"
    assert app.figure_hash() != before
    svg = page.evaluate(f"() => document.querySelector('{FIGURE} img.stp-vector').src")
    # Back home: the limits return and the data layer with them.
    tool("Zoom").click()
    tool("Reset").click()
    app.settle(quiet=0.5)
    assert app.probe.eval("", _XLIM) == pytest.approx(xlim)
    assert page.evaluate(f"() => document.querySelector('{FIGURE} img.stp-vector').src") != svg
    app.screenshot("zoomed-home")


def test_no_console_errors_or_tracebacks(app):
    app.settle()
    assert not app.watch.console_errors, app.watch.console_errors
    assert not app.watch.tracebacks, app.watch.tracebacks
    assert not app.output_tracebacks(), app.output_tracebacks()
