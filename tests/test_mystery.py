"""Mystery synapses: reproducible per student, hidden from casual inspection, and graded.

The grading error is checked against a Tsodyks–Markram recurrence written out in this file
(pure Python, from STP_MODEL.md) and against cases whose error is known by hand.
"""

from __future__ import annotations

import io
import math
import pickle
import pickletools
import struct

import numpy as np
import pandas as pd
import pytest
import torch
from tm_reference import releases

from stpwidget.model import simulate
from stpwidget.mystery import (
    SUBMISSION_HEADER,
    grade,
    held_out_protocol,
    mystery_synapse,
    score,
    submission_row,
)
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
    return mystery_synapse(CLASS, student).reveal()


def fields(p: TMParameters) -> tuple[float, ...]:
    return tuple(float(getattr(p, n)) for n in ("tau_f", "tau_d", "tau_s", "U", "A"))


# --- the draw ---------------------------------------------------------------------------


def test_reproducible_and_canonical_names():
    a, b = mystery_synapse(CLASS, "Ada Lovelace"), mystery_synapse(CLASS, "Ada Lovelace")
    assert fields(a.reveal()) == fields(b.reveal())
    assert (a.n_sites, a.quantal_cv, a.noise_sd) == (b.n_sites, b.quantal_cv, b.noise_sd)
    spikes = regular_train(20.0, 5)
    assert torch.equal(a.record(spikes, 3).amplitudes, b.record(spikes, 3).amplitudes)
    # Case, outer and doubled spaces do not make another student.
    same = mystery_synapse(" neuro-101  FALL ", "  ada   lovelace")
    assert fields(same.reveal()) == fields(a.reveal())
    assert fields(mystery_synapse(CLASS, "Ada Byron").reveal()) != fields(a.reveal())
    assert fields(mystery_synapse("NEURO-102", "Ada Lovelace").reveal()) != fields(a.reveal())


def test_draws_span_the_stated_ranges_and_kinds():
    synapses = [mystery_synapse(CLASS, s) for s in STUDENTS]
    params = [s.reveal() for s in synapses]
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
    m = mystery_synapse(CLASS, "grace")
    assert isinstance(m, VirtualSynapse)
    # 4000 trials: mean of every spike within 5 SE (SE = sample SD / sqrt(n)) of A·r_k.
    spikes = regular_train(25.0, 6, start=0.1)
    amps = m.record(spikes, 4000).amplitudes.numpy()
    p = m.reveal()
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
    p = m.reveal()
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
    # ... yet the pickle is the same synapse, at the same point of its stream.
    m.record([0.0, 0.1], 2)
    clone = pickle.loads(pickle.dumps(m))
    assert fields(clone.reveal()) == fields(p)
    assert torch.equal(clone.record([0.0, 0.1], 5).amplitudes, m.record([0.0, 0.1], 5).amplitudes)


# --- grading ----------------------------------------------------------------------------


def test_held_out_protocol_is_as_documented():
    trains = held_out_protocol()
    assert len(trains) == 8
    for rate in (3.0, 14.0, 33.0, 70.0):
        np.testing.assert_allclose(trains[f"{rate:g} Hz"].numpy(), np.arange(8) / rate)
    for gap_ms in (60, 250, 800, 2500):
        t = trains[f"40 Hz + probe at {gap_ms} ms"].numpy()
        np.testing.assert_allclose(t, [*(np.arange(8) / 40.0), 7 / 40.0 + gap_ms / 1e3])


def test_grade_error_zero_for_truth_and_against_a_written_out_reference():
    students = ["ada", "bob", "cy", "dee"]
    subs = {
        "ada": truth("ada"),  # exact: error 0
        "bob": truth("bob").replace(A=1.1 * float(truth("bob").A)),  # 10 % too large everywhere
        "cy": truth("cy").replace(tau_d=2 * float(truth("cy").tau_d), tau_s=0.3),
        "dee": TMParameters(tau_f=0.3, tau_d=0.4, tau_s=0.01, U=0.3, A=150.0),
    }
    frame = grade(CLASS, subs)
    assert list(frame.index) == students and frame.index.name == "student"
    assert list(frame.columns) == ["error", "tau_f", "tau_d", "U", "A"]
    assert frame.loc["ada", "error"] == 0.0
    assert frame.loc["bob", "error"] == pytest.approx(0.1, rel=1e-9)
    for s in ("cy", "dee"):
        assert frame.loc[s, "error"] == pytest.approx(reference_error(subs[s], truth(s)), rel=1e-9)
        assert frame.loc[s, "error"] > 0.01
    assert frame.loc["cy", "tau_d"] == 2 * float(truth("cy").tau_d)


def test_dict_and_csv_agree(tmp_path):
    subs = {
        "ada": truth("ada"),
        "Smith, Bob": TMParameters(tau_f=0.05, tau_d=0.7, tau_s=0.02, U=0.5, A=90.0),
    }
    lines = [SUBMISSION_HEADER] + [submission_row(s, p) for s, p in subs.items()]
    assert lines[2].startswith('"Smith, Bob",')  # quoted, so the comma stays in the name
    path = tmp_path / "subs.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    from_dict = grade(CLASS, subs)
    pd.testing.assert_frame_equal(grade(CLASS, path), from_dict)
    pd.testing.assert_frame_equal(grade(CLASS, str(path)), from_dict)
    pd.testing.assert_frame_equal(grade(CLASS, io.StringIO("\n".join(lines))), from_dict)
    assert grade(CLASS, path).loc["ada", "error"] == 0.0  # repr round-trips every float
    # Column order is free and blank lines are skipped.
    swapped = "A,U,tau_d,tau_f,student\n\n" + "".join(
        f"{p.A!r},{p.U!r},{p.tau_d!r},{p.tau_f!r},{s}\n" for s, p in [("ada", truth("ada"))]
    )
    assert grade(CLASS, io.StringIO(swapped)).loc["ada", "error"] == 0.0


def test_no_submissions_gives_an_empty_table():
    frame = grade(CLASS, {})
    assert frame.empty and list(frame.columns) == ["error", "tau_f", "tau_d", "U", "A"]


def test_submission_row_format():
    p = TMParameters(tau_f=0.05, tau_d=0.75, tau_s=0.02, U=0.45, A=120)
    assert SUBMISSION_HEADER == "student,tau_f,tau_d,U,A"
    assert submission_row(" ada ", p) == "ada,0.05,0.75,0.45,120.0"


GOOD = "student,tau_f,tau_d,U,A\nada,0.1,0.5,0.3,100\n"


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("", r"row 1 \(header\).*student,tau_f,tau_d,U,A"),
        ("student,tau_f,tau_d,U\nada,0.1,0.5,0.3\n", r"row 1.*missing: \['A'\]"),
        ("student,tau_f,tau_d,U,A,tau_s\n", r"row 1.*unknown: \['tau_s'\]"),
        ("student,tau_f,tau_d,U,A,A\n", "row 1"),
        (GOOD + "bob,0.1,-0.5,0.3,100\n", r"row 3, column 'tau_d'.*\(0 s, inf\)"),
        (GOOD + "bob,0.1,0.5,1.3,100\n", r"row 3, column 'U'.*\(0, 1\]"),
        (GOOD + "bob,0.1,0.5,0.3,abc\n", r"row 3, column 'A'.*real number"),
        (GOOD + "bob,0.1,,0.3,100\n", r"row 3, column 'tau_d'"),
        (GOOD + "bob,nan,0.5,0.3,100\n", r"row 3, column 'tau_f'.*finite"),
        (GOOD + "bob,0.1,0.5\n", "row 3 has 3 cells"),
        (GOOD + " ,0.1,0.5,0.3,100\n", r"row 3, column 'student'.*non-empty"),
        (GOOD + "\nADA ,0.1,0.5,0.3,100\n", r"row 4.*'ADA'.*already submitted \(.*row 2\)"),
    ],
)
def test_bad_csv_names_row_and_column(text, match):
    with pytest.raises(ValueError, match=match):
        grade(CLASS, io.StringIO(text))


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: mystery_synapse("", "ada"), "class_code"),
        (lambda: mystery_synapse("  ", "ada"), "class_code"),
        (lambda: mystery_synapse(CLASS, ""), "student"),
        (lambda: mystery_synapse(CLASS, 7), "student"),
        (lambda: grade("", {"ada": truth("ada")}), "class_code"),
        (lambda: grade(CLASS, {"": truth("ada")}), "student"),
        (lambda: grade(CLASS, {"ada": "0.1,0.5"}), r"submissions\['ada'\]"),
        (lambda: grade(CLASS, {"ada": truth("ada"), "Ada": truth("ada")}), "already submitted"),
        (lambda: grade(CLASS, 42), "submissions"),
        (
            lambda: grade(CLASS, {"ada": truth("ada").replace(U=torch.tensor([0.1, 0.2]))}),
            "single synapse",
        ),
        (lambda: submission_row("", truth("ada")), "student"),
        (lambda: submission_row("ada", None), "params"),
    ],
)
def test_bad_arguments(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_score_is_one_students_grade_without_pandas():
    # score() is what the explorer shows on submit: the written-out reference error, 0 for the
    # truth, and (case and spacing of the name aside) the same synapse as grade's.
    assert score(CLASS, "ada", truth("ada")) == 0.0
    guess = TMParameters(tau_f=0.3, tau_d=0.4, tau_s=0.01, U=0.3, A=150.0)
    expected = reference_error(guess, truth("bob"))
    assert score(CLASS, " Bob ", guess) == pytest.approx(expected, rel=1e-9)
    assert expected > 0.01
    too_large = truth("cy").replace(A=1.1 * float(truth("cy").A))
    assert score(CLASS, "cy", too_large) == pytest.approx(0.1, rel=1e-9)
    for call, match in [
        (lambda: score("", "ada", guess), "class_code"),
        (lambda: score(CLASS, " ", guess), "student"),
        (lambda: score(CLASS, "ada", None), "params"),
    ]:
        with pytest.raises(ValueError, match=match):
            call()
