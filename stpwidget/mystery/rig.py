"""The rig's protocols and the held-out rule that :meth:`MysterySynapse.record` obeys.

:func:`grade` scores estimates on :func:`held_out_protocol`. A train is refused when it
shares with those trains what makes them informative, not only when it has their exact
shape: three or more spikes in a row at a held-out rate (every held-out probe train starts
with 40 Hz, so 40 Hz counts too), or a recovery gap after a faster train at a held-out probe
gap. "At" means within ±5 % of the interval; the position of the train in time plays no part.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from stpwidget._checks import check_count, check_range
from stpwidget.trains import as_spike_times, regular_train, with_recovery_probe

__all__ = [
    "HELD_OUT_PROBES",
    "HELD_OUT_RATES",
    "HELD_OUT_TOLERANCE",
    "PROTOCOL_START",
    "check_not_held_out",
    "held_out_protocol",
    "protocol_train",
]

#: Held-out trains: 8 spikes from rest at each of these rates (Hz) ...
HELD_OUT_RATES: tuple[float, ...] = (3.0, 14.0, 33.0, 70.0)
#: ... and 8 spikes at 40 Hz followed by one probe spike after each of these gaps (s).
HELD_OUT_PROBES: tuple[float, ...] = (0.06, 0.25, 0.8, 2.5)
_HELD_OUT_SPIKES, PROBE_RATE = 8, 40.0
#: Relative tolerance of "at a held-out rate or gap".
HELD_OUT_TOLERANCE = 0.05
#: Spikes in a row at one held-out rate that make a train held out (a pair is allowed).
_RUN = 3
#: An interval at least this many times the one before it is a recovery gap (a probe).
_PROBE_FACTOR = 1.5
#: First spike of every train :func:`protocol_train` makes (s).
PROTOCOL_START = 0.1


def held_out_protocol() -> dict[str, torch.Tensor]:
    """The trains :func:`grade` predicts: rates and recovery gaps the students may not record.

    Returns
    -------
    dict of str to torch.Tensor
        Spike times in s, each train from rest: 8 spikes at each of ``HELD_OUT_RATES``
        (3, 14, 33 and 70 Hz), and 8 spikes at 40 Hz followed by a probe spike after each of
        ``HELD_OUT_PROBES`` (60 ms, 250 ms, 800 ms and 2.5 s).
    """
    trains = {f"{r:g} Hz": regular_train(r, _HELD_OUT_SPIKES) for r in HELD_OUT_RATES}
    burst = regular_train(PROBE_RATE, _HELD_OUT_SPIKES)
    for gap in HELD_OUT_PROBES:
        trains[f"{PROBE_RATE:g} Hz + probe at {1e3 * gap:g} ms"] = with_recovery_probe(burst, gap)
    return trains


def check_not_held_out(
    spike_times: Sequence[float] | torch.Tensor, name: str = "spike_times"
) -> None:
    """Raise ``ValueError`` if a train shares a held-out rate or probe gap.

    Parameters
    ----------
    spike_times : sequence of float or torch.Tensor
        Sorted spike times in s (>= 0).
    name : str, default "spike_times"
        The argument named in the message (the explorer passes ``"protocol"``).

    Raises
    ------
    ValueError
        For a bad train, three or more spikes in a row at 3, 14, 33, 40 or 70 Hz (±5 %),
        or an interval within ±5 % of 60 ms, 250 ms, 800 ms or 2.5 s that comes after two
        or more spikes at least 1.5 times closer together (a recovery probe).

    Examples
    --------
    >>> check_not_held_out(regular_train(20.0, 8))  # 20 Hz is not held out
    >>> check_not_held_out(regular_train(33.0, 7, start=0.5))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: spike_times: 3 or more spikes in a row at 33 Hz (±5 %), a rate of the ...
    """
    isi = np.diff(as_spike_times(spike_times).numpy())
    for rate in (*HELD_OUT_RATES, PROBE_RATE):
        with np.errstate(divide="ignore"):
            near = np.abs(1.0 / (isi * rate) - 1.0) <= HELD_OUT_TOLERANCE  # the rate, ±5 %
        if (near[:-1] & near[1:]).any():
            raise ValueError(
                f"{name}: {_RUN} or more spikes in a row at {rate:g} Hz (±5 %), a rate of the "
                "graded trains (3, 14, 33, 40 and 70 Hz); record at another rate"
            )
    probes = isi[1:][isi[1:] >= _PROBE_FACTOR * isi[:-1]]
    for gap in HELD_OUT_PROBES:
        if (np.abs(probes / gap - 1.0) <= HELD_OUT_TOLERANCE).any():
            raise ValueError(
                f"{name}: a recovery probe {1e3 * gap:g} ms (±5 %) after a train, a gap of the "
                "graded trains (60, 250, 800 and 2500 ms); choose another gap"
            )


def protocol_train(
    kind: str, rate: float, pulses: int, interval: float, delay: float
) -> tuple[torch.Tensor, str]:
    """Spike times and a label for one of the rig's protocols, first spike at 0.1 s.

    Parameters
    ----------
    kind : {"train", "pair", "probe"}
        A regular train; a paired pulse; or the train followed by a recovery probe.
    rate : float
        Rate of the train in Hz (> 0; ``"train"``, ``"probe"``).
    pulses : int
        Spikes in the train (>= 2; ``"train"``, ``"probe"``).
    interval : float
        Interval of the pair in s (> 0; ``"pair"``).
    delay : float
        Gap between the train's last spike and the probe in s (> 0; ``"probe"``).

    Returns
    -------
    spikes : torch.Tensor
        Spike times in s, float64. Not checked against the held-out rule: see
        :func:`check_not_held_out` (``record`` checks it too).
    label : str
        E.g. ``"20 Hz × 8 + probe at 500 ms"``.

    Raises
    ------
    ValueError
        For an unknown ``kind`` or a value out of range, naming the argument.

    Examples
    --------
    >>> protocol_train("probe", 20.0, 3, 0.0, 0.5)
    (tensor([0.1000, 0.1500, 0.2000, 0.7000], dtype=torch.float64), '20 Hz × 3 + probe at 500 ms')
    """
    if kind not in ("train", "pair", "probe"):
        raise ValueError(f"kind must be 'train', 'pair' or 'probe'; got {kind!r}")
    if kind == "pair":
        check_range("interval", interval, low=0.0, low_open=True, unit=" s")
        return regular_train(1.0 / interval, 2, PROTOCOL_START), f"pair at {1e3 * interval:.4g} ms"
    check_range("rate", rate, low=0.0, low_open=True, unit=" Hz")
    train = regular_train(rate, check_count("pulses", pulses, 2), PROTOCOL_START)
    label = f"{rate:.4g} Hz × {pulses}"
    if kind == "probe":
        check_range("delay", delay, low=0.0, low_open=True, unit=" s")
        return with_recovery_probe(train, delay), f"{label} + probe at {1e3 * delay:.4g} ms"
    return train, label
