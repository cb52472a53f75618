"""Fixtures of the real-browser tests: Chromium, JupyterLab/Notebook 7/Voila serving the explorer.

Without Chromium at /usr/bin/chromium these tests are skipped with a message saying how to
enable them; with ``STPWIDGET_REQUIRE_BROWSER=1`` (set by ``.ci/run``) they fail instead.
"""

from __future__ import annotations

import contextlib
import os

import pytest

from tools.browser import browserkit as bk
from tools.browser.explorer_page import ExplorerPage

NOTEBOOK = bk.ROOT / "notebooks" / "01_explorer.ipynb"
#: Cases the ``explorer`` fixture can run: a server kind, optionally at a device scale
#: factor of 2 (``@2x``: a retina screen) or in JupyterLab's dark theme (``-dark``).
KINDS = ("lab", "voila", "notebook", "lab@2x", "voila@2x", "lab-dark")


def parse_case(case: str) -> tuple[str, float, str]:
    """``"lab@2x"`` -> ``("lab", 2.0, "light")``; ``"lab-dark"`` -> ``("lab", 1.0, "dark")``."""
    name, _, scale = case.partition("@")
    kind, _, theme = name.partition("-")
    return kind, float(scale.rstrip("x") or 1), theme or "light"


@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(items):
    """Run each kind's tests together, in the order written, after pytest's own reordering.

    Tests parametrize ``explorer`` indirectly with rows of their own, so pytest cannot tell
    that two tests share a kind: it may interleave kinds (restarting servers) or move a test
    before the page's first one. The tests of one kind share one page and run in order.
    """
    written = {id(item): i for i, item in enumerate(items)}
    result = yield

    def kind(item):
        callspec = getattr(item, "callspec", None)
        return callspec.params.get("explorer") if callspec else None

    # Only the explorer's tests move, among the places they hold; all others stay put.
    slots = [i for i, item in enumerate(items) if kind(item) in KINDS]
    ordered = sorted(
        (items[i] for i in slots), key=lambda it: (KINDS.index(kind(it)), written[id(it)])
    )
    for i, item in zip(slots, ordered, strict=True):
        items[i] = item
    return result


def _require_browser() -> None:
    ok, why = bk.browser_available()
    if ok:
        return
    if os.environ.get("STPWIDGET_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{why} [STPWIDGET_REQUIRE_BROWSER=1 turns this skip into a failure]")
    pytest.skip(why)


@pytest.fixture(scope="module")
def browser_context():
    """One headless Chromium (fresh profile) per test module.

    Not per session: while Playwright's sync API is open it keeps an asyncio loop running
    in the main thread, which would break ``asyncio.run`` in the other test modules.
    """
    _require_browser()
    with bk.chromium() as (browser, context):
        yield browser, context


@pytest.fixture(scope="module")
def explorer(request, browser_context):
    """``notebooks/01_explorer.ipynb`` running in one case of :data:`KINDS`, one page per module.

    JupyterLab (``"lab"``) and Notebook 7 (``"notebook"``) open it and Run All; Voila
    (``"voila"``) serves it. Tests choose cases by indirect parametrization with module scope
    (``test_browser_explorer.on``), so that each case's server starts once. A case at 2x
    gets a browser context of its own with that device scale factor.
    """
    assert NOTEBOOK.exists(), f"{NOTEBOOK} is missing (jupytext --sync notebooks/*.md)"
    case = getattr(request, "param", None)
    assert case in KINDS, f"parametrize 'explorer' (indirect) with one of {KINDS}, not {case!r}"
    kind, scale, theme = parse_case(case)
    browser, context = browser_context
    with contextlib.ExitStack() as stack:
        if scale != 1:
            context = stack.enter_context(bk.new_context(browser, scale=scale))
        server = stack.enter_context(
            bk.jupyter_server(
                kind, {NOTEBOOK.name: NOTEBOOK}, voila_notebook=NOTEBOOK.name, theme=theme
            )
        )
        app = ExplorerPage(kind, server, context.new_page())
        app.case = case
        try:
            app.load(NOTEBOOK.name)
            yield app
        finally:
            app.close()
