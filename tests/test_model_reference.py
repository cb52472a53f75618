"""The kernel against the reference table and closed forms of STP_MODEL.md."""

import math

import pytest
import torch

from stpwidget import (
    PRESETS,
    limiting_frequency,
    paired_pulse_ratio,
    regular_train,
    simulate,
    steady_state,
    with_recovery_probe,
)

# Release per spike, STP_MODEL.md "Reference numbers" (6 decimals).
REFERENCE = {
    "depressing": [
        0.450000,
        0.293081,
        0.193829,
        0.147915,
        0.127206,
        0.117891,
        0.113702,
        0.111818,
        0.110971,
    ],
    "facilitating": [
        0.150000,
        0.256274,
        0.331694,
        0.386042,
        0.425589,
        0.454544,
        0.475836,
        0.491539,
        0.503148,
    ],
}
STEADY_10HZ = {"depressing": 0.110279, "facilitating": 0.536518}
PPR_100MS = {"depressing": 0.651, "facilitating": 1.708}


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_reference_table(name, seed_train):
    trace = simulate(PRESETS[name], seed_train, 1.0)
    assert trace.release.tolist() == pytest.approx(REFERENCE[name], abs=1e-6)
    assert float(steady_state(PRESETS[name], 10.0).release) == pytest.approx(
        STEADY_10HZ[name], abs=1e-6
    )
    assert float(paired_pulse_ratio(PRESETS[name], 0.1)) == pytest.approx(PPR_100MS[name], abs=1e-3)


@pytest.mark.parametrize("name", sorted(REFERENCE))
@pytest.mark.parametrize("rate", [2.0, 10.0, 40.0])
def test_long_train_reaches_closed_form_steady_state(name, rate):
    p = PRESETS[name]
    trace = simulate(p, regular_train(rate, 400), 1.0)
    ss = steady_state(p, rate)
    assert float(trace.post.u[-1]) == pytest.approx(float(ss.u), abs=1e-9)
    assert float(trace.pre.x[-1]) == pytest.approx(float(ss.x), abs=1e-9)
    assert float(trace.release[-1]) == pytest.approx(float(ss.release), abs=1e-9)
    assert float(trace.post.current[-1]) == pytest.approx(float(ss.current), abs=1e-9)


@pytest.mark.parametrize("name", sorted(REFERENCE))
@pytest.mark.parametrize("interval", [0.005, 0.03, 0.1, 0.7])
def test_paired_pulse_ratio_matches_two_spikes(name, interval):
    trace = simulate(PRESETS[name], [0.01, 0.01 + interval], 0.05)
    ratio = float(trace.release[1] / trace.release[0])
    assert ratio == pytest.approx(float(paired_pulse_ratio(PRESETS[name], interval)), abs=1e-9)


@pytest.mark.parametrize("name", sorted(REFERENCE))
@pytest.mark.parametrize("gap", [0.05, 0.3, 1.5])
def test_recovery_probe_closed_form(name, gap):
    p = PRESETS[name]
    train = with_recovery_probe(regular_train(20.0, 8, start=0.05), gap)
    trace = simulate(p, train, 0.1)
    u_e, x_e = float(trace.post.u[-2]), float(trace.post.x[-2])
    uf = u_e * math.exp(-gap / p.tau_f)
    expected = (uf + p.U * (1 - uf)) * (1 - (1 - x_e) * math.exp(-gap / p.tau_d))
    assert float(trace.release[-1]) == pytest.approx(expected, abs=1e-9)


def test_release_rate_saturates_above_limiting_frequency():
    p = PRESETS["depressing"]
    f_lim = float(limiting_frequency(p))
    assert f_lim == pytest.approx(1 / (0.45 * 0.75))
    rates = torch.tensor([10 * f_lim, 100 * f_lim])
    release_rate = rates * steady_state(p, rates).release
    assert release_rate.tolist() == pytest.approx([1 / p.tau_d] * 2, rel=0.1)


def test_exact_per_spike_values_do_not_depend_on_dt(seed_train):
    p = PRESETS["depressing"]
    coarse = simulate(p, seed_train, 1.0, dt=1e-2)
    fine = simulate(p, seed_train, 1.0, dt=1e-5)
    torch.testing.assert_close(coarse.release, fine.release, rtol=0, atol=1e-15)


def test_samples_follow_closed_form_between_spikes(seed_train):
    p = PRESETS["facilitating"]
    trace = simulate(p, seed_train, 1.0, dt=1e-3)
    # Sample 150 is 50 ms after spike 1 (at 0.1 s); sample 100 is on the spike: post state.
    assert float(trace.x[100]) == pytest.approx(float(trace.post.x[0]), abs=1e-15)
    assert float(trace.u[100]) == pytest.approx(p.U, abs=1e-15)
    d = float(trace.t[150] - 0.1)
    assert float(trace.u[150]) == pytest.approx(p.U * math.exp(-d / p.tau_f), abs=1e-12)
    assert float(trace.x[150]) == pytest.approx(1 - p.U * math.exp(-d / p.tau_d), abs=1e-12)
    assert float(trace.current[150]) == pytest.approx(p.U * math.exp(-d / p.tau_s), abs=1e-12)
    # Before the first spike the synapse rests.
    assert trace.x[:100].eq(1).all() and trace.u[:100].eq(0).all()
    assert trace.current[:100].eq(0).all()
    assert trace.t.shape == (1000,) and trace.t[-1].item() == pytest.approx(0.999)


def test_a_scales_current_not_release(seed_train):
    p = PRESETS["depressing"]
    base = simulate(p, seed_train, 1.0)
    scaled = simulate(p.replace(A=2.5), seed_train, 1.0)
    torch.testing.assert_close(scaled.release, base.release)
    torch.testing.assert_close(scaled.current, 2.5 * base.current)
