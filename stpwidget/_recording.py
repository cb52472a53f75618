"""The :class:`Recording` (public as :class:`stpwidget.recordings.Recording`)."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from stpwidget._checks import check_range
from stpwidget.trains import as_spike_times

#: Unicode categories a label may not contain: control characters (line breaks, tabs), which
#: do not survive every spreadsheet.
_FORBIDDEN = ("Cc",)


#: Longest unit name (an axis label shows it).
MAX_UNIT = 16


def label_problem(label: str) -> str | None:
    """Why ``label`` cannot name a recording (one CSV cell, read back as written), or None."""
    if not label.strip():
        return "is empty"
    if label != label.strip():
        return f"{label!r} starts or ends with white space (a CSV reader strips it)"
    for k, char in enumerate(label):
        if unicodedata.category(char) in _FORBIDDEN:
            return (
                f"{label!r} holds the control character {char!r} at position {k + 1} "
                "(line breaks, tabs and the like cannot be read back from a CSV cell)"
            )
    return None


class Recording:
    """Response amplitudes recorded for one presynaptic spike train.

    Parameters
    ----------
    spike_times : sequence of float or torch.Tensor
        Presynaptic spike times in s: 1-D, at least one, finite, >= 0, sorted.
    amplitudes : array-like or torch.Tensor
        Response amplitude of every spike, in the recording's unit (e.g. pA, mV): shape
        ``(n_spikes,)``, or ``(n_trials, n_spikes)`` for repeated trials (the fit uses the
        trial mean, :attr:`mean`). Finite. The model's amplitudes ``A · release`` are
        positive: give inward currents as magnitudes.
    label : str, optional
        A name for the recording (e.g. ``"20 Hz"``); the CSV's ``label`` column. Not empty,
        without leading or trailing white space and without control characters (line
        breaks, tabs), so that it reads back from a CSV file exactly as written.
    sd : array-like or torch.Tensor, optional
        Standard deviation of every spike's amplitude (> 0, finite), shape ``(n_spikes,)``,
        in the amplitudes' unit. The fit weights spike k's squared residual by
        ``1 / sd[k]**2``; without it every spike weighs 1.
    unit : str, optional
        The amplitudes' unit, e.g. ``"pA"`` or ``"mV"`` (the CSV's ``unit`` column): the
        explorer labels its axes with it. At most 16 characters, same rules as ``label``.

    Raises
    ------
    TypeError
        Naming the argument: a label or unit that is not a ``str``; text, booleans or complex
        numbers in place of numbers.
    ValueError
        Naming the argument (and the recording and spike): times that are not 1-D, empty,
        negative, non-finite or unsorted; amplitudes or ``sd`` of the wrong shape, NaN or
        infinite; ``sd <= 0``; a label or unit that cannot be written to a CSV cell.

    Notes
    -----
    A recording copies what it is given and cannot be changed afterwards: its attributes
    are read-only and each returns a new float64 CPU tensor, so writing into one does not
    touch the recording. Two recordings compare equal only if they are the same object.

    Examples
    --------
    >>> rec = Recording([0.1, 0.2, 0.3], [[1.0, 0.7, 0.5], [1.2, 0.7, 0.6]], label="10 Hz")
    >>> rec.n_trials, rec.mean
    (2, tensor([1.1000, 0.7000, 0.5500], dtype=torch.float64))
    """

    __slots__ = ("_amplitudes", "_label", "_sd", "_spike_times", "_unit")
    _spike_times: torch.Tensor
    _amplitudes: torch.Tensor
    _label: str | None
    _sd: torch.Tensor | None
    _unit: str | None

    def __init__(
        self,
        spike_times: Sequence[float] | torch.Tensor,
        amplitudes: Any,
        label: str | None = None,
        sd: Any = None,
        unit: str | None = None,
    ) -> None:
        for name, text in (("label", label), ("unit", unit)):
            if text is not None and not isinstance(text, str):
                raise TypeError(f"{name} must be a str or None; got {type(text).__name__}")
            problem = None if text is None else label_problem(text)
            if problem:
                raise ValueError(f"{name} {problem}")
        if unit is not None and len(unit) > MAX_UNIT:
            raise ValueError(f"unit must be at most {MAX_UNIT} characters; got {unit!r}")
        of = "" if label is None else f" of recording {label!r}"
        try:
            times = as_spike_times(spike_times)
        except ValueError as err:
            raise ValueError(f"{err}{of}") from None
        n = times.numel()
        if n == 0:
            raise ValueError(f"spike_times{of} must hold at least one spike")
        amps = _as_float64("amplitudes", amplitudes)
        if amps.ndim not in (1, 2) or amps.shape[-1] != n or amps.shape[0] == 0:
            raise ValueError(
                f"amplitudes{of} must have shape ({n},) or (n_trials, {n}) to match the {n} "
                f"spike_times; got shape {tuple(amps.shape)}"
            )
        _check_finite("amplitudes", amps, times, of)
        if sd is not None:
            sd = _as_float64("sd", sd)
            if sd.shape != (n,):
                raise ValueError(
                    f"sd{of} must have shape ({n},), one per spike; got shape {tuple(sd.shape)}"
                )
            _check_finite("sd", sd, times, of)
            check_range(f"sd{of}", sd, low=0.0, low_open=True)
        fields = {"_spike_times": times, "_amplitudes": amps, "_label": label, "_sd": sd}
        fields["_unit"] = unit
        for name, value in fields.items():
            object.__setattr__(self, name, value)

    @property
    def spike_times(self) -> torch.Tensor:
        """Presynaptic spike times in s, shape ``(n_spikes,)``, float64 (a copy)."""
        return self._spike_times.clone()

    @property
    def amplitudes(self) -> torch.Tensor:
        """Amplitudes, shape ``(n_spikes,)`` or ``(n_trials, n_spikes)``, float64 (a copy)."""
        return self._amplitudes.clone()

    @property
    def label(self) -> str | None:
        """The recording's name, or None."""
        return self._label

    @property
    def unit(self) -> str | None:
        """The amplitudes' unit (e.g. ``"pA"``), or None."""
        return self._unit

    @property
    def sd(self) -> torch.Tensor | None:
        """Standard deviation of every spike's amplitude, float64 (a copy), or None."""
        return None if self._sd is None else self._sd.clone()

    @property
    def n_trials(self) -> int:
        """Number of trials (1 for one amplitude per spike)."""
        return 1 if self._amplitudes.ndim == 1 else int(self._amplitudes.shape[0])

    @property
    def mean(self) -> torch.Tensor:
        """Trial-mean amplitude of every spike, shape ``(n_spikes,)``, float64 (a copy)."""
        amps = self._amplitudes
        return amps.clone() if amps.ndim == 1 else torch.mean(amps, 0)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"a Recording cannot be changed (make a new one); {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"a Recording cannot be changed (make a new one); {name!r}")

    def __reduce__(self) -> tuple[type[Recording], tuple[Any, ...]]:
        return Recording, (self._spike_times, self._amplitudes, self._label, self._sd, self._unit)

    def __repr__(self) -> str:
        trials = f", {self.n_trials} trials" if self._amplitudes.ndim == 2 else ""
        sd = ", with sd" if self._sd is not None else ""
        sd += f", in {self._unit}" if self._unit is not None else ""
        return f"Recording(label={self._label!r}, {self._spike_times.numel()} spikes{trials}{sd})"


def _as_float64(name: str, value: Any) -> torch.Tensor:
    if isinstance(value, str | bytes):
        raise TypeError(f"{name} must be an array of real numbers, got the string {value!r}")
    if isinstance(value, torch.Tensor) and (value.is_complex() or value.dtype == torch.bool):
        raise TypeError(f"{name} must be an array of real numbers; got a {value.dtype} tensor")
    try:
        return torch.as_tensor(value, dtype=torch.float64).detach().cpu().clone()
    except (TypeError, ValueError, RuntimeError) as err:
        raise TypeError(f"{name} must be an array of real numbers; {err}") from None


def _check_finite(name: str, values: torch.Tensor, times: torch.Tensor, of: str) -> None:
    """Refuse NaN or infinity, naming the recording, the spike (from 1) and the trial."""
    bad = ~np.isfinite(values.numpy())
    if not bad.any():
        return
    where = np.argwhere(bad)[0]
    spike = int(where[-1])
    trial = f"trial {int(where[0]) + 1}, " if values.ndim == 2 else ""
    raise ValueError(
        f"{name}{of} must be finite; {trial}spike {spike + 1} (t = {times[spike].item():g} s) "
        f"is {float(values.numpy()[tuple(where)])!r}"
    )
