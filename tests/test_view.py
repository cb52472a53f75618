"""The view alone (pure matplotlib): thinning, limits, plot_trace, the default image."""

import io
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest
from explorer_helpers import assert_line_on_trace
from matplotlib.testing.compare import compare_images

from stpwidget import PRESETS, plot_trace, poisson_train, regular_train, simulate
from stpwidget.view import decimate, nice_ceiling

BASELINE = Path(__file__).parent / "baseline" / "explorer_default.png"


@pytest.mark.parametrize("width", [50, 400, 5000])
def test_decimate_keeps_points_on_the_trace_and_jumps_sharp(width):
    trace = simulate(PRESETS["depressing"], poisson_train(30.0, 0.8, seed=2), 1.0)
    t, y = decimate(trace, "x", width)
    assert len(t) <= 2 * width + 3 * len(trace.spike_times) + 2
    assert np.all(np.diff(t) >= 0)
    line = plt.Line2D(t, y)
    assert_line_on_trace(line, trace, "x")
    # Every spike appears as a vertical jump: pre value at the spike time, then the sample.
    for spike, pre in zip(trace.spike_times.numpy(), trace.pre.x.numpy()):
        k = np.flatnonzero(t == spike)[0]
        assert y[k] == pre


@pytest.mark.parametrize(
    ("value", "ceiling"), [(0.3, 0.5), (1.0, 1.0), (1.2, 2.0), (37.0, 50.0), (0.0, 1.0)]
)
def test_nice_ceiling(value, ceiling):
    assert nice_ceiling(value) == ceiling


def test_plot_trace_draws_the_trace():
    trace = simulate(PRESETS["facilitating"], regular_train(20.0, 10, start=0.05), 0.7)
    fig = plot_trace(trace)
    try:
        ax_state, ax_current = fig.axes
        assert [line.get_label() for line in ax_state.lines][:2] == [
            "x: available resources",
            "u: utilization",
        ]
        assert_line_on_trace(ax_state.lines[0], trace, "x")
        assert_line_on_trace(ax_current.lines[0], trace, "current")
        release = ax_current.lines[1].get_ydata()
        np.testing.assert_allclose(release, trace.release.numpy())
        assert ax_current.get_xlabel() == "time (s)"
    finally:
        plt.close(fig)


def test_plot_trace_on_one_axes_uses_a_twin():
    trace = simulate(PRESETS["depressing"], [0.1, 0.2], 0.3)
    fig, ax = plt.subplots()
    try:
        assert plot_trace(trace, ax=ax) is fig
        assert len(fig.axes) == 2
    finally:
        plt.close(fig)


def test_default_explorer_image_matches_baseline(tmp_path):
    from stpwidget import STPExplorer

    explorer = STPExplorer(backend="image")
    try:
        actual = tmp_path / "explorer_default.png"
        actual.write_bytes(explorer.renderer.widget.value)
    finally:
        explorer.close()
    result = compare_images(str(BASELINE), str(actual), tol=3)
    assert result is None, result


@pytest.mark.parametrize("parts", [1, 2, 3])
def test_png_encoder_round_trips_the_canvas(parts):
    from PIL import Image

    from stpwidget.render.png import encode_png

    rgba = np.random.default_rng(parts).integers(0, 256, size=(37, 53, 4), dtype=np.uint8)
    with Image.open(io.BytesIO(encode_png(rgba, parts=parts))) as image:
        assert image.format == "PNG" and image.mode == "RGBA" and image.size == (53, 37)
        np.testing.assert_array_equal(np.asarray(image), rgba)


def test_fast_diff_image_matches_matplotlibs():
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.backends.backend_webagg_core import FigureCanvasWebAggCore
    from matplotlib.figure import Figure
    from PIL import Image

    from stpwidget.render.diff import fast_diff_image

    fig = Figure(figsize=(3, 2), dpi=50)
    canvas = FigureCanvasWebAggCore(fig)
    (line,) = fig.add_subplot().plot([0, 1], [0, 1])
    modes = []
    canvas.set_image_mode = modes.append
    for y in ([0, 1], [1, 0]):  # the first image is full, the second a diff
        line.set_ydata(y)
        FigureCanvasAgg.draw(canvas)  # WebAgg's draw() would also notify a (missing) browser
        canvas._png_is_old = True
        state = (canvas._last_buff.copy(), canvas._force_full)
        theirs = FigureCanvasWebAggCore.get_diff_image(canvas)
        canvas._png_is_old = True
        canvas._last_buff, canvas._force_full = state
        ours = fast_diff_image(canvas)
        with Image.open(io.BytesIO(theirs)) as a, Image.open(io.BytesIO(ours)) as b:
            np.testing.assert_array_equal(np.asarray(a.convert("RGBA")), np.asarray(b))
    assert modes == ["full", "full", "diff", "diff"]
    assert fast_diff_image(canvas) is None  # nothing new to send
