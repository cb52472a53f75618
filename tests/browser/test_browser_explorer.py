"""The explorer end to end in a real Chromium: JupyterLab (Run All), Voila and Notebook 7.

Each module-scoped ``explorer`` fixture is one page; the tests below run in order on it, as
a student would: load, move every slider with the keyboard, presets and pin, a drag storm.
JupyterLab and Voila run them all; Notebook 7 (issue 4) runs a smoke subset: load, one
slider by keyboard, one preset (and pin), no errors. On a retina screen (device scale
factor 2: ``lab@2x``, ``voila@2x``) and in JupyterLab's dark theme (``lab-dark``) a smaller
set runs: load, sharpness, one slider by keyboard, the theme, no errors; each saves a
screenshot (into ``$STPWIDGET_SCREENSHOTS`` when set).
After every step the figure's pixels must have changed and the readouts must equal what
stpwidget's kernel computes in this process for the parameters the explorer holds (and
the sliders must show those parameters, to within their step).
"""

from __future__ import annotations

import time

import pytest

from stpwidget import PRESETS
from tools.browser.explorer_page import (
    SLIDER_KEYS,
    dump,
    expected_readouts,
    readout_mismatches,
    shown_differently,
    slider_mismatches,
)

pytestmark = pytest.mark.browser

#: Server kinds that run every test, and all kinds (the smoke subset adds Notebook 7).
FULL = ("lab", "voila")
ALL = (*FULL, "notebook")
#: Retina-screen and dark-theme cases (a few tests each: see the module's docstring).
VARIANTS = ("lab@2x", "voila@2x", "lab-dark")


def on(kinds, argname: str | None = None):
    """Parametrize the module-scoped ``explorer`` fixture (indirectly) over server kinds.

    ``kinds`` is a tuple of kinds, or with ``argname`` (the test's own parameter) a dict
    mapping a kind or a tuple of kinds to the values that those kinds run (a value may be a
    ``pytest.param`` with marks).
    """
    if argname is None:
        return pytest.mark.parametrize("explorer", kinds, indirect=True, scope="module")
    rows = [
        pytest.param(kind, *getattr(value, "values", (value,)), marks=getattr(value, "marks", ()))
        for group, values in kinds.items()
        for kind in ((group,) if isinstance(group, str) else group)
        for value in values
    ]
    return pytest.mark.parametrize(
        ("explorer", argname), rows, indirect=["explorer"], scope="module"
    )


#: Notebook 7 handles its keyboard shortcuts in the capture phase (JupyterLab while bubbling,
#: after the widget), so without help ArrowLeft/Right on a focused slider handle run a
#: command-mode shortcut and move the active cell. The explorer's front-end probe marks a
#: slider with ``data-lm-suppress-shortcuts`` for the keys a slider takes, just before
#: Notebook 7 sees them (``stpwidget/render/probe.py``); these tests keep it working.

#: Key presses per slider: enough that the change shows in the readouts' digits.
PRESSES = {"tau_f": 12, "tau_d": 8, "tau_s": 8, "U": 3, "rate": 8}
PRESET_SLIDERS = {
    name: {"tau_f": p.tau_f * 1e3, "tau_d": p.tau_d * 1e3, "tau_s": p.tau_s * 1e3, "U": p.U}
    for name, p in ((n, PRESETS[n]) for n in ("facilitating", "depressing"))
}


def assert_consistent(app, context: str) -> dict:
    """Sliders show the plotted parameters, readouts equal this process's kernel for them."""
    state = app.state()
    shown = app.readouts()
    off = slider_mismatches(state)
    assert not off, f"{context}: the sliders do not show the plotted parameters: {off}"
    bad = readout_mismatches(shown, expected_readouts(state["values"]))
    assert not bad, f"{context}: readouts disagree with the kernel: {bad} ({dump(state['values'])})"
    assert not app.message(), f"{context}: the explorer shows an error: {app.message()}"
    assert not app.watch.tracebacks, f"{context}: traceback from the kernel: {app.watch.tracebacks}"
    return state


def close_to(values: dict, target: dict, rel: float = 1e-9) -> bool:
    return all(abs(values[k] - v) <= rel * abs(v) for k, v in target.items())


@on((*ALL, *VARIANTS))
def test_loads_with_depressing_preset(explorer):
    state = assert_consistent(explorer, "after load")
    assert explorer.figure_hash() is not None, "the figure shows no pixels"
    assert explorer.active_preset() == "depressing", (
        f"01_explorer starts on the depressing preset, the page shows {explorer.active_preset()!r}"
        f" (kernel: preset={state['preset']!r}, sliders={dump(state['values'])})"
    )
    assert close_to(state["values"], PRESET_SLIDERS["depressing"]), (
        "loading the page moved the sliders off the preset's values: "
        f"{dump(state['values'])} vs {dump(PRESET_SLIDERS['depressing'])}"
    )


@on({FULL: SLIDER_KEYS, ("notebook", *VARIANTS): ["tau_d"]}, "key")
def test_keyboard_moves_every_slider(explorer, key):
    before_figure = explorer.settle()
    before_state = explorer.state()
    before_shown = explorer.readouts()
    explorer.press(key, "ArrowRight", PRESSES[key])
    after_figure = explorer.settle()
    state = assert_consistent(explorer, f"after ArrowRight x{PRESSES[key]} on {key}")
    assert state["values"][key] > before_state["values"][key], (
        f"{key} did not move: {before_state['values'][key]} -> {state['values'][key]}"
    )
    others = {k: v for k, v in state["values"].items() if k != key}
    assert close_to(others, {k: before_state["values"][k] for k in others}), "other sliders moved"
    assert after_figure != before_figure, f"moving {key} did not change the figure's pixels"
    # Every readout that depends on this slider (at the digits shown) changed on the page.
    old, new = expected_readouts(before_state["values"]), expected_readouts(state["values"])
    for name, text in before_shown.items():
        if shown_differently(old[name], new[name], text):
            assert explorer.readouts()[name] != text, f"{name} readout did not change"


@on(
    {
        FULL: ["facilitating", "depressing", "custom"],
        # The preset click works; the pin step then moves tau_d with ArrowLeft.
        "notebook": ["facilitating"],
    },
    "name",
)
def test_presets_and_pin(explorer, name):
    before_figure = explorer.settle()
    before = explorer.state()
    explorer.click_preset(name)
    after_figure = explorer.settle()
    state = assert_consistent(explorer, f"after clicking {name}")
    assert explorer.active_preset() == name
    if name == "custom":
        # "custom" keeps the current values: nothing to redraw.
        assert state["values"] == before["values"]
        assert after_figure == before_figure
    else:
        assert close_to(state["values"], PRESET_SLIDERS[name]), (
            f"{name}: sliders {dump(state['values'])} are not the preset's values"
        )
        assert state["preset"] == name
        assert after_figure != before_figure, f"clicking {name} did not change the figure"
    # Pin the current traces: a ghost appears once a parameter moves.
    explorer.click_pin()
    pinned_figure = explorer.settle()
    assert explorer.state()["pin"] is True
    explorer.press("tau_d", "ArrowLeft", 10)
    moved_figure = explorer.settle()
    assert_consistent(explorer, f"after pin and tau_d ArrowLeft on {name}")
    assert moved_figure != pinned_figure
    explorer.click_pin()  # unpin: the ghost goes away
    unpinned_figure = explorer.settle()
    assert explorer.state()["pin"] is False
    assert unpinned_figure != moved_figure, "unpinning did not remove the ghost"


@on(FULL)
def test_drag_storm_leaves_no_backlog(explorer):
    from stpwidget.model import simulate
    from stpwidget.params import TMParameters
    from stpwidget.stimulus import Stimulus
    from stpwidget.view import decimate

    explorer.settle()
    before = explorer.state()
    hi = before["slider_max"]["tau_d"]
    final = dict(before["values"], tau_d=hi)
    expected = expected_readouts(final)
    statuses_before = len(explorer.watch.status)

    released = explorer.drag_slider_end_to_end("tau_d")
    deadline = released + 1.0
    while True:
        ok = not readout_mismatches(explorer.readouts(), expected) and explorer.kernel_idle()
        if ok or time.monotonic() > deadline:
            break
        explorer.page.wait_for_timeout(20)
    waited = time.monotonic() - released
    figure_at_1s = explorer.figure_hash()
    assert len(explorer.watch.status) > statuses_before + 10, "the drag sent few updates"
    assert not readout_mismatches(explorer.readouts(), expected), (
        f"1 s after the release the readouts are not the final value's: "
        f"{readout_mismatches(explorer.readouts(), expected)}"
    )
    assert explorer.kernel_idle(), f"kernel still busy 1 s after the release: {waited:.2f} s"
    # No backlog: nothing else arrives afterwards.
    final_figure = explorer.settle(quiet=0.5)
    assert final_figure == figure_at_1s, "the figure kept changing more than 1 s after release"

    state = assert_consistent(explorer, "after the drag storm")
    assert abs(state["values"]["tau_d"] - hi) <= 1e-9 * hi, state["values"]
    # The x trace the kernel drew is the exact trace of the final value (computed here).
    params = TMParameters(
        **{k: state["values"][k] / 1e3 for k in ("tau_f", "tau_d", "tau_s")},
        U=state["values"]["U"],
    )
    protocol = Stimulus(**state["protocol"])
    trace = simulate(params, protocol.spikes(), protocol.duration, dt=state["dt"])
    t, x = decimate(trace, "x", state["width_px"])
    shown_t, shown_x = state["x_line"]
    assert len(shown_t) == len(t)
    assert max(abs(a - b) for a, b in zip(shown_x, x.tolist())) < 1e-9
    # And the pixels are those of the final value: leave it by keyboard, come back with End.
    explorer.press("tau_d", "ArrowLeft")
    one_press = explorer.settle()
    explorer.press("tau_d", "ArrowLeft")
    assert explorer.settle() != final_figure
    explorer.press("tau_d", "End")
    assert explorer.settle() == final_figure, "the figure after the storm is not the final value's"
    assert explorer.state()["x_line"] == state["x_line"]
    # A student's key press at the slider's end must do something.
    assert one_press != final_figure, "ArrowLeft at the end of tau_d changed nothing"


@on(("lab", "notebook", *VARIANTS))
def test_figure_is_as_sharp_as_the_screen(explorer):
    """Every raster layer of the figure has a device pixel per device pixel shown (>= 0.95).

    Measured from the page: a layer's pixel size (an image's natural size, a canvas'
    size) against its CSS box times ``devicePixelRatio``.
    """
    explorer.settle(quiet=0.5)
    layers = explorer.sharpness()
    assert layers, "the figure has no raster layer"
    expected_ratio = 2.0 if "@2x" in explorer.case else 1.0
    for layer in layers:
        assert layer["ratio"] == expected_ratio, layer
        assert layer["density"] >= 0.95, f"blurred: {layer}"
        assert layer["density"] <= 1.6, f"drawn far finer than shown (wasted work): {layer}"
    explorer.screenshot("loaded")


@on(("lab-dark",))
def test_dark_theme_figure_follows_the_page(explorer):
    """In JupyterLab's dark theme the figure's background is the page's, its text light."""
    explorer.settle(quiet=0.5)
    colors = explorer.page.evaluate(
        r"""() => {
          const box = document.querySelector('.stp-figure');
          let el = box, bg = null;
          while (el && !bg) {
            const c = getComputedStyle(el).backgroundColor;
            if (c && c !== 'transparent' && !/rgba\(.*,\s*0\)$/.test(c)) bg = c;
            el = el.parentElement;
          }
          const px = window.__stp.pixels(window.__stp.layers('.stp-figure'));
          const light = document.body.dataset.jpThemeLight;
          return {bg, corner: Array.from(px.slice(0, 4)), light};
        }"""
    )
    assert colors["light"] == "false", f"the page is not in a dark theme: {colors}"
    page_bg = [int(v) for v in colors["bg"][colors["bg"].index("(") + 1 : -1].split(",")[:3]]
    corner = colors["corner"][:3]
    assert max(abs(a - b) for a, b in zip(page_bg, corner)) <= 2, (
        f"the figure's background {corner} is not the page's {page_bg}"
    )
    assert explorer.probe.eval("", "_stp_json.dumps(_stp_ex[0].renderer.theme.dark)") is True
    explorer.screenshot("dark")


@on((*ALL, *VARIANTS))
def test_no_console_errors_or_tracebacks(explorer):
    explorer.settle()
    assert not explorer.watch.console_errors, explorer.watch.console_errors
    assert not explorer.watch.tracebacks, explorer.watch.tracebacks
    assert not explorer.output_tracebacks(), explorer.output_tracebacks()
