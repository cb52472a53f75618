"""Multi-start fit: stpwidget's batched fit against a 48-start scipy least_squares peer.

Four cases, each fitted by both in the same run:

* ``mixed, Gaussian``: a mixed (facilitating and depressing) synapse driven by three trains
  of ten pulses at 10, 20 and 40 Hz, each followed by a recovery probe 0.5 s later;
  Gaussian noise of sd 0.05 (A = 3, so about 8 % of the first response). Four free
  parameters; the optimum lies inside the bounds.
* ``depressing, tau_f at floor``: a recording-like data set from
  :class:`stpwidget.quantal.VirtualSynapse` (20 sites, quantal CV 0.3, recording noise sd 0.05):
  a depressing synapse (tau_f 0.1 ms) driven at 10, 20 and 50 Hz, each train followed by a
  probe 0.25 s or 1 s later, 8 trials each, weighted by the trials' standard errors. Four
  free parameters; the optimum has tau_f at its 1 ms floor.
* ``little facilitation, 4 free``: the same protocol for a depressing synapse with a little
  facilitation (tau_f 15 ms), unweighted trial means.
* ``little facilitation, 3 free``: the same data fitted with the three-parameter
  depressing model (U, tau_d, A; tau_f fixed at its 1 ms floor).

Both fits get the same bounds (the fit's defaults) and the same 48 starts (``start`` and 47
scrambled Sobol points, uniform in log scale); the peer starts ``A`` at its best value for
each start's other parameters (as the batched fit does), then runs
``scipy.optimize.least_squares(method="trf")`` with default tolerances from every start and
keeps the lowest SSE. Its model is a plain Python loop over the recurrence of
``docs/model.md`` (what one writes without stpwidget, and faster per evaluation than
calling ``stpwidget.simulate``; that slower peer is timed once, on the first case).

Run: ``.venv/bin/python -m benchmarks.bench_fit`` (about a minute on the 2-core sandbox).
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from scipy.optimize import least_squares

from benchmarks._timing import machine
from stpwidget import TMParameters, regular_train, simulate, with_recovery_probe
from stpwidget.fit import DEFAULT_BOUNDS, DEFAULT_START, FitResult, FitWarning, fit
from stpwidget.fit import _spread as spread  # the fit's own starts
from stpwidget.quantal import VirtualSynapse
from stpwidget.recordings import Recording

N_STARTS, SEED, ROUNDS = 48, 0, 3
MIXED = TMParameters(tau_f=0.3, tau_d=0.4, tau_s=0.02, U=0.2, A=3.0)
DEPRESSING = TMParameters(tau_f=1e-4, tau_d=0.7, tau_s=0.02, U=0.45, A=2.0)
LITTLE = TMParameters(tau_f=0.015, tau_d=0.6, tau_s=0.02, U=0.4, A=2.0)
ALL = ("U", "tau_f", "tau_d", "A")


def gaussian_data() -> list[Recording]:
    gen = torch.Generator().manual_seed(2026)
    recs = []
    for rate in (10.0, 20.0, 40.0):
        train = with_recovery_probe(regular_train(rate, 10, start=0.1), 0.5)
        clean = float(MIXED.A) * simulate(MIXED, train, 1.0).release
        noise = 0.05 * torch.randn(train.numel(), dtype=torch.float64, generator=gen)
        recs.append(Recording(train, clean + noise, label=f"{rate:g} Hz"))
    return recs


def virtual_data(params: TMParameters, seed: int, weighted: bool) -> list[Recording]:
    """Trial means of a quantal synapse: 3 rates x 2 recovery probes, 8 trials each."""
    syn = VirtualSynapse(params, n_sites=20, quantal_cv=0.3, noise_sd=0.05, seed=seed)
    recs = []
    for rate in (10.0, 20.0, 50.0):
        for gap in (0.25, 1.0):
            train = with_recovery_probe(regular_train(rate, 8, start=0.1), gap)
            trials = syn.record(train, trials=8).amplitudes
            sd = trials.std(0) / math.sqrt(trials.shape[0]) if weighted else None
            recs.append(Recording(train, trials.mean(0), sd=sd, label=f"{rate:g} Hz"))
    return recs


def release_loop(theta: dict[str, float], trains: list[list[float]]) -> np.ndarray:
    big_u, tau_f, tau_d = theta["U"], theta["tau_f"], theta["tau_d"]
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


def release_simulate(theta: dict[str, float], trains: list[torch.Tensor]) -> np.ndarray:
    p = TMParameters(tau_f=theta["tau_f"], tau_d=theta["tau_d"], tau_s=0.02, U=theta["U"])
    return np.concatenate([simulate(p, t, duration=1.0, dt=1.0).release.numpy() for t in trains])


def peer(
    recs: list[Recording], free: tuple[str, ...], start: TMParameters, release: Callable, trains
) -> tuple[float, float, dict[str, float], int]:
    """Best SSE over 48 trf fits, its time in s, its parameters and all residual calls."""
    y = np.concatenate([r.mean.numpy() for r in recs])
    sqrt_w = np.concatenate(
        [np.ones(r.mean.numel()) if r.sd is None else 1.0 / r.sd.numpy() for r in recs]
    )
    names = tuple(n for n in free if n != "A")
    lo = np.array([DEFAULT_BOUNDS[n][0] for n in names])
    hi = np.array([DEFAULT_BOUNDS[n][1] for n in names])
    first = np.array([[float(getattr(start, n)) for n in names]])
    cube = np.concatenate([np.log(first / lo) / np.log(hi / lo), spread(len(names), 47, SEED)])
    starts = lo * (hi / lo) ** cube  # the fit's starts, in API units
    fixed = {n: float(getattr(start, n)) for n in ("U", "tau_f", "tau_d")}
    a_lo, a_hi = 1e-3 * y.max(), 1e3 * y.max()
    low, high = np.append(lo, a_lo), np.append(hi, a_hi)

    def theta(x: np.ndarray) -> dict[str, float]:
        return fixed | dict(zip(names, x.tolist()))

    t0 = time.perf_counter()
    best: tuple[float, Any] = (math.inf, None)
    calls = 0
    for point in starts:
        r0 = release(theta(point), trains)
        a0 = float(np.clip((r0 * sqrt_w**2) @ y / ((r0**2) @ sqrt_w**2), a_lo, a_hi))
        x0 = np.clip(np.append(point, a0), low, high)

        def residual(x: np.ndarray) -> np.ndarray:
            return sqrt_w * (x[-1] * release(theta(x[:-1]), trains) - y)

        res = least_squares(residual, x0, bounds=(low, high), method="trf")
        calls += res.nfev
        sse = float(res.fun @ res.fun)
        if sse < best[0]:
            best = (sse, res.x)
    seconds = time.perf_counter() - t0
    return best[0], seconds, theta(best[1][:-1]) | {"A": float(best[1][-1])}, calls


def timed_fit(recs: list[Recording], free: tuple[str, ...], start: TMParameters):
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FitWarning)  # tau_f at its bound is expected
        result = fit(recs, free=free, start=start, n_starts=N_STARTS, seed=SEED)
    return result, time.perf_counter() - t0


def describe(values: dict[str, float]) -> str:
    return (
        f"U {values['U']:.4f} tau_f {1e3 * values['tau_f']:.2f} ms "
        f"tau_d {1e3 * values['tau_d']:.1f} ms A {values['A']:.4f}"
    )


def of(result: FitResult) -> dict[str, float]:
    return {n: float(getattr(result.params, n)) for n in ALL}


def compare(name: str, recs, free, start, release, trains, rounds: int) -> None:
    ours, theirs = [], []
    for _ in range(rounds):  # interleaved: the machine's speed drifts
        result, seconds = timed_fit(recs, free, start)
        ours.append(seconds)
        sse, seconds, x, calls = peer(recs, free, start, release, trains)
        theirs.append(seconds)
    t_fit, t_peer = float(np.median(ours)), float(np.median(theirs))
    print(f"{name} ({sum(r.mean.numel() for r in recs)} amplitudes, free {', '.join(free)})")
    print(
        f"  stpwidget fit : {1e3 * t_fit:8.1f} ms  {result.n_iter:3d} iterations  "
        f"SSE {result.sse:.7g}  {describe(of(result))}"
    )
    print(
        f"  scipy trf     : {1e3 * t_peer:8.1f} ms  {calls:5d} residual calls  "
        f"SSE {sse:.7g}  {describe(x)}"
    )
    print(
        f"  medians of {rounds}: time fit / peer = {t_fit / t_peer:.3f} (goal <= 0.25)   "
        f"SSE fit / peer - 1 = {result.sse / sse - 1:+.2e} (goal <= +1e-3)"
    )


def main() -> None:
    print(machine())
    assert DEFAULT_START.U == 0.25 and DEFAULT_START.tau_f == DEFAULT_START.tau_d == 0.2
    gaussian = gaussian_data()
    floor = virtual_data(DEPRESSING, seed=4, weighted=True)
    little = virtual_data(LITTLE, seed=11, weighted=False)
    three = DEFAULT_START.replace(tau_f=1e-3)
    cases = [
        ("mixed, Gaussian", gaussian, ALL, DEFAULT_START),
        ("depressing, tau_f at floor", floor, ALL, DEFAULT_START),
        ("little facilitation, 4 free", little, ALL, DEFAULT_START),
        ("little facilitation, 3 free", little, ("U", "tau_d", "A"), three),
    ]
    timed_fit(gaussian, ALL, DEFAULT_START)  # warm-up (imports, first calls)
    for name, recs, free, start in cases:
        trains = [r.spike_times.tolist() for r in recs]
        compare(name, recs, free, start, release_loop, trains, ROUNDS)
    trains_t = [r.spike_times for r in gaussian]
    compare(
        "mixed, Gaussian; peer through simulate",
        gaussian,
        ALL,
        DEFAULT_START,
        release_simulate,
        trains_t,
        1,
    )


if __name__ == "__main__":
    main()
