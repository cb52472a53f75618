"""The explorer's mystery mode: record from a hidden synapse, fit, submit; nothing leaks.

Image path only (runs in the Colab-like leg too). Amplitudes and the score are checked with
the Tsodyks–Markram recurrence written out in test_explorer_data and with the quantal
variance of docs/model.md.
"""

from __future__ import annotations

import csv
import io
import re

import ipywidgets
import numpy as np
import pytest
import torch
from test_explorer_data import release

from stpwidget.explorer import STPExplorer
from stpwidget.explorer.sections.mystery import MysterySection
from stpwidget.mystery import (
    SUBMISSION_HEADER,
    Classroom,
    check_code,
    held_out_protocol,
    mystery_synapse,
)
from stpwidget.params import TMParameters

CLASS, NAME = "NEURO-301", "ada"


@pytest.fixture
def explorer():
    ex = STPExplorer(backend="image", mystery=(CLASS, NAME))
    ex.data_controls.animation_seconds = 0.0
    yield ex
    ex.close()


def rig(explorer) -> MysterySection:
    (section,) = [s for s in explorer.sections if isinstance(s, MysterySection)]
    return section


def plain(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html).replace("&#x27;", "'")


def test_mystery_keyword_adds_the_rig_with_the_fitting_tools_open(explorer):
    m = rig(explorer)
    assert m.widget in explorer.children
    assert (m.class_code.value, m.student.value) == (CLASS, NAME)
    assert explorer.data_controls.widget.selected_index == 0
    plain_explorer = STPExplorer(backend="image")
    try:
        assert not any(isinstance(s, MysterySection) for s in plain_explorer.sections)
    finally:
        plain_explorer.close()


def test_record_adds_trials_whose_means_are_the_hidden_model(explorer):
    m = rig(explorer)
    m.rate.value, m.pulses.value, m.trials.value = 20.0, 6, 50
    m.record_button.click()
    m.record_button.click()  # the same protocol again: more trials of the same recording
    assert explorer.message.value == ""
    (rec,) = explorer.state.recordings
    assert rec.label == "20 Hz × 6 (100 trials)" and rec.amplitudes.shape == (100, 6)
    np.testing.assert_allclose(rec.spike_times.numpy(), 0.1 + np.arange(6) / 20.0)
    # The rig is the student's synapse, its stream from the start: a fresh one replays it.
    replay = mystery_synapse(CLASS, NAME)
    first, second = replay.record(rec.spike_times, 50), replay.record(rec.spike_times, 50)
    torch.testing.assert_close(rec.amplitudes, torch.cat([first.amplitudes, second.amplitudes]))
    # Mean A·r_k and variance (A²/N) r_k (1 + c² − r_k) + σ² per trial (docs/model.md): the
    # mean of 100 trials lies within 5 standard errors (fails by chance < 1e-5 per spike).
    truth = replay.reveal(CLASS)  # a plain class code is its own key
    a, r = float(truth.A), release(truth, rec.spike_times)
    var = a**2 / replay.n_sites * r * (1 + replay.quantal_cv**2 - r) + replay.noise_sd**2
    assert np.all(np.abs(rec.mean.numpy() - a * r) < 5 * np.sqrt(var / 100))
    # The data panel shows the trial means ± sd, the time panels the recorded train.
    np.testing.assert_allclose(explorer.lines["data0_points"].get_ydata(), rec.mean.numpy())
    assert explorer.stimulus.kind == "recorded" and explorer.trace.spike_times.numel() == 6


def test_protocols_give_their_trains_and_labels(explorer):
    m = rig(explorer)
    m.trials.value = 2
    m.kind.value = "pair"
    assert m.interval.layout.display is None and m.rate.layout.display == "none"
    m.interval.value = 50.0
    m.record_button.click()
    m.kind.value, m.rate.value, m.pulses.value, m.delay.value = "probe", 20.0, 5, 1000.0
    m.record_button.click()
    pair, probe = explorer.state.recordings
    assert pair.label == "pair at 50 ms (2 trials)" and probe.n_trials == 2
    np.testing.assert_allclose(pair.spike_times.numpy(), [0.1, 0.15])
    np.testing.assert_allclose(probe.spike_times.numpy(), [0.1, 0.15, 0.2, 0.25, 0.3, 1.3])
    assert probe.label == "20 Hz × 5 + probe at 1000 ms (2 trials)"
    assert explorer.stimulus.times == tuple(probe.spike_times.tolist())  # the latest one shown


@pytest.mark.parametrize(
    "settings",
    [
        {"kind": "train", "rate": 33.0, "pulses": 8},
        {"kind": "train", "rate": 33.0, "pulses": 7},  # 7 of the 8 held-out spikes
        {"kind": "train", "rate": 70.0, "pulses": 12},
        {"kind": "probe", "rate": 40.0, "pulses": 8, "delay": 800.0},
        {"kind": "probe", "rate": 20.0, "pulses": 8, "delay": 800.0},  # a held-out gap
    ],
)
def test_rig_refuses_the_held_out_protocol_and_changes_nothing(explorer, settings):
    m = rig(explorer)
    for key, value in settings.items():
        getattr(m, key).value = value
    state, renders, left = explorer.state, explorer.render_count, m.synapse().trials_left
    m.record_button.click()
    assert plain(explorer.message.value).startswith("protocol: ")
    assert explorer.state is state and explorer.render_count == renders
    assert m.synapse().trials_left == left  # nothing counted


def test_seventh_protocol_is_refused(explorer):
    m = rig(explorer)
    m.trials.value = 1
    for rate in (5.0, 6.0, 7.0, 8.0, 9.0, 10.0):
        m.rate.value = rate
        m.record_button.click()
    state = explorer.state
    m.rate.value = 11.0
    m.record_button.click()
    assert "shows 6 protocols" in explorer.message.value and explorer.state is state


def test_submit_gives_the_csv_row_and_the_held_out_score(explorer):
    m = rig(explorer)
    explorer.set_params(tau_f=0.2, tau_d=0.4, U=0.3)
    explorer.data_controls.amplitude.value = 120.0
    m.submit_button.click()
    header, row = m.submission.split("\n")
    assert header == SUBMISSION_HEADER == "student,tau_f,tau_d,U,A,check"
    cells = next(csv.reader(io.StringIO(row)))
    assert cells[:5] == ["ada", "0.2", "0.4", "0.3", "120.0"]
    assert cells[5] == check_code(CLASS, NAME)  # catches a name typed otherwise
    assert m.submission in plain(m.output.value)
    # The score by hand: relative RMS of A·r over every held-out spike, truth vs estimate.
    guess = TMParameters(tau_f=0.2, tau_d=0.4, tau_s=0.02, U=0.3, A=120.0)
    truth = mystery_synapse(CLASS, NAME).reveal(CLASS)
    pred, true = [], []
    for spikes in held_out_protocol().values():
        pred += list(120.0 * release(guess, spikes))
        true += list(float(truth.A) * release(truth, spikes))
    error = np.sqrt(np.mean((np.array(pred) - true) ** 2) / np.mean(np.square(true)))
    shown = re.search(r'class="stp-score">([0-9.]+) %', m.output.value).group(1)
    assert float(shown) == round(100 * error, 1)


def test_submit_without_a_name_says_so(explorer):
    m = rig(explorer)
    m.student.value = "  "
    m.submit_button.click()
    assert "student must be a non-empty name" in explorer.message.value and m.submission == ""
    m.record_button.click()
    assert "student must be" in explorer.message.value and not explorer.state.recordings


def test_a_new_name_is_a_new_synapse_and_the_old_one_keeps_its_data(explorer):
    m = rig(explorer)
    m.trials.value = 3
    m.record_button.click()
    (ada,) = explorer.state.recordings
    m.student.value = "bob"
    assert explorer.state.recordings == () and explorer.stimulus.kind == "regular"
    assert "data" not in [p.name for p in explorer.view.panels]
    m.record_button.click()
    (rec,) = explorer.state.recordings
    expected = mystery_synapse(CLASS, "bob").record(rec.spike_times, 3)
    torch.testing.assert_close(rec.amplitudes, expected.amplitudes)
    # Back to ada: her recordings return, and her budget goes on where it was.
    m.student.value = NAME
    assert explorer.state.recordings == (ada,)
    assert m.synapse().trials_left == 100 - 3 and "97</b> of 100 trials left" in m.budget.value


def test_voila_flow_type_the_name_then_record():
    ex = STPExplorer(backend="image", mystery=(CLASS, ""))
    try:
        m = rig(ex)
        m.record_button.click()
        assert "student" in ex.message.value and not ex.state.recordings
        m.student.value = "Ada "  # the same synapse as "ada" (names are canonical)
        m.trials.value = 2
        m.record_button.click()
        (rec,) = ex.state.recordings
        replay = mystery_synapse(CLASS, NAME).record(rec.spike_times, 2)
        torch.testing.assert_close(rec.amplitudes, replay.amplitudes)
    finally:
        ex.close()


def all_widgets(root: ipywidgets.Widget) -> list[ipywidgets.Widget]:
    """Every widget of the explorer's tree: children, and each one's layout and style."""
    found, pending = [], [root]
    while pending:
        widget = pending.pop()
        if any(widget is w for w in found):
            continue
        found.append(widget)
        pending.extend(getattr(widget, "children", ()))
        pending.extend(
            part
            for part in (getattr(widget, "layout", None), getattr(widget, "style", None))
            if isinstance(part, ipywidgets.Widget)
        )
    return found


def test_hidden_parameters_appear_nowhere(explorer):
    m = rig(explorer)
    truth = mystery_synapse(CLASS, NAME).reveal(CLASS)
    needles = set()
    for name in ("tau_f", "tau_d", "U", "A"):
        v = float(getattr(truth, name))
        needles |= {repr(v), f"{v:.6g}", f"{1e3 * v:.6g}"}
    m.trials.value = 20
    m.record_button.click()
    m.kind.value, m.pulses.value, m.delay.value = "probe", 5, 500.0
    m.record_button.click()
    explorer.data_controls.best_a.click()
    explorer.data_controls.fit_button.click()
    m.submit_button.click()
    assert explorer.message.value == "" and m.submission
    widgets = all_widgets(explorer)
    assert m.output in widgets and explorer.data_controls.errors in widgets
    texts = [repr(w.get_state()) for w in widgets]
    texts += [explorer.code_text(), repr(explorer.state), repr(explorer.frame), repr(explorer)]
    texts += [repr(m.synapse()), repr(vars(m)), repr(explorer.state.recordings)]
    for needle in needles:
        leaks = [t[:80] for t in texts if needle in t]
        assert not leaks, f"hidden value {needle} shown in {leaks}"


def test_the_budget_counts_down_and_refuses_past_it_without_counting(explorer):
    m = rig(explorer)
    assert "<b>100</b> of 100 trials left" in m.budget.value  # before the first record
    m.rate.value, m.pulses.value, m.trials.value = 20.0, 4, 60
    m.record_button.click()
    assert "<b>40</b> of 100 trials left" in m.budget.value
    assert m.trials.max == 40 and m.trials.value == 40  # the slider stops at what is left
    m.record_button.click()
    assert "<b>0</b> of 100" in m.budget.value and m.record_button.disabled
    state = explorer.state
    m.record_button.click()  # a click that reaches the kernel anyway: refused, said
    assert "trials" in plain(explorer.message.value) and explorer.state is state
    (rec,) = explorer.state.recordings
    assert rec.n_trials == 100


def test_a_class_that_hides_the_score_shows_only_the_row():
    room = Classroom.create("BIO-412", trials=30, roster=["Ada"], show_score=False)
    ex = STPExplorer(backend="image", mystery=(room.code, "Ada"))
    try:
        m = rig(ex)
        assert "<b>30</b> of 30 trials left" in m.budget.value
        m.submit_button.click()
        assert ex.message.value == "" and m.submission.startswith(SUBMISSION_HEADER)
        assert "stp-score" not in m.output.value and "%" not in plain(m.output.value)
    finally:
        ex.close()
