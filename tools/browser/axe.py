"""axe-core, the accessibility engine, for the browser tests: installed from npm, never vendored.

``tools/axe``'s lock file pins the version; ``make axe`` installs it, and :func:`axe_source`
installs it on first use where it is missing.
"""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from tools.browser import browserkit as bk

AXE_DIR = bk.ROOT / "tools" / "axe"
AXE_JS = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
#: The rules axe runs: every WCAG 2.0, 2.1 and 2.2 rule of level A and AA.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def axe_source() -> str:
    """axe-core's script (skips the test without npm; fails it where a browser is required)."""
    if not AXE_JS.exists():
        npm = shutil.which("npm")
        if npm is None:
            why = "axe-core needs npm (Node.js) to install tools/axe"
            if os.environ.get("STPWIDGET_REQUIRE_BROWSER") == "1":
                pytest.fail(why)
            pytest.skip(why)
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--prefix", str(AXE_DIR)],
            check=True,
            capture_output=True,
            timeout=300,
        )
    return AXE_JS.read_text(encoding="utf-8")
