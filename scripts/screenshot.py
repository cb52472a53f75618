"""Take the README screenshot of the explorer from a real browser.

Voila serves ``notebooks/01_explorer.ipynb`` (as ``make app`` does: no code shown), headless
Debian Chromium opens it at a device scale factor of 2, as a retina screen (the explorer
learns the ratio from the page and draws its figure at it, so the screenshot is sharp at
twice the CSS size), waits until the kernel is idle and the figure drawn at that ratio and
still, and saves the explorer element as ``docs/explorer.png``.

Run: ``.venv/bin/python -m scripts.screenshot [--out docs/explorer.png] [--scale 2]`` (needs
``apt-get install chromium``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tools.browser import browserkit as bk
from tools.browser.explorer_page import ExplorerPage

ROOT = Path(__file__).resolve().parents[1]


def take(out: Path, notebook: Path, scale: float = 2.0) -> Path:
    """Serve ``notebook`` with Voila and save a screenshot of its explorer to ``out``.

    Parameters
    ----------
    out : pathlib.Path
        PNG file to write (its folder is created).
    notebook : pathlib.Path
        Notebook that shows an ``STPExplorer``.
    scale : float
        Device scale factor (``window.devicePixelRatio``); the PNG is this many times the
        CSS size.

    Returns
    -------
    pathlib.Path
        ``out``.
    """
    with (
        bk.jupyter_server("voila", {notebook.name: notebook}, voila_notebook=notebook.name) as srv,
        bk.chromium(width=1200, height=1300, scale=scale) as (_browser, context),
    ):
        app = ExplorerPage("voila", srv, context.new_page())
        try:
            app.load(notebook.name)
            app.settle(quiet=0.5)
            if app.watch.tracebacks or app.message():
                raise RuntimeError(f"the explorer shows an error: {app.watch.tracebacks}")
            blurred = [layer for layer in app.sharpness() if layer["density"] < 0.95]
            if blurred:
                raise RuntimeError(f"the figure is not drawn at the screen's ratio: {blurred}")
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
    parser.add_argument("--scale", type=float, default=2.0, help="device scale factor")
    args = parser.parse_args()
    ok, why = bk.browser_available()
    if not ok:
        sys.exit(why)
    print(take(args.out, args.notebook, args.scale))


if __name__ == "__main__":
    main()
