"""Every bad input raises ValueError naming the argument; nothing is clamped."""

import math

import pytest
import torch

from stpwidget import (
    PRESETS,
    TMParameters,
    paired_pulse_ratio,
    poisson_train,
    regular_train,
    simulate,
    steady_state,
    with_recovery_probe,
)

GOOD = {"tau_f": 0.05, "tau_d": 0.75, "tau_s": 0.02, "U": 0.45}
DEP = PRESETS["depressing"]

BAD_CALLS = {
    "tau_f zero": (lambda: TMParameters(**{**GOOD, "tau_f": 0.0}), "tau_f"),
    "tau_d negative": (lambda: TMParameters(**{**GOOD, "tau_d": -0.1}), "tau_d"),
    "tau_s nan": (lambda: TMParameters(**{**GOOD, "tau_s": math.nan}), "tau_s"),
    "tau_f inf": (lambda: TMParameters(**{**GOOD, "tau_f": math.inf}), "tau_f"),
    "tau_d tensor with a bad member": (
        lambda: TMParameters(**{**GOOD, "tau_d": torch.tensor([0.1, -1.0])}),
        "tau_d",
    ),
    "U zero": (lambda: TMParameters(**{**GOOD, "U": 0.0}), "U"),
    "U above one": (lambda: TMParameters(**{**GOOD, "U": 1.2}), "U"),
    "U nan": (lambda: TMParameters(**{**GOOD, "U": math.nan}), "U"),
    "A negative": (lambda: TMParameters(**GOOD, A=-1.0), "A"),
    "A not a number": (lambda: TMParameters(**GOOD, A="big"), "A"),
    "regular rate negative": (lambda: regular_train(-5.0, 3), "rate"),
    "regular rate zero": (lambda: regular_train(0.0, 3), "rate"),
    "regular n negative": (lambda: regular_train(5.0, -1), "n_spikes"),
    "regular n fractional": (lambda: regular_train(5.0, 2.5), "n_spikes"),
    "regular start negative": (lambda: regular_train(5.0, 2, start=-1.0), "start"),
    "poisson rate negative": (lambda: poisson_train(-1.0, 1.0), "rate"),
    "poisson rate nan": (lambda: poisson_train(math.nan, 1.0), "rate"),
    "poisson duration zero": (lambda: poisson_train(5.0, 0.0), "duration"),
    "poisson absurd": (lambda: poisson_train(1e6, 1e4), "poisson_train"),
    "probe delay negative": (lambda: with_recovery_probe([0.1], -0.5), "delay"),
    "probe empty train": (lambda: with_recovery_probe([], 0.5), "spikes"),
    "spikes unsorted": (lambda: simulate(DEP, [0.2, 0.1], 1.0), "spike_times"),
    "spikes negative": (lambda: simulate(DEP, [-0.1, 0.1], 1.0), "spike_times"),
    "spikes nan": (lambda: simulate(DEP, [0.1, math.nan], 1.0), "spike_times"),
    "spikes 2-D": (lambda: simulate(DEP, [[0.1], [0.2]], 1.0), "spike_times"),
    "dt zero": (lambda: simulate(DEP, [0.1], 1.0, dt=0.0), "dt"),
    "dt negative": (lambda: simulate(DEP, [0.1], 1.0, dt=-1e-3), "dt"),
    "duration zero": (lambda: simulate(DEP, [0.1], 0.0), "duration"),
    "duration nan": (lambda: simulate(DEP, [0.1], math.nan), "duration"),
    "duration shorter than dt": (lambda: simulate(DEP, [0.1], 1e-6, dt=1e-3), "duration"),
    "too many samples": (lambda: simulate(DEP, [0.1], 1e4, dt=1e-5), "duration / dt"),
    "too many samples in a batch": (
        lambda: simulate(DEP.replace(U=torch.full((1000,), 0.3)), [0.1], 100.0, dt=1e-4),
        "duration / dt",
    ),
    "method unknown": (lambda: simulate(DEP, [0.1], 1.0, method="rk4"), "method"),
    "params not TMParameters": (lambda: simulate(GOOD, [0.1], 1.0), "params"),
    "dtype integer": (lambda: simulate(DEP, [0.1], 1.0, dtype=torch.int64), "dtype"),
    "euler dt above tau": (lambda: simulate(DEP, [0.1], 1.0, dt=0.03, method="euler"), "dt"),
    "euler spikes in one step": (
        lambda: simulate(DEP, [0.1, 0.1002], 1.0, dt=1e-3, method="euler"),
        "spike_times",
    ),
    "steady state rate negative": (lambda: steady_state(DEP, -1.0), "rate"),
    "ppr interval zero": (lambda: paired_pulse_ratio(DEP, 0.0), "interval"),
}


@pytest.mark.parametrize("case", sorted(BAD_CALLS))
def test_bad_input_raises_value_error_naming_the_argument(case):
    call, name = BAD_CALLS[case]
    with pytest.raises(ValueError) as info:
        call()
    message = str(info.value)
    assert message.startswith(name) or f" {name} " in message or f"{name}=" in message, message


def test_range_is_in_the_message():
    with pytest.raises(ValueError, match=r"U must be finite and in \(0, 1\]; got 1.5"):
        TMParameters(**{**GOOD, "U": 1.5})
    with pytest.raises(ValueError, match=r"tau_d must be finite and in \(0 s, inf\); got -0.1"):
        TMParameters(**{**GOOD, "tau_d": -0.1})


def test_parameters_are_frozen_and_repr_in_ms():
    p = PRESETS["facilitating"]
    with pytest.raises(AttributeError):
        p.U = 0.5  # type: ignore[misc]
    assert repr(p) == "TMParameters(tau_f=750 ms, tau_d=50 ms, tau_s=20 ms, U=0.15, A=1)"
