"""The self-contained explorer page in a real Chromium: opened from file:// with every
network request blocked, driven by keyboard, mouse and touch, checked against the kernel.
"""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import numpy as np
import pytest
import torch

from stpwidget import Recording, Stimulus, lif_response, simulate
from stpwidget.page.page import MAX_BYTES, save_page
from stpwidget.params import TMParameters
from stpwidget.response import readout_values
from stpwidget.state import ExplorerState, data_fit
from tools.browser import browserkit as bk
from tools.browser.axe import AXE_TAGS, axe_source

pytestmark = pytest.mark.browser
RTOL = 1e-9


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """Three pages: the default, a worksheet (U and rate only), membrane + LIF + data."""
    folder = tmp_path_factory.mktemp("pages")
    recs = (
        Recording([0.1, 0.15, 0.2, 0.25, 0.3], [0.5, 0.3, 0.25, 0.2, 0.2], label="cell 1"),
        Recording([0.1, 0.2, 0.3], [[0.4, 0.3, 0.2], [0.5, 0.35, 0.3]], sd=[0.05, 0.05, 0.1]),
    )
    rich = dataclasses.replace(
        ExplorerState.from_preset("depressing").with_recordings(recs), lif=True, threshold=0.12
    )
    return {
        "default": save_page(ExplorerState.from_preset("depressing"), folder / "default.html"),
        "worksheet": save_page(
            ExplorerState.from_preset("facilitating"), folder / "sheet.html", ("U", "rate")
        ),
        "rich": save_page(
            rich,
            folder / "rich.html",
            panels=("state", "current", "membrane", "frequency", "data"),
        ),
    }


class Watched:
    """A page with its console errors and any request that left file:// recorded."""

    def __init__(self, context):
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page = context.new_page()
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def open(self, path: Path, fragment: str = "") -> Watched:
        self.page.goto(path.as_uri() + fragment)
        self.page.wait_for_function("() => window.stpwidget && window.stpwidget.drawn() > 0")
        return self

    def api(self, expr: str, arg=None):
        return self.page.evaluate(f"(arg) => window.stpwidget.{expr}", arg)

    def drawn(self) -> int:
        return int(self.api("drawn()"))

    def wait_draw(self, before: int) -> None:
        self.page.wait_for_function(f"() => window.stpwidget.drawn() > {before}")


def _block_network(context, requests: list[str]) -> None:
    def route(r):
        if r.request.url.startswith("file:"):
            r.continue_()
        else:
            requests.append(r.request.url)
            r.abort()

    context.route("**/*", route)


@pytest.fixture(scope="module")
def browser():
    ok, why = bk.browser_available()
    if not ok:
        pytest.skip(why)
    with bk.chromium(width=1280, height=1000) as (browser, context):
        yield browser, context


@pytest.fixture
def context(browser):
    _, context = browser
    requests: list[str] = []
    _block_network(context, requests)
    yield context
    context.unroute("**/*")
    assert not requests, f"the page asked the network for {requests}"


def params_of(state: dict) -> TMParameters:
    return TMParameters(**{k: state[k] for k in ("tau_f", "tau_d", "tau_s", "U", "A")})


def stimulus_of(state: dict, **extra) -> Stimulus:
    keys = ("kind", "rate", "n_spikes", "start", "probe_delay", "seed", "rate_after", "switch")
    return Stimulus(**{k: state[k] for k in keys}, **extra)


def assert_close(got, want, name: str) -> None:
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    assert got.shape == want.shape, name
    np.testing.assert_allclose(got, want, rtol=RTOL, atol=1e-12, err_msg=name)


def check_exact(w: Watched) -> None:
    """The page's trace and readouts equal the Python kernel for the page's own spikes."""
    state = w.api("get()")
    params = params_of(state)
    stim = stimulus_of(state)
    spikes = torch.tensor(w.api("spikes()"), dtype=torch.float64)
    if stim.kind != "poisson":
        assert_close(spikes, stim.spikes(), "spike times")
    trace = simulate(params, spikes, stim.duration, dt=1e-4)
    got = w.api("trace()")
    for field in ("t", "x", "u", "current"):
        assert_close(got[field], getattr(trace, field), field)
    readouts = w.api("readouts()")
    for key, want in readout_values(params, stim).items():
        assert math.isclose(readouts[key], want, rel_tol=RTOL), key


def test_opens_offline_small_and_exact(context, pages):
    for path in pages.values():
        assert path.stat().st_size <= MAX_BYTES
    w = Watched(context).open(pages["default"])
    state = w.api("get()")
    assert state["preset"] == "depressing" and state["tau_d"] == 0.75
    check_exact(w)
    assert w.page.url.endswith(
        "#preset=depressing&tau_f=0.05&tau_d=0.75&tau_s=0.02&U=0.45&kind=regular&rate=10&n_spikes=9"
    )
    assert w.errors == []


def test_readouts_read_as_the_notebooks(context, pages):
    """The readout line is the notebook's (explorer/text.py), word for word, for each input."""
    import html
    import re

    from stpwidget.explorer.text import readout_html
    from stpwidget.state import compute

    w = Watched(context).open(pages["rich"])
    for values in ({}, {"kind": "poisson", "rate": 23.5, "tau_d": 0.3}, {"tau_d": 0.002}):
        if values:
            w.api("set(arg)", values)
            w.api("redraw()")
        state = w.api("get()")
        times = (0.1, 0.15, 0.2, 0.25, 0.3) if state["kind"] == "recorded" else ()
        explorer_state = ExplorerState(params_of(state), stimulus_of(state, times=times))
        want = readout_html(compute(explorer_state))
        text = html.unescape(re.sub(r"<[^>]+>", "", want)).replace("\xa0", " ")
        got = w.page.inner_text(".stp-readouts").replace("\xa0", " ")
        got = got.split("model against the recordings")[0].rstrip(" ·")  # the page adds SSE, R²
        assert " ".join(got.split()) == " ".join(text.split())


def test_keyboard_moves_a_slider_and_the_fragment(context, pages):
    w = Watched(context).open(pages["default"])
    before = w.drawn()
    w.page.focus("input.stp-tau_d")
    w.page.keyboard.press("ArrowRight")
    w.wait_draw(before)
    state = w.api("get()")
    assert state["tau_d"] == 0.8 and state["preset"] == "custom"  # the next value of a decade
    w.page.wait_for_function("() => location.hash.includes('tau_d=0.8&')")
    assert "preset=custom" in w.page.url
    text = w.page.get_attribute("input.stp-tau_d", "aria-valuetext")
    assert text == "τ_d, depression time constant, 800 milliseconds"
    w.page.keyboard.press("End")
    assert w.api("get()")["tau_d"] == 2.0
    # Tab moves on to the next control; buttons answer Enter and Space.
    w.page.keyboard.press("Tab")
    assert w.page.evaluate("document.activeElement.dataset.key") == "tau_s"
    w.page.focus("button.stp-kind-poisson")
    w.page.keyboard.press("Enter")
    w.page.wait_for_function("() => window.stpwidget.get().kind === 'poisson'", timeout=5000)
    # Poisson shows the seed's row on the next frame: focus its button once it is shown.
    w.page.wait_for_selector("button.stp-new_draw", state="visible")
    w.page.focus("button.stp-new_draw")
    w.page.keyboard.press("Space")
    w.page.wait_for_function("() => window.stpwidget.get().seed === 1", timeout=5000)
    check_exact(w)
    assert w.errors == []


def test_mouse_kinds_new_draw_and_exact_poisson(context, pages):
    w = Watched(context).open(pages["default"])
    w.page.click("button.stp-kind-poisson")
    assert w.api("get()")["kind"] == "poisson"
    first = w.api("spikes()")
    w.page.click("button.stp-new_draw")
    assert w.api("get()")["seed"] == 1
    assert w.api("spikes()") != first
    check_exact(w)  # the page's Poisson draw, simulated by the kernel
    w.page.click("button.stp-kind-probe")
    box = w.page.locator("input.stp-U").bounding_box()
    w.page.mouse.click(box["x"] + 0.25 * box["width"], box["y"] + box["height"] / 2)
    u = w.api("get()")["U"]
    assert 0.15 < u < 0.35, u
    check_exact(w)
    assert w.page.get_attribute("button.stp-kind-probe", "aria-pressed") == "true"
    assert w.errors == []


def test_touch_on_a_phone(browser, pages):
    chromium, _ = browser
    requests: list[str] = []
    context = chromium.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=3,
        is_mobile=True,
        has_touch=True,
    )
    try:
        _block_network(context, requests)
        w = Watched(context).open(pages["default"])
        w.page.tap("button.stp-preset-facilitating")
        assert w.api("get()")["preset"] == "facilitating"
        box = w.page.locator("input.stp-rate").bounding_box()
        w.page.touchscreen.tap(box["x"] + 0.9 * box["width"], box["y"] + box["height"] / 2)
        assert w.api("get()")["rate"] > 40
        width = w.page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the page scrolls sideways on a phone ({width} px)"
        check_exact(w)
        assert w.errors == [] and requests == []
    finally:
        context.close()


def test_fragment_round_trip_and_bad_links(context, pages):
    w = Watched(context).open(pages["default"], "#tau_d=0.4&U=0.3&kind=poisson&rate=20")
    state = w.api("get()")
    assert (state["tau_d"], state["U"], state["kind"], state["rate"]) == (0.4, 0.3, "poisson", 20)
    check_exact(w)
    # The link the page writes opens the same view in a new tab.
    url = w.page.url
    again = Watched(context)
    again.page.goto(url)
    again.page.wait_for_function("() => window.stpwidget && window.stpwidget.drawn() > 0")
    assert again.api("get()") == state
    # Editing the address bar's fragment changes the view.
    before = w.drawn()
    w.page.evaluate("() => { location.hash = 'tau_f=0.2&U=0.5'; }")
    w.wait_draw(before)
    assert w.api("get()")["tau_f"] == 0.2
    # A bad link: the saved view, and a message saying what was wrong.
    bad = Watched(context).open(pages["default"], "#U=5&tau_d=0.4")
    assert bad.api("get()")["U"] == 0.45 and bad.api("get()")["tau_d"] == 0.75
    assert "U must be within" in bad.page.inner_text(".stp-message")
    assert w.errors == [] and again.errors == [] and bad.errors == []


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"U": 5}, "U must be within the explorer's slider range [0.01, 1]"),
        ({"tau_d": -1}, "tau_d must be within"),
        ({"kind": "bursts"}, "kind must be one of"),
        ({"n_spikes": 2.5}, "n_spikes must be an integer in [1, 200]"),
        ({"rate": "fast"}, "rate must be a finite number"),
        ({"bogus": 1}, "unknown setting(s)"),
        ({"U": 0.3, "seed": -1}, "seed must be an integer"),
        ({"rate": 1, "n_spikes": 200}, "the longest window is 100 s"),
        ({"scale": 4}, "scale must be in [0.5, 3]"),
    ],
)
def test_api_refuses_bad_values_and_changes_nothing(context, pages, values, message):
    w = Watched(context).open(pages["default"])
    before, url = w.api("get()"), w.page.url
    error = w.page.evaluate(
        "(v) => { try { window.stpwidget.set(v); return null; } catch (e) { return e.message; } }",
        values,
    )
    assert error is not None and message in error
    assert w.api("get()") == before and w.page.url == url
    assert message in w.page.inner_text(".stp-message")


def test_worksheet_offers_only_its_controls(context, pages):
    w = Watched(context).open(pages["worksheet"])
    keys = w.page.eval_on_selector_all("input[type=range]", "els => els.map(e => e.dataset.key)")
    assert keys == ["U", "rate"]
    assert w.page.locator("button.stp-preset-facilitating").count() == 0
    assert w.page.locator("button.stp-kind-poisson").count() == 0
    w.api("set(arg)", {"tau_d": 0.3})  # a lecturer's link may still set the others
    assert w.api("get()")["tau_d"] == 0.3
    check_exact(w)
    assert w.errors == []


def test_membrane_lif_and_recordings_are_exact(context, pages):
    w = Watched(context).open(pages["rich"])
    assert w.api("get()")["kind"] == "recorded"  # with_recordings shows the first one's train
    assert w.api("spikes()") == [0.1, 0.15, 0.2, 0.25, 0.3]
    recorded = w.api("readouts()")
    stim = stimulus_of(w.api("get()"), times=(0.1, 0.15, 0.2, 0.25, 0.3))
    for key, want in readout_values(params_of(w.api("get()")), stim).items():
        assert math.isclose(recorded[key], want, rel_tol=RTOL), key
    w.page.click("button.stp-kind-regular")
    state = w.api("get()")
    stim = stimulus_of(state)
    trace = simulate(params_of(state), stim.spikes(), stim.duration, dt=1e-4)
    lif = lif_response(trace, state["tau_m"], state["threshold"])
    got = w.api("trace()")
    assert_close(got["v"], lif.v, "LIF V")
    assert_close(w.api("outputSpikes()"), lif.spike_times, "LIF spikes")
    assert len(w.api("outputSpikes()")) >= 1
    recs = (
        Recording([0.1, 0.15, 0.2, 0.25, 0.3], [0.5, 0.3, 0.25, 0.2, 0.2], label="cell 1"),
        Recording([0.1, 0.2, 0.3], [[0.4, 0.3, 0.2], [0.5, 0.35, 0.3]], sd=[0.05, 0.05, 0.1]),
    )
    fit = data_fit(params_of(state), recs)
    data = w.api("data()")
    assert math.isclose(data["sse"], fit.sse, rel_tol=RTOL)
    assert math.isclose(data["r2"], fit.r2, rel_tol=RTOL)
    assert f"{fit.r2:.3f}" in w.page.inner_text(".stp-readouts")
    assert w.errors == []


def test_accessible_names_values_and_text_alternative(context, pages):
    w = Watched(context).open(pages["rich"])
    sliders = w.page.eval_on_selector_all(
        "input[type=range]",
        """els => els.map(e => ({key: e.dataset.key, text: e.getAttribute('aria-valuetext'),
            label: e.labels.length ? e.labels[0].textContent : null}))""",
    )
    assert len(sliders) == 10  # 5 synapse and input, 3 for the kinds, τ_m and threshold
    for s in sliders:
        assert s["label"], s
        assert s["text"] and any(ch.isdigit() for ch in s["text"]), s
    assert w.page.get_attribute(".stp-message", "aria-live") == "polite"
    figure = w.page.locator("canvas.stp-figure")
    assert figure.get_attribute("role") == "img"
    described = w.page.inner_text(f"#{figure.get_attribute('aria-describedby')}")
    assert "τ_d 750 ms" in described and "0.450" in described
    before = w.drawn()
    w.api("set(arg)", {"U": 0.2})
    w.wait_draw(before)
    assert "U 0.2" in w.page.inner_text(f"#{figure.get_attribute('aria-describedby')}")
    # Tab reaches the controls, and the focused one is outlined.
    w.page.focus("input.stp-U")
    outline = w.page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"


def test_copy_link_and_presentation_scale(context, pages):
    w = Watched(context).open(pages["default"])
    w.page.select_option("select.stp-scale", "1.5")
    assert w.api("get()")["scale"] == 1.5
    w.page.wait_for_function("() => location.hash.endsWith('&scale=1.5')")
    w.page.click("button.stp-copy-link")
    w.page.wait_for_function("() => document.querySelector('.stp-message').textContent !== ''")
    text = w.page.inner_text(".stp-message")
    link = w.page.input_value("input.stp-link")
    assert "Link copied" in text or "copy it" in text
    if "copy it" in text:  # no clipboard here: the link is shown, selected, to copy by hand
        assert link == w.page.url
    assert json.loads(json.dumps(w.api("get()")))["scale"] == 1.5
    assert w.errors == []


@pytest.fixture(scope="module")
def axe() -> str:
    """axe-core's script (tools/axe: from npm, nothing of it vendored)."""
    return axe_source()


@pytest.mark.parametrize("name", ["default", "rich"])
def test_axe_finds_no_wcag_aa_violations(context, pages, axe, name):
    w = Watched(context).open(pages[name])
    w.page.add_script_tag(content=axe)
    result = w.page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return r.violations.map(v => `${v.id}: ${v.help} (${v.nodes.length} nodes: `
                + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ') + ')');
        }""",
        AXE_TAGS,
    )
    assert result == []


def test_key_storm_and_the_longest_window(context, pages):
    """60 quick key presses, then a 100 s window (10⁶ samples): no error, the link catches up."""
    w = Watched(context).open(pages["default"])
    w.page.focus("input.stp-tau_d")
    for _ in range(60):
        w.page.keyboard.press("ArrowLeft", delay=0)
    w.page.wait_for_function(
        "() => location.hash.includes('tau_d=' + window.stpwidget.get().tau_d + '&')"
    )
    assert w.api("get()")["tau_d"] < 0.1
    before = w.drawn()
    w.api("set(arg)", {"rate": 1, "n_spikes": 90})
    w.wait_draw(before)
    every = w.page.evaluate(
        "() => { const t = window.stpwidget.trace(); return [t.t.length,"
        " t.x.filter((_, k) => k % 997 === 0), t.current.filter((_, k) => k % 997 === 0)]; }"
    )
    assert every[0] == 1_000_000 and len(w.api("spikes()")) == 90
    state = w.api("get()")
    stim = stimulus_of(state)
    trace = simulate(params_of(state), stim.spikes(), stim.duration, dt=1e-4)
    assert_close(every[1], trace.x[::997], "x, every 997th sample")
    assert_close(every[2], trace.current[::997], "current, every 997th sample")
    assert w.errors == []
