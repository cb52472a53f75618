"""Multi-start fit: stpwidget's batched fit against a 48-start scipy least_squares peer.

Data: a mixed (facilitating and depressing) synapse driven by three trains of ten pulses at
10, 20 and 40 Hz, each followed by a recovery probe 0.5 s later; Gaussian noise of
sd 0.05 (A = 3, so about 8 % of the first response). Both fits get the same bounds (the
fit's defaults) and the same 48 starts (``start`` and 47 scrambled Sobol points, uniform in
log scale); the peer starts ``A`` at its best value for each start's other parameters (as the
batched fit does), then runs ``scipy.optimize.least_squares(method="trf")`` with default
tolerances from every start and keeps the lowest SSE.

Two peers, the two a user would write: the model through ``stpwidget.simulate`` (one call per
train and residual evaluation), and a plain Python loop over the recurrence of
``docs/model.md`` (what one writes without stpwidget; faster per evaluation).

Run: ``.venv/bin/python benchmarks/bench_fit.py`` (about a minute on the 2-core sandbox).
"""

from __future__ import annotations

import math
import time

import numpy as np
import torch
from _timing import machine
from scipy.optimize import least_squares

from stpwidget import TMParameters, regular_train, simulate, with_recovery_probe
from stpwidget.fit import DEFAULT_START, fit
from stpwidget.fit import _spread as spread  # the fit's own starts
from stpwidget.recordings import Recording

TRUE = TMParameters(tau_f=0.3, tau_d=0.4, tau_s=0.02, U=0.2, A=3.0)
NAMES = ("U", "tau_f", "tau_d")
N_STARTS, SEED, NOISE = 48, 0, 0.05


def data() -> list[Recording]:
    gen = torch.Generator().manual_seed(2026)
    recs = []
    for rate in (10.0, 20.0, 40.0):
        train = with_recovery_probe(regular_train(rate, 10, start=0.1), 0.5)
        clean = float(TRUE.A) * simulate(TRUE, train, 1.0).release
        noise = NOISE * torch.randn(train.numel(), dtype=torch.float64, generator=gen)
        recs.append(Recording(train, clean + noise, label=f"{rate:g} Hz"))
    return recs


def release_simulate(theta: np.ndarray, trains: list[torch.Tensor]) -> np.ndarray:
    p = TMParameters(tau_f=theta[1], tau_d=theta[2], tau_s=0.02, U=theta[0])
    return np.concatenate([simulate(p, t, duration=1.0, dt=1.0).release.numpy() for t in trains])


def release_loop(theta: np.ndarray, trains: list[list[float]]) -> np.ndarray:
    big_u, tau_f, tau_d = (float(v) for v in theta)
    out = []
    for train in trains:
        u, x, last = 0.0, 1.0, train[0]
        for t in train:
            u *= math.exp(-(t - last) / tau_f)
            x = 1.0 - (1.0 - x) * math.exp(-(t - last) / tau_d)
            u += big_u * (1.0 - u)
            r = u * x
            x -= r
            out.append(r)
            last = t
    return np.array(out)


def peer(recs: list[Recording], release, trains) -> tuple[float, float, np.ndarray]:
    """Best SSE over 48 trf fits, its time in s, and its parameters."""
    y = np.concatenate([r.mean.numpy() for r in recs])
    low = np.array([1e-3, 1e-3, 1e-3, 1e-3 * y.max()])
    high = np.array([1.0, 5.0, 5.0, 1e3 * y.max()])
    lo, hi = low[:3], high[:3]
    first = np.array([[0.25, 0.2, 0.2]])  # DEFAULT_START's U, tau_f, tau_d
    cube = np.concatenate(
        [np.log(first / lo) / np.log(hi / lo), 0.5 * (1 + np.sin(spread(3, N_STARTS - 1, SEED)))]
    )
    starts = lo * (hi / lo) ** cube  # the fit's starts, mapped back to API units
    t0 = time.perf_counter()
    best = (math.inf, None)
    for theta in starts:
        r0 = release(theta, trains)
        a0 = float(np.clip(r0 @ y / (r0 @ r0), low[3], high[3]))
        x0 = np.clip(np.append(theta, a0), low, high)

        def residual(x: np.ndarray) -> np.ndarray:
            return x[3] * release(x[:3], trains) - y

        res = least_squares(residual, x0, bounds=(low, high), method="trf")
        sse = float(res.fun @ res.fun)
        if sse < best[0]:
            best = (sse, res.x)
    return best[0], time.perf_counter() - t0, best[1]


def timed_fit(recs: list[Recording]):
    t0 = time.perf_counter()
    result = fit(recs, n_starts=N_STARTS, seed=SEED)
    return result, time.perf_counter() - t0


def main() -> None:
    print(machine())
    recs = data()
    assert DEFAULT_START.U == 0.25 and DEFAULT_START.tau_f == DEFAULT_START.tau_d == 0.2
    timed_fit(recs)  # warm-up (imports, first calls)
    trains_t = [r.spike_times for r in recs]
    trains_l = [r.spike_times.tolist() for r in recs]
    # The machine's speed drifts: time the fit right before each peer run (3 rounds for the
    # fast peer, 1 for the slow one) and compare medians of the same rounds.
    for name, release, trains, rounds in (
        ("scipy trf + Python loop", release_loop, trains_l, 3),
        ("scipy trf + simulate", release_simulate, trains_t, 1),
    ):
        ours, theirs = [], []
        for _ in range(rounds):
            result, seconds = timed_fit(recs)
            ours.append(seconds)
            sse, seconds, x = peer(recs, release, trains)
            theirs.append(seconds)
        t_fit, t_peer = float(np.median(ours)), float(np.median(theirs))
        p = result.params
        print(
            f"stpwidget fit           : {1e3 * t_fit:8.1f} ms  SSE {result.sse:.6f}  "
            f"U {float(p.U):.4f} tau_f {float(p.tau_f):.4f} s tau_d {float(p.tau_d):.4f} s "
            f"A {float(p.A):.4f}  ({result.n_iter} iterations)"
        )
        print(
            f"{name:24s}: {1e3 * t_peer:8.1f} ms  SSE {sse:.6f}  "
            f"U {x[0]:.4f} tau_f {x[1]:.4f} s tau_d {x[2]:.4f} s A {x[3]:.4f}"
        )
        print(
            f"    medians of {rounds}: time fit / peer = {t_fit / t_peer:.3f} (goal <= 0.25)   "
            f"SSE fit / peer - 1 = {result.sse / sse - 1:+.2e} (goal <= +1e-3)"
        )


if __name__ == "__main__":
    main()
