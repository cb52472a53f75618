"""Kernel speed: the seed's per-step loop of torch ops against ``simulate(method="exact")``.

Run: ``.venv/bin/python benchmarks/bench_kernel.py`` (or ``make bench``). Prints medians and
ratios measured in this one run; copy them to benchmarks/README.md with the date and machine.
"""

from __future__ import annotations

import torch

from benchmarks._timing import machine, median_ms
from stpwidget import PRESETS, TMParameters, poisson_train, regular_train, simulate


def seed_loop(
    p: dict[str, torch.Tensor | float], spikes: torch.Tensor, duration: float, dt: float
) -> torch.Tensor:
    """The seed notebook's ``example()``: one Norse ``stp_step`` per time step, in Python.

    Uses Norse's own ``stp_step`` when Norse is installed (as ``make bench`` does); otherwise
    the same arithmetic written out, which is faster than the real seed (less call overhead).
    """
    n = round(duration / dt)
    z = torch.zeros(n)  # float32 and Python-float state, exactly as the seed does
    z[torch.round(spikes / dt).long()] = 1.0
    params = TsodyksMakramParameters(
        tau_f_inv=1 / p["tau_f"], tau_s_inv=1 / p["tau_s"], tau_d_inv=1 / p["tau_d"], U=p["U"]
    )
    s = TsodyksMakramState(x=1.0, u=0.0)
    i = 0.0
    xs, us, current = [], [], []
    for ts in range(n):
        x, s = stp_step(z[ts], s, params, dt=dt)
        i = i + dt * (-params.tau_s_inv * i) + x
        xs.append(s.x)
        us.append(s.u)
        current.append(i)
    return torch.stack(xs)


try:
    from norse.torch.functional.tsodyks_makram import (
        TsodyksMakramParameters,
        TsodyksMakramState,
        stp_step,
    )

    SEED_IMPL = "norse.torch.functional.tsodyks_makram.stp_step"
except ImportError:  # the same update, written out
    from typing import NamedTuple

    class TsodyksMakramParameters(NamedTuple):  # type: ignore[no-redef]
        tau_f_inv: object
        tau_s_inv: object
        tau_d_inv: object
        U: object

    class TsodyksMakramState(NamedTuple):  # type: ignore[no-redef]
        x: torch.Tensor
        u: torch.Tensor

    def stp_step(z, s, p, dt=0.001):  # type: ignore[no-redef]
        u_p = s.u + dt * (-p.tau_f_inv * s.u) + p.U * (1 - s.u) * z
        x_p = s.x + dt * p.tau_d_inv * (1 - s.x) - u_p * s.x * z
        return u_p * s.x * z, TsodyksMakramState(x=x_p, u=u_p)

    SEED_IMPL = "written-out stp_step (norse not installed)"


def main() -> None:
    dep = PRESETS["depressing"]
    seed_p = {k: getattr(dep, k) for k in ("tau_f", "tau_d", "tau_s", "U")}
    train = regular_train(10.0, 9, start=0.1)
    poisson = poisson_train(20.0, 10.0, seed=0)
    batch = 1024
    g = torch.Generator().manual_seed(0)
    batch_p = TMParameters(
        tau_f=0.01 + torch.rand(batch, generator=g, dtype=torch.float64),
        tau_d=0.01 + torch.rand(batch, generator=g, dtype=torch.float64),
        tau_s=0.02,
        U=0.05 + 0.9 * torch.rand(batch, generator=g, dtype=torch.float64),
    )
    batch_seed_p = {k: getattr(batch_p, k) for k in ("tau_f", "tau_d", "tau_s", "U")}

    print(f"machine: {machine()}")
    print(f"seed loop: {SEED_IMPL}")
    rows = [
        (
            "seed train 1 s, dt 1 ms",
            lambda: seed_loop(seed_p, train, 1.0, 1e-3),
            lambda: simulate(dep, train, 1.0, dt=1e-3),
            5,
            200,
        ),
        (
            "seed train 1 s, dt 0.1 ms",
            lambda: seed_loop(seed_p, train, 1.0, 1e-4),
            lambda: simulate(dep, train, 1.0, dt=1e-4),
            3,
            200,
        ),
        (
            "Poisson 20 Hz 10 s, dt 0.1 ms",
            lambda: seed_loop(seed_p, poisson, 10.0, 1e-4),
            lambda: simulate(dep, poisson, 10.0, dt=1e-4),
            1,
            50,
        ),
        (
            f"batch {batch} x 1 s, dt 0.1 ms",
            lambda: seed_loop(batch_seed_p, train, 1.0, 1e-4),
            lambda: simulate(batch_p, train, 1.0, dt=1e-4),
            1,
            10,
        ),
    ]
    print(f"{'case':34s} {'seed loop (ms)':>15s} {'exact (ms)':>11s} {'seed/exact':>11s}")
    for name, seed_fn, ours_fn, seed_reps, our_reps in rows:
        seed_ms = median_ms(seed_fn, seed_reps, warmup=0)
        ours_ms = median_ms(ours_fn, our_reps, warmup=3)
        print(f"{name:34s} {seed_ms:15.1f} {ours_ms:11.3f} {seed_ms / ours_ms:10.0f}x")
    if torch.cuda.is_available():
        gpu_ms = median_ms(
            lambda: (simulate(batch_p, train, 1.0, device="cuda"), torch.cuda.synchronize()),
            20,
            warmup=3,
        )
        print(f"batch {batch} on {torch.cuda.get_device_name()}: {gpu_ms:.3f} ms")
    else:
        print("CUDA: no GPU on this machine")


if __name__ == "__main__":
    main()
