"""The ipympl render path, under matplotlib.use("module://ipympl.backend_nbagg")."""

import importlib
import importlib.util

import matplotlib
import matplotlib.pyplot as plt
import pytest
from explorer_helpers import assert_line_on_trace, reference_trace

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


def test_auto_picks_the_ipympl_canvas_and_updates_it(ipympl):
    explorer = STPExplorer()
    try:
        assert isinstance(explorer.renderer.canvas, ipympl.Canvas)
        assert explorer.figure.canvas is explorer.renderer.canvas
        assert explorer.renderer.widget in explorer.children
        # Nothing is drawn before the browser's view asks (ipympl would send raw pixels).
        assert explorer.renderer._background is None
        explorer.figure.canvas.handle_draw({"type": "draw"})  # the view's first request
        before = bytes(explorer.figure.canvas.buffer_rgba())
        explorer.sliders["tau_d"].value = 90.0
        assert bytes(explorer.figure.canvas.buffer_rgba()) != before
        assert_line_on_trace(explorer.lines["x"], reference_trace(explorer), "x")
    finally:
        explorer.close()


def test_ipympl_figures_are_closed(ipympl):
    before = plt.get_fignums()
    for _ in range(50):
        explorer = STPExplorer()
        assert len(plt.get_fignums()) == len(before) + 1
        explorer.close()
    assert plt.get_fignums() == before
