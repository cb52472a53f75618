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
  pixel ratio 1): the postsynaptic potential costs the update too;
* a seeded random walk that never repeats a parameter set (``--walk`` steps per path and
  ratio): slider moves of 1-3 steps or a jump (tau_f, tau_d, tau_s, U and the rate) 70 %,
  preset switches 15 %, input-kind switches 15 %, with ``--think`` seconds between steps
  (a student looks at the figure). It keeps reaching
  axis-limit sets it has not met, which the cycles above meet only once.

Run: ``.venv/bin/python -m benchmarks.bench_widget [--cycles 8] [--walk 208 --think 0.25]``.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
import random
import statistics
import time

import matplotlib

matplotlib.use("module://ipympl.backend_nbagg")

import matplotlib.pyplot as plt
import numpy as np

from benchmarks._timing import machine
from benchmarks.bench_kernel import SEED_IMPL, seed_loop
from stpwidget import PRESETS, STPExplorer, regular_train


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


SLIDERS = ("tau_f", "tau_d", "tau_s", "U", "rate")
KINDS = ("regular", "poisson", "probe", "step")


def state_key(params, kind: str, rate: float) -> tuple:
    """A parameter set: the model's parameters, the input kind and the rate."""
    values = (params.tau_f, params.tau_d, params.tau_s, params.U, params.A, rate)
    return (*(round(float(v), 9) for v in values), kind)


def propose(explorer: STPExplorer, rng: random.Random):
    """One random interaction: (name, key it leads to, action)."""
    state, s = explorer.state, explorer.sliders
    params, kind, rate = state.params, state.stimulus.kind, state.stimulus.rate
    draw = rng.random()
    if draw < 0.70:
        name = rng.choice(SLIDERS)
        slider = s[name]
        if hasattr(slider, "options"):
            values = [v for _, v in slider.options]
        else:
            n = round((slider.max - slider.min) / slider.step)
            values = [round(slider.min + k * slider.step, 10) for k in range(n + 1)]
        i = min(range(len(values)), key=lambda k: abs(values[k] - slider.value))
        if rng.random() < 0.1:  # a jump: a click elsewhere on the track
            j = rng.randrange(len(values))
        else:
            j = min(len(values) - 1, max(0, i + rng.choice((-3, -2, -1, 1, 2, 3))))
        value = values[j]
        if name == "rate":
            key = state_key(params, kind, value)
            label = "rate"
        else:
            scaled = value if name == "U" else value / 1e3
            key = state_key(dataclasses.replace(params, **{name: scaled}), kind, rate)
            label = "slider"
        return label, key, lambda: setattr(slider, "value", value)
    if draw < 0.85:
        name = rng.choice(sorted(PRESETS))
        return "preset", state_key(PRESETS[name], kind, rate), lambda: explorer.apply_preset(name)
    new = rng.choice([k for k in KINDS if k != kind])
    control = explorer.stimulus_controls["kind"]
    return "input kind", state_key(params, new, rate), lambda: setattr(control, "value", new)


def run_walk(backend: str, ratio: float, steps: int, think: float, seed: int) -> dict:
    """The random walk: every step leads to a parameter set not met before."""
    explorer = STPExplorer(backend=backend)
    connect(explorer, ratio)
    rng = random.Random(seed)
    state = explorer.state
    seen = {state_key(state.params, state.stimulus.kind, state.stimulus.rate)}
    every: list[tuple[str, float, float]] = []
    repeats = 0
    draws0 = explorer.renderer.static.draws
    rendering: list[float] = []  # of each step, the time in the renderer (the rest: kernel)
    render = explorer.renderer.render

    def timed_render(full: bool) -> None:
        t0 = time.perf_counter()
        render(full)
        rendering.append(1e3 * (time.perf_counter() - t0))

    explorer.renderer.render = timed_render
    time.sleep(think)
    while len(every) < steps:
        name, key, act = propose(explorer, rng)
        if key in seen:
            continue
        rendering.clear()
        t0 = time.perf_counter()
        act()
        every.append((name, 1e3 * (time.perf_counter() - t0), sum(rendering)))
        state = explorer.state
        actual = state_key(state.params, state.stimulus.kind, state.stimulus.rate)
        if actual in seen:  # the explorer did not take the value as proposed: not counted
            repeats += 1
            every.pop()
        seen.update((key, actual))
        time.sleep(think)
    static = explorer.renderer.static
    result = {
        "every": [ms for _, ms, _ in every],
        "steps": every,
        "draws": static.draws - draws0,
        "repeats": repeats,
    }
    explorer.close()
    return result


def seed_rounds(update, seed: list[float], n: int = 8) -> None:
    """``n`` seed updates (interleaved between the cases, so drift hits all alike)."""
    for _ in range(n):
        t0 = time.perf_counter()
        update()
        seed.append(1e3 * (time.perf_counter() - t0))


def report_walk(walks: dict, seed_med: float) -> None:
    budget = seed_med / 8
    print(f"\nrandom walk, no parameter set repeated (budget: seed median / 8 = {budget:.1f} ms)")
    print(f"{'path':16s} {'ratio':>5s} {'n':>4s} {'median':>7s} {'p95':>7s} {'max':>7s} "
          f"{'p95/seed':>9s} {'renderer p95/seed':>18s} {'over 1/8':>9s} "
          f"{'drawn on update':>16s}")  # fmt: skip
    for (backend, ratio), r in walks.items():
        every = r["every"]
        over = [(n, ms, rend) for n, ms, rend in r["steps"] if ms > budget]
        kinds = {n: sum(1 for m, *_ in over if m == n) for n in dict.fromkeys(m for m, *_ in over)}
        slow_render = sum(1 for *_, rend in over if rend > budget / 2)
        print(
            f"{backend:16s} {ratio:5.1f} {len(every):4d} {statistics.median(every):7.1f} "
            f"{p95(every):7.1f} {max(every):7.1f} {p95(every) / seed_med:9.3f} "
            f"{p95([rend for *_, rend in r['steps']]) / seed_med:18.3f} "
            f"{len(over):9d} {r['draws']:16d}"
            + (f"  over: {kinds}, {slow_render} of them >1/16 in the renderer" if kinds else "")
            + (f"  ({r['repeats']} repeats not counted)" if r["repeats"] else "")
        )


def p95(values: list[float]) -> float:
    return float(np.percentile(values, 95))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=8, help="cycles of the scripted mix")
    parser.add_argument("--walk", type=int, default=208, help="random-walk steps (0: none)")
    parser.add_argument("--think", type=float, default=0.25, help="s between walk steps")
    parser.add_argument("--seed", type=int, default=2026, help="seed of the random walk")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    print(f"seed loop: {SEED_IMPL}; matplotlib backend: {matplotlib.get_backend()}")
    update = seed_update_fn()
    update()
    seed: list[float] = []
    results = {}
    walks = {}
    for ratio in (1.0, 2.0):
        for backend in ("image", "ipympl"):
            seed_rounds(update, seed)
            if args.cycles:
                results[(backend, ratio)] = run_mix(backend, ratio, args.cycles)
            if args.walk:
                seed_rounds(update, seed)
                walks[(backend, ratio)] = run_walk(backend, ratio, args.walk, args.think, args.seed)
    for backend in ("image", "ipympl") if args.cycles else ():  # membrane panel and LIF, 1x
        seed_rounds(update, seed)
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
    if walks:
        report_walk(walks, seed_med)


if __name__ == "__main__":
    main()
