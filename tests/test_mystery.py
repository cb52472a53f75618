"""Mystery synapses: reproducible per student, hidden from casual inspection, within a budget.

Grading is in test_grading.py, the class and the held-out rule in test_classroom.py. The
error is checked against a Tsodyks–Markram recurrence written out in tests/tm_reference.py.
"""

from __future__ import annotations

import io
import math
import pickle
import pickletools
import struct

import numpy as np
import pytest
import torch
from tm_reference import releases

from stpwidget.model import simulate
from stpwidget.mystery import Classroom, held_out_protocol, mystery_synapse, score
from stpwidget.params import TMParameters
from stpwidget.quantal import VirtualSynapse
from stpwidget.trains import regular_train

CLASS = "NEURO-101 fall"
STUDENTS = [f"student {k}" for k in range(300)]


def release(p: TMParameters, spikes: list[float]) -> list[float]:
    """r_k from rest, by the written-out recurrence of tests/tm_reference.py."""
    return releases(float(p.U), float(p.tau_f), float(p.tau_d), spikes).tolist()


def reference_error(submitted: TMParameters, truth: TMParameters) -> float:
    """RMS(pred − true) / RMS(true) of A·r_k over every held-out spike."""
    pred, true = [], []
    for spikes in held_out_protocol().values():
        pred += [float(submitted.A) * r for r in release(submitted, spikes.tolist())]
        true += [float(truth.A) * r for r in release(truth, spikes.tolist())]
    pred_a, true_a = np.array(pred), np.array(true)
    return float(np.sqrt(np.mean((pred_a - true_a) ** 2)) / np.sqrt(np.mean(true_a**2)))


def truth(student: str) -> TMParameters:
    return mystery_synapse(CLASS, student).reveal(CLASS)  # a plain code is its own key


def fields(p: TMParameters) -> tuple[float, ...]:
    return tuple(float(getattr(p, n)) for n in ("tau_f", "tau_d", "tau_s", "U", "A"))


# --- the draw ---------------------------------------------------------------------------


def test_reproducible_and_canonical_names():
    a, b = mystery_synapse(CLASS, "Ada Lovelace"), mystery_synapse(CLASS, "Ada Lovelace")
    assert fields(a.reveal(CLASS)) == fields(b.reveal(CLASS))
    assert (a.n_sites, a.quantal_cv, a.noise_sd) == (b.n_sites, b.quantal_cv, b.noise_sd)
    spikes = regular_train(20.0, 5)
    assert torch.equal(a.record(spikes, 3).amplitudes, b.record(spikes, 3).amplitudes)
    # Case, outer and doubled spaces do not make another student.
    # Case, outer and doubled spaces and Unicode compatibility forms (NFKC: a full-width
    # letter, a no-break space) do not make another student.
    same = mystery_synapse(" neuro-101  FALL ", "  ａda\u00a0  lovelace")
    assert fields(same.reveal(CLASS)) == fields(a.reveal(CLASS))
    assert fields(truth("Ada Byron")) != fields(truth("Ada Lovelace"))
    other = mystery_synapse("NEURO-102", "Ada Lovelace").reveal("NEURO-102")
    assert fields(other) != fields(a.reveal(CLASS))


def test_draws_span_the_stated_ranges_and_kinds():
    synapses = [mystery_synapse(CLASS, s) for s in STUDENTS]
    params = [s.reveal(CLASS) for s in synapses]
    assert len({fields(p) for p in params}) == len(params)  # every student differs
    U = np.array([float(p.U) for p in params])
    taus = np.array([[float(p.tau_f), float(p.tau_d)] for p in params])
    assert ((U >= 0.05) & (U <= 0.9)).all()
    assert ((taus >= 0.010) & (taus <= 2.0)).all()
    sites = np.array([s.n_sites for s in synapses])
    assert set(sites) == set(range(5, 21))  # 300 draws of 16 values: all appear
    noise = np.array([s.noise_sd for s in synapses])
    quantum = np.array([float(p.A) for p in params]) / sites
    assert ((noise > 0) & (noise < quantum)).all()  # a single vesicle stands out of the noise
    assert all(0 < s.quantal_cv < 1 for s in synapses)
    # Kinds by behaviour, not by how they were drawn: the release along a 20 Hz train from
    # rest peaks at the first spike (depressing), the last (facilitating) or in between
    # (mixed). A third of each is intended; >= 20 % of 300 is ~5 SE below a third.
    batch = TMParameters(
        tau_f=torch.tensor(taus[:, 0]), tau_d=torch.tensor(taus[:, 1]), tau_s=0.01,
        U=torch.tensor(U),
    )  # fmt: skip
    peak = simulate(batch, regular_train(20.0, 10), duration=0.5).release.argmax(-1).numpy()
    kinds = {"depressing": peak == 0, "facilitating": peak == 9, "mixed": (peak > 0) & (peak < 9)}
    for kind, members in kinds.items():
        assert members.mean() >= 0.2, kind


def test_mystery_records_like_a_virtual_synapse_of_its_truth():
    room = Classroom.create("lab", trials=4000)
    m = mystery_synapse(room.code, "grace")
    assert isinstance(m, VirtualSynapse) and m.trials_left == 4000
    # 4000 trials: mean of every spike within 5 SE (SE = sample SD / sqrt(n)) of A·r_k.
    spikes = regular_train(25.0, 6, start=0.1)
    amps = m.record(spikes, 4000).amplitudes.numpy()
    assert m.trials_left == 0
    p = m.reveal(room.key)
    expected = float(p.A) * np.array(release(p, spikes.tolist()))
    se = amps.std(0, ddof=1) / math.sqrt(amps.shape[0])
    np.testing.assert_array_less(np.abs(amps.mean(0) - expected), 5 * se)


# --- the secret -------------------------------------------------------------------------


def spellings(p: TMParameters) -> list[str]:
    out = []
    for name, v in zip(("tau_f", "tau_d", "tau_s", "U", "A"), fields(p)):
        for value in (v, 1e3 * v) if name.startswith("tau") else (v,):
            out += [repr(value), f"{value:.4g}", f"{value:.3g}"]
    return [s for s in out if len(s) >= 3 and s not in ("0.005", "5", "5.0")]  # τ_s is public


def test_secret_not_shown_by_repr_str_vars_or_pickle():
    m = mystery_synapse(CLASS, "alan")
    p = m.reveal(CLASS)
    with pytest.raises(AttributeError, match="reveal"):
        m.params  # noqa: B018
    assert not hasattr(m, "params")
    shown = " ".join([repr(m), str(m), repr(vars(m)), repr(dir(m))])
    assert "TMParameters" not in shown and "tau_f" not in shown
    leaks = [s for s in spellings(p) if s in shown]
    assert not leaks
    blob = pickle.dumps(m)
    text = io.StringIO()
    pickletools.dis(blob, out=text)
    for v in fields(p)[:2] + fields(p)[3:]:
        assert struct.pack(">d", v) not in blob and struct.pack("<d", v) not in blob
        assert repr(v) not in text.getvalue()
    # ... yet the pickle is the same synapse, at the same point of its stream and budget.
    m.record([0.0, 0.1], 2)
    clone = pickle.loads(pickle.dumps(m))
    assert fields(clone.reveal(CLASS)) == fields(p) and clone.trials_left == 98
    assert torch.equal(clone.record([0.0, 0.1], 5).amplitudes, m.record([0.0, 0.1], 5).amplitudes)


# --- the score a student may see ---------------------------------------------------------


def test_held_out_protocol_is_as_documented():
    trains = held_out_protocol()
    assert len(trains) == 8
    for rate in (3.0, 14.0, 33.0, 70.0):
        np.testing.assert_allclose(trains[f"{rate:g} Hz"].numpy(), np.arange(8) / rate)
    for gap_ms in (60, 250, 800, 2500):
        t = trains[f"40 Hz + probe at {gap_ms} ms"].numpy()
        np.testing.assert_allclose(t, [*(np.arange(8) / 40.0), 7 / 40.0 + gap_ms / 1e3])


def test_score_of_a_plain_code_is_the_reference_error_to_a_tenth_of_a_percent():
    # score() is what the explorer shows on submit: 0 for the truth, the written-out
    # reference error rounded to 0.001 (0.1 %) without the key, exact with it.
    assert score(CLASS, "ada", truth("ada")) == 0.0
    guess = TMParameters(tau_f=0.3, tau_d=0.4, tau_s=0.01, U=0.3, A=150.0)
    expected = reference_error(guess, truth("bob"))
    assert expected > 0.01
    assert score(CLASS, " Bob ", guess) == round(100 * expected, 1) / 100
    assert score(CLASS, "bob", guess, key=CLASS) == pytest.approx(expected, rel=1e-9)
    too_large = truth("cy").replace(A=1.1 * float(truth("cy").A))
    assert score(CLASS, "cy", too_large) == 0.1


def test_a_class_that_hides_the_score_needs_the_key():
    room = Classroom.create("BIO-412", show_score=False)
    guess = TMParameters(tau_f=0.3, tau_d=0.4, tau_s=0.01, U=0.3, A=150.0)
    with pytest.raises(ValueError, match="hides the score"):
        score(room.code, "ada", guess)
    with pytest.raises(ValueError, match="key"):
        score(room.code, "ada", guess, key="guess")
    p = mystery_synapse(room.code, "ada").reveal(room.key)
    assert score(room.code, "ada", guess, key=room.key) == pytest.approx(
        reference_error(guess, p), rel=1e-9
    )
    shown = Classroom.create("BIO-412", show_score=True)
    q = mystery_synapse(shown.code, "ada").reveal(shown.key)
    assert score(shown.code, "ada", guess) == round(100 * reference_error(guess, q), 1) / 100


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: mystery_synapse("", "ada"), ValueError, "class_code"),
        (lambda: mystery_synapse("  ", "ada"), ValueError, "class_code"),
        (lambda: mystery_synapse(CLASS, ""), ValueError, "student"),
        (lambda: mystery_synapse(CLASS, 7), TypeError, "student"),
        (lambda: mystery_synapse(None, "ada"), TypeError, "class_code"),
        (lambda: score("", "ada", truth("ada")), ValueError, "class_code"),
        (lambda: score(CLASS, " ", truth("ada")), ValueError, "student"),
        (lambda: score(CLASS, "ada", None), TypeError, "params"),
        (lambda: score(CLASS, "ada", truth("ada"), key=3), TypeError, "key"),
        (
            lambda: score(CLASS, "ada", truth("ada").replace(U=torch.tensor([0.1, 0.2]))),
            ValueError,
            "single synapse",
        ),
    ],
)
def test_bad_arguments(call, error, match):
    with pytest.raises(error, match=match):
        call()
