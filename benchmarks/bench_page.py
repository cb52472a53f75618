"""Key press -> changed pixels: the self-contained page beside the notebook explorer.

One headless Debian Chromium, in the same run and at the same device scale factors:

- ``page``: ``save_page`` of the depressing preset, opened from ``file://`` with every
  network request blocked; the model runs in the page (no kernel);
- ``page membrane``: the same with the membrane panel and the LIF readout on;
- ``notebook explorer``: ``notebooks/01_explorer.ipynb`` in JupyterLab, as
  ``bench_browser.py`` measures it (skipped with ``--page-only``).

Each step focuses the τ_d slider and presses ArrowLeft; the clock starts at the keydown
(``performance.now()`` in the page) and stops at the first animation frame after the page
drew, once the canvas pixels differ from those before the key. It also counts the animation
frames in between (the goal: a redraw within three frames, median <= 50 ms at 2x).

Run: ``.venv/bin/python -m benchmarks.bench_page [--steps 40] [--scales 1 2] [--page-only]``
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchmarks._timing import machine
from tools.browser import browserkit as bk

PROBE = r"""
(() => {
  const canvas = document.querySelector('canvas.stp-figure');
  const pixels = () =>
    canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  const base = pixels().slice();
  const probe = { t0: null, t1: null, frames: 0, drawn: false };
  window.__probe = probe;
  const base32 = new Uint32Array(base.buffer);
  const differs = (a) => {
    const now = new Uint32Array(a.buffer, a.byteOffset, a.byteLength >> 2);
    for (let i = 0; i < now.length; i++) if (now[i] !== base32[i]) return true;
    return false;
  };
  window.STP_ON_DRAW = () => { probe.drawn = true; };
  window.addEventListener('keydown', () => {
    probe.t0 = performance.now();
    const frame = () => {
      probe.frames += 1;
      if (probe.drawn && differs(pixels())) { probe.t1 = performance.now(); return; }
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  }, { capture: true, once: true });
})();
"""


# The page's own work per update, without frames: the model (compute) and one full redraw.
WORK = r"""
() => {
  const api = window.stpwidget;
  const compute = [];
  const draw = [];
  for (let k = 0; k < 30; k++) {
    const t0 = performance.now();
    api.set({ tau_d: k % 2 ? 0.7 : 0.75 });
    api.readouts(); // computes the frame
    const t1 = performance.now();
    api.redraw();
    draw.push(performance.now() - t1);
    compute.push(t1 - t0);
  }
  const median = (a) => a.sort((x, y) => x - y)[a.length >> 1];
  return { compute: median(compute), draw: median(draw) };
}
"""


def write_pages(folder: Path) -> dict[str, Path]:
    from stpwidget.page import save_page
    from stpwidget.state import ExplorerState

    base = ExplorerState.from_preset("depressing")
    lif = dataclasses.replace(base, lif=True, threshold=0.12)
    return {
        "page": save_page(base, folder / "page.html"),
        "page membrane": save_page(
            lif, folder / "membrane.html", panels=("state", "current", "membrane", "frequency")
        ),
    }


def page_latencies(browser, path: Path, scale: float, steps: int, warmup: int):
    """Milliseconds and animation frames from key to changed pixels, per step."""
    with bk.new_context(browser, scale=scale) as context:
        context.route(
            "**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort()
        )
        page = context.new_page()
        page.goto(path.as_uri())
        page.wait_for_function("() => window.stpwidget && window.stpwidget.drawn() > 0")
        ms, frames = [], []
        for i in range(warmup + steps):
            if i % 30 == 0:  # back to the preset's 750 ms: ~70 values to step down through
                page.evaluate("() => window.stpwidget.set({tau_d: 0.75})")
                page.wait_for_timeout(50)
            page.focus("input.stp-tau_d")
            page.evaluate(PROBE)
            page.keyboard.press("ArrowLeft")
            page.wait_for_function("() => window.__probe.t1 !== null", timeout=5000)
            probe = page.evaluate("() => window.__probe")
            if i >= warmup:
                ms.append(probe["t1"] - probe["t0"])
                frames.append(probe["frames"])
        work = page.evaluate(WORK)
        page.close()
    return ms, frames, work


def notebook_latencies(browser, scale: float, steps: int, warmup: int) -> list[float]:
    from benchmarks.bench_browser import CASES, NOTEBOOKS, measure, open_case

    notebooks = {"01_explorer.ipynb": NOTEBOOKS["01_explorer.ipynb"]}
    with bk.jupyter_server("lab", notebooks) as server, bk.new_context(browser, scale=scale) as ctx:
        page, watch = open_case(ctx, server, "explorer")
        assert CASES["explorer"][0] == "01_explorer.ipynb"
        out = measure(page, watch, "explorer", steps, warmup)
        page.close()
    return out


def summary(name: str, ms: list[float], frames: list[int] | None = None) -> str:
    q = statistics.quantiles(ms, n=4)
    text = (
        f"{name:20s} median {statistics.median(ms):6.1f} ms "
        f"(quartiles {q[0]:.1f}-{q[2]:.1f}, max {max(ms):.1f}, n={len(ms)})"
    )
    if frames:
        within = sum(f <= 3 for f in frames) / len(frames)
        text += f"; frames median {statistics.median(frames):g}, {100 * within:.0f}% within 3"
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--scales", type=float, nargs="+", default=[1.0, 2.0])
    parser.add_argument("--page-only", action="store_true", help="skip the notebook explorer")
    args = parser.parse_args()
    ok, why = bk.browser_available()
    if not ok:
        sys.exit(why)
    print(f"machine: {machine()}; {os.cpu_count()} CPUs")
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp, bk.chromium() as (browser, _):
        pages = write_pages(Path(tmp))
        for scale in args.scales:
            medians = {}
            for name, path in pages.items():
                ms, frames, work = page_latencies(browser, path, scale, args.steps, args.warmup)
                medians[name] = statistics.median(ms)
                print(f"{scale:g}x {summary(name, ms, frames)}")
                print(
                    f"{scale:g}x {name:20s} in the page: model {work['compute']:.2f} ms, "
                    f"redraw {work['draw']:.2f} ms (medians)"
                )
            if not args.page_only:
                ms = notebook_latencies(browser, scale, min(args.steps, 26), args.warmup)
                medians["notebook explorer"] = statistics.median(ms)
                print(f"{scale:g}x {summary('notebook explorer', ms)}")
                ratio = medians["notebook explorer"] / medians["page"]
                print(f"{scale:g}x notebook explorer / page: {ratio:.1f}x")
            goal = "meets" if medians["page"] <= 50 else "misses"
            print(f"{scale:g}x page median {medians['page']:.1f} ms ({goal} the 50 ms goal)")
    print(f"({time.perf_counter() - t0:.0f} s)")


if __name__ == "__main__":
    main()
