"""Accessibility of the explorer in a real Chromium: axe-core, names and values, keyboard, layout.

The explorer (with the membrane panel, the mystery rig and the example data loaded, so that
every section shows) runs in Voila, JupyterLab and Notebook 7, light and dark. In each:

- axe-core (the standard accessibility engine, from npm: ``tools/axe``), run on the
  explorer's root with the WCAG 2.0, 2.1 and 2.2 A and AA rules, finds no violation;
- every slider has a name and says its value in words with its unit, equal to the value
  the kernel holds ("750 milliseconds", not the slider's index "69");
- the message area is a live region and the figure's image has a text alternative;
- Tab reaches every control of the explorer once, in the page's order, each with a
  visible focus ring, and leaves the explorer at its end (no trap).

The standalone page (:mod:`stpwidget.page`) gets the same axe-core run, light and dark.

In Voila the page's element rectangles are measured at 1000, 1400, 1920 and 2560 px of
screen at a scale of 1 and 1.5 (a 150 % screen shows 1000 px as 667 CSS px): no control
covers another and no label or button is cut.

axe-core is installed with npm into ``tools/axe/node_modules`` on the first run (``npm ci``,
from its lock file); without npm these tests are skipped, or fail under
``STPWIDGET_REQUIRE_BROWSER=1``.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tools.browser import browserkit as bk
from tools.browser.axe import AXE_TAGS, axe_source
from tools.browser.explorer_page import ExplorerPage

pytestmark = pytest.mark.browser

#: The explorer the tests open: every section shown (the example data load in the page).
CODE = (
    "from stpwidget import STPExplorer\n"
    "STPExplorer(panels=('state', 'current', 'frequency', 'membrane'),"
    " mystery=('BIO101', 'Ada'))"
)
#: Server kind, then the theme (``-dark``) or the ipympl canvas (``-ipympl``) where not plain.
CASES = ("voila", "voila-dark", "lab", "lab-dark", "notebook", "notebook-dark", "lab-ipympl")
#: Screens of the layout test (px) and their scales (device pixels per CSS pixel).
SCREENS = (1000, 1400, 1920, 2560)
SCALES = (1.0, 1.5)
#: Units in words that sliders' values end with (the probe writes them from the classes).
UNITS = {"tau_f": "milliseconds", "tau_d": "milliseconds", "tau_s": "milliseconds", "rate": "hertz"}


def write_notebook(folder: Path, name: str, code: str) -> Path:
    """A notebook of one code cell."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(code)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nbformat.write(nb, folder / name)
    return folder / name


@pytest.fixture(scope="module")
def notebook(tmp_path_factory) -> Path:
    """A notebook of one explorer with every section (the figure as images)."""
    return write_notebook(tmp_path_factory.mktemp("a11y"), "a11y.ipynb", CODE)


def open_explorer(server: bk.Server, context, notebook: Path) -> ExplorerPage:
    """Open the explorer, load the example data (every section shows), let it settle."""
    app = ExplorerPage(server.kind, server, context.new_page())
    app.load(notebook.name)
    app.page.locator(".stp-explorer .stp-example").click()
    app.page.wait_for_selector(".stp-explorer .stp-recording", state="visible")
    app.settle()
    return app


@pytest.fixture(scope="module", params=CASES)
def page(request, browser_context, notebook):
    """The explorer in one case of :data:`CASES`."""
    kind, _, variant = request.param.partition("-")
    _, context = browser_context
    if variant == "ipympl":
        code = "%matplotlib widget\n" + CODE
        notebook = write_notebook(notebook.parent, "a11y_ipympl.ipynb", code)
    theme = "dark" if variant == "dark" else "light"
    with bk.jupyter_server(
        kind, {notebook.name: notebook}, voila_notebook=notebook.name, theme=theme
    ) as server:
        app = open_explorer(server, context, notebook)
        app.case = request.param
        try:
            yield app
        finally:
            app.close()


def axe_violations(page) -> list[dict]:
    """axe-core's violations inside the explorer (rule, impact, the first elements)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(content=axe_source())
    return page.evaluate(
        """async tags => {
          const r = await axe.run(document.querySelector('.stp-explorer'),
                                  {runOnly: {type: 'tag', values: tags}});
          return r.violations.map(v => ({rule: v.id, impact: v.impact, count: v.nodes.length,
            where: v.nodes.slice(0, 4).map(n => n.target.join(' ') + ': '
                                                 + n.failureSummary.slice(0, 240))}));
        }""",
        AXE_TAGS,
    )


def sliders(page) -> dict[str, dict]:
    """Each slider of the explorer by its ``stp-`` class: name, value text, shown or not."""
    return page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll(
             '.stp-explorer .widget-slider, .stp-explorer .widget-hslider')].map(s => {
               const key = [...s.classList].find(c => c.startsWith('stp-')
                                                      && !c.startsWith('stp-unit-'));
               const h = s.querySelector('[role=slider]');
               return [key, {name: h.getAttribute('aria-label'),
                             text: h.getAttribute('aria-valuetext'),
                             tip: s.querySelector('.widget-label').getAttribute('title'),
                             shown: h.getClientRects().length > 0}];
             }))"""
    )


def test_frontend_carries_the_figure_text_for_the_page():
    from stpwidget.render import Frontend

    frontend = Frontend(lambda ratio, theme: None)
    try:
        frontend.describe('Release falls: 0.45 then 0.30 & "less"')
        assert frontend.alt.value == (
            '<span data-alt="Release falls: 0.45 then 0.30 &amp; &quot;less&quot;"></span>'
        )
        with pytest.raises(ValueError, match="text"):
            frontend.describe("  ")
        with pytest.raises(TypeError, match="text"):
            frontend.describe(None)  # type: ignore[arg-type]
        assert frontend.alt.value.startswith('<span data-alt="Release falls')  # unchanged
    finally:
        frontend.close()


def test_axe_finds_no_violation(page):
    violations = axe_violations(page.page)
    assert violations == [], f"{page.case}: {json.dumps(violations, indent=1)}"


def test_sliders_say_name_and_value_with_unit(page):
    state = page.state()
    found = sliders(page.page)
    for key, unit in UNITS.items():
        entry = found[f"stp-{key}"]
        assert entry["name"] and entry["name"] == entry["tip"], f"{key}: {entry}"
        assert entry["text"] == f"{state['values'][key]:g} {unit}", f"{key}: {entry}"
    assert found["stp-U"]["text"] == f"{state['values']['U']:.3f}"  # a fraction: no unit
    for key, entry in found.items():
        assert entry["name"] and entry["text"], f"{key} has no name or value text: {entry}"
        number = entry["text"].split()[0]
        float(number)  # a number the student reads, not "0.15000000000000002"
        assert len(number) <= 6, f"{key}: {entry['text']!r}"


def test_a_key_press_is_said_in_words(page):
    before = page.state()["values"]["tau_d"]
    page.press("tau_d", "ArrowRight")
    page.settle()
    after = page.state()["values"]["tau_d"]
    assert after > before
    text = page.page.get_attribute(".stp-tau_d [role=slider]", "aria-valuetext")
    assert text == f"{after:g} milliseconds"


def test_message_is_live_and_figure_has_text(page):
    attrs = page.page.evaluate(
        """() => { const m = document.querySelector('.stp-explorer .stp-message');
                   const f = document.querySelector('.stp-explorer .stp-static')
                             || document.querySelector('.stp-explorer .stp-vector');
                   const v = document.querySelector('.stp-explorer img.stp-vector');
                   return {role: m.getAttribute('role'), live: m.getAttribute('aria-live'),
                           alt: f.getAttribute('alt'), other: v && v !== f
                             ? v.getAttribute('alt') : ''}; }"""
    )
    assert attrs["role"] == "status" and attrs["live"] == "polite", attrs
    assert len(attrs["alt"]) > 20 and attrs["other"] == "", attrs


def test_keyboard_opens_a_section_and_presses_a_button(page):
    p = page.page
    header = ".stp-figure-table > :first-child > .jupyter-widget-Collapse-header"
    if not p.locator(header).count():
        header = ".stp-figure-table .p-Collapse-header"  # ipywidgets 7
    p.focus(header)
    for expanded in ("true", "false"):
        p.keyboard.press("Enter")
        p.wait_for_function(
            "([sel, want]) => document.querySelector(sel).getAttribute('aria-expanded') === want",
            arg=[header, expanded],
            timeout=5000,
        )
    pinned = page.state()["pin"]
    p.focus(".stp-explorer .stp-pin")
    p.keyboard.press("Space")
    page.settle()
    assert page.state()["pin"] is not pinned, f"{page.case}: Space did not press pin"
    p.keyboard.press("Enter")
    page.settle()
    assert page.state()["pin"] is pinned, f"{page.case}: Enter did not press pin"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violation_in_the_standalone_page(browser_context, tmp_path, scheme):
    from stpwidget.examples import example_recordings
    from stpwidget.page import save_page
    from stpwidget.state import ExplorerState

    state = ExplorerState.from_preset("depressing").with_recordings(example_recordings())
    panels = ("state", "current", "membrane", "frequency", "data")
    path = save_page(state, tmp_path / "page.html", panels=panels)
    browser, _ = browser_context
    # The page's Content-Security-Policy forbids an injected script: axe needs the bypass.
    context = browser.new_context(bypass_csp=True, color_scheme=scheme)
    try:
        p = context.new_page()
        p.goto(path.as_uri())
        p.wait_for_selector(".stp-explorer")
        violations = axe_violations(p)
        assert violations == [], f"page, {scheme}: {json.dumps(violations, indent=1)}"
    finally:
        context.close()


# Every control a keyboard can reach inside the explorer, in the page's order.
_TABBABLE = """() => [...document.querySelectorAll('.stp-explorer *')].filter(e =>
    e.matches('button, input, select, textarea, [tabindex], [contenteditable=true]')
    && !e.matches('[tabindex="-1"], [disabled], input[type=hidden]')
    && e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden')"""


def test_tab_reaches_every_control_in_order(page):
    p = page.page
    count = p.evaluate(
        f"() => ({_TABBABLE})().map((e, i) => e.setAttribute('data-stp-tab', i)).length"
    )
    assert count >= 40, f"{page.case}: only {count} controls"  # every section shows
    p.focus("[data-stp-tab='0']")
    reached, rings = [0], []
    for _ in range(count + 5):
        p.keyboard.press("Tab")
        at = p.evaluate(
            """() => { const e = document.activeElement, s = getComputedStyle(e);
                       return {tab: e.getAttribute('data-stp-tab'), html: e.outerHTML.slice(0, 200),
                               inside: !!e.closest('.stp-explorer'),
                               ring: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0
                                     || s.boxShadow !== 'none'}; }"""
        )
        if not at["inside"]:
            break
        assert at["tab"] is not None, f"{page.case}: focus on {at['html']} after {reached}"
        reached.append(int(at["tab"]))
        rings.append(at["html"] if not at["ring"] else "")
    else:
        pytest.fail(f"{page.case}: Tab stays in the explorer, at {at['html']} after {reached}")
    assert reached == list(range(count)), f"{page.case}: Tab order {reached} of {count}"
    unringed = [html for html in rings if html]
    assert not unringed, f"{page.case}: no visible focus on {unringed}"


# Rectangles of every part a student sees or uses; overlapping pairs and cut words.
_LAYOUT = """() => {
  const parts = 'button, input, select, textarea, label, .widget-readout, .noUi-target, '
    + '.ui-slider, .widget-html-content, .jupyter-widget-Collapse-header, .p-Collapse-header, '
    + '.stp-render';
  const seen = [...document.querySelectorAll('.stp-explorer')].flatMap(r =>
    [...r.querySelectorAll(parts)]).filter(e => !(e.closest('.stp-render') && !e.matches(
      '.stp-render')) && e.getClientRects().length > 0 && getComputedStyle(e).visibility
      !== 'hidden' && e.getBoundingClientRect().width > 0);
  const name = e => (e.className && typeof e.className === 'string'
    ? e.className.split(' ').filter(c => c.startsWith('stp-') || c.startsWith('widget-'))
      .join('.') : '') + ' ' + e.tagName + ' "' + (e.textContent || e.value || '').trim()
      .slice(0, 24) + '"';
  const out = [];
  for (let i = 0; i < seen.length; i++) {
    const a = seen[i], ra = a.getBoundingClientRect();
    if ((a.matches('label, button')) && a.scrollWidth > a.clientWidth + 1)
      out.push('cut: ' + name(a));
    for (let j = i + 1; j < seen.length; j++) {
      const b = seen[j];
      if (a.contains(b) || b.contains(a)) continue;
      const rb = b.getBoundingClientRect();
      const w = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left);
      const h = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
      if (w > 1 && h > 1) out.push('overlap: ' + name(a) + ' / ' + name(b));
    }
  }
  return out;
}"""


@pytest.mark.parametrize("scale", SCALES)
def test_no_control_covers_another(browser_context, notebook, scale):
    browser, _ = browser_context
    with (
        bk.jupyter_server("voila", {notebook.name: notebook}, voila_notebook=notebook.name) as s,
        bk.new_context(browser, width=round(SCREENS[0] / scale), scale=scale) as context,
    ):
        app = open_explorer(s, context, notebook)
        try:
            problems = {}
            for screen in SCREENS:
                app.page.set_viewport_size({"width": round(screen / scale), "height": 1000})
                time.sleep(0.3)
                found = app.page.evaluate(_LAYOUT)
                if found:
                    problems[screen] = found
            assert not problems, f"scale {scale}: {json.dumps(problems, indent=1)}"
        finally:
            app.close()
