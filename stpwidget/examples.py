"""Example recordings made by the package itself (no data file needed, the same on every call).

* :func:`example_recordings`: what the explorer's **load example** shows: noisy trials of the
  facilitating preset from the virtual rig.
* :func:`example_file_recordings`: ``docs/example_recordings.csv``, the example of
  ``docs/recordings.md`` (written by ``scripts/make_example_recordings.py``).
"""

from __future__ import annotations

import torch

from stpwidget.model import simulate
from stpwidget.params import PRESETS
from stpwidget.quantal import VirtualSynapse
from stpwidget.recordings import Recording
from stpwidget.trains import regular_train, with_recovery_probe

#: The explorer's example: trains at these rates (Hz) of 10 pulses from 0.1 s, then a probe.
EXAMPLE_RATES, EXAMPLE_PULSES, EXAMPLE_PROBE = (10.0, 20.0, 40.0), 10, 0.5
#: ... recorded this many times from a virtual synapse with this many release sites.
EXAMPLE_TRIALS, EXAMPLE_SITES = 20, 50
#: The file's example: trials per train, noise sd (pA) and seed.
FILE_TRIALS, FILE_NOISE_SD, FILE_SEED = 3, 1.0, 10


def _train(rate: float) -> torch.Tensor:
    return with_recovery_probe(regular_train(rate, EXAMPLE_PULSES, 0.1), EXAMPLE_PROBE)


def example_recordings() -> tuple[Recording, ...]:
    """Noisy recordings of the facilitating preset (what the explorer's example loads).

    Returns
    -------
    tuple of Recording
        Twenty trials of 10 pulses at 10, 20 and 40 Hz from 0.1 s, each train followed by a
        recovery probe 0.5 s after its last pulse, recorded from a
        :class:`~stpwidget.quantal.VirtualSynapse` of ``PRESETS["facilitating"]``
        (``A = 1``) with 50 release sites, quantal CV 0.3 and noise of sd 0.02 (seed 1).
        Amplitudes are in units of ``A``; their trial means scatter around ``A · release``.
    """
    synapse = VirtualSynapse(
        PRESETS["facilitating"], n_sites=EXAMPLE_SITES, quantal_cv=0.3, noise_sd=0.02, seed=1
    )
    recordings = []
    for rate in EXAMPLE_RATES:
        rec = synapse.record(_train(rate), trials=EXAMPLE_TRIALS)
        recordings.append(Recording(rec.spike_times, rec.amplitudes, label=f"{rate:g} Hz"))
    return tuple(recordings)


def example_file_recordings() -> tuple[Recording, ...]:
    """The recordings of ``docs/example_recordings.csv``, one per rate.

    Returns
    -------
    tuple of Recording
        The depressing preset with A = 40 pA driven by ten pulses at 10, 20 and
        40 Hz, each train followed by a recovery probe 0.5 s after its last pulse; three
        trials per train, each amplitude ``A · release`` plus Gaussian noise of sd 1 pA
        (seeded), rounded to 0.001 pA, in pA; spike times in whole microseconds.
    """
    synapse = PRESETS["depressing"].replace(A=40.0)
    gen = torch.Generator().manual_seed(FILE_SEED)
    recordings = []
    for rate in EXAMPLE_RATES:
        train = torch.round(_train(rate) * 1e6) / 1e6  # 0.3, not 0.30000000000000004
        mean = float(synapse.A) * simulate(synapse, train, duration=1.0).release
        noise = torch.randn(FILE_TRIALS, train.numel(), dtype=torch.float64, generator=gen)
        amplitudes = torch.round((mean + FILE_NOISE_SD * noise) * 1e3) / 1e3
        recordings.append(Recording(train, amplitudes, label=f"{rate:g} Hz", unit="pA"))
    return tuple(recordings)
