"""VirtualSynapse.record against two honest peers, same law, same run.

Case: 20 000 trials x 8 spikes (20 Hz) x 12 sites, quantal CV 0.3, noise 2 pA, depressing
preset with A = 120 pA. Goal: well under a second.

* ``record``: stpwidget's sampler (per spike: binomial refills, binomial releases and one gamma
  for the summed quanta, vectorised over trials);
* per-trial loop: the straightforward NumPy code a student would write, one trial at a time,
  every site a Boolean, one gamma per vesicle;
* per-site arrays: the same per-site model vectorised over trials and sites at once
  ((trials, sites) Boolean arrays, one gamma per released vesicle).

All three get the utilization u⁺ from ``simulate`` inside the timed call. Each prints the
trial-mean amplitude of spike 2 so one can see they draw the same law.

Run: ``.venv/bin/python benchmarks/bench_quantal.py``.
"""

from __future__ import annotations

import numpy as np

from benchmarks._timing import machine, median_ms
from stpwidget.model import simulate
from stpwidget.params import PRESETS
from stpwidget.quantal import VirtualSynapse
from stpwidget.trains import regular_train

TRIALS, SITES, CV, NOISE = 20_000, 12, 0.3, 2.0
PARAMS = PRESETS["depressing"].replace(A=120.0)
TRAIN = regular_train(20.0, 8)


def _setup():
    u = simulate(PARAMS, TRAIN, duration=1.0).post.u.numpy()
    refill = -np.expm1(-np.diff(TRAIN.numpy(), prepend=0.0) / float(PARAMS.tau_d))
    return u, refill, float(PARAMS.A) / SITES, CV**2


def per_trial_loop(rng, trials=TRIALS):
    u, refill, q, c2 = _setup()
    out = np.empty((trials, len(u)))
    for i in range(trials):
        occupied = np.ones(SITES, dtype=bool)
        for k in range(len(u)):
            occupied |= rng.random(SITES) < refill[k]
            released = occupied & (rng.random(SITES) < u[k])
            occupied &= ~released
            out[i, k] = rng.gamma(1 / c2, q * c2, size=int(released.sum())).sum()
    return out + rng.normal(0.0, NOISE, size=out.shape)


def per_site_arrays(rng, trials=TRIALS):
    u, refill, q, c2 = _setup()
    out = np.empty((trials, len(u)))
    occupied = np.ones((trials, SITES), dtype=bool)
    for k in range(len(u)):
        occupied |= rng.random((trials, SITES)) < refill[k]
        released = occupied & (rng.random((trials, SITES)) < u[k])
        occupied &= ~released
        quanta = np.zeros((trials, SITES))
        quanta[released] = rng.gamma(1 / c2, q * c2, size=int(released.sum()))
        out[:, k] = quanta.sum(1)
    return out + rng.normal(0.0, NOISE, size=out.shape)


def main():
    print(machine())
    print(f"{TRIALS} trials x {len(TRAIN)} spikes x {SITES} sites, CV {CV}, noise {NOISE} pA")
    syn = VirtualSynapse(PARAMS, SITES, quantal_cv=CV, noise_sd=NOISE, seed=0)
    rng = np.random.default_rng(0)
    cases = {
        "record": (lambda: syn.record(TRAIN, TRIALS).amplitudes.numpy(), 15),
        "per-site arrays": (lambda: per_site_arrays(rng), 5),
        "per-trial loop": (lambda: per_trial_loop(rng), 2),
    }
    times = {}
    for name, (fn, repeats) in cases.items():
        times[name] = median_ms(fn, repeats)
        mean2 = fn()[:, 1].mean()
        print(f"{name:>16}: {times[name]:9.1f} ms   (mean of spike 2: {mean2:.2f} pA)")
    expected = float(PARAMS.A) * float(simulate(PARAMS, TRAIN, 1.0).release[1])
    print(f"{'kernel A*r_2':>16}: {expected:.2f} pA")
    for name in ("per-site arrays", "per-trial loop"):
        print(f"{name} / record: {times[name] / times['record']:.1f}x")


if __name__ == "__main__":
    main()
