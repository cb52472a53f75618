"""The postsynaptic membrane and the LIF readout against independent references.

References written here, not taken from stpwidget.membrane: scipy's DOP853 integrator
(rtol 1e-12) run piece by piece between presynaptic spikes, with a terminal threshold event
for the LIF; the single-spike closed forms of docs/model.md evaluated by hand; the Lambert W
solution of a single-spike threshold crossing; finite differences for the gradients.
"""

import doctest
import itertools
import math

import numpy as np
import pytest
import torch
from scipy.integrate import solve_ivp
from scipy.special import lambertw

import stpwidget.membrane
from stpwidget.membrane import lif_response, postsynaptic_potential
from stpwidget.model import simulate
from stpwidget.params import PRESETS, TMParameters
from stpwidget.trains import poisson_train, regular_train, step_train

F64 = torch.float64


def _current_piece(trace, t):
    """Index of the last spike at or before t and its post-spike current (0 before any)."""
    spikes = trace.spike_times.numpy()
    k = int(np.searchsorted(spikes, t, side="right")) - 1
    if k < 0:
        return -math.inf, 0.0
    return float(spikes[k]), float(trace.post.current[..., k])


def _solve(trace, tau_m, gain, t0, t1, v0, threshold=None):
    """DOP853 on [t0, t1] where the current is one smooth exponential piece."""
    tk, i0 = _current_piece(trace, t0)
    tau_s = float(trace.params.tau_s)

    def rhs(s, y):
        current = i0 * math.exp(-(s - tk) / tau_s) if i0 else 0.0
        return [(-y[0] + gain * current) / tau_m]

    events = None
    if threshold is not None:

        def events(s, y):
            return y[0] - threshold

        events.terminal, events.direction = True, 1.0
    return solve_ivp(
        rhs,
        (t0, t1),
        [v0],
        method="DOP853",
        rtol=1e-12,
        atol=1e-15,
        dense_output=True,
        events=events,
    )


def _breaks(trace, t_end):
    spikes = trace.spike_times.numpy()
    return np.unique(np.concatenate([[0.0], spikes[spikes < t_end], [t_end]]))


def reference_potential(trace, tau_m, gain):
    """τ_m dV/dt = −V + g I(t), V(0) = 0, integrated numerically between spikes."""
    t = trace.t.numpy()
    t_end = t[-1] + trace.dt
    out, v = np.empty_like(t), 0.0
    edges = _breaks(trace, t_end)
    for a, b in itertools.pairwise(edges):
        sol = _solve(trace, tau_m, gain, a, b, v)
        inside = (t >= a) & (t < b)
        if inside.any():
            out[inside] = sol.sol(t[inside])[0]
        v = float(sol.y[0, -1])
    return out


def reference_lif(trace, tau_m, threshold, gain, reset, refractory):
    """The same integration with a terminal threshold event, reset and refractory clamp."""
    t = trace.t.numpy()
    t_end = t[-1] + trace.dt
    edges = _breaks(trace, t_end)
    out, spikes = np.full_like(t, np.nan), []
    now, v = 0.0, 0.0
    while now < t_end:
        nxt = float(edges[np.searchsorted(edges, now, side="right")])
        sol = _solve(trace, tau_m, gain, now, nxt, v, threshold=threshold)
        stop = nxt
        if sol.status == 1:  # threshold reached
            stop = float(sol.t_events[0][0])
        inside = (t >= now) & (t < stop)
        if inside.any():
            out[inside] = sol.sol(t[inside])[0]
        if sol.status == 1:
            spikes.append(stop)
            now, v = stop + refractory, reset
            out[(t >= stop) & (t < now)] = reset
        else:
            now, v = nxt, float(sol.y[0, -1])
    crossed_in_trace = [s for s in spikes if s <= t[-1]]
    return out, np.array(crossed_in_trace)


def _random_case(rng):
    log_uniform = lambda lo, hi: float(np.exp(rng.uniform(np.log(lo), np.log(hi))))  # noqa: E731
    params = TMParameters(
        tau_f=log_uniform(5e-3, 1.0),
        tau_d=log_uniform(5e-3, 1.0),
        tau_s=log_uniform(1e-3, 5e-2),
        U=float(rng.uniform(0.05, 0.9)),
        A=float(rng.uniform(0.5, 2.0)),
    )
    tau_m = log_uniform(2e-3, 1e-1)
    gain = float(rng.uniform(-3.0, 3.0))
    spikes = poisson_train(float(rng.uniform(10, 80)), 0.3, seed=int(rng.integers(1 << 30)))
    return params, tau_m, gain, spikes


def _cases():
    rng = np.random.default_rng(20261127)
    cases = [pytest.param(*_random_case(rng), id=f"random{k}") for k in range(6)]
    dep = PRESETS["depressing"]
    seed = regular_train(10.0, 3, start=0.1)
    odd = torch.tensor([0.0, 0.05, 0.05, 0.0731, 0.2, 0.5], dtype=F64)  # t=0, twins, late
    for name, tau_m in [
        ("equal", 0.02),
        ("equal+1e-9", 0.02 * (1 + 1e-9)),
        ("equal-1e-9", 0.02 * (1 - 1e-9)),
        ("equal+1e-5", 0.02 * (1 + 1e-5)),
        ("fast-membrane", 5e-4),
        ("slow-membrane", 0.5),
    ]:
        cases.append(pytest.param(dep, tau_m, 1.7, seed, id=name))
    cases.append(pytest.param(dep, 0.013, -0.8, odd, id="odd-train"))
    cases.append(pytest.param(dep, 0.01, 1.0, torch.zeros(0, dtype=F64), id="no-spikes"))
    return cases


@pytest.mark.parametrize(("params", "tau_m", "gain", "spikes"), _cases())
def test_potential_matches_numerical_integration(params, tau_m, gain, spikes):
    trace = simulate(params, spikes, 0.35, dt=2e-4)
    v = postsynaptic_potential(trace, tau_m, gain)
    assert v.dtype == F64 and v.shape == trace.current.shape
    ref = reference_potential(trace, tau_m, gain)
    scale = max(np.abs(ref).max(), 1e-300)
    # DOP853 at rtol 1e-12 is good to ~1e-12 of max|V| here.
    assert np.abs(v.numpy() - ref).max() <= 1e-10 * scale
    if spikes.numel() == 0:
        assert not v.any()


def test_single_spike_closed_forms_including_equal_time_constants():
    # One spike at t0 from rest: I⁺ = A·U, V = g·A·U·τ_s/(τ_s − τ_m)(e^(−Δ/τ_s) − e^(−Δ/τ_m)),
    # and for τ_m = τ_s: g·A·U·(Δ/τ)e^(−Δ/τ) (docs/model.md).
    p = TMParameters(tau_f=0.1, tau_d=0.3, tau_s=0.02, U=0.4, A=1.5)
    trace = simulate(p, [0.01], 0.2, dt=1e-4)
    delta = np.clip(trace.t.numpy() - 0.01, 0.0, None)
    amp = 1.5 * 0.4 * 2.0
    equal = amp * delta / 0.02 * np.exp(-delta / 0.02)
    np.testing.assert_allclose(postsynaptic_potential(trace, 0.02, 2.0), equal, rtol=0, atol=1e-15)
    tau_m = 0.007
    two = amp * 0.02 / (0.02 - tau_m) * (np.exp(-delta / 0.02) - np.exp(-delta / tau_m))
    np.testing.assert_allclose(postsynaptic_potential(trace, tau_m, 2.0), two, rtol=0, atol=1e-15)


def test_equal_time_constant_limit_is_smooth():
    # V(τ_m) across τ_m = τ_s: the difference quotients at several tiny steps must agree
    # with each other and with autograd's derivative at the tie (no jump, no blow-up).
    trace = simulate(PRESETS["facilitating"], regular_train(25.0, 8, start=0.02), 0.4)
    tau_s = 0.02
    tie = torch.tensor(tau_s, dtype=F64, requires_grad=True)
    v_tie = postsynaptic_potential(trace, tie)
    weights = torch.linspace(-1.0, 2.0, v_tie.shape[-1], dtype=F64)
    (v_tie * weights).sum().backward()
    slope = float(tie.grad)
    base = float((v_tie.detach() * weights).sum())
    for eps in (1e-9, -1e-9, 1e-7, -1e-7):
        v = postsynaptic_potential(trace, tau_s * (1 + eps))
        quotient = (float((v * weights).sum()) - base) / (tau_s * eps)
        # Truncation error ~eps·|d²V/dτ²|·τ plus rounding ~1e-16·|V|/(eps·τ): < 1e-5 here.
        assert quotient == pytest.approx(slope, rel=1e-5)
        jump = np.abs((v - v_tie.detach()).numpy()).max()
        assert jump <= 100 * abs(eps) * float(v_tie.detach().max())


def test_batch_equals_loop():
    taus = torch.tensor([0.005, 0.02, 0.02, 0.08], dtype=F64)
    p = TMParameters(
        tau_f=torch.tensor([0.75, 0.05, 0.3, 0.1], dtype=F64),
        tau_d=torch.tensor([0.05, 0.75, 0.2, 0.4], dtype=F64),
        tau_s=taus,
        U=torch.tensor([0.15, 0.45, 0.3, 0.6], dtype=F64),
    )
    tau_m = torch.tensor([0.01, 0.02, 0.03, 0.08], dtype=F64)  # members 1 and 3: τ_m = τ_s
    gain = torch.tensor([1.0, -0.5, 2.0, 3.0], dtype=F64)
    spikes = poisson_train(30.0, 0.4, seed=5)
    batch = simulate(p, spikes, 0.5, dt=5e-4)
    v = postsynaptic_potential(batch, tau_m, gain)
    assert v.shape == batch.current.shape
    grid = postsynaptic_potential(batch, tau_m[:2, None])  # (2, 1) against the batch (4,)
    assert grid.shape == (2, 4, batch.t.numel())
    for k in range(4):
        member = TMParameters(*(float(getattr(p, f)[k]) for f in ("tau_f", "tau_d", "tau_s", "U")))
        one = simulate(member, spikes, 0.5, dt=5e-4)
        torch.testing.assert_close(
            v[k], postsynaptic_potential(one, float(tau_m[k]), float(gain[k])), rtol=1e-13, atol=0
        )
        for j in range(2):
            alone = postsynaptic_potential(one, float(tau_m[j]))
            torch.testing.assert_close(grid[j, k], alone, rtol=1e-13, atol=0)


@pytest.mark.parametrize("tau_m_value", [0.011, 0.02], ids=["distinct", "tau_m=tau_s"])
def test_gradients_match_finite_differences(tau_m_value):
    spikes = regular_train(30.0, 5, start=0.01)

    def objective(tau_m, gain, tau_f, tau_d, tau_s, U, A):
        trace = simulate(TMParameters(tau_f, tau_d, tau_s, U, A), spikes, 0.2, dt=1e-3)
        v = postsynaptic_potential(trace, tau_m, gain)
        weights = torch.linspace(0.5, 1.5, v.shape[-1], dtype=F64)
        return torch.stack([(v * weights).sum(), v[..., 40], v[..., 150]])

    values = (tau_m_value, 1.3, 0.3, 0.2, 0.02, 0.35, 1.2)
    inputs = tuple(torch.tensor(x, dtype=F64, requires_grad=True) for x in values)
    assert torch.autograd.gradcheck(objective, inputs, eps=1e-7, atol=1e-7, rtol=1e-5)
    out = objective(*inputs)[0]
    grads = torch.autograd.grad(out, inputs)
    assert all(bool(torch.isfinite(g)) and float(g) != 0.0 for g in grads)


def test_bad_input_names_the_argument():
    trace = simulate(PRESETS["depressing"], [0.1], 0.3)
    for bad in (0.0, -0.01, math.nan, math.inf, torch.tensor([0.01, -1.0], dtype=F64)):
        with pytest.raises(ValueError, match=r"tau_m must be finite and in \(0 s, inf\)"):
            postsynaptic_potential(trace, bad)
    for bad in (math.nan, math.inf, -math.inf):
        with pytest.raises(ValueError, match="gain must be finite"):
            postsynaptic_potential(trace, 0.01, bad)
    with pytest.raises(ValueError, match="trace must be an STPTrace"):
        postsynaptic_potential(trace.current, 0.01)
    euler = simulate(PRESETS["depressing"], [0.1], 0.3, dt=1e-3, method="euler")
    with pytest.raises(ValueError, match="method='exact'"):
        postsynaptic_potential(euler, 0.01)


def test_docstring_examples():
    result = doctest.testmod(stpwidget.membrane, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


# --- the leaky integrate-and-fire readout ---------------------------------------------------


def _lif_cases():
    rng = np.random.default_rng(7)
    fac, dep = PRESETS["facilitating"], PRESETS["depressing"]
    cases = [
        pytest.param(fac, regular_train(40.0, 30, start=0.02), 0.02, 0.3, 1.0, 0.0, 2e-3, id="fac"),
        pytest.param(
            dep, step_train(5.0, 60.0, 0.3, 0.8, seed=3), 0.015, 0.12, 1.0, -0.05, 5e-3, id="step"
        ),
        pytest.param(dep, regular_train(50.0, 35), 0.03, 0.1, 1.0, 0.0, 0.0, id="no-refractory"),
        pytest.param(dep, regular_train(20.0, 15), 0.02, 0.07, 1.0, 0.0, 0.01, id="tau_m=tau_s"),
    ]
    for k in range(3):  # threshold None: 0.35 of the reference peak of the free potential
        params, tau_m, gain, _ = _random_case(rng)
        spikes = poisson_train(float(rng.uniform(30, 80)), 0.8, seed=int(rng.integers(1 << 30)))
        gain = abs(gain) + 0.5
        cases.append(pytest.param(params, spikes, tau_m, None, gain, -0.02, 1e-3, id=f"r{k}"))
    return cases


@pytest.mark.parametrize(
    ("params", "spikes", "tau_m", "threshold", "gain", "reset", "refractory"), _lif_cases()
)
def test_lif_matches_event_driven_integration(
    params, spikes, tau_m, threshold, gain, reset, refractory
):
    dt = 2e-4
    trace = simulate(params, spikes, 0.8, dt=dt)
    if threshold is None:
        threshold = 0.35 * float(reference_potential(trace, tau_m, gain).max())
    got = lif_response(trace, tau_m, threshold, gain=gain, reset=reset, refractory=refractory)
    v_ref, spikes_ref = reference_lif(trace, tau_m, threshold, gain, reset, refractory)
    assert spikes_ref.size >= 3  # the case exercises resets
    assert got.spike_times.dtype == F64 and got.v.shape == trace.t.shape
    assert got.spike_times.numel() == spikes_ref.size
    error = np.abs(got.spike_times.numpy() - spikes_ref).max()
    assert error <= dt  # the contract: within one sample of the trace's grid
    assert error <= 1e-9  # in fact located exactly (the reference's event is good to ~1e-11 s)
    scale = max(threshold, np.abs(v_ref).max())
    assert np.abs(got.v.numpy() - v_ref).max() <= 1e-10 * scale
    assert np.all(np.diff(got.spike_times.numpy()) >= refractory)


def test_lif_single_spike_crossing_is_lambert_w():
    # τ_m = τ_s = τ, one input spike of current I0 = A·U at t0: V = g·I0·(Δ/τ)e^(−Δ/τ).
    # It first reaches θ at Δ/τ = −W₀(−θ/(g·I0)) (principal branch of Lambert's W).
    tau, t0, threshold, refractory = 0.02, 0.0123, 0.25, 0.004
    p = TMParameters(tau_f=0.1, tau_d=0.5, tau_s=tau, U=0.8, A=1.0)
    trace = simulate(p, [t0], 0.1, dt=1e-3)
    got = lif_response(trace, tau, threshold, reset=0.0, refractory=refractory)
    expected = t0 - tau * float(lambertw(-threshold / 0.8, 0).real)
    assert got.spike_times.numel() == 1
    assert float(got.spike_times[0]) == pytest.approx(expected, abs=1e-12)
    t = trace.t.numpy()
    clamped = (t >= expected) & (t < expected + refractory)
    assert clamped.sum() == 4 and np.all(got.v.numpy()[clamped] == 0.0)
    free = postsynaptic_potential(trace, tau).numpy()
    before = t < expected
    # Both exact; they may differ by rounding (1e-16 of the scale, 0.25 here).
    np.testing.assert_allclose(got.v.numpy()[before], free[before], rtol=1e-13, atol=1e-15)


def test_lif_bad_input_names_the_argument():
    trace = simulate(PRESETS["depressing"], [0.1], 0.3)
    good = {"tau_m": 0.01, "threshold": 0.1, "gain": 1.0, "reset": 0.0, "refractory": 0.002}
    bad = [
        ("tau_m", 0.0, r"tau_m must be finite and in \(0 s, inf\)"),
        ("tau_m", math.nan, "tau_m must be finite"),
        ("threshold", 0.0, r"threshold must be finite and in \(0, inf\)"),
        ("threshold", math.inf, "threshold must be finite"),
        ("gain", math.nan, "gain must be finite"),
        ("reset", 0.1, r"reset must be finite and in \(-inf, 0.1\)"),
        ("refractory", -1e-3, r"refractory must be finite and in \[0 s, "),
        ("tau_m", torch.tensor([0.01, 0.02]), "tau_m must be a single number"),
    ]
    for name, value, message in bad:
        with pytest.raises(ValueError, match=message):
            lif_response(trace, **{**good, name: value})
    p = PRESETS["depressing"].replace(U=torch.tensor([0.2, 0.3], dtype=F64))
    with pytest.raises(ValueError, match=r"batch shape \(\); got \(2,\)"):
        lif_response(simulate(p, [0.1], 0.3), **good)
