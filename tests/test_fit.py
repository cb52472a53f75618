"""fit(): exact recovery, optimality, standard errors, weighting, the path, bad input.

References are independent of the code under test: the release recurrence of docs/model.md
written out below in plain Python (data are generated with it, not with simulate), the
generating parameters, scipy's least_squares, finite differences taken here, and the spread
of fits over noisy replicas.
"""

import doctest
import importlib
import itertools
import math

import numpy as np
import pytest
import torch
from scipy.optimize import least_squares
from tm_reference import releases

from stpwidget import PRESETS, TMParameters, regular_train, with_recovery_probe
from stpwidget.fit import FitWarning, fit
from stpwidget.recordings import Recording

TRAINS = [with_recovery_probe(regular_train(f, 10, start=0.1), 0.5) for f in (10.0, 20.0, 40.0)]
MIXED = TMParameters(tau_f=0.3, tau_d=0.4, tau_s=0.02, U=0.2, A=3.0)
NAMES = ("U", "tau_f", "tau_d", "A")


def amplitudes(theta, train):
    """A · release for theta = (U, tau_f, tau_d, A)."""
    return theta[3] * releases(*theta[:3], train)


def theta_of(p):
    return np.array([float(getattr(p, n)) for n in NAMES])


def make_data(theta, noise=0.0, seed=0, sd=None):
    gen = np.random.default_rng(seed)
    return [
        Recording(t, amplitudes(theta, t) + noise * gen.standard_normal(t.numel()), sd=sd)
        for t in TRAINS
    ]


def weighted_residuals(theta, recs):
    return np.concatenate(
        [
            (r.mean.numpy() - amplitudes(theta, r.spike_times))
            / (1.0 if r.sd is None else r.sd.numpy())
            for r in recs
        ]
    )


def sse_at(theta, recs):
    return float((weighted_residuals(theta, recs) ** 2).sum())


@pytest.fixture(scope="module")
def noisy():
    """A mixed synapse, noise sd 0.05 (first amplitude 0.6), and its fit."""
    recs = make_data(theta_of(MIXED), noise=0.05, seed=1)
    return recs, fit(recs)


@pytest.mark.parametrize("name", ["depressing", "facilitating"])
def test_exact_data_are_fitted_exactly(name):
    truth = theta_of(PRESETS[name].replace(A=2.0))
    recs = make_data(truth)
    result = fit(recs)
    scale = sum(float((r.mean**2).sum()) for r in recs)
    assert result.sse <= 1e-20 * scale
    np.testing.assert_allclose(theta_of(result.params), truth, rtol=1e-6)  # goal: 2 %
    assert result.converged
    for rec, pred in zip(recs, result.predicted):
        assert pred.dtype == torch.float64
        np.testing.assert_allclose(pred.numpy(), rec.mean.numpy(), rtol=1e-9)


def test_result_is_a_least_squares_optimum(noisy):
    recs, result = noisy
    best = theta_of(result.params)
    # sse and predicted mean what they say, by the recurrence above.
    assert result.sse == pytest.approx(sse_at(best, recs), rel=1e-12)
    for rec, pred in zip(recs, result.predicted):
        np.testing.assert_allclose(pred.numpy(), amplitudes(best, rec.spike_times), rtol=1e-12)
    # Better than the truth, and than any nearby point (a local minimum in every direction).
    assert result.sse < sse_at(theta_of(MIXED), recs)
    for k in range(4):
        for factor in (1 - 1e-3, 1 + 1e-3):
            moved = best.copy()
            moved[k] *= factor
            assert sse_at(moved, recs) > result.sse


def test_same_optimum_as_scipy_least_squares(noisy):
    recs, result = noisy
    out = least_squares(
        weighted_residuals, theta_of(MIXED), args=(recs,), method="trf", xtol=1e-14, ftol=1e-14
    )
    assert result.sse == pytest.approx(float(out.fun @ out.fun), rel=1e-9)
    np.testing.assert_allclose(theta_of(result.params), out.x, rtol=1e-5)


def fd_jacobian(theta, recs, rel=1e-6):
    cols = []
    for k in range(len(theta)):
        h = rel * theta[k]
        up, down = theta.copy(), theta.copy()
        up[k] += h
        down[k] -= h
        cols.append((weighted_residuals(up, recs) - weighted_residuals(down, recs)) / (2 * h))
    return np.stack(cols, -1)


def test_stderr_is_the_gauss_newton_curvature(noisy):
    recs, result = noisy
    best = theta_of(result.params)
    jac = fd_jacobian(best, recs)
    s2 = result.sse / (jac.shape[0] - 4)
    expected = np.sqrt(np.diag(s2 * np.linalg.inv(jac.T @ jac)))
    np.testing.assert_allclose([result.stderr[n] for n in NAMES], expected, rtol=1e-4)
    # The full Hessian of the SSE (second differences, with the residual terms that
    # Gauss-Newton drops) gives errors within 10 % at this noise level.
    hess = np.empty((4, 4))
    h = 1e-4 * best
    for i in range(4):
        for j in range(4):
            pts = []
            for si, sj in ((1, 1), (1, -1), (-1, 1), (-1, -1)):
                t = best.copy()
                t[i] += si * h[i]
                t[j] += sj * h[j]
                pts.append(sse_at(t, recs))
            hess[i, j] = (pts[0] - pts[1] - pts[2] + pts[3]) / (4 * h[i] * h[j])
    laplace = np.sqrt(np.diag(2 * s2 * np.linalg.inv(hess)))
    np.testing.assert_allclose([result.stderr[n] for n in NAMES], laplace, rtol=0.1)


def test_stderr_matches_the_spread_over_noisy_replicas():
    truth = theta_of(MIXED)
    fits = [
        fit(make_data(truth, noise=0.05, seed=100 + k), n_starts=1, start=MIXED) for k in range(40)
    ]
    spread = np.std([theta_of(f.params) for f in fits], axis=0, ddof=1)
    mean_se = np.mean([[f.stderr[n] for n in NAMES] for f in fits], axis=0)
    # The sample SD of 40 replicas has a relative standard error of 1/sqrt(2 * 39) = 11 %;
    # allow 5 of them (57 %): the curvature errors must be of the right size, not exact.
    np.testing.assert_allclose(mean_se / spread, 1.0, atol=0.57)


def test_tau_f_of_a_purely_depressing_synapse_is_not_pinned_down():
    truth = np.array([0.5, 1e-4, 0.5, 2.0])  # tau_f 0.1 ms: no facilitation at 40 Hz
    recs = make_data(truth)
    with pytest.warns(FitWarning, match="tau_f"):
        result = fit(recs)
    assert math.isnan(result.stderr["tau_f"])
    assert float(result.params.tau_f) == pytest.approx(1e-3, rel=1e-3)  # at its lower bound
    for n in ("U", "tau_d", "A"):
        assert math.isfinite(result.stderr[n])
        assert float(getattr(result.params, n)) == pytest.approx(truth[NAMES.index(n)], rel=0.02)


def test_a_capped_by_its_bound_is_flagged():
    recs = make_data(theta_of(MIXED))
    with pytest.warns(FitWarning, match="A"):
        result = fit(recs, bounds={"A": (0.5, 2.5)})
    assert float(result.params.A) == 2.5 and math.isnan(result.stderr["A"])


def test_path_descends_from_a_start_to_params(noisy):
    recs, result = noisy
    path = result.path
    assert path[-1] is result.params and len(path) >= 2
    sse = [sse_at(theta_of(p), recs) for p in path]
    assert all(b < a for a, b in itertools.pairwise(sse))  # each accepted step lowers the SSE
    for p in path:
        for n, (low, high) in result.bounds.items():
            assert low <= float(getattr(p, n)) <= high
        assert float(p.tau_s) == 0.02


def test_deterministic_for_a_seed_and_leaves_the_global_rng_alone():
    recs = make_data(theta_of(MIXED), noise=0.05, seed=7)
    state = torch.get_rng_state()
    a, b = fit(recs, seed=3, n_starts=8), fit(recs, seed=3, n_starts=8)
    assert torch.equal(state, torch.get_rng_state())
    assert [theta_of(p).tolist() for p in a.path] == [theta_of(p).tolist() for p in b.path]
    assert a.sse == b.sse and a.stderr == b.stderr


def test_weight_is_one_over_sd_squared():
    truth = theta_of(MIXED)
    recs = make_data(truth, noise=0.05, seed=11)
    # sd = 1/sqrt(2) on the first recording weighs it 2: the same as counting it twice.
    half = Recording(recs[0].spike_times, recs[0].amplitudes, sd=np.full(11, 2**-0.5))
    weighted = fit([half, *recs[1:]], n_starts=4, start=MIXED)
    twice = fit([recs[0], *recs], n_starts=4, start=MIXED)
    np.testing.assert_allclose(theta_of(weighted.params), theta_of(twice.params), rtol=1e-6)
    assert weighted.sse == pytest.approx(twice.sse, rel=1e-9)
    # sd = c everywhere: the same fit, SSE / c², the same standard errors.
    c = 0.05
    scaled = fit(
        [Recording(r.spike_times, r.amplitudes, sd=np.full(11, c)) for r in recs],
        n_starts=4,
        start=MIXED,
    )
    plain = fit(recs, n_starts=4, start=MIXED)
    np.testing.assert_allclose(theta_of(scaled.params), theta_of(plain.params), rtol=1e-6)
    assert scaled.sse == pytest.approx(plain.sse / c**2, rel=1e-9)
    for n in NAMES:
        assert scaled.stderr[n] == pytest.approx(plain.stderr[n], rel=1e-5)


def test_trials_are_fitted_by_their_mean():
    truth = theta_of(MIXED)
    gen = np.random.default_rng(4)
    trials = [
        Recording(t, amplitudes(truth, t) + 0.1 * gen.standard_normal((5, t.numel())))
        for t in TRAINS
    ]
    means = [Recording(r.spike_times, r.mean) for r in trials]
    a, b = fit(trials, n_starts=4), fit(means, n_starts=4)
    assert theta_of(a.params).tolist() == theta_of(b.params).tolist() and a.sse == b.sse


def test_fixed_parameters_come_from_start():
    truth = theta_of(MIXED)
    recs = make_data(truth)
    start = MIXED.replace(tau_f=0.25, A=1.0, tau_s=0.005)
    result = fit(recs, free=("U", "tau_d", "A"), start=start, n_starts=8)
    assert float(result.params.tau_f) == 0.25 and float(result.params.tau_s) == 0.005
    assert set(result.stderr) == {"U", "tau_d", "A"} and result.free == ("U", "tau_d", "A")
    # Only A free: the closed-form least-squares A = Σ y r / Σ r² at the start's U and taus.
    only_a = fit(recs, free="A", start=start)
    r = np.concatenate([releases(0.2, 0.25, 0.4, t) for t in TRAINS])
    y = np.concatenate([rec.mean.numpy() for rec in recs])
    assert float(only_a.params.A) == pytest.approx(r @ y / (r @ r), rel=1e-12)
    assert float(only_a.params.U) == 0.2 and only_a.path == [only_a.params]


REC = Recording([0.1, 0.2, 0.3], [1.0, 0.8, 0.7])
BAD_CALLS = {
    "no recordings": (lambda: fit([]), "recordings"),
    "not a recording": (lambda: fit([REC, [1.0, 2.0]]), r"recordings\[1\]"),
    "negative amplitudes": (
        lambda: fit(Recording([0.1, 0.2], [-1.0, -0.5])),
        "recordings.*magnitudes",
    ),
    "unknown free name": (lambda: fit(REC, free=("U", "tau_x")), "free.*'tau_x'"),
    "tau_s free": (lambda: fit(REC, free=("tau_s",)), "free.*tau_s"),
    "free twice": (lambda: fit(REC, free=("U", "U")), "free.*'U'"),
    "free empty": (lambda: fit(REC, free=()), "free"),
    "bounds unknown name": (lambda: fit(REC, bounds={"tau_s": (0.1, 1)}), "bounds.*'tau_s'"),
    "bounds low >= high": (lambda: fit(REC, bounds={"tau_d": (1.0, 0.5)}), r"bounds\['tau_d'\]"),
    "bounds equal": (lambda: fit(REC, bounds={"U": (0.5, 0.5)}), r"bounds\['U'\]"),
    "bounds low zero": (lambda: fit(REC, bounds={"tau_f": (0.0, 1.0)}), r"bounds\['tau_f'\] low"),
    "bounds U above one": (lambda: fit(REC, bounds={"U": (0.1, 1.5)}), r"bounds\['U'\] high"),
    "bounds nan": (lambda: fit(REC, bounds={"A": (math.nan, 1.0)}), r"bounds\['A'\] low"),
    "bounds not a pair": (lambda: fit(REC, bounds={"U": 0.5}), r"bounds\['U'\]"),
    "start outside bounds": (
        lambda: fit(REC, start=MIXED.replace(tau_d=9.0)),
        r"start.tau_d.*bounds\['tau_d'\]",
    ),
    "start outside user bounds": (
        lambda: fit(REC, bounds={"U": (0.3, 0.9)}, start=MIXED),
        r"start.U.*bounds\['U'\]",
    ),
    "start a batch": (lambda: fit(REC, start=MIXED.replace(U=torch.tensor([0.2, 0.3]))), "start"),
    "start not parameters": (lambda: fit(REC, start={"U": 0.2}), "start"),
    "seed too large": (lambda: fit(REC, seed=2**70), "seed"),
    "seed negative": (lambda: fit(REC, seed=-1), "seed"),
    "n_starts zero": (lambda: fit(REC, n_starts=0), "n_starts"),
    "max_iter zero": (lambda: fit(REC, max_iter=0), "max_iter"),
}


BAD_TYPES = {
    "seed not an integer": (lambda: fit(REC, seed=1.5), "seed"),
    "seed a bool": (lambda: fit(REC, seed=True), "seed"),
    "bounds a list of pairs": (lambda: fit(REC, bounds=[("U", (0.1, 0.9))]), "bounds"),
    "free not a sequence": (lambda: fit(REC, free=5), "free"),
    "recordings not a sequence": (lambda: fit(5), "recordings"),
}


CASES = {case: (ValueError, *v) for case, v in BAD_CALLS.items()} | {
    case: (TypeError, *v) for case, v in BAD_TYPES.items()
}


@pytest.mark.parametrize("case", CASES)
def test_bad_input_names_the_argument(case, monkeypatch):
    # Every argument is checked before any work: the fit's problem is never built.
    monkeypatch.setattr(importlib.import_module("stpwidget.fit").Problem, "build", None)
    error, call, pattern = CASES[case]
    with pytest.raises(error, match=pattern):
        call()


def test_docstring_examples():
    # The module, not the function of the same name that stpwidget exports.
    module = importlib.import_module("stpwidget.fit")
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
