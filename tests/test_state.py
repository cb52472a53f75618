"""ExplorerState and compute(): everything the explorer shows, without a widget."""

import dataclasses
import math
import subprocess
import sys

import numpy as np
import pytest
import torch

from stpwidget import (
    PRESETS,
    Stimulus,
    TMParameters,
    half_ceiling_rate,
    paired_pulse_ratio,
    poisson_steady_state,
    regular_train,
    simulate,
    steady_state,
)
from stpwidget.state import RATES, ExplorerState, compute, readout_values


def test_compute_matches_the_kernel_and_closed_forms():
    state = ExplorerState.from_preset("facilitating", Stimulus(kind="probe", rate=20.0))
    frame = compute(state)
    spikes = regular_train(20.0, 9, start=0.1)
    spikes = torch.cat([spikes, spikes[-1:] + 0.5])
    ref = simulate(PRESETS["facilitating"], spikes, 2.0, dt=1e-4)
    torch.testing.assert_close(frame.trace.x, ref.x, rtol=0, atol=0)
    torch.testing.assert_close(frame.trace.release, ref.release, rtol=0, atol=0)
    # The frequency response by the closed form, rate by rate.
    for k in (0, 60, 120):
        r = steady_state(PRESETS["facilitating"], float(RATES[k])).release
        assert float(frame.frequency.release[k]) == pytest.approx(float(r), rel=1e-12)
    assert frame.limit == pytest.approx(19.3, abs=0.05)  # f½ of the facilitating preset
    assert frame.ghosts == {"pin": None, "other": None}


def test_readouts_are_the_closed_forms():
    p = TMParameters(tau_f=0.2, tau_d=0.4, tau_s=0.01, U=0.3)
    values = readout_values(p, Stimulus(rate=25.0))
    exact = {"first": 0.3, "ppr": paired_pulse_ratio(p, 0.04), "steady": steady_state(p, 25.0)}
    exact = {k: float(getattr(v, "release", v)) for k, v in exact.items()}
    assert {k: values[k] for k in exact} == pytest.approx(exact, rel=1e-12)
    # f½ is read off the panel's grid: within 0.1 % of the root finder's value.
    assert values["flim"] == pytest.approx(float(half_ceiling_rate(p)), rel=1e-3)


@pytest.mark.parametrize("preset", ["depressing", "facilitating"])
def test_half_ceiling_readout_matches_a_long_simulation(preset):
    # Independent of the closed forms: a 300-spike regular train at f½ releases, per
    # second, half of the ceiling 1/tau_d once it has settled.
    p = PRESETS[preset]
    f_half = readout_values(p, Stimulus())["flim"]
    trace = simulate(p, regular_train(f_half, 300), 300 / f_half, dt=1e-2)
    assert f_half * float(trace.release[-1]) * p.tau_d == pytest.approx(0.5, rel=2e-3)


def test_poisson_input_readouts_are_the_mean_field_and_say_so():
    p = PRESETS["facilitating"]
    values = readout_values(p, Stimulus(kind="poisson", rate=20.0))
    assert values["steady"] == pytest.approx(float(poisson_steady_state(p, 20.0).release))
    assert values["steady"] == pytest.approx(0.425, abs=5e-4)  # the mean-field value
    frame = compute(ExplorerState.from_preset("facilitating", Stimulus(kind="poisson")))
    assert frame.poisson
    k = 60
    mf = poisson_steady_state(p, float(RATES[k])).release
    assert float(frame.frequency.release[k]) == pytest.approx(float(mf), rel=1e-12)


def test_ghosts_pin_and_other_preset():
    state = ExplorerState.from_preset("depressing")
    pinned = (TMParameters(tau_f=0.1, tau_d=0.2, tau_s=0.02, U=0.5), Stimulus(rate=5.0))
    frame = compute(dataclasses.replace(state, pinned=pinned, compare=True))
    pin = frame.ghosts["pin"]
    ref = simulate(pinned[0], regular_train(5.0, 9, start=0.1), 2.0)
    torch.testing.assert_close(pin.trace.current, ref.current, rtol=0, atol=0)
    assert pin.frequency is not None
    other = frame.ghosts["other"]
    ref = simulate(PRESETS["facilitating"], regular_train(10.0, 9, start=0.1), 1.0)
    torch.testing.assert_close(other.trace.u, ref.u, rtol=0, atol=0)


def test_state_changes_are_new_states():
    state = ExplorerState.from_preset("depressing")
    changed = state.with_params(tau_d=0.3)
    assert changed.preset == "custom" and changed.active_preset == "depressing"
    assert state.params == PRESETS["depressing"]  # frozen: the old state is untouched
    assert changed.params.tau_d == 0.3 and changed.params.U == 0.45
    back = changed.with_preset("facilitating")
    assert back.params == PRESETS["facilitating"] and back.preset == "facilitating"
    with pytest.raises(dataclasses.FrozenInstanceError):
        state.dt = 1e-3


@pytest.mark.parametrize(
    ("make", "name"),
    [
        (lambda s: s.with_params(tau_d=-1.0), "tau_d"),
        (lambda s: s.with_params(U=2.0), "U"),
        (lambda s: s.with_params(tau_x=1.0), "tau_x"),
        (lambda s: s.with_preset("bursting"), "preset"),
        (lambda s: dataclasses.replace(s, dt=0.0), "dt"),
        (lambda s: dataclasses.replace(s, active_preset="custom"), "active_preset"),
        (lambda s: dataclasses.replace(s, preset="odd"), "preset"),
    ],
)
def test_bad_state_changes_name_the_argument(make, name):
    with pytest.raises(ValueError, match=name):
        make(ExplorerState.from_preset("depressing"))


def test_state_module_needs_no_widgets_or_matplotlib():
    code = (
        "import sys; from stpwidget.state import ExplorerState, compute;"
        "compute(ExplorerState.from_preset('depressing'));"
        "print(sorted(m for m in ('matplotlib', 'ipywidgets') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_protocol_is_a_deprecated_alias_of_stimulus():
    import stpwidget.protocols as protocols

    with pytest.warns(DeprecationWarning, match="Stimulus"):
        cls = protocols.Protocol
    assert cls is Stimulus
    assert np.isclose(Stimulus(rate=20.0, n_spikes=3).duration, 0.5)


def test_readouts_of_recorded_input_describe_the_recorded_train():
    from tm_reference import releases

    from stpwidget.explorer.text import readout_html

    p = PRESETS["facilitating"]
    times = (0.1, 0.13, 0.3, 0.31)
    values = readout_values(p, Stimulus(kind="recorded", times=times))
    gap, u = 0.03, float(p.U)
    ppr = (1 + (1 - u) * math.exp(-gap / float(p.tau_f))) * (
        1 - u * math.exp(-gap / float(p.tau_d))
    )
    assert values["ppr"] == pytest.approx(ppr, rel=1e-12)
    expected = releases(u, float(p.tau_f), float(p.tau_d), list(times))[-1]
    assert values["steady"] == pytest.approx(expected, rel=1e-12)
    one = ExplorerState(p, Stimulus(kind="recorded", times=(0.2,)))
    html = readout_html(compute(one))
    assert "recorded train has one spike" in html and "nan" not in html.lower()
    html = readout_html(compute(ExplorerState(p, Stimulus(kind="recorded", times=times))))
    assert "first interval 30 ms" in html and "last spike" in html and "Hz (regular" not in html
