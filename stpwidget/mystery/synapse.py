"""One student's hidden synapse: drawn from the class code and the name, with a trial budget.

SHA-256 of a canonical encoding of the pair gives every draw, so there is no server, no file
and no state. The parameters are hidden from casual inspection only (``repr``, ``vars`` and
pickles show no values, :meth:`MysterySynapse.reveal` needs the lecturer's key); the
synapse lives in the student's kernel, so code that copies the draw can still compute it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any, NoReturn

import torch

from stpwidget._checks import check_count
from stpwidget.mystery._text import canonical, check_name
from stpwidget.mystery.classroom import ClassSettings, class_settings
from stpwidget.mystery.rig import check_not_held_out
from stpwidget.params import TMParameters
from stpwidget.quantal import VirtualSynapse
from stpwidget.recordings import Recording
from stpwidget.trains import as_spike_times

__all__ = ["KINDS", "MYSTERY_RANGES", "MysterySynapse", "mystery_synapse"]

#: Log-uniform ranges (low, high) of the hidden parameters for each kind of synapse, in s for
#: the time constants. A kind is drawn first (one third each), then each parameter.
MYSTERY_RANGES: Mapping[str, Mapping[str, tuple[float, float]]] = MappingProxyType(
    {
        "depressing": {"U": (0.4, 0.9), "tau_f": (0.01, 0.05), "tau_d": (0.3, 2.0)},
        "facilitating": {"U": (0.05, 0.2), "tau_f": (0.3, 2.0), "tau_d": (0.01, 0.1)},
        "mixed": {"U": (0.15, 0.4), "tau_f": (0.1, 0.6), "tau_d": (0.2, 1.0)},
    }
)
KINDS: tuple[str, ...] = tuple(MYSTERY_RANGES)
#: Release sites (inclusive), quantal size in pA (log-uniform), quantal CV and noise SD in pA.
_SITES, _QUANTUM_PA, _CV, _NOISE_PA = (5, 20), (10.0, 30.0), (0.2, 0.4), (2.0, 5.0)
#: Current decay of every mystery synapse in s: it does not enter the amplitudes.
TAU_S = 0.005


class MysterySynapse(VirtualSynapse):
    """A :class:`VirtualSynapse` whose parameters are hidden; made by :func:`mystery_synapse`.

    ``n_sites``, ``quantal_cv`` and ``noise_sd`` (pA) are public facts of the rig, and so are
    the class's rules (:attr:`trials`, :attr:`trials_left`, :attr:`show_score`); the
    Tsodyks–Markram parameters are not: there is no ``params`` attribute, and ``repr``,
    ``str``, ``vars`` and pickles show no values. Amplitudes are in pA.
    """

    def __init__(self, class_code: str, student: str) -> None:
        self.class_code = check_name("class_code", class_code)
        self.student = check_name("student", student)
        self._settings: ClassSettings = class_settings(self.class_code)
        self._used = 0
        params, self._kind, draw = _truth(self.class_code, self.student)
        super().__init__(
            params,
            n_sites=_sites(draw),
            quantal_cv=draw.uniform("quantal_cv", *_CV),
            noise_sd=draw.uniform("noise_sd", *_NOISE_PA),
            seed=int.from_bytes(draw.digest("seed")[:8], "big"),
        )

    @property
    def params(self) -> NoReturn:
        """Not available: a mystery synapse hides its parameters (see :meth:`reveal`)."""
        raise AttributeError(
            "a mystery synapse hides its parameters: estimate them from recordings "
            "(the lecturer can call reveal(key))"
        )

    @property
    def trials(self) -> int:
        """The class's budget: trials this synapse records in all."""
        return self._settings.trials

    @property
    def trials_left(self) -> int:
        """Trials this synapse may still record (its budget less those recorded)."""
        return self._settings.trials - self._used

    @property
    def show_score(self) -> bool:
        """Whether the class lets a student see their score before grading."""
        return self._settings.show_score

    def record(self, spike_times: Sequence[float] | torch.Tensor, trials: int = 1) -> Recording:
        """Record ``trials`` trials of a train, each from rest, within the class's budget.

        Parameters
        ----------
        spike_times : sequence of float or torch.Tensor
            Sorted spike times in s (>= 0) that share no rate or probe gap with the graded
            trains (:func:`check_not_held_out`).
        trials : int, default 1
            Repetitions, in [1, :attr:`trials_left`].

        Returns
        -------
        Recording
            Amplitudes in pA, shape ``(trials, n_spikes)``.

        Raises
        ------
        ValueError
            For a bad train, a held-out train, or ``trials`` outside [1, trials_left]; nothing
            is recorded or counted then.
        """
        spikes = as_spike_times(spike_times)
        n = check_count("trials", trials, 1)
        check_not_held_out(spikes)
        if not self.trials_left:
            raise ValueError(f"trials: all of the class's {self.trials} trials are recorded")
        if n > self.trials_left:
            raise ValueError(
                f"trials must be in [1, {self.trials_left}]: {self.trials_left} of the class's "
                f"{self.trials} trials are left; got {n}"
            )
        recording = super().record(spikes, n)
        self._used += n
        return Recording(recording.spike_times, recording.amplitudes, unit="pA")

    def reveal(self, key: str | None = None) -> TMParameters:
        """The hidden parameters, for the lecturer (time constants in s, ``A`` in pA).

        Parameters
        ----------
        key : str
            The class's key (:attr:`Classroom.key`; for a plain class code, the code itself).

        Raises
        ------
        TypeError
            If ``key`` is not a str.
        ValueError
            Without a key, or with the wrong one.
        """
        if key is None:
            raise ValueError("key: reveal needs the lecturer's key: synapse.reveal(room.key)")
        if not self._settings.accepts(self.class_code, key):
            raise ValueError("key: that is not the key of this synapse's class")
        return self._model.value

    def __repr__(self) -> str:
        return (
            f"MysterySynapse(class_code={self.class_code!r}, student={self.student!r}, "
            f"n_sites={self.n_sites}, quantal_cv={self.quantal_cv:.3g}, "
            f"noise_sd={self.noise_sd:.3g} pA, trials_left={self.trials_left})"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        # Rebuilt from the pair (the stream's position and the trials used), so no value is
        # in the pickle.
        state = (self._rng.bit_generator.state, self._used)
        return (_restore, (self.class_code, self.student, *state))

    def _label(self, trials: int) -> str:
        return f"mystery synapse of {self.student}, {trials} trials"


def mystery_synapse(class_code: str, student: str) -> MysterySynapse:
    """The hidden synapse of one student in one class, the same every time it is asked for.

    Parameters
    ----------
    class_code : str
        The class's code (non-empty): :attr:`Classroom.code`, which carries the class's
        rules, or any plain text (then 100 trials and the score shown, as before classes).
    student : str
        The student's name (non-empty). Class code and name are compared after Unicode NFKC
        normalisation, trimming, collapsing inner whitespace and case folding, so
        ``" Ada  Lovelace"`` and ``"ada lovelace"`` get the same synapse.

    Returns
    -------
    MysterySynapse
        A depressing, facilitating or mixed synapse (one third each) with U in 0.05–0.9 and
        τ_f, τ_d in 10 ms–2 s (log-uniform within kind-specific ranges, see
        ``MYSTERY_RANGES``), 5–20 release sites, quanta of 10–30 pA with CV 0.2–0.4, and
        2–5 pA of recording noise. Its random stream is seeded from the pair too, so a
        fresh synapse replays the same recordings. Each synapse object has the class's
        budget of trials.

    Raises
    ------
    TypeError
        If ``class_code`` or ``student`` is not a str.
    ValueError
        If either is blank.
    """
    return MysterySynapse(class_code, student)


def _truth(class_code: str, student: str) -> tuple[TMParameters, str, _Draw]:
    """The hidden parameters (``A`` in pA), the kind, and the draw of the pair."""
    draw = _Draw(class_code, student)
    kind = KINDS[min(int(3 * draw("kind")), 2)]
    log = {name: draw.log_uniform(name, *r) for name, r in MYSTERY_RANGES[kind].items()}
    amplitude = _sites(draw) * draw.log_uniform("quantum", *_QUANTUM_PA)
    return TMParameters(tau_s=TAU_S, A=amplitude, **log), kind, draw


def _sites(draw: _Draw) -> int:
    return _SITES[0] + min(int(draw("n_sites") * (_SITES[1] - _SITES[0] + 1)), 15)


def _hidden(class_code: str, student: str) -> tuple[TMParameters, str]:
    """The true parameters and kind of a pair, for grading (no key check: callers check)."""
    params, kind, _ = _truth(class_code, student)
    return params, kind


class _Draw:
    """Reproducible uniform draws in [0, 1), one per field name, from SHA-256 of the pair."""

    def __init__(self, class_code: str, student: str) -> None:
        pair = ["stpwidget.mystery/1", canonical(class_code), canonical(student)]
        self._key = json.dumps(pair, ensure_ascii=False).encode("utf-8")

    def digest(self, field: str) -> bytes:
        return hashlib.sha256(self._key + b"\0" + field.encode("ascii")).digest()

    def __call__(self, field: str) -> float:
        return (int.from_bytes(self.digest(field)[:8], "big") >> 11) / 2.0**53

    def uniform(self, field: str, low: float, high: float) -> float:
        return low + (high - low) * self(field)

    def log_uniform(self, field: str, low: float, high: float) -> float:
        return float(low * (high / low) ** self(field))


def _restore(class_code: str, student: str, state: dict[str, Any], used: int) -> MysterySynapse:
    synapse = MysterySynapse(class_code, student)
    synapse._rng.bit_generator.state = state
    synapse._used = used
    return synapse
