"""The exercise checkers take answers as students type them: arrays, rounded numbers, slips.

The model's values are recomputed here from docs/model.md's formulas (not with the
checkers' code); tests/test_notebooks.py checks right and wrong answers and the known slips,
tests/test_lesson_claims.py that the numbers the lesson states pass.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
import torch

import stpwidget.exercises as ex
from stpwidget import TMParameters
from stpwidget.exercises._feedback import digits_span

DEP_U, DEP_TF, DEP_TD = 0.45, 0.05, 0.75
FAC_U, FAC_TF, FAC_TD = 0.15, 0.75, 0.05


def r_inf(U: float, tf: float, td: float, f: float) -> float:
    """docs/model.md: the steady-state release of a regular train at ``f`` Hz."""
    d = 1 / f
    u = U / (1 - (1 - U) * math.exp(-d / tf))
    return u * (1 - math.exp(-d / td)) / (1 - (1 - u) * math.exp(-d / td))


def second_release() -> float:
    u_minus = DEP_U * math.exp(-0.1 / DEP_TF)
    return (u_minus + DEP_U * (1 - u_minus)) * (1 - DEP_U * math.exp(-0.1 / DEP_TD))


def ppr(d: float) -> float:
    return (1 + (1 - FAC_U) * math.exp(-d / FAC_TF)) * (1 - FAC_U * math.exp(-d / FAC_TD))


#: Numeric checkers and a right answer each (exercises 1, 2, 5, 6).
RIGHT = {
    "check_second_release": second_release(),
    "check_ppr_peak": 0.084,
    "check_limiting_frequency": 1 / (DEP_U * DEP_TD),
    "check_tuned_rate": 12.9,
    "check_poisson_release": 0.42,
    "check_step_transient": 2.65,
}
ALL_NUMERIC = [*RIGHT, "check_recovery_time"]


@pytest.mark.parametrize("name", RIGHT)
@pytest.mark.parametrize(
    "wrap",
    [
        lambda v: np.array([v]),
        lambda v: np.array([[v]]),
        lambda v: np.float64(v),
        lambda v: np.array(v),
        lambda v: [v],
        lambda v: torch.tensor([v]),
    ],
    ids=["array1", "array1x1", "float64", "array0d", "list1", "tensor1"],
)
def test_one_element_answers_are_one_number(name, wrap):
    check = getattr(ex, name)
    verdict = check(wrap(RIGHT[name]))
    assert verdict, verdict.message
    assert verdict.message == check(float(RIGHT[name])).message


@pytest.mark.parametrize("name", ALL_NUMERIC)
@pytest.mark.parametrize(
    "bad",
    [np.ones(3), np.zeros((2, 2)), [1.0, 2.0], [[1, 2], [3]], np.array(["0.3"]), [True], ()],
    ids=["array3", "array2x2", "list2", "ragged", "str-array", "bool-list", "empty"],
)
def test_other_arrays_get_a_verdict_not_an_exception(name, bad):
    verdict = getattr(ex, name)(bad)
    assert not verdict
    assert verdict.message.startswith("Not a number"), verdict.message


def test_which_synapse_takes_a_one_element_array():
    assert ex.check_which_synapse(np.array(["C"])) and ex.check_which_synapse(["c"])
    assert not ex.check_which_synapse(np.array(["C", "D"]))


def test_digits_span_is_rounding_or_cutting_off():
    assert digits_span(2.9) == (2.85, 3.0)  # 2.85 ... 2.95 rounded, 2.9 ... 3.0 cut off
    assert digits_span(0.51) == (0.505, 0.52)
    assert digits_span(10.8) == (10.75, 10.9)
    assert digits_span(-0.51) == (-0.52, -0.505)
    assert digits_span(3.0) == (3.0, 3.0)  # one significant digit: only itself
    assert digits_span(0.3) == (0.3, 0.3)
    computed = 1 / (DEP_U * DEP_TD)  # full precision: only itself
    assert digits_span(computed) == (computed, computed)


def test_rounded_answers_pass_but_one_digit_does_not_widen_the_tolerance():
    r2 = second_release()  # 0.2931, tolerance ±1%: 0.29 is 1.06% off but its rounding
    assert ex.check_second_release(0.29) and not ex.check_second_release(0.28)
    assert not ex.check_second_release(0.3)  # one significant digit: 2.4% off
    assert abs(0.29 / r2 - 1) > 0.01
    f_lim = 1 / (DEP_U * DEP_TD)  # 2.963 Hz, ±2%: 2.9 is cut off (2.1% off), 2.8 is not
    assert abs(2.9 / f_lim - 1) > 0.02
    assert ex.check_limiting_frequency(2.9) and not ex.check_limiting_frequency(2.8)
    assert ex.check_step_transient(2.6) and not ex.check_step_transient(2.7)


def test_a_rounded_end_of_a_flat_top_passes():
    rates = np.linspace(5.0, 25.0, 200_001)
    release = np.array([r_inf(FAC_U, FAC_TF, FAC_TD, f) for f in rates])
    ok = rates[release >= 0.99 * release.max()]
    low, high = float(ok.min()), float(ok.max())
    assert f"{low:.1f}" == "10.8" and low > 10.8  # the edge rounds down to 10.8 Hz
    assert ex.check_tuned_rate(10.8) and ex.check_tuned_rate(round(high, 1))
    assert not ex.check_tuned_rate(10.7) and not ex.check_tuned_rate(round(high, 1) + 0.1)
    # computed values just outside the range still fail: no rounding is read into them
    assert not ex.check_tuned_rate(low * 0.999) and not ex.check_tuned_rate(high * 1.001)
    # the range the checker shows: both ends pass as typed
    message = ex.check_tuned_rate(12.9).message
    shown = re.search(r"every rate from ([\d.]+) Hz to ([\d.]+) Hz is as good", message)
    assert shown, message
    assert all(ex.check_tuned_rate(float(end)) for end in shown.groups())


@pytest.mark.parametrize(
    ("name", "answer"),
    [
        ("check_ppr_peak", 84.0),  # ms typed for s
        ("check_recovery_time", 1635.0),
        ("check_limiting_frequency", 1 / (DEP_U * 750.0)),  # τ_d in ms: 1000 × too small
        ("check_tuned_rate", 1 / 77.5),  # 1/Δ with Δ in ms
        ("check_second_release", 100 * second_release()),  # per cent
        ("check_poisson_release", 42.0),
        ("check_step_transient", 265.0),
    ],
)
def test_unit_slips_are_named(name, answer):
    verdict = getattr(ex, name)(answer)
    assert not verdict
    assert verdict.message.startswith("Check the unit"), verdict.message


def test_design_in_milliseconds_is_named():
    typed_ms = TMParameters(tau_f=40.0, tau_d=600.0, tau_s=20.0, U=0.02)
    verdict = ex.check_depress_then_facilitate(typed_ms)
    assert not verdict and verdict.message.startswith("Check the unit"), verdict.message
    assert "tau_f=40 s, tau_d=600 s, tau_s=20 s look like milliseconds" in verdict.message
    one = ex.check_depress_then_facilitate(TMParameters(tau_f=40.0, tau_d=0.6, tau_s=0.02, U=0.02))
    assert "tau_f=40 s looks like milliseconds" in one.message
    # the same synapse in seconds passes: r∞/U ≤ 0.99 at 5 Hz and ≥ 1.01 at 40 Hz
    seconds = TMParameters(tau_f=0.04, tau_d=0.6, tau_s=0.02, U=0.02)
    assert r_inf(0.02, 0.04, 0.6, 5.0) <= 0.99 * 0.02 and r_inf(0.02, 0.04, 0.6, 40.0) >= 0.0202
    assert ex.check_depress_then_facilitate(seconds)
    # a long but plausible τ_d (5 s) is a design, not a slip
    slow = ex.check_depress_then_facilitate(seconds.replace(tau_d=5.0))
    assert not slow.message.startswith("Check the unit")


def test_a_rounded_slip_is_still_named():
    regular = r_inf(FAC_U, FAC_TF, FAC_TD, 20.0)  # 0.5135; the lesson writes 0.51
    assert abs(0.51 / regular - 1) > 0.005
    assert "regular 20 Hz train" in ex.check_poisson_release(0.51).message
    assert "regular" not in ex.check_poisson_release(0.5).message
