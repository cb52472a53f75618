"""The new closed forms against independent references.

* ``half_ceiling_rate`` and the self-consistent ``limiting_frequency``: a long regular train
  simulated by the kernel at the rate they return (not the closed-form steady state);
* ``poisson_steady_state``: Monte-Carlo Poisson trains, with a spread from batch means;
* ``peak_frequency``: a dense numeric argmax of the steady state written here in plain math,
  and the Markram–Wang–Tsodyks formula worked out by hand;
* gradients: central finite differences.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import torch

from stpwidget.closed_form import (
    half_ceiling_rate,
    limiting_frequency,
    paired_pulse_ratio,
    peak_frequency,
    poisson_steady_state,
    steady_state,
)
from stpwidget.model import simulate
from stpwidget.params import PRESETS, TMParameters
from stpwidget.trains import poisson_train, regular_train

DEP, FAC = PRESETS["depressing"], PRESETS["facilitating"]


def long_train_end(params: TMParameters, rate: float, n: int = 400):
    """State of the last spike of a long regular train, simulated by the kernel."""
    trace = simulate(params, regular_train(rate, n), 0.01)
    return trace.release[..., -1], trace.post.u[..., -1]


def random_params(n: int, seed: int) -> TMParameters:
    g = torch.Generator().manual_seed(seed)

    def log_uniform(low: float, high: float) -> torch.Tensor:
        r = torch.rand(n, generator=g, dtype=torch.float64)
        return torch.exp(math.log(low) + r * (math.log(high) - math.log(low)))

    return TMParameters(
        tau_f=log_uniform(0.01, 1.0),
        tau_d=log_uniform(0.01, 1.0),
        tau_s=0.01,
        U=log_uniform(0.02, 0.9),
    )


# --- half-ceiling rate --------------------------------------------------------------------


def test_half_ceiling_rate_of_the_presets_is_the_documented_number():
    # docs/model.md and issue 9: 2.36 Hz depressing, 19.3 Hz facilitating.
    assert float(half_ceiling_rate(DEP)) == pytest.approx(2.36, abs=0.005)
    assert float(half_ceiling_rate(FAC)) == pytest.approx(19.3, abs=0.05)


@pytest.mark.parametrize("name", ["depressing", "facilitating"])
def test_at_the_half_ceiling_rate_a_long_train_releases_half_of_one_over_tau_d(name):
    p = PRESETS[name]
    f = float(half_ceiling_rate(p))
    release, _ = long_train_end(p, f)
    assert f * float(release) == pytest.approx(0.5 / p.tau_d, rel=1e-9)
    # and it is a crossing: 1% lower stays below half the ceiling, 1% higher goes above
    below, _ = long_train_end(p, 0.99 * f)
    above, _ = long_train_end(p, 1.01 * f)
    assert 0.99 * f * float(below) < 0.5 / p.tau_d < 1.01 * f * float(above)


def test_half_ceiling_rate_is_batched_and_matches_long_trains():
    p = random_params(64, seed=1)
    f = half_ceiling_rate(p)
    assert f.shape == (64,) and f.dtype == torch.float64
    for k in range(0, 64, 8):  # a long train for each of a few members of the batch
        one = TMParameters(tau_f=p.tau_f[k], tau_d=p.tau_d[k], tau_s=0.01, U=p.U[k])
        n = int(40 * float(f[k]) * max(float(one.tau_f), float(one.tau_d))) + 200
        release, _ = long_train_end(one, float(f[k]), n)
        assert float(f[k] * release * one.tau_d) == pytest.approx(0.5, rel=1e-8)


# --- limiting frequency -----------------------------------------------------------------


def test_classic_limiting_frequency_is_one_over_u_tau_d():
    assert float(limiting_frequency(DEP)) == pytest.approx(1 / (0.45 * 0.75), rel=1e-15)
    assert float(limiting_frequency(FAC)) == pytest.approx(1 / (0.15 * 0.05), rel=1e-15)


@pytest.mark.parametrize("name", ["depressing", "facilitating"])
def test_self_consistent_limiting_frequency_solves_f_u_tau_d_equal_one(name):
    p = PRESETS[name]
    f = float(limiting_frequency(p, self_consistent=True))
    _, u_end = long_train_end(p, f)  # u just after a spike of a long train at f
    assert f * float(u_end) * p.tau_d == pytest.approx(1.0, rel=1e-9)


def test_self_consistent_limiting_frequency_of_the_presets():
    # issue 9: ≈ 26 Hz for the facilitating preset (the classic formula says 133 Hz);
    # for the depressing preset u∞⁺ ≈ U, so both agree to 0.1%.
    assert float(limiting_frequency(FAC, self_consistent=True)) == pytest.approx(25.7, abs=0.05)
    dep = float(limiting_frequency(DEP, self_consistent=True))
    assert dep == pytest.approx(float(limiting_frequency(DEP)), rel=1e-3)


def test_self_consistent_limiting_frequency_with_u_equal_one_is_one_over_tau_d():
    p = TMParameters(tau_f=0.1, tau_d=0.4, tau_s=0.01, U=1.0)
    assert float(limiting_frequency(p, self_consistent=True)) == pytest.approx(2.5, rel=1e-12)


# --- peak frequency -----------------------------------------------------------------------


def dense_argmax(U: float, tau_f: float, tau_d: float) -> tuple[float, float]:
    """Rate of the largest steady-state release on a fine log grid (docs/model.md, NumPy)."""
    f = np.logspace(-2, 4, 600_001)
    d = 1 / f
    u = U / (1 - (1 - U) * np.exp(-d / tau_f))
    x = (1 - np.exp(-d / tau_d)) / (1 - (1 - u) * np.exp(-d / tau_d))
    k = int(np.argmax(u * x))
    return float(f[k]), float(u[k] * x[k])


def test_peak_frequency_is_the_markram_wang_tsodyks_formula():
    # 1 / sqrt(0.15 × 0.05 s × 0.75 s) = 1 / sqrt(0.005625 s²) = 13.333 Hz
    assert float(peak_frequency(FAC)) == pytest.approx(13.3333, abs=1e-4)


def test_exact_peak_frequency_is_the_numeric_argmax():
    assert float(peak_frequency(FAC, exact=True)) == pytest.approx(
        dense_argmax(0.15, 0.75, 0.05)[0], rel=1e-5
    )
    # issue 9: the formula's 13.3 Hz against 12.9 Hz computed
    assert float(peak_frequency(FAC, exact=True)) == pytest.approx(12.9, abs=0.05)


def test_exact_peak_frequency_batched_and_nan_without_a_peak():
    p = random_params(12, seed=3)
    peaks = peak_frequency(p, exact=True)
    assert peaks.shape == (12,)
    for k in range(12):
        U, tf, td = float(p.U[k]), float(p.tau_f[k]), float(p.tau_d[k])
        rate, best = dense_argmax(U, tf, td)
        if best <= U * (1 + 1e-9):  # no rate releases more per spike than isolated spikes
            assert math.isnan(float(peaks[k])), (U, tf, td)
        else:
            assert float(peaks[k]) == pytest.approx(rate, rel=1e-4), (U, tf, td)
    assert math.isnan(float(peak_frequency(DEP, exact=True)))
    assert 0 < int(peaks.isnan().sum()) < 12  # the draw has both kinds


# --- Poisson mean field -----------------------------------------------------------------


@pytest.fixture(scope="module")
def poisson_runs():
    """Monte-Carlo Poisson input for several synapses and rates on one unit-rate train.

    A Poisson train at rate f is a unit-rate train with its times divided by f, and the
    model only sees times over time constants: simulating ``tau * f`` on the unit-rate
    train is simulating ``tau`` at rate f. 200 000 spikes; the first 200 are left out.
    Returns the synapses, the rates and, per synapse, the mean and standard error (from 40
    batch means of 5 000 spikes: the correlation of releases lasts a few spikes) of the
    release and of u⁺.
    """
    cases = [  # (name, params, rate in Hz)
        *((f"dep {f:g} Hz", DEP, f) for f in (2.0, 10.0, 50.0)),
        *((f"fac {f:g} Hz", FAC, f) for f in (2.0, 10.0, 50.0)),
        ("fac 20 Hz", FAC, 20.0),
        ("no facilitation 5 Hz", TMParameters(tau_f=1e-6, tau_d=0.3, tau_s=0.01, U=0.3), 5.0),
    ]
    rates = torch.tensor([c[2] for c in cases], dtype=torch.float64)

    def stack(field: str) -> torch.Tensor:
        return torch.tensor([float(getattr(c[1], field)) for c in cases], dtype=torch.float64)

    scaled = TMParameters(
        tau_f=stack("tau_f") * rates,
        tau_d=stack("tau_d") * rates,
        tau_s=stack("tau_s") * rates,
        U=stack("U"),
    )
    spikes = 10.0 * poisson_train(10.0, 20_500.0, seed=2026)[:200_200]  # unit rate
    assert spikes.numel() == 200_200
    trace = simulate(scaled, spikes, 0.01)
    out = {}
    for field, values in (("release", trace.release), ("u", trace.post.u)):
        blocks = values[:, 200:].reshape(len(cases), 40, -1).mean(-1)
        out[field] = (blocks.mean(-1), blocks.std(-1) / math.sqrt(40))
    params = [c[1] for c in cases]
    return [c[0] for c in cases], params, rates, out


def test_poisson_mean_utilization_is_exact(poisson_runs):
    names, params, rates, mc = poisson_runs
    mean, se = mc["u"]
    for k, name in enumerate(names):
        want = float(poisson_steady_state(params[k], float(rates[k])).u)
        # ⟨u⁺⟩ is exact (u's update is linear in u): within 5 standard errors
        assert abs(float(mean[k]) - want) <= 5 * float(se[k]), (name, float(mean[k]), want)


def test_poisson_release_is_exact_without_facilitation(poisson_runs):
    names, params, _rates, mc = poisson_runs
    mean, se = mc["release"]
    k = names.index("no facilitation 5 Hz")
    want = float(poisson_steady_state(params[k], 5.0).release)
    # u⁺ = U at every spike: E[x⁻] = 1 / (1 + U f τ_d) exactly, within 5 standard errors
    assert abs(float(mean[k]) - want) <= 5 * float(se[k]), (float(mean[k]), float(se[k]), want)
    assert want == pytest.approx(0.3 / (1 + 0.3 * 5 * 0.3), rel=1e-5)  # u⁻ ≈ 1e-6, not 0


def test_poisson_mean_field_is_within_two_percent_for_the_presets(poisson_runs):
    names, params, rates, mc = poisson_runs
    mean, se = mc["release"]
    for k, name in enumerate(names):
        if name.startswith("no facilitation"):
            continue
        mf = float(poisson_steady_state(params[k], float(rates[k])).release)
        # the documented accuracy (2%) plus 5 standard errors of the Monte-Carlo mean
        assert abs(mf - float(mean[k])) <= 0.02 * mf + 5 * float(se[k]), (name, mf, mean[k])


def test_poisson_mean_field_numbers():
    # The lesson's exercise: facilitating preset at 20 Hz, by hand:
    # ⟨u⁻⟩ = 0.15·20·0.75 / (1 + 2.25) = 0.6923, u⁺ = 0.6923 + 0.15·0.3077 = 0.7385,
    # ⟨x⁻⟩ = 1 / (1 + 0.7385·20·0.05) = 0.5752, release 0.4248, current 20·0.4248·0.02.
    ss = poisson_steady_state(FAC, 20.0)
    assert float(ss.u) == pytest.approx(0.73846, abs=1e-5)
    assert float(ss.x) == pytest.approx(0.57522, abs=1e-5)
    assert float(ss.release) == pytest.approx(0.42478, abs=1e-5)
    assert float(ss.current) == pytest.approx(20 * 0.42478 * 0.02, abs=1e-5)
    rest = poisson_steady_state(FAC, 0.0)  # isolated spikes: the first release U
    assert (float(rest.release), float(rest.current)) == (0.15, 0.0)


# --- gradients, arrays, validation ------------------------------------------------------


@pytest.mark.parametrize(
    "fn",
    [
        half_ceiling_rate,
        lambda p: limiting_frequency(p, self_consistent=True),
        lambda p: peak_frequency(p, exact=True),
    ],
    ids=["half_ceiling", "self_consistent", "peak_exact"],
)
def test_solved_rates_have_the_gradient_of_finite_differences(fn):
    values = {"tau_f": 0.75, "tau_d": 0.05, "U": 0.15}
    leaves = {
        k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in values.items()
    }
    out = fn(TMParameters(tau_s=0.02, **leaves))
    grads = torch.autograd.grad(out, list(leaves.values()))
    for (name, v), grad in zip(values.items(), grads):
        h = 1e-6 * v

        def at(x: float, name: str = name) -> float:
            return float(fn(TMParameters(tau_s=0.02, **{**values, name: x})))

        numeric = (at(v + h) - at(v - h)) / (2 * h)
        assert float(grad) == pytest.approx(numeric, rel=1e-5), name


def test_solved_rates_do_not_require_grad_for_plain_parameters():
    for out in (
        half_ceiling_rate(FAC),
        limiting_frequency(FAC, self_consistent=True),
        peak_frequency(FAC, exact=True),
    ):
        assert not out.requires_grad


def test_rates_and_intervals_may_be_lists_or_numpy_arrays():
    rates = np.array([1.0, 10.0, 100.0])
    want = steady_state(DEP, torch.tensor(rates)).release
    assert torch.equal(steady_state(DEP, rates).release, want)
    assert torch.equal(steady_state(DEP, [1.0, 10.0, 100.0]).release, want)
    assert torch.equal(
        paired_pulse_ratio(FAC, np.array([0.05, 0.1])), paired_pulse_ratio(FAC, [0.05, 0.1])
    )


@pytest.mark.parametrize(
    "call",
    [
        lambda: poisson_steady_state(DEP, -1.0),
        lambda: poisson_steady_state(DEP, [1.0, math.nan]),
        lambda: steady_state(DEP, "fast"),
        lambda: steady_state(DEP, np.array([5.0, -5.0])),
    ],
)
def test_bad_rates_raise_value_error_naming_rate(call):
    with pytest.raises(ValueError, match=r"^rate must be"):
        call()


def test_the_corner_rates_of_docs_model_md(poisson_runs):
    """The table and the Poisson numbers of docs/model.md's "Corner rates" subsection."""
    text = (Path(__file__).resolve().parents[1] / "docs" / "model.md").read_text(encoding="utf-8")
    section = text.split("### Corner rates for both kinds of synapse", 1)[1].split("\n## ", 1)[0]
    rows = {
        "`half_ceiling_rate(p)`": half_ceiling_rate,
        "`limiting_frequency(p, self_consistent=True)`": lambda p: limiting_frequency(
            p, self_consistent=True
        ),
        "`limiting_frequency(p)`": limiting_frequency,
        "`peak_frequency(p, exact=True)`": lambda p: peak_frequency(p, exact=True),
    }
    for code, fn in rows.items():
        line = next(row for row in section.splitlines() if row.startswith(f"| {code} |"))
        cells = [c.strip() for c in line.strip("|").split("|")]
        for cell, p in zip(cells[-2:], (DEP, FAC)):
            value = float(fn(p))
            if math.isnan(value):
                assert cell == "NaN", line
            else:
                digits = len(cell.split()[0].split(".")[1]) if "." in cell else 0
                assert cell == f"{value:.{digits}f} Hz", (line, value)
    assert f"| {float(peak_frequency(FAC)):.1f} Hz |" in section
    assert "(0.93 at 100 Hz" in section and float(steady_state(FAC, 100.0).u) == pytest.approx(
        0.93, abs=0.005
    )
    names, _, _, mc = poisson_runs
    k = names.index("fac 20 Hz")
    mean, se = (float(v[k]) for v in mc["release"])
    assert abs(0.419 - mean) <= 0.0005 + 5 * se, (mean, se)  # "releases 0.419 per spike"
    assert "releases 0.419 per spike" in section
    mf = float(poisson_steady_state(FAC, 20.0).release)
    regular = float(steady_state(FAC, 20.0).release)
    assert f"(mean field {mf:.3f}, regular {regular:.3f})" in section
