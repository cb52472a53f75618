"""A class: its code carries the rules, record() keeps the budget and the held-out rule, and
only the lecturer's key reveals a synapse."""

from __future__ import annotations

import json
import pickle

import pytest
import torch

from stpwidget.mystery import (
    STARTER_DESIGN,
    Classroom,
    check_not_held_out,
    held_out_protocol,
    mystery_synapse,
    protocol_train,
)
from stpwidget.mystery.plans import FOLLOW_UP
from stpwidget.trains import regular_train, with_recovery_probe

ROSTER = ["Ada Lovelace", "Ben", "Émile"]


@pytest.fixture
def room():
    return Classroom.create("BIO-412", trials=50, roster=ROSTER, show_score=False)


def fields(p):
    return tuple(float(getattr(p, n)) for n in ("tau_f", "tau_d", "U", "A"))


# --- the class and its code ---------------------------------------------------------------


def test_the_code_carries_the_rules_and_each_class_gets_its_own_synapses(room):
    name, trials, shown, commit = room.code.split("/")
    assert (name, trials, shown) == ("BIO-412", "50", "hidden") and len(commit) == 10
    syn = mystery_synapse(room.code, "Ada Lovelace")
    assert (syn.trials, syn.trials_left, syn.show_score) == (50, 50, False)
    assert mystery_synapse(" bio-412/50/HIDDEN/" + commit.upper(), "ada lovelace").trials == 50
    shown = Classroom.create("BIO-412", trials=7, show_score=True)
    assert mystery_synapse(shown.code, "x").show_score and shown.code.split("/")[2] == "shown"
    # two classes of the same name have different keys, hence codes, hence synapses
    again = Classroom.create("BIO-412", trials=50, roster=ROSTER)
    assert again.code != room.code and again.key != room.key
    a = mystery_synapse(room.code, "Ada Lovelace").reveal(room.key)
    b = mystery_synapse(again.code, "Ada Lovelace").reveal(again.key)
    assert fields(a) != fields(b)


def test_a_plain_code_keeps_the_old_rules_and_is_its_own_key():
    syn = mystery_synapse("NEURO-301", "ada")
    assert (syn.trials, syn.show_score) == (100, True)
    assert fields(syn.reveal(" neuro-301 ")) == fields(syn.reveal("NEURO-301"))
    # a code that only looks like a class code (no valid commitment) is plain too
    assert mystery_synapse("A/100/hidden/xyz", "ada").trials == 100


def test_reveal_needs_the_right_key(room):
    syn = mystery_synapse(room.code, "Ben")
    for bad in (None, "", room.code, room.key + "x", "NEURO-301"):
        with pytest.raises(ValueError, match="key"):
            syn.reveal(bad)
    with pytest.raises(TypeError, match="key"):
        syn.reveal(42)
    assert fields(syn.reveal(room.key)) == fields(syn.reveal(f"  {room.key} "))
    with pytest.raises(ValueError, match="key"):
        mystery_synapse("NEURO-301", "ada").reveal()


def test_save_and_load_round_trip(room, tmp_path):
    path = tmp_path / "bio412.json"
    room.save(path)
    back = Classroom.load(path)
    assert back == room and back.code == room.code and back.roster == tuple(ROSTER)
    assert room.key not in repr(room) and "<hidden>" in repr(room)
    (tmp_path / "other.json").write_text(json.dumps({"format": "something else"}))
    with pytest.raises(ValueError, match="not a saved Classroom"):
        Classroom.load(tmp_path / "other.json")
    (tmp_path / "short.json").write_text(json.dumps({"format": "stpwidget.classroom/1"}))
    with pytest.raises(ValueError, match="not a saved Classroom"):
        Classroom.load(tmp_path / "short.json")
    (tmp_path / "broken.json").write_text("{")
    with pytest.raises(ValueError, match="not a saved Classroom"):
        Classroom.load(tmp_path / "broken.json")


def test_from_code_needs_the_key_of_a_keyed_code(room):
    assert Classroom.from_code(room.code, room.key).code == room.code
    with pytest.raises(ValueError, match="needs its key"):
        Classroom.from_code(room.code)
    with pytest.raises(ValueError, match="needs its key"):
        Classroom.from_code(room.code, "wrong")
    plain = Classroom.from_code("NEURO-301")
    assert plain.code == "NEURO-301" and plain.key == "NEURO-301" and plain.trials == 100


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"name": ""}, ValueError, "name"),
        ({"name": 412}, TypeError, "name"),
        ({"trials": 0}, ValueError, r"trials must be an int in \[1, 10000\]; got 0"),
        ({"trials": 10_001}, ValueError, "trials"),
        ({"trials": 100.0}, TypeError, "trials"),
        ({"trials": True}, TypeError, "trials"),
        ({"show_score": "no"}, TypeError, "show_score"),
        ({"roster": "Ada"}, TypeError, "roster"),
        ({"roster": ["Ada", " "]}, ValueError, r"roster\[1\]"),
        ({"roster": ["Ada", 3]}, TypeError, r"roster\[1\]"),
        ({"roster": ["Ada  Lovelace", "ada lovelace"]}, ValueError, r"roster\[1\].*roster\[0\]"),
    ],
)
def test_create_checks_every_argument(kwargs, error, match):
    with pytest.raises(error, match=match):
        Classroom.create(**{"name": "BIO-412", **kwargs})


# --- the budget ---------------------------------------------------------------------------


def test_record_keeps_the_budget_for_code_and_widget_alike(room):
    syn = mystery_synapse(room.code, "Ben")
    spikes = regular_train(20.0, 5, start=0.1)
    assert syn.record(spikes, trials=30).n_trials == 30 and syn.trials_left == 20
    with pytest.raises(ValueError, match=r"trials must be in \[1, 20\]: 20 of the class's 50"):
        syn.record(spikes, trials=21)
    assert syn.trials_left == 20  # a refused call records and counts nothing
    # and it draws nothing: the next trials are those a fresh synapse gives after 30
    fresh = mystery_synapse(room.code, "Ben")
    fresh.record(spikes, trials=30)
    torch.testing.assert_close(
        syn.record(spikes, 20).amplitudes, fresh.record(spikes, 20).amplitudes
    )
    assert syn.trials_left == 0
    with pytest.raises(ValueError, match=r"all of the class's 50 trials are recorded"):
        syn.record(spikes, trials=1)
    assert "trials_left=0" in repr(syn)
    assert pickle.loads(pickle.dumps(syn)).trials_left == 0


def test_the_starter_uses_a_third_of_the_budget_and_each_follow_up_the_rest():
    assert sum(t for *_, t in STARTER_DESIGN) == 30
    for kind, design in FOLLOW_UP.items():
        assert sum(t for *_, t in design) == 70, kind
        for _, spikes, _ in (*STARTER_DESIGN, *design):
            check_not_held_out(spikes)


# --- the held-out rule --------------------------------------------------------------------


def spikes_at(rate: float, n: int, start: float = 0.1) -> torch.Tensor:
    return regular_train(rate, n, start=start)


@pytest.mark.parametrize(
    ("spikes", "match"),
    [
        (spikes_at(33.0, 7), "3 or more spikes in a row at 33 Hz"),  # 7 of 8 held-out spikes
        (spikes_at(40.0, 8), "at 40 Hz"),  # the start of every held-out probe train
        (spikes_at(40.0, 3, start=5.0), "at 40 Hz"),  # shifted, and only three spikes
        (spikes_at(32.0, 8), "at 33 Hz"),  # within 5 %
        (spikes_at(3.0, 4), "at 3 Hz"),
        (spikes_at(14.0, 3), "at 14 Hz"),
        (spikes_at(70.0, 12), "at 70 Hz"),
        # the same rate after a first spike long before: the run counts anywhere
        (torch.cat([torch.tensor([0.0]), spikes_at(33.0, 5, start=3.0)]), "at 33 Hz"),
        # probe gaps of the held-out trains after another train
        (with_recovery_probe(spikes_at(20.0, 8), 0.8), "recovery probe 800 ms"),
        (with_recovery_probe(spikes_at(50.0, 5), 0.25), "recovery probe 250 ms"),
        (with_recovery_probe(spikes_at(100.0, 2), 0.061), "recovery probe 60 ms"),
        (with_recovery_probe(spikes_at(20.0, 4), 2.45), "recovery probe 2500 ms"),
    ],
)
def test_held_out_variants_are_refused_by_what_they_share(spikes, match, room):
    with pytest.raises(ValueError, match=f"spike_times: .*{match}"):
        check_not_held_out(spikes)
    syn = mystery_synapse(room.code, "Ada Lovelace")
    with pytest.raises(ValueError, match=match):
        syn.record(spikes, trials=1)
    assert syn.trials_left == 50  # refused before anything is counted


@pytest.mark.parametrize("name", list(held_out_protocol()))
def test_every_held_out_train_is_refused_anywhere_in_time(name):
    for shift in (0.0, 0.1, 7.3):
        with pytest.raises(ValueError, match="spike_times"):
            check_not_held_out(held_out_protocol()[name] + shift)


@pytest.mark.parametrize(
    "spikes",
    [
        spikes_at(50.0, 2),  # a pair at 20 ms
        spikes_at(33.0, 2),  # a pair at a held-out rate: one interval is not a rate
        spikes_at(20.0, 10),
        spikes_at(10.0, 10),
        spikes_at(50.0, 10),
        spikes_at(100.0, 10),
        spikes_at(5.0, 8),
        spikes_at(25.0, 8),  # 25 Hz is more than 5 % from 33 Hz and from 14 Hz
        with_recovery_probe(spikes_at(20.0, 8), 0.3),
        with_recovery_probe(spikes_at(20.0, 8), 1.5),
        with_recovery_probe(spikes_at(50.0, 5), 0.5),
        with_recovery_probe(spikes_at(20.0, 8), 0.06) + 0.0,  # 60 ms is not 1.5 x 50 ms
        torch.tensor([0.1, 0.35]),  # a pair 250 ms apart: no train before the gap
    ],
)
def test_legitimate_protocols_are_accepted(spikes, room):
    check_not_held_out(spikes)
    syn = mystery_synapse(room.code, "Ben")
    assert syn.record(spikes, trials=2).n_trials == 2 and syn.trials_left == 48


def test_check_names_the_argument_it_is_given():
    with pytest.raises(ValueError, match=r"^protocol: "):
        check_not_held_out(spikes_at(33.0, 8), name="protocol")


def test_protocol_train_gives_the_rigs_trains_and_checks_its_arguments():
    spikes, label = protocol_train("probe", 20.0, 5, 0.0, 1.0)
    assert label == "20 Hz × 5 + probe at 1000 ms"
    assert spikes.tolist() == pytest.approx([0.1, 0.15, 0.2, 0.25, 0.3, 1.3])
    spikes, label = protocol_train("pair", 0.0, 0, 0.05, 0.0)
    assert label == "pair at 50 ms" and spikes.tolist() == pytest.approx([0.1, 0.15])
    assert protocol_train("train", 10.0, 3, 0.0, 0.0)[1] == "10 Hz × 3"
    for args, match in [
        (("burst", 20.0, 5, 0.0, 1.0), "kind"),
        (("train", 0.0, 5, 0.0, 1.0), "rate"),
        (("train", 20.0, 1, 0.0, 1.0), "pulses"),
        (("pair", 20.0, 5, -0.1, 1.0), "interval"),
        (("probe", 20.0, 5, 0.0, 0.0), "delay"),
    ]:
        with pytest.raises(ValueError, match=match):
            protocol_train(*args)


def test_lecturer_key_checks_its_arguments():
    from stpwidget.mystery import lecturer_key

    with pytest.raises(TypeError, match="class_code"):
        lecturer_key(3)
    with pytest.raises(ValueError, match="per_kind"):
        lecturer_key("demo", per_kind=0)
    short = Classroom.create("demo", trials=50)
    with pytest.raises(ValueError, match="need 100 trials"):
        lecturer_key(short.code, per_kind=1)
