"""The explorer's input: which presynaptic spike train, and how long a window shows it.

Pure torch, no widgets. A :class:`Stimulus` turns a handful of settings into a spike train,
a display window and the code that reproduces it with the public API.
"""

from __future__ import annotations

import dataclasses
from typing import Literal

import torch

from stpwidget._checks import check_range
from stpwidget.trains import poisson_train, regular_train, with_recovery_probe

Kind = Literal["regular", "poisson", "probe"]
KINDS: tuple[str, ...] = ("regular", "poisson", "probe")

#: Display windows (s). The window only changes in these steps, so the time axis does not
#: jump while a slider is dragged.
WINDOWS: tuple[float, ...] = (0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0)


@dataclasses.dataclass(frozen=True)
class Stimulus:
    """A presynaptic stimulus: a spike train and the window that shows it.

    Parameters
    ----------
    kind : {"regular", "poisson", "probe"}, default "regular"
        A regular train; a Poisson train of the same mean rate and expected spike count; or
        a regular train followed by one recovery probe.
    rate : float, default 10.0
        Rate in Hz (> 0).
    n_spikes : int, default 9
        Spikes in the regular train (the expected count for Poisson), 1 to 500.
    start : float, default 0.1
        Time of the first spike (Poisson: start of the train) in s, >= 0.
    probe_delay : float, default 0.5
        Gap between the last spike and the probe in s, in (0, 20] (``kind="probe"`` only).
    seed : int, default 0
        Seed of the Poisson draw (same seed, same train).

    Raises
    ------
    ValueError
        For an unknown ``kind`` or a value outside its range; or a stimulus whose train
        would outlast the longest display window (100 s).
    """

    kind: Kind = "regular"
    rate: float = 10.0
    n_spikes: int = 9
    start: float = 0.1
    probe_delay: float = 0.5
    seed: int = 0

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}; got {self.kind!r}")
        check_range("rate", self.rate, low=0.0, low_open=True, unit=" Hz")
        check_range("n_spikes", self.n_spikes, low=1, high=500)
        if int(self.n_spikes) != self.n_spikes:
            raise ValueError(f"n_spikes must be an integer in [1, 500]; got {self.n_spikes!r}")
        check_range("start", self.start, low=0.0, high=10.0, unit=" s")
        check_range("probe_delay", self.probe_delay, low=0.0, high=20.0, low_open=True, unit=" s")
        if self.end > WINDOWS[-1] / 1.1:
            raise ValueError(
                f"rate={self.rate:g} Hz with n_spikes={self.n_spikes}"
                + (f" and probe_delay={self.probe_delay:g} s" if self.kind == "probe" else "")
                + f" would last {self.end:.3g} s; the longest window is {WINDOWS[-1]:g} s: "
                "raise the rate or use fewer spikes"
            )

    @property
    def train_length(self) -> float:
        """Length of the train (without the probe) in s."""
        gaps = self.n_spikes if self.kind == "poisson" else self.n_spikes - 1
        return gaps / self.rate

    @property
    def end(self) -> float:
        """Time of the last spike (or of the end of a Poisson train) in s."""
        end = self.start + self.train_length
        return end + self.probe_delay if self.kind == "probe" else end

    @property
    def duration(self) -> float:
        """Display window in s: the shortest of :data:`WINDOWS` that shows the train."""
        return next(w for w in WINDOWS if w >= 1.1 * self.end)

    def spikes(self) -> torch.Tensor:
        """Spike times in s (1-D float64)."""
        if self.kind == "poisson":
            return self.start + poisson_train(self.rate, self.train_length, seed=self.seed)
        train = regular_train(self.rate, self.n_spikes, start=self.start)
        return with_recovery_probe(train, self.probe_delay) if self.kind == "probe" else train

    def to_code(self) -> str:
        """Python that builds the same spike train with the public API (assigns ``spikes``)."""
        if self.kind == "poisson":
            return (
                f"spikes = {self.start!r} + poisson_train({self.rate!r}, "
                f"{self.train_length!r}, seed={self.seed!r})"
            )
        code = f"spikes = regular_train({self.rate!r}, {self.n_spikes!r}, start={self.start!r})"
        if self.kind == "probe":
            code += f"\nspikes = with_recovery_probe(spikes, {self.probe_delay!r})"
        return code
