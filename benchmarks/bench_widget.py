"""One slider change: the seed's update against the explorer's, every cost counted.

Both run on matplotlib's ipympl backend as in a notebook (``%matplotlib widget``), with no
browser attached: a draw includes ipympl's PNG diff encoding, the transport's share that
happens in the kernel. ipympl also encodes a second, full PNG per draw until a browser view
has connected; the canvases are put in their connected state so that cost is not counted.

* seed: its notebook's ``update()``: ``example()`` (Norse ``stp_step`` loop, 1 ms steps),
  three ``set_ydata`` and a synchronous ``fig.canvas.draw()`` of its one-axes figure;
* explorer, ipympl path: ``slider.value = v`` — simulate at 0.1 ms (10x the seed's
  resolution), update three panels, blit, ipympl encodes the diff;
* explorer, image path (Colab): the same, then the full PNG for the ``ipywidgets.Image``.

Run: ``.venv/bin/python benchmarks/bench_widget.py``.
"""

from __future__ import annotations

import itertools
import time

import matplotlib

matplotlib.use("module://ipympl.backend_nbagg")

import matplotlib.pyplot as plt
import numpy as np
from _timing import machine, median_ms
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


def explorer_change_fn(backend: str):
    explorer = STPExplorer(backend=backend)
    if backend == "ipympl":  # as once a browser view is connected and asked for a draw
        explorer.figure.canvas.syncing_data_url = False
        explorer.figure.canvas.handle_draw({"type": "draw"})
    slider = explorer.sliders["tau_d"]
    values = itertools.cycle([750.0, 500.0, 300.0, 900.0, 600.0])
    fulls: list[bool] = []
    draw = explorer.renderer.draw

    def counted_draw(full: bool) -> None:
        fulls.append(full)
        draw(full)

    explorer.renderer.draw = counted_draw

    def change():
        slider.value = next(values)

    return explorer, change, fulls


def main() -> None:
    print(f"machine: {machine()}")
    print(f"seed loop: {SEED_IMPL}; matplotlib backend: {matplotlib.get_backend()}")
    seed_ms = median_ms(seed_update_fn(), 15, warmup=2)
    rows = [("seed update (1 ms steps, 1 axes, full draw)", seed_ms)]
    for backend in ("ipympl", "image"):
        explorer, change, fulls = explorer_change_fn(backend)
        ms = median_ms(change, 40, warmup=5)
        rows.append((f"explorer slider change, {backend} path", ms))
        print(f"  ({backend}: {sum(fulls)} full redraws in {len(fulls)} changes)")
        if backend == "image":
            png_ms = median_ms(explorer.renderer.png, 20)
            rows.append(("  of which PNG encode for the Image widget", png_ms))
        t0 = time.perf_counter()
        explorer.renderer.draw(True)
        rows.append(
            (
                f"  one full redraw ({backend}: axis limits changed)",
                1e3 * (time.perf_counter() - t0),
            )
        )
        explorer.close()
    print(f"{'':52s} {'median (ms)':>12s}")
    for name, ms in rows:
        print(f"{name:52s} {ms:12.1f}")
    for name, ms in rows[1:]:
        if not name.startswith(" "):
            print(f"ratio {name.split(', ')[1]} / seed: {ms / seed_ms:.3f} (target <= 0.125)")


if __name__ == "__main__":
    main()
