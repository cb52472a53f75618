"""Take the README screenshot of the explorer from a real browser.

Voila serves ``notebooks/01_explorer.ipynb`` (as ``make app`` does: no code shown), headless
Debian Chromium opens it at a device scale factor of 1 (the figure is drawn at the pixel size
it is shown, so the screenshot is sharp), waits until the kernel is idle and the figure
still, and saves the explorer element as ``docs/explorer.png``.

Run: ``.venv/bin/python scripts/screenshot.py [--out docs/explorer.png]`` (needs
``apt-get install chromium``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools" / "browser"))

import browserkit as bk  # noqa: E402
from explorer_page import ExplorerPage  # noqa: E402


def take(out: Path, notebook: Path) -> Path:
    """Serve ``notebook`` with Voila and save a screenshot of its explorer to ``out``.

    Parameters
    ----------
    out : pathlib.Path
        PNG file to write (its folder is created).
    notebook : pathlib.Path
        Notebook that shows an ``STPExplorer``.

    Returns
    -------
    pathlib.Path
        ``out``.
    """
    with (
        bk.jupyter_server("voila", {notebook.name: notebook}, voila_notebook=notebook.name) as srv,
        bk.chromium(width=1200, height=1300, scale=1.0) as (_pw, context),
    ):
        app = ExplorerPage("voila", srv, context.new_page())
        try:
            app.load(notebook.name)
            app.settle(quiet=0.5)
            if app.watch.tracebacks or app.message():
                raise RuntimeError(f"the explorer shows an error: {app.watch.tracebacks}")
            out.parent.mkdir(parents=True, exist_ok=True)
            app.page.locator(".stp-explorer").screenshot(path=str(out), animations="disabled")
        finally:
            app.close()
    return out


def main() -> None:
    """Parse the command line and take the screenshot."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "explorer.png")
    parser.add_argument("--notebook", type=Path, default=ROOT / "notebooks" / "01_explorer.ipynb")
    args = parser.parse_args()
    ok, why = bk.browser_available()
    if not ok:
        sys.exit(why)
    print(take(args.out, args.notebook))


if __name__ == "__main__":
    main()
