"""VirtualSynapse: quantal release whose trial mean is the Tsodyks–Markram kernel.

References are independent of the sampler: the deterministic kernel's release (tested on its
own against STP_MODEL.md), closed forms derived by hand below, and scipy's gamma law.
Every statistical check uses a fixed seed and a tolerance of 5 standard errors computed from
the sample itself (stated at each check), so a correct sampler fails with probability ~1e-6
per comparison and a biased one is caught once its bias exceeds that band.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.stats
import torch

from stpwidget.model import simulate
from stpwidget.params import PRESETS, TMParameters
from stpwidget.quantal import VirtualSynapse
from stpwidget.recordings import Recording
from stpwidget.trains import regular_train, with_recovery_probe

TRIALS = 20_000
DEPRESSING = PRESETS["depressing"].replace(A=120.0)
FACILITATING = PRESETS["facilitating"].replace(A=80.0)
TRAIN_20HZ = regular_train(20.0, 8, start=0.05)
PROBE_TRAIN = with_recovery_probe(regular_train(50.0, 6), 0.3)


def kernel_mean(params: TMParameters, spikes: torch.Tensor) -> np.ndarray:
    """A · r_k of the deterministic kernel."""
    return float(params.A) * simulate(params, spikes, duration=1.0).release.numpy()


def mean_and_se(amplitudes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-spike sample mean and its standard error s / sqrt(n) (s: sample SD, ddof=1)."""
    n = amplitudes.shape[0]
    return amplitudes.mean(0), amplitudes.std(0, ddof=1) / math.sqrt(n)


def variance_and_se(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-spike sample variance and its standard error.

    For n iid draws, Var(s²) = (μ₄ − σ⁴ (n − 3)/(n − 1)) / n ≈ (μ₄ − σ⁴) / n, with the fourth
    central moment μ₄ and σ² estimated from the sample (the law is not normal here).
    """
    n = a.shape[0]
    dev = a - a.mean(0)
    s2 = (dev**2).sum(0) / (n - 1)
    m4 = (dev**4).mean(0)
    return s2, np.sqrt((m4 - s2**2) / n)


@pytest.mark.parametrize(
    ("params", "spikes", "n_sites", "cv", "noise"),
    [
        (DEPRESSING, TRAIN_20HZ, 12, 0.3, 4.0),
        (FACILITATING, TRAIN_20HZ, 8, 0.25, 2.0),
        (DEPRESSING, PROBE_TRAIN, 15, 0.4, 3.0),
    ],
    ids=["depressing", "facilitating", "recovery-probe"],
)
def test_trial_mean_is_the_kernel(params, spikes, n_sites, cv, noise):
    syn = VirtualSynapse(params, n_sites, quantal_cv=cv, noise_sd=noise, seed=11)
    amps = syn.record(spikes, trials=TRIALS).amplitudes.numpy()
    mean, se = mean_and_se(amps)
    # 5 SE per spike, SE = sample SD / sqrt(20 000).
    np.testing.assert_array_less(np.abs(mean - kernel_mean(params, spikes)), 5 * se)


@pytest.mark.parametrize(
    ("params", "n_sites", "cv", "noise"),
    [(DEPRESSING, 12, 0.3, 4.0), (FACILITATING, 5, 0.0, 0.0), (DEPRESSING, 1, 0.5, 1.0)],
)
def test_variance_of_each_response(params, n_sites, cv, noise):
    # Closed form: Var = (A²/N) U (1 + c² − U) + σ² for the first response. Each site
    # releases at spike k with probability r_k independently of the other sites, so the
    # count is Binomial(N, r_k) and, with K gamma quanta of mean q = A/N and CV c,
    # Var = E[K] q² c² + Var[K] q² + σ² = (A²/N) r_k (1 + c² − r_k) + σ².
    A, U = float(params.A), float(params.U)
    first = A**2 / n_sites * U * (1 + cv**2 - U) + noise**2
    r = simulate(params, TRAIN_20HZ, duration=1.0).release.numpy()
    expected = A**2 / n_sites * r * (1 + cv**2 - r) + noise**2
    assert expected[0] == pytest.approx(first, rel=1e-12)
    syn = VirtualSynapse(params, n_sites, quantal_cv=cv, noise_sd=noise, seed=5)
    s2, se = variance_and_se(syn.record(TRAIN_20HZ, trials=TRIALS).amplitudes.numpy())
    np.testing.assert_array_less(np.abs(s2 - expected), 5 * se)  # 5 SE of the sample variance


def test_one_site_without_noise_is_all_or_none():
    # N = 1, c = 0, σ = 0: a response is exactly 0 or A; P(first release) = U.
    # Two spikes Δ apart: both release iff the site releases (U), refills within Δ
    # (1 − e^{−Δ/τ_d}) and releases again with u₂⁺ = U e^{−Δ/τ_f} + U (1 − U e^{−Δ/τ_f}).
    p = TMParameters(tau_f=0.2, tau_d=0.3, tau_s=0.01, U=0.35, A=7.0)
    gap = 0.1
    amps = VirtualSynapse(p, 1, seed=2).record([0.0, gap], trials=TRIALS).amplitudes.numpy()
    assert set(np.unique(amps)) <= {0.0, 7.0}
    released = amps == 7.0
    u2 = 0.35 * math.exp(-gap / 0.2) + 0.35 * (1 - 0.35 * math.exp(-gap / 0.2))
    for observed, prob in [
        (released[:, 0], 0.35),
        (released[:, 0] & released[:, 1], 0.35 * (1 - math.exp(-gap / 0.3)) * u2),
    ]:
        se = math.sqrt(prob * (1 - prob) / TRIALS)  # binomial SE of a proportion
        assert abs(observed.mean() - prob) < 5 * se


def test_quanta_follow_a_gamma_law():
    # U = 1, one site: every first response is exactly one quantum of mean A and CV c,
    # a gamma law of shape 1/c² and scale A c² (scipy's, not ours). KS test at a fixed seed.
    cv, A = 0.35, 20.0
    p = TMParameters(tau_f=0.1, tau_d=0.1, tau_s=0.01, U=1.0, A=A)
    amps = VirtualSynapse(p, 1, quantal_cv=cv, seed=9).record([0.0], trials=5000).amplitudes
    law = scipy.stats.gamma(a=1 / cv**2, scale=A * cv**2)
    assert scipy.stats.kstest(amps[:, 0].numpy(), law.cdf).pvalue > 1e-3


def test_noise_only_is_gaussian():
    # U = 1, c = 0: the first response is exactly A plus N(0, σ²) noise.
    p = TMParameters(tau_f=0.1, tau_d=0.1, tau_s=0.01, U=1.0, A=10.0)
    amps = VirtualSynapse(p, 4, noise_sd=1.5, seed=4).record([0.0], trials=5000).amplitudes
    assert scipy.stats.kstest(amps[:, 0].numpy(), scipy.stats.norm(10.0, 1.5).cdf).pvalue > 1e-3


def test_recording_shape_and_units():
    rec = VirtualSynapse(DEPRESSING, 10, quantal_cv=0.2, seed=0).record(TRAIN_20HZ, trials=3)
    assert isinstance(rec, Recording)
    assert rec.amplitudes.shape == (3, 8) and rec.amplitudes.dtype == torch.float64
    torch.testing.assert_close(rec.spike_times, TRAIN_20HZ, rtol=0, atol=0)
    one = VirtualSynapse(DEPRESSING, 10, seed=0).record([0.1, 0.2])
    assert one.amplitudes.shape == (1, 2)


def test_same_seed_same_recordings_and_the_stream_continues():
    make = lambda seed: VirtualSynapse(DEPRESSING, 10, quantal_cv=0.3, noise_sd=1.0, seed=seed)  # noqa: E731
    a, b = make(3), make(3)
    first_a, second_a = (a.record(TRAIN_20HZ, trials=4).amplitudes for _ in range(2))
    first_b, second_b = (b.record(TRAIN_20HZ, trials=4).amplitudes for _ in range(2))
    assert torch.equal(first_a, first_b) and torch.equal(second_a, second_b)
    assert not torch.equal(first_a, second_a)  # a later call gives new trials
    assert not torch.equal(first_a, make(4).record(TRAIN_20HZ, trials=4).amplitudes)


def test_global_generators_untouched():
    torch_state, np_state = torch.random.get_rng_state(), np.random.get_state()  # noqa: NPY002
    VirtualSynapse(DEPRESSING, 10, quantal_cv=0.3, noise_sd=1.0).record(TRAIN_20HZ, trials=10)
    assert torch.equal(torch.random.get_rng_state(), torch_state)
    assert all(np.array_equal(x, y) for x, y in zip(np.random.get_state(), np_state))  # noqa: NPY002


def test_params_and_repr():
    syn = VirtualSynapse(DEPRESSING, 10, quantal_cv=0.3, noise_sd=1.0)
    assert syn.params is DEPRESSING
    assert (syn.n_sites, syn.quantal_cv, syn.noise_sd) == (10, 0.3, 1.0)
    assert "n_sites=10" in repr(syn) and "U=0.45" in repr(syn)


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"n_sites": 0}, r"n_sites must be an integer in \[1, 1000000\]; got 0"),
        (
            {"n_sites": 2**63},
            r"n_sites must be an integer in \[1, 1000000\]; got 9223372036854775808",
        ),
        ({"quantal_cv": -0.1}, r"quantal_cv must be finite and in \[0, 10\]"),
        ({"quantal_cv": math.nan}, "quantal_cv must be finite"),
        ({"quantal_cv": 1e160}, r"quantal_cv must be finite and in \[0, 10\]; got 1e\+160"),
        ({"noise_sd": math.nan}, "noise_sd must be finite"),
        ({"noise_sd": -1.0}, r"noise_sd must be finite and in \[0, 1e\+100\]"),
        ({"noise_sd": math.inf}, "noise_sd must be finite"),
        ({"noise_sd": 1e308}, r"noise_sd must be finite and in \[0, 1e\+100\]; got 1e\+308"),
        ({"seed": -1}, "seed must be an integer in"),
        ({"quantal_cv": torch.tensor([0.1, 0.2])}, "quantal_cv must be a single number"),
        ({"params": DEPRESSING.replace(U=torch.tensor([0.2, 0.3]))}, "params must describe one"),
        ({"params": DEPRESSING.replace(A=1e200)}, r"params.A must be finite and in \(0, 1e\+100\]"),
    ],
)
def test_bad_construction(kwargs, pattern):
    args = {"params": DEPRESSING, "n_sites": 5, **kwargs}
    with pytest.raises(ValueError, match=f"^{pattern}"):
        VirtualSynapse(**args)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"n_sites": 2.5}, "n_sites"),
        ({"n_sites": True}, "n_sites"),
        ({"n_sites": "3"}, "n_sites"),
        ({"seed": 1.5}, "seed"),
        ({"seed": True}, "seed"),
        ({"quantal_cv": "0.3"}, "quantal_cv"),
        ({"noise_sd": None}, "noise_sd"),
        ({"params": "depressing"}, "params"),
    ],
)
def test_wrong_types_at_construction(kwargs, name):
    args = {"params": DEPRESSING, "n_sites": 5, **kwargs}
    with pytest.raises(TypeError) as info:
        VirtualSynapse(**args)
    assert str(info.value).startswith(name), str(info.value)


def test_extreme_but_allowed_settings_record_finite_amplitudes():
    # The largest values the rig accepts must not overflow on the way to a Recording.
    syn = VirtualSynapse(DEPRESSING.replace(A=1e100), 10**6, quantal_cv=10.0, noise_sd=1e100)
    rec = syn.record(TRAIN_20HZ, trials=3)
    assert torch.isfinite(rec.amplitudes).all()
    tiny = VirtualSynapse(DEPRESSING, 1, quantal_cv=10.0, seed=2**64 - 1)
    assert torch.isfinite(tiny.record(TRAIN_20HZ, trials=3).amplitudes).all()


@pytest.mark.parametrize(
    ("trials", "spikes", "name"),
    [
        (0, TRAIN_20HZ, "trials"),
        (1, [0.2, 0.1], "spike_times"),
        (1, [-0.1, 0.1], "spike_times"),
        (10**8, TRAIN_20HZ, "trials"),
    ],
)
def test_bad_record(trials, spikes, name):
    with pytest.raises(ValueError, match=name):
        VirtualSynapse(DEPRESSING, 5).record(spikes, trials=trials)


@pytest.mark.parametrize(("trials", "spikes"), [(1.5, TRAIN_20HZ), (None, TRAIN_20HZ), (1, "0.1")])
def test_wrong_types_in_record(trials, spikes):
    syn = VirtualSynapse(DEPRESSING, 5, seed=4)
    with pytest.raises(TypeError, match=r"^(trials|spike_times)"):
        syn.record(spikes, trials=trials)
    # Nothing was drawn: the stream goes on as for a fresh synapse of the same seed.
    fresh = VirtualSynapse(DEPRESSING, 5, seed=4)
    assert torch.equal(syn.record(TRAIN_20HZ).amplitudes, fresh.record(TRAIN_20HZ).amplitudes)


@pytest.mark.parametrize("cv", [1e-163, 1e-90, 1e-8])
def test_tiny_quantal_cv_is_the_exact_limit(cv):
    # With c -> 0 the summed quanta tend to k q; the draw must neither overflow nor divide by 0.
    exact = VirtualSynapse(DEPRESSING, 7, seed=3).record(TRAIN_20HZ, trials=5).amplitudes
    tiny = VirtualSynapse(DEPRESSING, 7, quantal_cv=cv, seed=3).record(TRAIN_20HZ, trials=5)
    q = float(DEPRESSING.A) / 7
    counts = tiny.amplitudes / q
    torch.testing.assert_close(counts, counts.round(), rtol=0, atol=max(1e-12, 20 * cv))
    if cv < 1e-100:  # no gamma draw at all: the same stream as c = 0
        assert torch.equal(tiny.amplitudes, exact)
