"""A stochastic Tsodyks–Markram synapse: quantal release from a few sites, for virtual recordings.

The deterministic kernel (:func:`stpwidget.simulate`) is the *mean* of a noisy process: a
response is the sum of a few vesicles, each released by chance. :class:`VirtualSynapse` draws
that process (see ``docs/model.md``, "Quantal release"):

* ``N`` independent release sites, each holding at most one vesicle; all are occupied at rest;
* at spike ``k`` every occupied site releases with probability ``u⁺_k``, the utilization just
  after the spike's facilitation jump (deterministic, exactly as in the kernel);
* an emptied site refills after an exponentially distributed time of mean ``τ_d``, so across a
  gap ``Δ`` an empty site is occupied again with probability ``1 − exp(−Δ/τ_d)``;
* each released vesicle adds a quantum of mean ``q = A / N`` with coefficient of variation
  ``quantal_cv`` (a gamma law), and each response gets Gaussian recording noise ``noise_sd``.

The sites are exchangeable and independent, so the number of occupied sites in each trial is
all the state there is: per spike, one binomial draw for the refills, one for the releases and
one gamma draw for the summed quanta (a sum of ``k`` iid gamma quanta of one scale is a gamma
of ``k`` times the shape), all vectorised over trials. This is the same law as drawing every
site separately, at a cost that does not grow with ``N``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import torch

from stpwidget._checks import as_real, check_count, check_range, check_samples
from stpwidget.model import per_spike
from stpwidget.params import TMParameters
from stpwidget.recordings import Recording
from stpwidget.trains import as_spike_times

__all__ = ["VirtualSynapse"]

#: Most release sites of one synapse (real synapses have one to a few hundred).
MAX_SITES = 10**6
#: Largest quantal coefficient of variation (measured ones are below 1).
MAX_CV = 10.0
#: Largest seed: any 64-bit value (the mystery synapses draw theirs from a hash).
MAX_SEED = 2**64 - 1
#: Largest ``A`` and ``noise_sd``, in the recording's unit: larger draws could overflow.
MAX_SCALE = 1e100

#: Below this CV the summed quanta are exactly ``k q`` to float64 precision (their spread,
#: ``c q √k``, is under 1e-90 of ``k q``); the gamma law's ``k / c²`` would overflow.
_CV_EXACT = 1e-100

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


class VirtualSynapse:
    """A synapse with quantal, stochastic release whose trial mean is the Tsodyks–Markram model.

    Parameters
    ----------
    params : TMParameters
        One synapse (plain floats or one-element tensors; time constants in s). ``A`` is the
        mean response of a full release, in the recording's unit (e.g. pA), at most 1e100;
        ``τ_s`` plays no part in the amplitudes.
    n_sites : int
        Number of independent release sites ``N``, in [1, 10⁶], each holding at most one
        vesicle.
    quantal_cv : float, default 0.0
        Coefficient of variation ``c`` of one vesicle's contribution, in [0, 10]. Quanta
        follow a gamma law of mean ``q = A / N``; 0 means every vesicle adds exactly ``q``.
    noise_sd : float, default 0.0
        Standard deviation ``σ`` of the Gaussian recording noise added to every response, in
        the unit of ``A``, in [0, 1e100].
    seed : int, default 0
        Seed in [0, 2**64 - 1] of the synapse's private NumPy random generator: two synapses
        built with the same arguments give the same recordings, and each :meth:`record`
        call continues the stream (new trials). The global NumPy and torch generators are
        not touched.

    Raises
    ------
    TypeError
        If ``params`` is not a :class:`TMParameters`, ``n_sites`` or ``seed`` is not an
        integer (booleans and floats are refused), or ``quantal_cv`` or ``noise_sd`` is not
        a number. The message names the argument.
    ValueError
        If ``params`` is a batch or its ``A`` is above 1e100, or a value is outside its
        range (the message names the argument and the range). All are checked before
        anything is drawn, so :meth:`record` cannot overflow.

    Notes
    -----
    Every trial starts from rest (all sites occupied). With ``r_k`` the release of the
    deterministic kernel for the same train, the amplitude of spike ``k`` satisfies exactly

    * mean: ``E[amplitude_k] = A · r_k`` (the expected occupancy obeys the ``x`` recurrence);
    * first response: ``Var[amplitude_1] = (A²/N) · U · (1 + c² − U) + σ²``; more generally
      each site releases at spike ``k`` with probability ``r_k``, independently of the other
      sites, so ``Var[amplitude_k] = (A²/N) · r_k · (1 + c² − r_k) + σ²``.

    Responses of one trial are correlated through each site's depletion (a site that has
    just released is empty), so they are not independent draws around ``A · r_k``.

    Examples
    --------
    >>> from stpwidget import PRESETS, regular_train
    >>> syn = VirtualSynapse(PRESETS["depressing"], n_sites=10, quantal_cv=0.3, seed=1)
    >>> syn.record(regular_train(20.0, 5), trials=50).amplitudes.shape
    torch.Size([50, 5])
    """

    def __init__(
        self,
        params: TMParameters,
        n_sites: int,
        quantal_cv: float = 0.0,
        noise_sd: float = 0.0,
        seed: int = 0,
    ) -> None:
        if not isinstance(params, TMParameters):
            raise TypeError(f"params must be a TMParameters; got {type(params).__name__}")
        if params.batch_shape.numel() != 1:
            raise ValueError(
                "params must describe one synapse (plain floats or one-element tensors); "
                f"got a batch of shape {tuple(params.batch_shape)}"
            )
        check_range("params.A", params.A, low=0.0, high=MAX_SCALE, low_open=True)
        sites = check_count("n_sites", n_sites, 1, MAX_SITES)
        cv, sd = as_real("quantal_cv", quantal_cv), as_real("noise_sd", noise_sd)
        check_range("quantal_cv", cv, low=0.0, high=MAX_CV)
        check_range("noise_sd", sd, low=0.0, high=MAX_SCALE)
        rng = np.random.default_rng(check_count("seed", seed, 0, MAX_SEED))
        self._model = _Hidden(params)
        #: Number of release sites ``N``.
        self.n_sites: int = sites
        #: Coefficient of variation of one quantum (dimensionless).
        self.quantal_cv: float = cv
        #: Standard deviation of the recording noise per response, in the unit of ``A``.
        self.noise_sd: float = sd
        self._rng = rng

    @property
    def params(self) -> TMParameters:
        """The synapse's Tsodyks–Markram parameters (time constants in s)."""
        return self._model.value

    def record(self, spike_times: Sequence[float] | torch.Tensor, trials: int = 1) -> Recording:
        """Record the responses to a spike train, ``trials`` times, each trial from rest.

        Parameters
        ----------
        spike_times : sequence of float or torch.Tensor
            Sorted presynaptic spike times in s (>= 0).
        trials : int, default 1
            Number of independent repetitions (>= 1).

        Returns
        -------
        Recording
            The train and the response amplitudes, shape ``(trials, n_spikes)``, float64, in
            the unit of ``A``. Noise can make an amplitude negative.

        Raises
        ------
        TypeError
            For ``trials`` that is not an integer, or spike times that are not numbers.
        ValueError
            For a bad spike train, ``trials`` < 1, or more than 10⁸ values.
        """
        spikes = as_spike_times(spike_times)
        n_trials = check_count("trials", trials, 1)
        check_samples("trials x spikes", n_trials * spikes.numel())
        amplitudes = self._draw(spikes, n_trials)
        return Recording(spikes, torch.from_numpy(amplitudes), label=self._label(n_trials))

    def __repr__(self) -> str:
        return (
            f"VirtualSynapse({self.params!r}, n_sites={self.n_sites}, "
            f"quantal_cv={self.quantal_cv:g}, noise_sd={self.noise_sd:g})"
        )

    def _label(self, trials: int) -> str:
        return f"virtual synapse, {self.n_sites} sites, {trials} trials"

    def _draw(self, spikes: torch.Tensor, trials: int) -> FloatArray:
        """Amplitudes of shape ``(trials, n_spikes)``: one short loop over spikes."""
        params = self._model.value
        n_spikes = spikes.numel()
        u_plus = per_spike(params, spikes).post.u.reshape(-1).detach().cpu().numpy()
        # Probability that an empty site is full again by the next spike (0 before the first).
        gaps = np.diff(spikes.numpy(), prepend=spikes.numpy()[:1])
        refill = -np.expm1(-gaps / float(params.tau_d))
        q = float(params.A) / self.n_sites
        rng, n = self._rng, self.n_sites
        occupied: IntArray = np.full(trials, n, dtype=np.int64)
        out: FloatArray = np.empty((trials, n_spikes), dtype=np.float64)
        for k in range(n_spikes):
            if k:
                occupied += rng.binomial(n - occupied, refill[k])
            released = rng.binomial(occupied, u_plus[k])
            occupied -= released
            out[:, k] = self._quanta(released, q)
        if self.noise_sd > 0.0:
            out += rng.normal(0.0, self.noise_sd, size=out.shape)
        return out

    def _quanta(self, released: IntArray, q: float) -> FloatArray:
        """Summed quanta of ``released`` vesicles: gamma(k / c², scale q c²), or exactly k q."""
        if self.quantal_cv < _CV_EXACT:
            return np.multiply(released, q, dtype=np.float64)
        c2 = self.quantal_cv**2
        return self._rng.gamma(released / c2, q * c2)


class _Hidden:
    """Holds a value without ever printing it (``repr`` shows no numbers)."""

    __slots__ = ("value",)

    def __init__(self, value: TMParameters) -> None:
        self.value = value

    def __repr__(self) -> str:
        return "<hidden>"
