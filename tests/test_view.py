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


# --- the explorer's figure: panels, overlays, f½ off the panel, units, words --------------


def _frame(preset="depressing", **changes):
    import dataclasses

    from stpwidget.state import ExplorerState, compute

    state = ExplorerState.from_preset(preset)
    params = changes.pop("params", {})
    if params:
        state = state.with_params(**params)
    if changes.pop("membrane", False):
        state = state.with_panels((*state.panels, "membrane"))
    if "recordings" in changes:
        state = state.with_recordings(changes.pop("recordings"))
    return compute(dataclasses.replace(state, **changes))


def _view(panels, frame, width=920, height=560):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from stpwidget.view import STPView

    fig = Figure(figsize=(width / 100, height / 100), dpi=100)
    FigureCanvasAgg(fig)
    view = STPView(fig, panels)
    view.show(frame)
    fig.canvas.draw()
    return view


def _panel(view, name):
    return next(p for p in view.panels if p.name == name)


def _legend_entries(panel):
    legend = panel.ax.get_legend()
    return {t.get_text(): h for t, h in zip(legend.get_texts(), legend.legend_handles)}


def test_a_new_panel_is_one_class_and_one_registry_line(monkeypatch):
    from stpwidget.view import PANELS
    from stpwidget.view.panels import Panel

    class SpikeCount(Panel):
        name = "count"
        column = "side"

        def __init__(self, ax):
            super().__init__(ax)
            self.lines["count"] = ax.plot([], [], "o", label="spikes")[0]

        def show(self, frame, width_px):
            self.lines["count"].set_data([0], [frame.trace.spike_times.numel()])
            return False

    monkeypatch.setitem(PANELS, "count", SpikeCount)
    frame = _frame()
    view = _view(("state", "count"), frame)
    assert [p.name for p in view.panels] == ["state", "count"]
    assert list(view.lines["count"].get_ydata()) == [len(frame.state.stimulus.spikes())]


def test_overlays_have_legend_entries_in_their_line_styles():
    frame = _frame(pinned=(PRESETS["facilitating"], _frame().state.stimulus), compare=True)
    view = _view(("state", "current", "frequency"), frame)
    for name in ("state", "current"):
        entries = _legend_entries(_panel(view, name))
        assert entries["pinned (dashed)"].get_linestyle() == "--"
        assert entries["facilitating (dotted)"].get_linestyle() == ":"
    assert _legend_entries(_panel(view, "frequency"))["pinned (dashed)"].get_linestyle() == "--"
    plain = _view(("state",), _frame())
    assert not {"pinned (dashed)", "facilitating (dotted)"} & set(
        _legend_entries(_panel(plain, "state"))
    )


def test_half_ceiling_rate_beyond_the_panel_is_written_at_its_edge():
    from stpwidget.closed_form import half_ceiling_rate

    frame = _frame(params={"tau_d": 0.004})
    view = _view(("state", "frequency"), frame)
    panel = _panel(view, "frequency")
    expected = float(half_ceiling_rate(frame.state.params))  # the kernel's root finder
    assert expected > 100
    assert panel.note.get_text() == f"f½ = {expected:.3g} Hz →"
    assert panel.note.get_position()[0] > 0.9 and panel.note.get_ha() == "right"
    assert not panel.lines["limit"].get_visible()
    assert "half-ceiling rate f½" not in _legend_entries(panel)
    inside = _view(("state", "frequency"), _frame())
    assert _panel(inside, "frequency").note.get_text() == ""
    assert _panel(inside, "frequency").lines["limit"].get_visible()


def test_poisson_half_ceiling_rate_beyond_the_grid_is_said_in_words():
    from stpwidget.stimulus import Stimulus
    from stpwidget.view.describe import describe

    frame = _frame(params={"tau_d": 0.004}, stimulus=Stimulus(kind="poisson", rate=20.0))
    assert frame.poisson and not np.isfinite(frame.limit)
    view = _view(("state", "frequency"), frame)
    assert _panel(view, "frequency").note.get_text() == "f½ > 100 Hz →"
    words = describe(frame, ("state", "frequency")).summary
    assert "the release rate does not reach half its ceiling below 100 Hz" in words
    assert "nan" not in words.lower()


def test_labels_name_the_unit_of_a():
    from types import SimpleNamespace

    from stpwidget.recordings import Recording
    from stpwidget.view.quantities import unit_of

    plain = _view(("current", "membrane"), _frame(membrane=True))
    assert _panel(plain, "current").ax.get_ylabel() == "I (units of A)"
    assert _panel(plain, "membrane").ax.get_ylabel() == "V (units of A)"
    train = _frame().state.stimulus.spikes()
    recs = (Recording(train, np.full(len(train), 0.3), label="a"),)
    loaded = _view(("current", "membrane", "data"), _frame(membrane=True, recordings=recs))
    assert _panel(loaded, "current").ax.get_ylabel() == "I (data unit)"
    assert _panel(loaded, "data").ax.get_ylabel() == "amplitude (data unit)"
    assert unit_of([SimpleNamespace(unit="pA"), SimpleNamespace(unit="pA")]) == "pA"
    assert unit_of([SimpleNamespace(unit="pA"), SimpleNamespace(unit="mV")]) == "data unit"


def test_description_follows_the_synapse():
    from tm_reference import releases

    from stpwidget.view.describe import describe

    frame = _frame(membrane=True)
    p = frame.state.params
    train = np.asarray(frame.state.stimulus.spikes())
    ref = releases(float(p.U), float(p.tau_f), float(p.tau_d), train)
    d = describe(frame, ("state", "current", "membrane", "frequency"))
    assert d.columns == (
        "spike",
        "time (s)",
        "release r",
        "amplitude A·r (units of A)",
        "V peak (units of A)",
    )
    assert [float(r[2]) for r in d.rows] == pytest.approx(ref, rel=5e-3)  # 3 digits
    assert [float(r[1]) for r in d.rows] == pytest.approx(train, abs=5e-4)
    assert "depressing: each spike releases less than the one before" in d.summary
    assert f"paired-pulse ratio {ref[1] / ref[0]:.3g}" in d.summary
    assert f"First release {float(p.U):.3g}" in d.summary
    assert "f½, the input rate where the release rate reaches half its ceiling" in d.summary
    # V peaks: the largest potential between spikes, from the frame's own V.
    v, t = frame.v.numpy(), frame.trace.t.numpy()
    first = v[(t >= train[0]) & (t < train[1])].max()
    assert float(d.rows[0][4]) == pytest.approx(first, rel=5e-3)
    facilitating = describe(_frame("facilitating"), ("state",)).summary
    assert "facilitating: the second spike releases more than the first" in facilitating
    for text in (d.summary, facilitating, *(c for r in d.rows for c in r)):
        assert "nan" not in text.lower()


def test_a_revisited_limit_set_is_placed_from_the_cache_as_a_fresh_view_places_it(monkeypatch):
    import stpwidget.view.layout as layout_module
    from stpwidget import Stimulus, STPExplorer

    ex = STPExplorer(backend="image")
    fresh = STPExplorer(backend="image", stimulus=Stimulus(rate=1.0))
    try:
        ex.set_input(rate=1.0)  # a 10 s window: new limits, new tick labels
        slow = [ax.get_position().bounds for ax in ex.figure.axes]
        assert slow == [ax.get_position().bounds for ax in fresh.figure.axes]
        ex.set_input(rate=10.0)
        measured = []
        original = layout_module._margins
        monkeypatch.setattr(
            layout_module, "_margins", lambda ax, r: measured.append(ax) or original(ax, r)
        )
        ex.set_input(rate=1.0)  # back: nothing is measured, the same positions
        assert measured == []
        assert [ax.get_position().bounds for ax in ex.figure.axes] == slow
    finally:
        ex.close()
        fresh.close()
