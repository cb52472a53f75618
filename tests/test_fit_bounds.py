"""fit() at a bound, for data in any unit, its notes; release_per_spike; goodness_of_fit.

References are independent of the code under test: the release recurrence of docs/model.md
(tests/tm_reference.py), the closed forms and reference numbers of STP_MODEL.md, scipy's
bounded least_squares on the same objective, gradients by finite differences taken here,
and the data's own scale (a fit must not depend on the unit the amplitudes are given in).
"""

import math
import warnings

import numpy as np
import pytest
import torch
from scipy.optimize import least_squares
from tm_reference import releases

from stpwidget import PRESETS, TMParameters, regular_train, simulate, with_recovery_probe
from stpwidget.fit import FitWarning, fit, goodness_of_fit
from stpwidget.model import release_of_trains, release_per_spike
from stpwidget.recordings import Recording
from stpwidget.state import data_fit

NAMES = ("U", "tau_f", "tau_d", "A")
#: Three rates, each followed by a recovery probe 0.25 s or 1 s later (54 amplitudes).
TRAINS = [
    with_recovery_probe(regular_train(f, 8, start=0.1), gap)
    for f in (10.0, 20.0, 50.0)
    for gap in (0.25, 1.0)
]


def recording_like(theta, seed):
    """Trial means of a depressing synapse with quantal-like noise (sd grows with the mean)."""
    gen = np.random.default_rng(seed)
    recs = []
    for t in TRAINS:
        mean = theta[3] * releases(*theta[:3], t)
        sd = 0.04 * np.sqrt(mean) + 0.01
        recs.append(Recording(t, mean + sd * gen.standard_normal(t.numel()), sd=sd))
    return recs


def weighted_residuals(theta, recs):
    return np.concatenate(
        [
            (r.mean.numpy() - theta[3] * releases(*theta[:3], r.spike_times))
            / (1.0 if r.sd is None else r.sd.numpy())
            for r in recs
        ]
    )


def sse_at(theta, recs):
    return float((weighted_residuals(theta, recs) ** 2).sum())


def theta_of(p):
    return np.array([float(getattr(p, n)) for n in NAMES])


def quiet_fit(recs, **options):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FitWarning)
        return fit(recs, **options)


DEPRESSING = [0.45, 1e-4, 0.7, 2.0]  # tau_f 0.1 ms: the fit's tau_f goes to its 1 ms floor
AT_FLOOR_SEEDS = (1, 4, 5, 6)
INTERIOR = [0.45, 0.03, 0.7, 2.0]  # tau_f 30 ms: pinned down inside its bounds


@pytest.fixture(scope="module")
def at_floor():
    return [
        (recording_like(DEPRESSING, s), quiet_fit(recording_like(DEPRESSING, s)))
        for s in AT_FLOOR_SEEDS
    ]


def test_a_parameter_at_its_bound_converges_as_fast_as_one_inside(at_floor):
    inside = [quiet_fit(recording_like(INTERIOR, s)) for s in range(6)]
    assert all(r.converged and 1e-3 < float(r.params.tau_f) < 5.0 for r in inside)
    typical = float(np.median([r.n_iter for r in inside]))
    for _, result in at_floor:
        assert float(result.params.tau_f) == 1e-3 and result.converged
    # n_iter is that of the slowest of 48 starts: compare medians, and bound the worst. The
    # sine reparametrisation that flattened at the bound took 163-200 (max_iter) here.
    assert np.median([r.n_iter for _, r in at_floor]) <= 1.1 * typical
    assert max(r.n_iter for _, r in at_floor) <= 2 * typical


def test_the_optimum_at_a_bound_is_scipys_and_a_constrained_minimum(at_floor):
    for recs, result in at_floor:
        best = theta_of(result.params)
        peak = max(float(r.mean.max()) for r in recs)
        low, high = [1e-3, 1e-3, 1e-3, 1e-3 * peak], [1.0, 5.0, 5.0, 1e3 * peak]
        outs = [
            least_squares(
                weighted_residuals,
                x0,
                args=(recs,),
                bounds=(low, high),
                method="trf",
                xtol=1e-15,
                ftol=1e-15,
                gtol=1e-15,
            )
            for x0 in (np.array(DEPRESSING).clip(low, high), np.array([0.25, 0.2, 0.2, 1.0]))
        ]
        out = min(outs, key=lambda o: o.cost)
        assert result.sse <= 2 * out.cost * (1 + 1e-10)
        np.testing.assert_allclose(best, out.x, rtol=1e-5)
        # Karush-Kuhn-Tucker, by finite differences of the reference: raising tau_f from
        # its floor raises the SSE; along the other parameters the SSE is flat.
        for k in range(4):
            up, down = best.copy(), best.copy()
            up[k] *= 1 + 1e-6
            down[k] *= 1 - 1e-6
            if k == 1:
                assert sse_at(up, recs) > result.sse
                continue
            slope = (sse_at(up, recs) - sse_at(down, recs)) / 2e-6  # d SSE / d log theta
            assert abs(slope) <= 1e-4 * result.sse


def test_notes_say_in_words_what_the_warning_says(at_floor):
    recs, _ = at_floor[0]
    with pytest.warns(FitWarning) as caught:
        result = fit(recs)
    assert result.notes == tuple(str(w.message) for w in caught)
    assert "tau_f" in result.notes[0] and "bound" in result.notes[0]
    assert math.isnan(result.stderr["tau_f"])
    clean = fit(recording_like(INTERIOR, 0))  # strict pytest: any warning would fail here
    assert clean.notes == () and all(math.isfinite(v) for v in clean.stderr.values())


def scaled(recs, c, sd_too):
    return [
        Recording(
            r.spike_times,
            r.amplitudes * c,
            sd=None if r.sd is None else r.sd * (c if sd_too else 1.0),
        )
        for r in recs
    ]


FACTORS = (1e-200, 1e-120, 1e-30, 1e-3, 1e3, 1e30, 1e120, 1e200)


@pytest.mark.parametrize("c", FACTORS)
def test_the_fit_does_not_depend_on_the_data_unit(c):
    recs = recording_like(INTERIOR, 2)
    base = quiet_fit(recs, n_starts=8)
    result = quiet_fit(scaled(recs, c, sd_too=True), n_starts=8)
    expect = theta_of(base.params) * np.array([1, 1, 1, c])
    np.testing.assert_allclose(theta_of(result.params), expect, rtol=1e-9)
    assert result.sse == pytest.approx(base.sse, rel=1e-9)  # amplitude / sd is unchanged
    assert result.stderr["A"] == pytest.approx(c * base.stderr["A"], rel=1e-6)
    assert result.stderr["tau_d"] == pytest.approx(base.stderr["tau_d"], rel=1e-6)
    np.testing.assert_allclose(
        result.predicted[0].numpy(), c * base.predicted[0].numpy(), rtol=1e-9
    )


@pytest.mark.parametrize("c", FACTORS)
def test_unweighted_data_in_any_unit_fit_alike_or_are_refused(c):
    recs = [Recording(r.spike_times, r.mean) for r in recording_like(INTERIOR, 3)]
    base = quiet_fit(recs, n_starts=8)
    data = scaled(recs, c, sd_too=False)
    if c * max(float(r.mean.max()) for r in recs) > 1e150:  # its squares would overflow
        with pytest.raises(ValueError, match=r"recordings.*overflow"):
            fit(data)
        return
    result = quiet_fit(data, n_starts=8)
    np.testing.assert_allclose(
        theta_of(result.params), theta_of(base.params) * [1, 1, 1, c], rtol=1e-9
    )
    assert result.sse == pytest.approx(base.sse * c * c, rel=1e-9)  # 0 where c² underflows
    assert result.converged


def test_sd_far_from_one_is_handled_alike():
    recs = recording_like(INTERIOR, 2)
    base = quiet_fit(recs, n_starts=8)
    for c in (1e-250, 1e-140, 1e140):
        data = [Recording(r.spike_times, r.amplitudes, sd=r.sd * c) for r in recs]
        if (
            max(float(r.mean.max()) for r in recs) / (c * min(float(r.sd.min()) for r in recs))
            > 1e150
        ):
            with pytest.raises(ValueError, match="recordings"):
                fit(data)
            continue
        result = quiet_fit(data, n_starts=8)
        np.testing.assert_allclose(theta_of(result.params), theta_of(base.params), rtol=1e-9)
        assert result.sse == pytest.approx(base.sse / c**2, rel=1e-9)


def test_a_fixed_a_in_another_unit_is_refused_or_fitted_alike():
    recs = scaled(recording_like(INTERIOR, 2), 1e-200, sd_too=True)
    start = TMParameters(tau_f=0.03, tau_d=0.2, tau_s=0.02, U=0.25, A=1.0)
    with pytest.raises(ValueError, match=r"start\.A.*amplitudes' unit"):
        fit(recs, free=("U", "tau_d"), start=start)
    # A tiny fixed A (every prediction about 0) is a poor fit, but a fit: no NaN anywhere.
    tiny = quiet_fit(recs, free=("U", "tau_d"), start=start.replace(A=1e-300))
    assert all(math.isfinite(float(getattr(tiny.params, n))) for n in NAMES)
    assert math.isfinite(tiny.sse) and tiny.sse > 0
    # In the data's unit, the same fit as unscaled data with A scaled back.
    base = quiet_fit(recording_like(INTERIOR, 2), free=("U", "tau_d"), start=start.replace(A=2))
    same = quiet_fit(recs, free=("U", "tau_d"), start=start.replace(A=2e-200))
    np.testing.assert_allclose(
        theta_of(same.params), theta_of(base.params) * [1, 1, 1, 1e-200], rtol=1e-9
    )


# --- release_per_spike and goodness_of_fit ----------------------------------------------


def test_release_per_spike_matches_the_reference_numbers_and_closed_forms():
    train = regular_train(10.0, 9, start=0.1)
    table = {  # STP_MODEL.md, "Reference numbers"
        "depressing": [0.450000, 0.293081, 0.193829, 0.147915, 0.127206, 0.117891],
        "facilitating": [0.150000, 0.256274, 0.331694, 0.386042, 0.425589, 0.454544],
    }
    for name, expected in table.items():
        got = release_per_spike(PRESETS[name], train)
        np.testing.assert_allclose(got[:6].numpy(), expected, atol=5e-7)
        p = PRESETS[name]
        u, tf, td = float(p.U), float(p.tau_f), float(p.tau_d)
        ppr = (1 + (1 - u) * math.exp(-0.1 / tf)) * (1 - u * math.exp(-0.1 / td))
        assert float(got[1] / got[0]) == pytest.approx(ppr, rel=1e-12)


def test_release_of_trains_starts_every_train_from_rest():
    params = TMParameters(tau_f=0.3, tau_d=0.4, tau_s=0.02, U=0.2, A=3.0)
    out = release_of_trains(params, TRAINS)
    for t, r in zip(TRAINS, out):
        np.testing.assert_allclose(r.numpy(), releases(0.2, 0.3, 0.4, t), rtol=1e-13)
        assert torch.equal(r, simulate(params, t, 1.0).release)  # the same numbers
    batch = params.replace(U=torch.tensor([0.2, 0.6], dtype=torch.float64))
    for t, r in zip(TRAINS, release_of_trains(batch, TRAINS)):
        assert r.shape == (2, t.numel())
        np.testing.assert_allclose(r[1].numpy(), releases(0.6, 0.3, 0.4, t), rtol=1e-13)


def test_goodness_of_fit_is_the_weighted_sse_and_r2():
    params = TMParameters(tau_f=0.05, tau_d=0.6, tau_s=0.02, U=0.4, A=2.5)
    recs = recording_like(INTERIOR, 9)
    recs[1] = Recording(recs[1].spike_times, recs[1].mean)  # one without sd: weight 1
    theta = theta_of(params)
    res = weighted_residuals(theta, recs)
    y = np.concatenate([r.mean.numpy() for r in recs])
    w = np.concatenate(
        [np.ones(r.mean.numel()) if r.sd is None else r.sd.numpy() ** -2 for r in recs]
    )
    sst = float((w * (y - (w @ y) / w.sum()) ** 2).sum())
    good = goodness_of_fit(params, recs)
    assert good.sse == pytest.approx(float(res @ res), rel=1e-12)
    assert good.r2 == pytest.approx(1 - float(res @ res) / sst, rel=1e-12)
    for r, pred in zip(recs, good.predicted):
        np.testing.assert_allclose(
            pred.numpy(), 2.5 * releases(0.4, 0.05, 0.6, r.spike_times), rtol=1e-13
        )
    shown = data_fit(params, tuple(recs))  # the explorer's numbers are the same ones
    assert (shown.sse, shown.r2) == (good.sse, good.r2)
    # The fit reports the same goodness for its own result.
    result = quiet_fit(recs, n_starts=4)
    assert result.sse == goodness_of_fit(result.params, recs).sse


def test_fit_core_docstring_examples():
    import doctest

    import stpwidget._fit_core

    result = doctest.testmod(stpwidget._fit_core, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
