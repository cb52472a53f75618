"""Every kind of interaction: the seed's update against the explorer's, every cost counted.

Both run on matplotlib's ipympl backend as in a notebook (``%matplotlib widget``), with no
browser attached: a draw includes ipympl's PNG diff encoding, the transport's share that
happens in the kernel. ipympl also encodes a second, full PNG per draw until a browser view
has connected; the canvases are put in their connected state so that cost is not counted.

* seed: its notebook's ``update()``: ``example()`` (Norse ``stp_step`` loop, 1 ms steps),
  three ``set_ydata`` and a synchronous ``fig.canvas.draw()`` of its one-axes figure;
* explorer, image path (Colab) and ipympl path, each at pixel ratio 1 and 2 (the ratio the
  browser reports: the image path's probe widget gets the same report a browser sends, the
  ipympl canvas the message ipympl's front end sends): a scripted mix of interactions, each
  timed from the widget's value change to the last byte queued for the browser:
  slider steps (tau_d, tau_f, U), rate jumps across the axis range (5 <-> 50 Hz), preset
  switches and input-kind changes (regular, Poisson, probe), in cycles. The first cycle
  meets every axis-limit set for the first time (cold); later ones find them cached. The
  median and the 95th percentile over all interactions (cold ones included) are compared
  with the seed's update measured in the same run (target: p95 <= 1/8 of it);
* the same mix with the membrane panel and its LIF readout on (``image+V``, ``ipympl+V``,
  pixel ratio 1): the postsynaptic potential costs the update too.

Run: ``.venv/bin/python benchmarks/bench_widget.py [--cycles 8]``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import time

import matplotlib

matplotlib.use("module://ipympl.backend_nbagg")

import matplotlib.pyplot as plt
import numpy as np
from _timing import machine
from bench_kernel import SEED_IMPL, seed_loop

from stpwidget import STPExplorer, regular_train


def seed_update_fn():
    """The seed's figure and update function (its notebook, minus ``interact``)."""
    with plt.ioff():
        fig = plt.figure()  # the seed's default 6.4 x 4.8 in at 100 dpi
    fig.canvas.syncing_data_url = False  # as once a browser view is connected
    ax = fig.add_subplot(1, 1, 1)
    ax.set_xlabel("time [s]")
    ts = np.arange(0, 1.0, 0.001)
    lines = [ax.plot(ts, np.zeros_like(ts), label=k)[0] for k in ("current", "x", "u")]
    ax.legend()
    train = regular_train(10.0, 9, start=0.1)
    taus = itertools.cycle([0.75, 0.5, 0.3, 0.9, 0.6])

    def update():
        p = {"tau_f": 0.05, "tau_d": next(taus), "tau_s": 0.02, "U": 0.45}
        xs = seed_loop(p, train, 1.0, 1e-3)
        for line in lines:  # the seed sets current, x and u: the same cost for each
            line.set_ydata(xs)
        fig.canvas.draw()

    return update


def connect(explorer: STPExplorer, ratio: float) -> None:
    """Put the explorer's figure in the state a browser at ``ratio`` leaves it in."""
    renderer = explorer.renderer
    if type(renderer).__name__ == "IpymplRenderer":
        canvas = renderer.canvas
        canvas.syncing_data_url = False
        canvas.handle_set_device_pixel_ratio({"device_pixel_ratio": ratio})
        canvas.handle_draw({"type": "draw"})  # the browser asks for its first draw
    else:
        report = {"ratio": ratio, "bg": "rgb(255, 255, 255)", "fg": "rgba(0, 0, 0, 0.87)"}
        renderer.frontend.report.value = json.dumps(report)


def nearest(slider, value: float) -> float:
    """The slider's own value nearest to ``value`` (log sliders hold a list of options)."""
    options = [v for _, v in slider.options] if hasattr(slider, "options") else None
    return min(options, key=lambda o: abs(o - value)) if options else value


def script(explorer: STPExplorer):
    """One cycle of interactions: (name, action) pairs, as a student would mix them."""
    s, kind, preset = explorer.sliders, explorer.stimulus_controls["kind"], explorer.preset

    def step(key: str, sign: int):
        def act():
            if hasattr(s[key], "options"):
                values = [v for _, v in s[key].options]
                i = values.index(s[key].value)
                s[key].value = values[min(len(values) - 1, max(0, i + sign))]
            else:
                s[key].value = s[key].value + sign * s[key].step

        return act

    def set_to(widget, value):
        return lambda: setattr(widget, "value", value)

    steps = [("slider step", step(k, d)) for k, d in (("tau_d", -1), ("tau_d", 1))] * 3
    return [
        *steps,
        ("rate jump", set_to(s["rate"], nearest(s["rate"], 50.0))),
        *[("slider step", step(k, d)) for k, d in (("tau_f", 1), ("tau_f", -1))] * 2,
        ("preset switch", set_to(preset, "facilitating")),
        *[("slider step", step(k, d)) for k, d in (("U", 1), ("U", -1))] * 2,
        ("input kind", set_to(kind, "poisson")),
        *steps[:4],
        ("input kind", set_to(kind, "probe")),
        ("rate jump", set_to(s["rate"], nearest(s["rate"], 5.0))),
        *steps[:4],
        ("input kind", set_to(kind, "regular")),
        ("preset switch", set_to(preset, "depressing")),
    ]


#: The explorer with the membrane panel (issue 12), its LIF readout on.
MEMBRANE = ("state", "current", "membrane", "frequency")


def run_mix(backend: str, ratio: float, cycles: int, panels=None) -> dict:
    explorer = STPExplorer(backend=backend, **({"panels": panels} if panels else {}))
    if panels:
        explorer.membrane_controls.lif.value = True
    connect(explorer, ratio)
    times: dict[str, list[float]] = {}
    every: list[float] = []
    cold: list[float] = []
    draws0 = explorer.renderer.static.draws
    for cycle in range(cycles):
        for name, act in script(explorer):
            t0 = time.perf_counter()
            act()
            ms = 1e3 * (time.perf_counter() - t0)
            times.setdefault(name, []).append(ms)
            every.append(ms)
            if cycle == 0 and name != "slider step":
                cold.append(ms)
    draws = explorer.renderer.static.draws - draws0
    shown = explorer.figure.dpi * (getattr(explorer.renderer, "ratio", 1.0))
    explorer.close()
    return {
        "every": every,
        "by_kind": times,
        "cold": cold,
        "draws": draws,
        "dpi": shown,
    }


def p95(values: list[float]) -> float:
    return float(np.percentile(values, 95))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=8, help="cycles of the scripted mix")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    print(f"seed loop: {SEED_IMPL}; matplotlib backend: {matplotlib.get_backend()}")
    update = seed_update_fn()
    update()
    seed: list[float] = []
    results = {}
    for ratio in (1.0, 2.0):
        for backend in ("image", "ipympl"):
            # Interleave: seed updates between the cases, so that drift hits all alike.
            for _ in range(8):
                t0 = time.perf_counter()
                update()
                seed.append(1e3 * (time.perf_counter() - t0))
            results[(backend, ratio)] = run_mix(backend, ratio, args.cycles)
    for backend in ("image", "ipympl"):  # with the membrane panel and LIF, at 1x
        for _ in range(8):
            t0 = time.perf_counter()
            update()
            seed.append(1e3 * (time.perf_counter() - t0))
        results[(backend + "+V", 1.0)] = run_mix(backend, 1.0, args.cycles, MEMBRANE)
    seed_med, seed_p95 = statistics.median(seed), p95(seed)
    print(f"\nseed update (1 ms steps, 1 axes, full draw): median {seed_med:.1f} ms, "
          f"p95 {seed_p95:.1f} ms (n={len(seed)})")  # fmt: skip
    print(f"target: explorer p95 <= seed median / 8 = {seed_med / 8:.1f} ms\n")
    header = f"{'path':10s} {'ratio':>5s} {'n':>4s} {'median':>7s} {'p95':>7s} {'max':>7s}"
    print(header + f" {'p95/seed':>9s} {'cold max':>9s} {'static draws':>13s}")
    for (backend, ratio), r in results.items():
        every = r["every"]
        print(
            f"{backend:10s} {ratio:5.1f} {len(every):4d} {statistics.median(every):7.1f} "
            f"{p95(every):7.1f} {max(every):7.1f} {p95(every) / seed_med:9.3f} "
            f"{max(r['cold'], default=0):9.1f} {r['draws']:13d}"
        )
    print("\nby interaction (median / p95 / max ms):")
    for (backend, ratio), r in results.items():
        parts = ", ".join(
            f"{name} {statistics.median(v):.1f}/{p95(v):.1f}/{max(v):.1f}"
            for name, v in r["by_kind"].items()
        )
        print(f"  {backend} {ratio:.0f}x: {parts}")


if __name__ == "__main__":
    main()
