"""The explorer driven in plain Python (setting .value runs the observers), image path."""

import io
import logging
import math
import re

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from explorer_helpers import assert_line_on_trace, reference_trace
from PIL import Image

from stpwidget import (
    PRESETS,
    Stimulus,
    STPExplorer,
    half_ceiling_rate,
    paired_pulse_ratio,
    simulate,
    steady_state,
)


@pytest.fixture
def explorer():
    ex = STPExplorer(backend="image")
    yield ex
    ex.close()


def test_default_is_the_depressing_preset_on_the_seed_protocol(explorer):
    assert explorer.preset.value == "depressing"
    assert explorer.params == PRESETS["depressing"]
    assert explorer.trace.spike_times.tolist() == pytest.approx([0.1 * k for k in range(1, 10)])
    assert explorer.trace.t.shape == (10_000,)  # 1 s at 0.1 ms: ten times the seed's resolution
    assert explorer.message.value == ""


@pytest.mark.parametrize("preset", ["depressing", "facilitating"])
@pytest.mark.parametrize(
    ("key", "value"),
    [("tau_f", 300.0), ("tau_d", 120.0), ("tau_s", 5.0), ("U", 0.7), ("rate", 33.0)],
)
def test_lines_lie_on_the_kernel_trace(explorer, preset, key, value):
    explorer.preset.value = preset
    explorer.sliders[key].value = value
    scale = 1e-3 if key.startswith("tau") else 1.0
    assert getattr(explorer.params if key != "rate" else explorer.stimulus, key) == pytest.approx(
        value * scale
    )
    trace = reference_trace(explorer)
    for field in ("x", "u", "current"):
        assert_line_on_trace(explorer.lines[field], trace, field)


@pytest.mark.parametrize("kind", ["poisson", "probe"])
def test_other_protocols_are_drawn_exactly(explorer, kind):
    explorer.stimulus_controls["kind"].value = kind
    trace = reference_trace(explorer)
    expected_spikes = 10 if kind == "probe" else None
    if expected_spikes:
        assert len(trace.spike_times) == expected_spikes
        assert trace.spike_times[-1] - trace.spike_times[-2] == pytest.approx(0.5)
    for field in ("x", "u", "current"):
        assert_line_on_trace(explorer.lines[field], trace, field)


def test_new_draw_changes_the_poisson_train(explorer):
    explorer.stimulus_controls["kind"].value = "poisson"
    before = explorer.trace.spike_times.clone()
    explorer.buttons["new_draw"].click()
    assert explorer.stimulus.seed == 1
    assert not torch.equal(before, explorer.trace.spike_times)


def test_preset_click_sets_exact_values_in_one_redraw(explorer):
    explorer.sliders["tau_d"].value = 100.0
    before = explorer.render_count
    explorer.preset.value = "facilitating"
    assert explorer.render_count == before + 1
    assert explorer.params == PRESETS["facilitating"]
    assert explorer.sliders["tau_f"].value == 750.0 and explorer.sliders["U"].value == 0.15


def test_manual_change_marks_custom_and_reset_returns(explorer):
    explorer.preset.value = "facilitating"
    explorer.sliders["U"].value = 0.3
    assert explorer.preset.value == "custom"
    explorer.buttons["reset"].click()
    assert explorer.preset.value == "facilitating"
    assert explorer.params == PRESETS["facilitating"]


def test_set_params_updates_several_values_once(explorer):
    before = explorer.render_count
    explorer.set_params(tau_d=0.2, U=0.6, rate=20.0)
    assert explorer.render_count == before + 1
    assert (explorer.params.tau_d, explorer.params.U) == pytest.approx((0.2, 0.6))
    assert explorer.stimulus.rate == pytest.approx(20.0)
    assert explorer.preset.value == "custom"


@pytest.mark.parametrize(
    ("values", "name"),
    [
        ({"tau_d": -0.1}, "tau_d"),
        ({"U": 1.5}, "U"),
        ({"tau_f": math.nan}, "tau_f"),
        ({"tau_f": 5.0}, "tau_f"),
        ({"rate": 500.0}, "rate"),
        ({"tau_x": 1.0}, "tau_x"),
        ({"tau_s": 0.01, "U": 0.0}, "U"),
    ],
)
def test_bad_set_params_raise_and_change_nothing(explorer, values, name):
    sliders = {k: s.value for k, s in explorer.sliders.items()}
    state = (explorer.params, explorer.render_count, explorer.renderer.widget.value)
    with pytest.raises(ValueError, match=name):
        explorer.set_params(**values)
    assert {k: s.value for k, s in explorer.sliders.items()} == sliders
    assert (explorer.params, explorer.render_count, explorer.renderer.widget.value) == state


def test_error_in_update_is_shown_and_last_plot_kept(explorer):
    explorer.sliders["rate"].value = 1.0  # valid: 9 spikes over 8 s
    image, trace = explorer.renderer.widget.value, explorer.trace
    x_data = explorer.lines["x"].get_ydata().copy()
    explorer.stimulus_controls["n_spikes"].value = 200  # 199 s: longer than any window
    # A sentence a student reads (no exception class), announced by screen readers.
    assert 'role="alert"' in explorer.message.value and "Error" not in explorer.message.value
    assert "would last 199 s" in explorer.message.value
    assert explorer.renderer.widget.value == image and explorer.trace is trace
    np.testing.assert_array_equal(explorer.lines["x"].get_ydata(), x_data)
    # The control returns to the last good value: widgets and plot agree.
    assert explorer.stimulus_controls["n_spikes"].value == 9
    assert "stp-bug" not in explorer.message.value  # the user's input, not a bug
    # The widget keeps working: a valid value clears the message and draws again.
    explorer.stimulus_controls["n_spikes"].value = 5
    assert explorer.message.value == ""
    assert explorer.stimulus.n_spikes == 5 and len(explorer.trace.spike_times) == 5
    assert explorer.renderer.widget.value != image


def test_error_in_the_view_is_shown_and_plot_kept(explorer, monkeypatch, caplog):
    image = explorer.renderer.widget.value
    params = explorer.params

    def broken(*args, **kwargs):
        raise RuntimeError("view exploded")

    monkeypatch.setattr(explorer.view, "show", broken)
    with caplog.at_level(logging.ERROR, logger="stpwidget"):
        explorer.sliders["U"].value = 0.9
    assert "view exploded" in explorer.message.value
    assert explorer.renderer.widget.value == image and explorer.params == params
    assert explorer.sliders["U"].value == 0.45  # back to the last good state
    # A bug, not the user's input: it says so, carries the traceback, and is logged.
    assert "stp-bug" in explorer.message.value and "report" in explorer.message.value
    assert "<details" in explorer.message.value and "in broken" in explorer.message.value
    assert any("view exploded" in r.exc_text for r in caplog.records if r.exc_text)


def test_readouts_match_the_kernel(explorer):
    explorer.set_params(tau_f=0.2, tau_d=0.4, U=0.3, rate=25.0)
    p = explorer.params
    expected = {
        "first": 0.3,
        "ppr": float(paired_pulse_ratio(p, 1 / 25.0)),
        "steady": float(steady_state(p, 25.0).release),
        "flim": float(half_ceiling_rate(p)),
    }
    # f½ is read off the panel's curve (interpolated): within 0.1 % of the root finder.
    assert explorer.readout_values == pytest.approx(expected, rel=1e-3)
    values = explorer.readout_values
    assert {k: values[k] for k in ("first", "ppr", "steady")} == pytest.approx(
        {k: expected[k] for k in ("first", "ppr", "steady")}, rel=1e-12
    )
    html = explorer.readouts.value
    assert f'<b class="stp-ppr">{expected["ppr"]:.3f}</b>' in html
    assert f'<b class="stp-flim">{expected["flim"]:.3g}</b>' in html
    assert explorer.equations.value == ""  # closed: not typeset on every change
    explorer.details.selected_index = 0
    assert r"\tau_d = 400" in explorer.equations.value
    explorer.set_params(tau_d=0.5)
    assert r"\tau_d = 500" in explorer.equations.value
    explorer.details.selected_index = 1
    assert "tau_d=0.5" in explorer.code.value and "TMParameters(" in explorer.code.value


def test_pin_keeps_a_ghost_until_unpinned(explorer):
    x_before = explorer.lines["x"].get_ydata().copy()
    explorer.buttons["pin"].value = True
    explorer.sliders["tau_d"].value = 100.0
    ghost = explorer.view.ghosts["pin"]["x"]
    np.testing.assert_array_equal(ghost.get_ydata(), x_before)
    assert not np.array_equal(explorer.lines["x"].get_ydata(), x_before)
    explorer.buttons["pin"].value = False
    assert len(ghost.get_ydata()) == 0


def test_compare_shows_the_other_preset(explorer):
    explorer.buttons["compare"].value = True
    other = explorer.view.ghosts["other"]["current"]
    ref = simulate(PRESETS["facilitating"], explorer.trace.spike_times, 1.0, dt=explorer.dt)
    assert_line_on_trace(other, ref, "current")
    explorer.buttons["compare"].value = False
    assert len(other.get_xdata()) == 0


def test_image_path_publishes_a_png_of_the_shown_size(explorer):
    before = explorer.renderer.widget.value
    image = Image.open(io.BytesIO(before))
    assert image.format == "PNG" and image.size == (920, 560)
    assert explorer.renderer.widget.layout.width == "920px"
    explorer.sliders["tau_d"].value = 80.0
    assert explorer.renderer.widget.value != before


def test_browser_events_update_directly_and_the_last_one_stays(explorer):
    # No deferral: ipywidgets' front end keeps one message in flight per widget, so a drag
    # cannot build a backlog (measured in tests/browser: test_drag_storm_leaves_no_backlog).
    slider = explorer.sliders["tau_d"]
    indices = list(range(20, 60))
    start = explorer.render_count
    for i in indices:  # as the browser sends them
        slider.set_state({"index": i})
    assert explorer.render_count - start == len(indices)
    assert explorer.params.tau_d == pytest.approx(slider.options[indices[-1]][1] / 1e3)
    assert_line_on_trace(explorer.lines["x"], reference_trace(explorer), "x")


def test_exports(explorer, tmp_path):
    explorer.set_params(U=0.25)
    trace = explorer.trace
    frame = explorer.to_dataframe()
    assert list(frame.columns) == ["t_s", "x", "u", "current"]
    np.testing.assert_array_equal(frame["x"].to_numpy(), trace.x.numpy())
    csv = explorer.to_csv().splitlines()
    assert csv[0] == "t_s,x,u,current" and len(csv) == len(trace.t) + 1
    assert [float(v) for v in csv[150].split(",")] == pytest.approx(
        [trace.t[149].item(), trace.x[149].item(), trace.u[149].item(), trace.current[149].item()]
    )
    path = tmp_path / "explorer.png"
    explorer.save_figure(path)
    with Image.open(path) as saved:
        assert saved.size == (920, 560)
    namespace = {}
    exec(explorer.code_text().replace("plot_trace(trace)\n", ""), namespace)
    torch.testing.assert_close(namespace["trace"].x, trace.x, rtol=0, atol=0)


def test_constructing_and_closing_leaks_no_figures_or_widgets():
    import ipywidgets

    module = ipywidgets.widgets.widget
    live = module._instances if hasattr(module, "_instances") else ipywidgets.Widget.widgets
    STPExplorer(backend="image").close()  # first use may create shared widgets (layouts)
    before, widgets_before = plt.get_fignums(), len(live)
    for _ in range(50):
        STPExplorer(backend="image").close()
    assert plt.get_fignums() == before
    assert len(live) == widgets_before


def test_sliders_show_the_presets_exactly(explorer):
    for name in ("facilitating", "depressing"):
        explorer.preset.value = name
        for key in ("tau_f", "tau_d", "tau_s"):
            slider = explorer.sliders[key]
            exact = getattr(PRESETS[name], key) * 1e3
            assert slider.value == pytest.approx(exact, rel=1e-12)
            assert slider.label == f"{exact:g}"  # what the student reads: "750", not "749.9"


def test_browser_snapping_u_to_its_step_is_not_a_change(explorer):
    # The browser puts 0.45 on the slider's 0.01 grid and may send back 0.45000000000000007.
    before = explorer.render_count
    explorer.sliders["U"].set_state({"value": 0.45000000000000007})
    assert explorer.preset.value == "depressing"
    assert explorer.params == PRESETS["depressing"]
    assert explorer.render_count == before
    explorer.sliders["U"].set_state({"value": 0.46})  # one keyboard step is a change
    assert explorer.preset.value == "custom" and explorer.params.U == 0.46


def test_every_step_of_a_log_slider_is_a_change(explorer):
    slider = explorer.sliders["tau_d"]
    top = slider.options[-1][1]
    slider.value = top  # 2000 ms, the end of the range
    below = slider.options[-2][1]
    slider.set_state({"index": len(slider.options) - 2})  # ArrowLeft in the browser
    assert explorer.params.tau_d == pytest.approx(below / 1e3)


def test_set_params_off_the_slider_values_is_kept_exactly(explorer):
    explorer.set_params(tau_d=0.2134)
    assert explorer.params.tau_d == 0.2134
    assert explorer.sliders["tau_d"].value == 220.0  # the nearest value it can show


def test_kernel_imports_without_matplotlib_or_widgets():
    import subprocess
    import sys

    code = (
        "import sys, stpwidget; stpwidget.simulate(stpwidget.PRESETS['depressing'], [0.1], 0.2);"
        "print(sorted(m for m in ('matplotlib', 'ipywidgets') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_set_input_switches_the_input_in_one_update(explorer):
    before = explorer.render_count
    explorer.set_input(kind="poisson", rate=20.0, seed=3)
    assert explorer.render_count == before + 1
    assert explorer.stimulus == Stimulus(kind="poisson", rate=20.0, seed=3)
    assert explorer.stimulus_controls["kind"].value == "poisson"
    assert explorer.stimulus_controls["seed"].value == 3
    assert explorer.sliders["rate"].value == 20.0
    assert_line_on_trace(explorer.lines["x"], reference_trace(explorer), "x")
    explorer.set_input(kind="probe", probe_delay=0.2, n_spikes=4)
    spikes = explorer.trace.spike_times
    assert len(spikes) == 5 and float(spikes[-1] - spikes[-2]) == pytest.approx(0.2)
    assert explorer.stimulus_controls["probe_delay"].value == 200.0


@pytest.mark.parametrize(
    ("values", "name"),
    [
        ({"kind": "burst"}, "kind"),
        ({"rate": 0.5}, "rate"),
        ({"rate": math.inf}, "rate"),
        ({"n_spikes": 0}, "n_spikes"),
        ({"n_spikes": 201}, "n_spikes"),
        ({"probe_delay": 10.0}, "probe_delay"),
        ({"seed": -1}, "seed"),
        ({"color": "red"}, "color"),
        ({"rate": 1.0, "n_spikes": 200}, "n_spikes"),  # each fine, together too long
    ],
)
def test_bad_set_input_raises_and_changes_nothing(explorer, values, name):
    state, count = explorer.state, explorer.render_count
    controls = {k: c.value for k, c in explorer.stimulus_controls.items()}
    with pytest.raises(ValueError, match=name):
        explorer.set_input(**values)
    assert explorer.state is state and explorer.render_count == count
    assert {k: c.value for k, c in explorer.stimulus_controls.items()} == controls


def test_panels_are_chosen_by_name():
    ex = STPExplorer(backend="image", panels=("current", "state"))
    try:
        assert [p.name for p in ex.view.panels] == ["current", "state"]
        assert "ss_release" not in ex.lines and "x" in ex.lines
        assert len(ex.figure.axes) == 2
        assert_line_on_trace(ex.lines["current"], reference_trace(ex), "current")
    finally:
        ex.close()
    with pytest.raises(ValueError, match="panels"):
        STPExplorer(backend="image", panels=("state", "spectrogram"))
    with pytest.raises(ValueError, match="time panel"):
        STPExplorer(backend="image", panels=("frequency",))


def test_a_new_panel_is_one_class_and_one_entry(monkeypatch):
    from stpwidget.view import PANELS
    from stpwidget.view.panels import Panel

    class ReleasePanel(Panel):  # release per spike against time: a panel in a few lines
        name = "release"

        def __init__(self, ax):
            super().__init__(ax)
            (self.lines["release_dots"],) = ax.plot([], [], "s")

        def show(self, frame, width_px):
            self.lines["release_dots"].set_data(frame.trace.spike_times, frame.trace.release)
            return False

    monkeypatch.setitem(PANELS, "release", ReleasePanel)
    ex = STPExplorer(backend="image", panels=("state", "release"))
    try:
        ex.set_params(U=0.7)
        dots = ex.lines["release_dots"].get_ydata()
        np.testing.assert_allclose(dots, reference_trace(ex).release.numpy(), rtol=1e-12)
    finally:
        ex.close()


def test_deprecated_names_still_work_and_warn():
    with pytest.warns(DeprecationWarning, match="stimulus"):
        ex = STPExplorer(backend="image", protocol=Stimulus(rate=20.0))
    try:
        with pytest.warns(DeprecationWarning):
            assert ex.protocol.rate == 20.0
        with pytest.warns(DeprecationWarning):
            assert ex.protocol_controls is ex.stimulus_controls
    finally:
        ex.close()


def test_no_explorer_module_reads_private_ipywidgets_state():
    from pathlib import Path

    import stpwidget

    root = Path(stpwidget.__file__).parent
    sources = {str(p): p.read_text() for p in root.rglob("*.py")}
    assert not [name for name, src in sources.items() if "_property_lock" in src]


# Here, not in test_explorer_ipympl.py: the Colab-like leg (no ipympl) must run it.
def test_auto_picks_the_image_path_elsewhere():
    assert "ipympl" not in matplotlib.get_backend()
    explorer = STPExplorer()
    try:
        assert type(explorer.renderer).__name__ == "ImageRenderer"
        assert plt.get_fignums() == []
    finally:
        explorer.close()


def test_membrane_panel_line_is_the_membrane_function():
    from stpwidget import lif_response, postsynaptic_potential

    ex = STPExplorer(backend="image", panels=("state", "current", "membrane", "frequency"))
    try:
        ex.membrane_controls.tau_m.value = 50.0  # ms on the slider
        assert ex.state.tau_m == pytest.approx(0.05)
        v = postsynaptic_potential(reference_trace(ex), 0.05).numpy()
        t_line, v_line = (np.asarray(a) for a in ex.lines["v"].get_data())
        k = np.searchsorted(reference_trace(ex).t.numpy(), t_line)
        np.testing.assert_allclose(v_line, v[k], rtol=0, atol=1e-12)
        assert len(t_line) > 100
        assert not ex.lines["output_spikes"].get_visible()
        ex.membrane_controls.lif.value = True
        ex.membrane_controls.threshold.value = 0.05
        lif = lif_response(reference_trace(ex), 0.05, 0.05)
        expected = lif.spike_times.numpy()
        assert len(expected) > 0
        np.testing.assert_array_equal(ex.lines["output_spikes"].get_xdata(), expected)
        # With the LIF on, the line is the neuron's potential, reset after each spike.
        t_line, v_line = (np.asarray(a) for a in ex.lines["v"].get_data())
        k = np.searchsorted(reference_trace(ex).t.numpy(), t_line)
        np.testing.assert_allclose(v_line, lif.v.numpy()[k], rtol=0, atol=1e-12)
        assert v_line.max() < v.max()  # the reset keeps it below the free potential's peak
        assert ex.lines["threshold"].get_ydata()[0] == 0.05
    finally:
        ex.close()


def test_membrane_controls_hidden_without_the_panel(explorer):
    assert explorer.membrane_controls.widget.layout.display == "none"
    assert "v" not in explorer.lines and explorer.frame.v is None


def test_rate_step_input_shows_the_step_train(explorer):
    explorer.set_input(kind="step", rate=10.0, rate_after=40.0)
    spikes = explorer.trace.spike_times.numpy()
    gaps = np.diff(spikes)
    assert gaps[0] == pytest.approx(0.1) and gaps[-1] == pytest.approx(0.025)
    assert spikes[0] == pytest.approx(0.1) and np.any(np.isclose(spikes, 0.8))
    assert explorer.stimulus_controls["rate_after"].layout.display is None
    assert explorer.stimulus_controls["n_spikes"].layout.display == "none"
    explorer.stimulus_controls["rate_after"].value = 20.0
    assert explorer.stimulus.rate_after == 20.0
    assert_line_on_trace(explorer.lines["x"], reference_trace(explorer), "x")
    namespace = {}
    exec(explorer.code_text().replace("plot_trace(trace)\n", ""), namespace)
    torch.testing.assert_close(namespace["trace"].x, explorer.trace.x, rtol=0, atol=0)


def test_load_recordings_adds_the_data_panel_and_scores_the_model(explorer, tmp_path):
    from stpwidget import Recording, regular_train, write_recordings

    p = PRESETS["depressing"]
    spikes = regular_train(20.0, 6, start=0.05)
    exact = p.A * simulate(p, spikes, 0.5).release
    recs = [
        Recording(spikes, exact, label="exact"),
        Recording(spikes, exact * 1.1, label="10 % up", sd=np.full(6, 0.02)),
    ]
    path = tmp_path / "data.csv"
    write_recordings(recs, path)
    explorer.load_recordings(path)
    assert [panel.name for panel in explorer.view.panels][-1] == "data"
    assert explorer.stimulus.kind == "recorded"
    torch.testing.assert_close(explorer.trace.spike_times, spikes, rtol=0, atol=1e-15)
    # By hand: the first recording fits exactly; the second is off by 10 % at sd 0.02.
    sse = float(((0.1 * exact / 0.02) ** 2).sum())
    assert explorer.frame.data.sse == pytest.approx(sse, rel=1e-9)
    shown = f'<b class="stp-sse">{sse:.4g}</b>'
    assert shown in explorer.data_controls.quality.value
    np.testing.assert_allclose(explorer.lines["data0_points"].get_ydata(), exact.numpy())
    np.testing.assert_allclose(explorer.lines["data1_model"].get_ydata(), exact.numpy())
    explorer.data_controls.selector.value = 1
    explorer.set_params(U=0.5)  # the model changes, the data stay
    np.testing.assert_allclose(explorer.lines["data1_points"].get_ydata(), 1.1 * exact.numpy())


def test_bad_recordings_file_names_row_and_column(explorer, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("label,t_s,amplitude\na,0.1,1.0\na,0.2,x\n")
    state = explorer.state
    with pytest.raises(ValueError, match=r"row 3.*amplitude|amplitude.*row 3"):
        explorer.load_recordings(path)
    assert explorer.state is state and [p.name for p in explorer.view.panels][-1] == "frequency"


def test_readme_explorer_example_runs(monkeypatch):
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    text = (root / "README.md").read_text()
    block = next(b for b in re.findall(r"```python\n(.*?)```", text, re.S) if "set_input" in b)
    monkeypatch.chdir(root)
    namespace = {"STPExplorer": lambda **kw: STPExplorer(backend="image", **kw)}
    exec(block.replace('save_figure("fig.png")', "to_csv()"), namespace)
    ex = namespace["explorer"]
    try:
        assert ex.stimulus.kind == "recorded" and ex.frame.data is not None
        assert ex.params.tau_d == 0.2 and "v" in ex.lines
    finally:
        ex.close()


def test_presentation_scale_enlarges_the_readouts_too():
    ex = STPExplorer(backend="image", scale=1.5)
    try:
        assert 'class="stp-readouts" style="font-size:1.58em"' in ex.readouts.value  # 1.05 x 1.5
        assert ex.renderer.style.scale == 1.5
    finally:
        ex.close()


def test_save_page_writes_the_explorer_as_it_is_now(tmp_path):
    import json
    import re

    ex = STPExplorer(backend="image", scale=1.5, panels=("state", "current", "membrane"))
    try:
        ex.set_params(U=0.3, tau_d=0.4)
        ex.set_input(kind="poisson", rate=20.0, seed=7)
        path = ex.save_page(tmp_path / "class.html", controls=["U", "rate"])
        html = path.read_text()
        config = json.loads(
            re.search(
                r'<script type="application/json" id="stp-config">(.*?)</script>', html, re.S
            ).group(1)
        )
        values = config["state"]
        assert (values["U"], values["tau_d"], values["kind"], values["rate"]) == (
            0.3,
            0.4,
            "poisson",
            20.0,
        )
        assert values["seed"] == 7 and values["scale"] == 1.5
        assert config["controls"] == ["U", "rate"] and config["options"]["membrane"] is True
        assert not re.search(r'(src|href)="https?://', html)  # nothing loaded from a network
        with pytest.raises(ValueError, match="controls"):
            ex.save_page(tmp_path / "bad.html", controls=["colour"])
        assert not (tmp_path / "bad.html").exists()
    finally:
        ex.close()


def test_the_figure_has_a_text_alternative_that_follows_the_synapse():
    ex = STPExplorer(backend="image")
    try:
        said = ex.description.summary
        assert said.startswith("depressing") or "depressing" in said
        assert "nan" not in said.lower()
        ex.apply_preset("facilitating")
        assert ex.description.summary != said and "facilitating" in ex.description.summary
        assert ex.figure_text.value == ""  # typeset only while open
        ex.figure_table.selected_index = 0
        table = ex.figure_text.value
        assert "<table" in table and ex.description.summary.split(":")[0] in table
        rows = re.findall(r"<tr><td>", table)
        assert len(rows) == len(ex.trace.spike_times)  # one row per spike
    finally:
        ex.close()


def test_a_new_presentation_scale_lays_the_figure_out_again():
    ex = STPExplorer(backend="image")
    try:
        ex.renderer.set_style(scale=1.5)
        assert ex.view.scale == 1.5
        assert 'style="font-size:1.58em"' in ex.readouts.value  # 1.05 x 1.5
    finally:
        ex.close()


def test_copy_as_code_reproduces_the_membrane_and_the_lif_neuron():
    ex = STPExplorer(backend="image", panels=("state", "current", "membrane"))
    try:
        ex.membrane_controls.tau_m.value = 50.0  # ms on the slider
        ex.membrane_controls.lif.value = True
        ex.membrane_controls.threshold.value = 0.05
        code = ex.code_text()
        assert "tau_m=0.05" in code and "threshold=0.05" in code
        namespace = {}
        exec(code.replace("plot_trace(trace)\n", ""), namespace)
        torch.testing.assert_close(namespace["v"], ex.frame.v, rtol=0, atol=0)
        torch.testing.assert_close(namespace["out"], ex.frame.output_spikes, rtol=0, atol=0)
        ex.membrane_controls.lif.value = False
        namespace = {}
        exec(ex.code_text().replace("plot_trace(trace)\n", ""), namespace)
        torch.testing.assert_close(namespace["v"], ex.frame.v, rtol=0, atol=0)
    finally:
        ex.close()


def test_with_recorded_input_the_frequency_panel_marks_no_input_rate(explorer):
    from stpwidget import Recording

    assert len(explorer.lines["rate_marker"].get_xdata()) == 1
    explorer.load_recordings(Recording([0.1, 0.15, 0.4], [1.0, 0.8, 0.9], label="mine"))
    assert len(explorer.lines["rate_marker"].get_xdata()) == 0  # the slider's rate: not shown


def test_the_data_panel_draws_every_recording_the_state_allows(explorer):
    from stpwidget.examples import example_recordings
    from stpwidget.state import MAX_RECORDINGS

    recs = (example_recordings() * 3)[:MAX_RECORDINGS]
    explorer.load_recordings(recs)
    colours = {explorer.lines[f"data{k}_points"].get_color() for k in range(MAX_RECORDINGS)}
    assert len(colours) == MAX_RECORDINGS  # each its own colour (and marker)
    state = explorer.state
    with pytest.raises(ValueError, match=f"at most {MAX_RECORDINGS} recordings"):
        explorer.load_recordings((example_recordings() * 3)[: MAX_RECORDINGS + 1])
    assert explorer.state is state
