"""The explorer's input: which presynaptic spike train, and how long a window shows it.

Pure torch, no widgets. A :class:`Stimulus` turns a handful of settings into a spike train,
a display window and the code that reproduces it with the public API.
"""

from __future__ import annotations

import dataclasses
from typing import Literal

import torch

from stpwidget._checks import as_real, check_count, check_range, check_seed
from stpwidget.trains import (
    as_spike_times,
    poisson_train,
    regular_train,
    step_train,
    with_recovery_probe,
)

Kind = Literal["regular", "poisson", "probe", "step", "recorded"]
KINDS: tuple[str, ...] = ("regular", "poisson", "probe", "step", "recorded")

#: Highest rate (Hz) of any train: faster is almost surely a unit slip.
MAX_RATE = 1000.0
#: The real-valued settings, converted to ``float`` (text is refused) before any check.
REALS = ("rate", "start", "probe_delay", "rate_after", "switch")

#: Display windows (s). The window only changes in these steps, so the time axis does not
#: jump while a slider is dragged.
WINDOWS: tuple[float, ...] = (0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0)


@dataclasses.dataclass(frozen=True)
class Stimulus:
    """A presynaptic stimulus: a spike train and the window that shows it.

    Parameters
    ----------
    kind : {"regular", "poisson", "probe", "step", "recorded"}, default "regular"
        A regular train; a Poisson train of the same mean rate and expected spike count; a
        regular train followed by one recovery probe; a regular train whose rate steps from
        ``rate`` to ``rate_after`` at ``switch`` and goes on as long again; or the spike
        times ``times`` of a recording.
    rate : float, default 10.0
        Rate in Hz, in (0, 1000]; before the switch for ``"step"``.
    n_spikes : int, default 9
        Spikes in the regular train (the expected count for Poisson), 1 to 500.
    start : float, default 0.1
        Time of the first spike (Poisson: start of the train) in s, >= 0.
    probe_delay : float, default 0.5
        Gap between the last spike and the probe in s, in (0, 20] (``kind="probe"`` only).
    seed : int, default 0
        Seed of the Poisson draw, in [0, 2**31 - 1] (same seed, same train).
    rate_after : float, default 40.0
        Rate after the switch in Hz, in (0, 1000] (``kind="step"`` only).
    switch : float, default 0.8
        Time of the rate step in s, in (0, 40] and, for ``kind="step"`` (the only kind that
        uses it), after ``start``.
    times : tuple of float, default ()
        Spike times in s, sorted, >= 0 (``kind="recorded"`` only; at least one).

    Raises
    ------
    TypeError
        For a setting of the wrong type, naming it: text for a number (``rate="10"``), a
        bool, a float for ``n_spikes`` or ``seed``, ``None``.
    ValueError
        For an unknown ``kind``, a tensor of several values for a number, or a value outside
        its range; or a stimulus whose train would outlast the longest display window
        (100 s). Numbers are stored as ``float`` and ``int``.
    """

    kind: Kind = "regular"
    rate: float = 10.0
    n_spikes: int = 9
    start: float = 0.1
    probe_delay: float = 0.5
    seed: int = 0
    rate_after: float = 40.0
    switch: float = 0.8
    times: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.kind, str):
            raise TypeError(f"kind must be one of {KINDS}; got {self.kind!r}")
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}; got {self.kind!r}")
        for name in REALS:
            object.__setattr__(self, name, as_real(name, getattr(self, name)))
        object.__setattr__(self, "n_spikes", check_count("n_spikes", self.n_spikes, 1, 500))
        object.__setattr__(self, "seed", check_seed("seed", self.seed))
        times = as_spike_times(self.times, "times")  # validates: 1-D, finite, >= 0, sorted
        object.__setattr__(self, "times", tuple(times.tolist()))
        if self.kind == "recorded" and not self.times:
            raise ValueError("times must hold at least one spike time for kind='recorded'")
        check_range("rate", self.rate, low=0.0, high=MAX_RATE, low_open=True, unit=" Hz")
        check_range(
            "rate_after", self.rate_after, low=0.0, high=MAX_RATE, low_open=True, unit=" Hz"
        )
        check_range("start", self.start, low=0.0, high=10.0, unit=" s")
        # The switch must come after the start only where it is used: a regular train may
        # start after the (unused) default switch.
        after = self.start if self.kind == "step" else 0.0
        try:
            check_range("switch", self.switch, low=after, high=40.0, low_open=True, unit=" s")
        except ValueError as err:
            if self.kind != "step":
                raise
            raise ValueError(f"{err} (the step comes after start={self.start:g} s)") from None
        check_range("probe_delay", self.probe_delay, low=0.0, high=20.0, low_open=True, unit=" s")
        if self.end > WINDOWS[-1] / 1.1:
            if self.kind in ("step", "recorded"):
                raise ValueError(
                    f"the {self.kind} train would last {self.end:.3g} s; the longest window "
                    f"is {WINDOWS[-1]:g} s"
                )
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
        """Time of the last spike (or of the end of a Poisson or step train) in s."""
        if self.kind == "step":
            return 2 * self.switch - self.start
        if self.kind == "recorded":
            return self.times[-1]
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
        if self.kind == "step":
            return step_train(self.rate, self.rate_after, self.switch, self.end, start=self.start)
        if self.kind == "recorded":
            return torch.tensor(self.times, dtype=torch.float64)
        train = regular_train(self.rate, self.n_spikes, start=self.start)
        return with_recovery_probe(train, self.probe_delay) if self.kind == "probe" else train

    @property
    def code_names(self) -> tuple[str, ...]:
        """What :meth:`to_code` uses: names from ``stpwidget``, and ``"torch"`` itself."""
        names = {
            "poisson": ("poisson_train",),
            "probe": ("regular_train", "with_recovery_probe"),
            "step": ("step_train",),
            "recorded": ("torch",),
        }
        return names.get(self.kind, ("regular_train",))

    def to_code(self) -> str:
        """Python that builds the same spike train with the public API (assigns ``spikes``)."""
        if self.kind == "poisson":
            return (
                f"spikes = {self.start!r} + poisson_train({self.rate!r}, "
                f"{self.train_length!r}, seed={self.seed!r})"
            )
        if self.kind == "step":
            return (
                f"spikes = step_train({self.rate!r}, {self.rate_after!r}, {self.switch!r}, "
                f"{self.end!r}, start={self.start!r})"
            )
        if self.kind == "recorded":
            return f"spikes = torch.tensor({list(self.times)!r}, dtype=torch.float64)"
        code = f"spikes = regular_train({self.rate!r}, {self.n_spikes!r}, start={self.start!r})"
        if self.kind == "probe":
            code += f"\nspikes = with_recovery_probe(spikes, {self.probe_delay!r})"
        return code
