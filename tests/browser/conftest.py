"""Fixtures of the real-browser tests: Chromium, JupyterLab/Voila serving the explorer.

Without Chromium at /usr/bin/chromium these tests are skipped with a message saying how to
enable them; with ``STPWIDGET_REQUIRE_BROWSER=1`` (set by ``.ci/run``) they fail instead.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import browserkit as bk
from explorer_page import ExplorerPage

NOTEBOOK = bk.ROOT / "notebooks" / "01_explorer.ipynb"


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
    with bk.chromium() as (_pw, context):
        yield context


@pytest.fixture(scope="module", params=["lab", "voila"])
def explorer(request, browser_context):
    """``notebooks/01_explorer.ipynb`` running in JupyterLab (Run All) or served by Voila."""
    assert NOTEBOOK.exists(), f"{NOTEBOOK} is missing (jupytext --sync notebooks/*.md)"
    kind = request.param
    with bk.jupyter_server(kind, {NOTEBOOK.name: NOTEBOOK}, voila_notebook=NOTEBOOK.name) as server:
        page = browser_context.new_page()
        app = ExplorerPage(kind, server, page)
        try:
            app.load(NOTEBOOK.name)
            yield app
        finally:
            app.close()
