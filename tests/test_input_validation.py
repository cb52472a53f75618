"""Every bad value raises ValueError naming the argument and its range, every wrong type a
TypeError naming the argument; nothing is clamped and no text is taken for a number."""

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
    "regular rate negative": (lambda: regular_train(-5.0, 3), "rate"),
    "regular rate zero": (lambda: regular_train(0.0, 3), "rate"),
    "regular n negative": (lambda: regular_train(5.0, -1), "n_spikes"),
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


BAD_TYPES = {
    "A not a number": (lambda: TMParameters(**GOOD, A="big"), "A"),
    "tau_f a numeric string": (lambda: TMParameters(**{**GOOD, "tau_f": "0.5"}), "tau_f"),
    "tau_f text": (lambda: TMParameters(**{**GOOD, "tau_f": "abc"}), "tau_f"),
    "U None": (lambda: TMParameters(**{**GOOD, "U": None}), "U"),
    "U a bool": (lambda: TMParameters(**{**GOOD, "U": True}), "U"),
    "U complex": (lambda: TMParameters(**{**GOOD, "U": 0.5 + 0j}), "U"),
    "U a bool tensor": (lambda: TMParameters(**{**GOOD, "U": torch.tensor([True])}), "U"),
    "replace with text": (lambda: DEP.replace(tau_d="0.7"), "tau_d"),
    "regular n fractional": (lambda: regular_train(5.0, 2.5), "n_spikes"),
    "regular n a bool": (lambda: regular_train(5.0, True), "n_spikes"),
    "regular n a string": (lambda: regular_train(5.0, "3"), "n_spikes"),
    "regular rate a string": (lambda: regular_train("5", 3), "rate"),
    "poisson seed a float": (lambda: poisson_train(5.0, 1.0, seed=2.5), "seed"),
    "poisson seed a bool": (lambda: poisson_train(5.0, 1.0, seed=True), "seed"),
    "poisson seed a string": (lambda: poisson_train(5.0, 1.0, seed="1"), "seed"),
    "spikes text": (lambda: simulate(DEP, "0.1,0.2", 1.0), "spike_times"),
    "dt a string": (lambda: simulate(DEP, [0.1], 1.0, dt="0.001"), "dt"),
}


@pytest.mark.parametrize("case", sorted(BAD_TYPES))
def test_wrong_type_raises_type_error_naming_the_argument(case):
    call, name = BAD_TYPES[case]
    with pytest.raises(TypeError) as info:
        call()
    assert str(info.value).startswith(name), str(info.value)


def test_numeric_strings_are_refused_with_the_string_quoted():
    with pytest.raises(TypeError) as info:
        TMParameters(**{**GOOD, "tau_f": "0.5"})
    assert str(info.value) == "tau_f must be a number (float), got the string '0.5'"


def test_numbers_of_other_kinds_are_stored_as_float():
    import fractions

    import numpy as np

    p = TMParameters(tau_f=np.float32(0.25), tau_d=fractions.Fraction(3, 4), tau_s=1, U=0.5)
    assert [type(v) for v in (p.tau_f, p.tau_d, p.tau_s, p.U, p.A)] == [float] * 5
    assert (p.tau_f, p.tau_d, p.tau_s) == (0.25, 0.75, 1.0)
    # A batch is a tensor, kept as given (gradients flow back to it).
    u = torch.tensor([0.2, 0.3], requires_grad=True)
    assert DEP.replace(U=u).U is u


def test_bad_tensor_member_names_its_index():
    with pytest.raises(ValueError, match=r"tau_d must be .*; got -1\.0 at index \[1\]"):
        TMParameters(**{**GOOD, "tau_d": torch.tensor([0.1, -1.0, 0.2])})


def test_seeds_up_to_the_limit_are_accepted_and_above_refused():
    assert torch.equal(
        poisson_train(5.0, 2.0, seed=2**31 - 1), poisson_train(5.0, 2.0, seed=2**31 - 1)
    )
    with pytest.raises(
        ValueError, match=r"seed must be an integer in \[0, 2147483647\]; got 2147483648"
    ):
        poisson_train(5.0, 2.0, seed=2**31)


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


STIMULUS_TYPES = {
    "switch a numeric string": ({"kind": "step", "switch": "0.9"}, "switch"),
    "rate a numeric string": ({"rate": "10"}, "rate"),
    "seed a float": ({"kind": "poisson", "seed": 2.5}, "seed"),
    "seed a bool": ({"seed": True}, "seed"),
    "n_spikes a bool": ({"n_spikes": True}, "n_spikes"),
    "n_spikes None": ({"n_spikes": None}, "n_spikes"),
    "n_spikes a float": ({"n_spikes": 9.0}, "n_spikes"),
    "probe_delay None": ({"probe_delay": None}, "probe_delay"),
    "kind not text": ({"kind": 3}, "kind"),
    "times text": ({"kind": "recorded", "times": "0.1"}, "times"),
}
STIMULUS_VALUES = {
    "rate a tensor of two": ({"rate": torch.tensor([5.0, 6.0])}, r"rate must be a single number"),
    "rate above 1 kHz": ({"rate": 2000.0}, r"rate must be finite and in \(0 Hz, 1000 Hz\]"),
    "rate_after zero": ({"rate_after": 0.0}, r"rate_after must be finite and in \(0 Hz"),
    "n_spikes zero": ({"n_spikes": 0}, r"n_spikes must be an integer in \[1, 500\]; got 0"),
    "seed negative": ({"seed": -1}, r"seed must be an integer in \[0, 2147483647\]"),
    "kind unknown": ({"kind": "burst"}, "kind must be one of"),
    "times nan": ({"kind": "recorded", "times": (0.1, math.nan)}, r"times .*spike 2 is nan"),
    "switch before start": ({"kind": "step", "switch": 0.05}, r"switch must be .*\(0.1 s, 40 s\]"),
}


@pytest.mark.parametrize("case", sorted(STIMULUS_TYPES))
def test_stimulus_refuses_wrong_types_naming_the_setting(case):
    from stpwidget.stimulus import Stimulus

    values, name = STIMULUS_TYPES[case]
    with pytest.raises(TypeError) as info:
        Stimulus(**values)
    assert str(info.value).startswith(name), str(info.value)


@pytest.mark.parametrize("case", sorted(STIMULUS_VALUES))
def test_stimulus_refuses_bad_values_naming_setting_and_range(case):
    from stpwidget.stimulus import Stimulus

    values, pattern = STIMULUS_VALUES[case]
    with pytest.raises(ValueError, match=f"^{pattern}"):
        Stimulus(**values)


def test_stimulus_stores_plain_numbers_and_its_code_rebuilds_the_train():
    import numpy as np

    from stpwidget.stimulus import Stimulus

    stim = Stimulus(kind="poisson", rate=np.float64(20.0), n_spikes=np.int64(5), seed=np.int32(3))
    assert (type(stim.rate), type(stim.n_spikes), type(stim.seed)) == (float, int, int)
    namespace = {"poisson_train": poisson_train}
    exec(stim.to_code(), namespace)  # "np.float64(20.0)" would not run here
    assert torch.equal(namespace["spikes"], stim.spikes())


def test_the_unused_switch_does_not_hold_back_the_start_of_other_trains():
    from stpwidget.stimulus import Stimulus

    assert Stimulus(kind="regular", start=1.0).spikes()[0] == 1.0  # default switch 0.8
    with pytest.raises(
        ValueError,
        match=r"^switch must be .*\(1 s, 40 s\]; got 0.8 \(the step comes after start=1 s\)",
    ):
        Stimulus(kind="step", start=1.0)
