"""Write ``docs/example_recordings.csv``: the example of ``docs/recordings.md``.

The depressing preset with A = 40 (pA, say) driven by ten pulses at 10, 20 and 40 Hz, each
train followed by a recovery probe 0.5 s after its last pulse; three trials per train, each
amplitude ``A · release`` from :func:`stpwidget.simulate` plus Gaussian noise of sd 1 pA
(seeded, so the file is the same on every run), rounded to 0.001 pA.

Run: ``.venv/bin/python scripts/make_example_recordings.py [--out docs/example_recordings.csv]``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch

from stpwidget import PRESETS, regular_train, simulate, with_recovery_probe
from stpwidget.recordings import Recording, write_recordings

ROOT = Path(__file__).resolve().parents[1]
SYNAPSE = PRESETS["depressing"].replace(A=40.0)
RATES, N_PULSES, PROBE_DELAY = (10.0, 20.0, 40.0), 10, 0.5
N_TRIALS, NOISE_SD, SEED = 3, 1.0, 10


def example_recordings() -> list[Recording]:
    """The example recordings, one per rate (the same on every call)."""
    gen = torch.Generator().manual_seed(SEED)
    recordings = []
    for rate in RATES:
        train = with_recovery_probe(regular_train(rate, N_PULSES, start=0.1), PROBE_DELAY)
        train = torch.round(train * 1e6) / 1e6  # whole microseconds: 0.3, not 0.30000000000000004
        mean = float(SYNAPSE.A) * simulate(SYNAPSE, train, duration=1.0).release
        noise = torch.randn(N_TRIALS, train.numel(), dtype=torch.float64, generator=gen)
        amplitudes = torch.round((mean + NOISE_SD * noise) * 1e3) / 1e3
        recordings.append(Recording(train, amplitudes, label=f"{rate:g} Hz"))
    return recordings


def main() -> None:
    """Write the example file (path from --out)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "example_recordings.csv")
    out = parser.parse_args().out
    write_recordings(example_recordings(), out)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
