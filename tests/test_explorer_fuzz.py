"""Random sequences of explorer commands and widget events, valid and invalid (hypothesis).

After every step: a rejected command raised ValueError or TypeError and left the state as it
was (the same object); a widget event never raised; what is drawn is ``compute(state)``
(lines on the kernel's trace, the frame's state the explorer's); nothing shown says "nan";
no bug report; the widgets show the state. Bounded so that it fits CI (~20 s).
"""

from __future__ import annotations

import math

import hypothesis.strategies as st
import pytest
import torch
from explorer_helpers import assert_line_on_trace, reference_trace
from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from stpwidget.examples import example_recordings
from stpwidget.explorer import SLIDERS, STPExplorer
from stpwidget.explorer.sliders import shown_value
from stpwidget.recordings import Recording
from stpwidget.state import MAX_RECORDINGS

#: Values a careless or adversarial caller passes: wrong types, strings, edges.
ODD = st.one_of(
    st.none(),
    st.booleans(),
    st.text(max_size=4),
    st.sampled_from(["0.5", "abc", "", "1e3"]),
    st.sampled_from([math.nan, math.inf, -math.inf, 0.0, -1.0, 1e308, 2**70]),
    st.builds(lambda: torch.tensor([0.5, 0.6], dtype=torch.float64)),
)
NUMBERS = st.floats(min_value=1e-4, max_value=300.0, allow_nan=False)
PARAMS = ("tau_f", "tau_d", "tau_s", "U", "A", "rate")
INPUTS = ("kind", "rate", "n_spikes", "probe_delay", "seed", "rate_after", "switch")


class ExplorerMachine(RuleBasedStateMachine):
    """Drive one explorer; check it after every step."""

    def __init__(self) -> None:
        super().__init__()
        self.ex = STPExplorer(backend="image", width=460, height=280)
        self.ex.data_controls.animation_seconds = 0.0

    def teardown(self) -> None:
        self.ex.close()

    def command(self, call) -> None:
        """Run a command: it works, or raises ValueError/TypeError and changes nothing."""
        before = self.ex.state
        try:
            call()
        except (ValueError, TypeError) as err:
            assert self.ex.state is before, f"rejected ({err}) but the state changed"
            assert str(err), "an error without a message"

    # -- commands (the public API) --------------------------------------------------------
    @rule(key=st.sampled_from(PARAMS), value=st.one_of(NUMBERS, ODD))
    def set_params(self, key, value):
        self.command(lambda: self.ex.set_params(**{key: value}))

    @rule(
        key=st.sampled_from(INPUTS),
        value=st.one_of(
            NUMBERS, ODD, st.integers(-5, 300), st.sampled_from(["regular", "poisson", "probe"])
        ),
    )
    def set_input(self, key, value):
        self.command(lambda: self.ex.set_input(**{key: value}))

    @rule(name=st.sampled_from(["depressing", "facilitating", "custom", "other", 3]))
    def apply_preset(self, name):
        self.command(lambda: self.ex.apply_preset(name))

    @rule(
        panels=st.lists(
            st.sampled_from(["state", "current", "membrane", "frequency", "data", "x"]),
            max_size=4,
        )
    )
    def set_panels(self, panels):
        self.command(lambda: self.ex.set_panels(panels))

    @rule(n=st.integers(0, MAX_RECORDINGS + 2))
    def load_recordings(self, n):
        recs = (example_recordings() * 3)[:n]
        self.command(lambda: self.ex.load_recordings(recs))

    @rule()
    def load_bad_recording(self):
        rec = Recording([0.1, 0.2], [1.0, 0.5], label="bad")
        rec.amplitudes[0] = math.nan  # written after construction
        self.command(lambda: self.ex.load_recordings(rec))

    # -- widget events (a student) ---------------------------------------------------------
    @rule(key=st.sampled_from(list(SLIDERS)), data=st.data())
    def drag_slider(self, key, data):
        slider = self.ex.sliders[key]
        if hasattr(slider, "options"):
            value = data.draw(st.sampled_from([v for _, v in slider.options]))
        else:
            value = data.draw(st.floats(slider.min, slider.max, allow_nan=False))
        slider.value = value  # must never raise

    @rule(data=st.data())
    def pick_input_kind(self, data):
        control = self.ex.stimulus_controls["kind"]
        control.value = data.draw(st.sampled_from([v for _, v in control.options]))

    @rule(n=st.integers(1, 200))
    def spikes_slider(self, n):
        self.ex.stimulus_controls["n_spikes"].value = n

    @rule(button=st.sampled_from(["pin", "compare"]))
    def toggle(self, button):
        self.ex.buttons[button].value = not self.ex.buttons[button].value

    @rule(button=st.sampled_from(["reset", "new_draw"]))
    def click(self, button):
        self.ex.buttons[button].click()

    @rule(value=st.one_of(st.floats(-1e3, 1e3, allow_nan=False), st.just(0.0)))
    def type_amplitude(self, value):
        self.ex.data_controls.amplitude.value = value

    @precondition(lambda self: bool(self.ex.state.recordings))
    @rule()
    def fit_button(self):
        self.ex.data_controls.best_a.click()

    # -- after every step ----------------------------------------------------------------
    @invariant()
    def drawn_is_computed(self):
        ex = self.ex
        assert ex.frame is not None and ex.frame.state is ex.state
        trace = reference_trace(ex)
        for field in ("x", "u", "current"):
            if field in ex.lines and ex.lines[field].axes is not None:
                assert_line_on_trace(ex.lines[field], trace, field, tol=1e-9)
        assert [p.name for p in ex.view.panels] == list(ex.state.panels)

    @invariant()
    def nothing_shown_is_nan_and_no_bug(self):
        for widget in (self.ex.readouts, self.ex.message, self.ex.data_controls.quality):
            assert "nan" not in widget.value.lower().replace("nanos", ""), widget.value
        assert "stp-bug" not in self.ex.message.value, self.ex.message.value

    @invariant()
    def widgets_show_the_state(self):
        ex = self.ex
        for key in ("tau_f", "tau_d", "tau_s", "U"):
            want = float(getattr(ex.params, key)) * SLIDERS[key].scale
            assert ex.sliders[key].value == pytest.approx(shown_value(ex.sliders[key], want))
        assert ex.stimulus_controls["kind"].value == ex.stimulus.kind
        assert ex.stimulus_controls["n_spikes"].value == ex.stimulus.n_spikes
        assert ex.preset.value == ex.state.preset


ExplorerMachine.TestCase.settings = settings(
    max_examples=12,
    stateful_step_count=10,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestExplorerMachine = ExplorerMachine.TestCase
