"""Latency a student feels: slider key press -> changed figure pixels, in a real browser.

One JupyterLab server, one headless Debian Chromium, four notebooks measured in the same
run, interleaved in rounds so that machine drift hits them alike:

- ``bare``: ``browser_notebooks/bare_ipympl.ipynb``, one ``FloatSlider`` moving one sine line
  on an ipympl figure of the explorer's pixel size: the floor of the widget transport;
- ``explorer``: ``notebooks/01_explorer.ipynb`` as shipped (the image path: PNG bytes in an
  ``ipywidgets.Image``);
- ``explorer ipympl``: ``browser_notebooks/explorer_ipympl.ipynb``, the explorer after
  ``%matplotlib widget``;
- ``explorer membrane``: ``browser_notebooks/explorer_membrane.ipynb``, the image path with
  the membrane panel and its LIF readout on.

Each step focuses the slider handle and presses an arrow key; the clock starts at the
keydown event and stops at the first animation frame, after a new picture arrived (an
image's load, a draw on the canvas), whose figure pixels differ (both measured inside the
page with ``performance.now()``). Between steps the kernel goes idle and the figure stays
still. Every device scale factor given (``--scales 1 2``: a normal and a retina screen) runs
all three cases in a browser context of its own, on the same server; ratios compare cases
of one scale. Per case and scale the script also reads the figure's sharpness from the page
(each raster layer's pixel size against its CSS box times ``devicePixelRatio``) and, with
``--screenshots DIR``, saves a screenshot. ``--theme dark`` serves JupyterLab's dark theme.
Then, in this process, the Python side of one explorer update is timed piece by piece
(kernel, view, render), so that what is left of the browser latency is transport and the
browser's own work.

Run: ``.venv/bin/python benchmarks/bench_browser.py [--steps 26] [--rounds 2] [--scales 1 2]``
(needs ``apt-get install chromium``).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchmarks._timing import machine, median_ms
from tools.browser import browserkit as bk
from tools.browser.explorer_page import OFFLINE_HOSTS

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


NOTEBOOKS = {
    "bare_ipympl.ipynb": HERE / "browser_notebooks" / "bare_ipympl.ipynb",
    "01_explorer.ipynb": ROOT / "notebooks" / "01_explorer.ipynb",
    "explorer_ipympl.ipynb": HERE / "browser_notebooks" / "explorer_ipympl.ipynb",
    "explorer_membrane.ipynb": HERE / "browser_notebooks" / "explorer_membrane.ipynb",
}
#: name -> (notebook, figure selector, slider handle selector, key). The explorer's tau_d
#: starts at 750 ms: ArrowLeft has ~70 values below it, ArrowRight only 10 above.
CASES = {
    "bare": ("bare_ipympl.ipynb", ".bare-figure", ".bare-slider .noUi-handle", "ArrowRight"),
    "explorer": ("01_explorer.ipynb", ".stp-figure", ".stp-tau_d .noUi-handle", "ArrowLeft"),
    "explorer ipympl": (
        "explorer_ipympl.ipynb",
        ".stp-figure",
        ".stp-tau_d .noUi-handle",
        "ArrowLeft",
    ),
    "explorer membrane": (
        "explorer_membrane.ipynb",
        ".stp-figure",
        ".stp-tau_d .noUi-handle",
        "ArrowLeft",
    ),
}


def open_case(context, server, name):
    notebook, figure, _handle, _key = CASES[name]
    page = context.new_page()
    watch = bk.PageWatch(allowed_hosts=OFFLINE_HOSTS).attach(page)
    bk.open_and_run(page, server, notebook)
    page.wait_for_selector(figure, state="visible", timeout=120_000)
    try:
        bk.settle(page, watch, figure, kind=server.kind, quiet=0.5, timeout=30)
    except AssertionError as err:
        errors = "; ".join(watch.console_errors + watch.tracebacks)
        page.close()
        raise AssertionError(f"{err} (page errors: {errors or 'none'})") from None
    return page, watch


def measure(page, watch, name, steps, warmup):
    _notebook, figure, handle, key = CASES[name]
    page.bring_to_front()
    out = []
    for i in range(warmup + steps):
        try:
            ms = bk.measure_key_latency(page, figure, handle, key)
        except AssertionError as err:
            raise AssertionError(f"{name}, step {i}: {err}") from None
        if i >= warmup:
            out.append(ms)
        bk.settle(page, watch, figure, kind="lab", quiet=0.15, timeout=30)
    assert not watch.tracebacks, watch.tracebacks
    return out


def sharpness_line(page, name: str) -> str:
    _notebook, figure, _handle, _key = CASES[name]
    layers = bk.sharpness(page, figure)
    return ", ".join(
        f"{layer['tag'].lower()} {layer['natural'][0]}x{layer['natural'][1]} px in "
        f"{layer['css'][0]}x{layer['css'][1]} CSS px at ratio {layer['ratio']:g}: "
        f"{layer['density']:.2f}"
        for layer in layers
    )


def browser_latencies(
    steps: int,
    rounds: int,
    warmup: int,
    scales: tuple[float, ...] = (1.0,),
    theme: str = "light",
    screenshots: Path | None = None,
) -> dict[float, dict[str, list[float]]]:
    """Key press -> changed pixels per scale and case (ms), cases interleaved in rounds."""
    per_round = -(-steps // rounds)
    out: dict[float, dict[str, list[float]]] = {}
    with bk.jupyter_server("lab", NOTEBOOKS, theme=theme) as server, bk.chromium() as (browser, _):
        for scale in scales:
            samples: dict[str, list[float]] = {name: [] for name in CASES}
            with bk.new_context(browser, scale=scale) as context:
                pages, failed = {}, {}
                for name in CASES:
                    try:
                        pages[name] = open_case(context, server, name)
                    except AssertionError as err:  # report it; measure the others
                        failed[name] = str(err).splitlines()[0]
                for name, why in failed.items():
                    print(f"{scale:g}x {name}: no figure, not measured ({why})")
                    samples.pop(name)
                for name, (page, _watch) in pages.items():
                    print(f"{scale:g}x {name} sharpness: {sharpness_line(page, name)}")
                    if screenshots is not None:
                        screenshots.mkdir(parents=True, exist_ok=True)
                        path = screenshots / f"{theme}-{scale:g}x-{name.replace(' ', '-')}.png"
                        page.locator(CASES[name][1]).screenshot(path=str(path))
                for r in range(rounds):
                    for name, (page, watch) in pages.items():
                        n = min(per_round, steps - len(samples[name]))
                        samples[name] += measure(page, watch, name, n, warmup if r == 0 else 1)
                errors = {n: w.console_errors for n, (_p, w) in pages.items() if w.console_errors}
                for page, _watch in pages.values():
                    page.close()
            if errors:
                print(f"console errors: {errors}")
            out[scale] = samples
    return out


def python_side(repeats: int = 30) -> dict[str, float]:
    """Median ms of each piece of one explorer update, in this process (no browser)."""
    os.environ.setdefault("MPLCONFIGDIR", tempfile.mkdtemp(prefix="stpwidget-mpl-"))
    import matplotlib

    matplotlib.use("Agg")
    import numpy as np
    import torch
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.backends.backend_webagg_core import FigureCanvasWebAggCore
    from matplotlib.figure import Figure

    from stpwidget import STPExplorer, simulate, steady_state
    from stpwidget.state import RATES

    def one_thread(fn, *args, **kwargs):
        previous = torch.get_num_threads()
        torch.set_num_threads(1)  # as the explorer runs its small arrays
        try:
            return fn(*args, **kwargs)
        finally:
            torch.set_num_threads(previous)

    ex = STPExplorer(preset="depressing", backend="image")
    # One slider step down and up around 750 ms, as the keyboard makes them.
    options = [v for _, v in ex.sliders["tau_d"].options]
    here = options.index(750.0)
    values = iter(options[here - (k % 2)] for k in range(20 * repeats))

    def slider_step():
        ex.sliders["tau_d"].value = float(next(values))  # runs one whole update

    params, stimulus = ex.params, ex.stimulus
    spikes = stimulus.spikes()
    rates = torch.as_tensor(RATES)
    frame = ex.frame
    out = {
        "whole update, image path (all below + widget traffic)": median_ms(slider_step, repeats),
        "kernel: simulate the stimulus at dt (torch's default threads)": median_ms(
            lambda: simulate(params, spikes, stimulus.duration, dt=ex.dt), repeats
        ),
        "kernel: simulate the stimulus at dt (1 torch thread)": median_ms(
            lambda: one_thread(simulate, params, spikes, stimulus.duration, dt=ex.dt), repeats
        ),
        "kernel: steady state over the rate axis (torch's default threads)": median_ms(
            lambda: steady_state(params, rates), repeats
        ),
        "kernel: steady state over the rate axis (1 torch thread)": median_ms(
            lambda: one_thread(steady_state, params, rates), repeats
        ),
        "view: every panel sets its artists' data (thinning)": median_ms(
            lambda: ex.view.show(frame), repeats
        ),
        "render: data layer as SVG (renderer.render(full=False))": median_ms(
            lambda: ex.renderer.render(False), repeats
        ),
        "render: static layer from cached tiles (a limit set met before)": median_ms(
            ex.renderer.static.render, repeats
        ),
    }
    out["render: full Agg draw (first visit of a limit set, every axes)"] = median_ms(
        ex.figure.canvas.draw, max(5, repeats // 3)
    )
    # The bare notebook's Python side: full Agg draw of one line + ipympl's diff PNG.
    bare = Figure(figsize=(9.2, 5.6), dpi=100)
    bare_canvas = FigureCanvasWebAggCore(bare)
    ax = bare.add_subplot()
    x = np.linspace(0, 2 * np.pi, 1000)
    (line,) = ax.plot(x, np.sin(x))
    freqs = iter(np.linspace(1, 5, 20 * repeats))

    def bare_draw():
        line.set_ydata(np.sin(next(freqs) * x))
        FigureCanvasAgg.draw(bare_canvas)  # ipympl's draw, minus telling the browser
        bare_canvas._png_is_old = True
        bare_canvas.get_diff_image()

    out["bare line: Agg draw + diff PNG"] = median_ms(bare_draw, repeats)
    ex.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=26, help="measured steps per case (>= 20)")
    parser.add_argument("--rounds", type=int, default=2, help="interleaved rounds")
    parser.add_argument("--warmup", type=int, default=3, help="unmeasured steps first")
    parser.add_argument("--scales", type=float, nargs="+", default=[1.0, 2.0])
    parser.add_argument("--theme", choices=("light", "dark"), default="light")
    parser.add_argument("--screenshots", type=Path, help="folder for a screenshot per case")
    parser.add_argument("--skip-python", action="store_true", help="browser figures only")
    args = parser.parse_args()
    ok, why = bk.browser_available()
    if not ok:
        sys.exit(why)
    print(f"machine: {machine()}; {os.cpu_count()} CPUs; theme {args.theme}")
    t0 = time.perf_counter()
    results = browser_latencies(
        args.steps, args.rounds, args.warmup, tuple(args.scales), args.theme, args.screenshots
    )
    print(
        "\nkey press -> changed figure pixels, JupyterLab + Chromium "
        f"({time.perf_counter() - t0:.0f} s)"
    )
    for scale, samples in results.items():
        med = {name: statistics.median(v) for name, v in samples.items()}
        for name, v in samples.items():
            q = statistics.quantiles(v, n=4)
            print(
                f"  {scale:g}x {name:16s} median {med[name]:6.1f} ms  "
                f"(quartiles {q[0]:.0f}-{q[2]:.0f} ms, n={len(v)})"
            )
        for name in ("explorer", "explorer ipympl", "explorer membrane"):
            if name not in med or "bare" not in med:
                continue
            ratio = med[name] / med["bare"]
            flag = "meets" if ratio <= 1.1 else "misses"
            print(f"  {scale:g}x ratio {name} / bare: {ratio:.2f}x ({flag} the 1.1x target)")
    if args.skip_python:
        return
    print("\nPython side of one update, in this process (medians, ms):")
    for what, ms in python_side().items():
        print(f"  {what:58s} {ms:7.2f}")


if __name__ == "__main__":
    main()
