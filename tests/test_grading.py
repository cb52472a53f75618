"""Grading a class: every malformed row is reported with its row number, never fatal.

Errors are checked against the Tsodyks–Markram recurrence written out in tests/tm_reference.py
(via test_mystery.reference_error) and against cases known by hand (the truth scores 0 %,
predictions 10 % too large score 10 %).
"""

from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd
import pytest
from test_mystery import reference_error

from stpwidget.mystery import (
    SUBMISSION_HEADER,
    Classroom,
    check_code,
    grade,
    mystery_synapse,
    score,
    submission_row,
)
from stpwidget.params import TMParameters

ROSTER = ["Ada Lovelace", "Ben Okri", "Chloé Zhao", "Dee", "Emmy", "Fay", "Gus", "Hal"]
GUESS = TMParameters(tau_f=0.3, tau_d=0.4, tau_s=0.01, U=0.3, A=150.0)


@pytest.fixture(scope="module")
def room():
    return Classroom.create("BIO-412", trials=100, roster=ROSTER)


def truth(room, student):
    return mystery_synapse(room.code, student).reveal(room.key)


def line(room, student, params, code=None):
    return submission_row(student, params, room.code if code is None else code)


def percent(error):
    return round(100 * error, 1)


def problems_of(report, row):
    found = report.problems[report.problems["row"] == row]
    return list(zip(found["action"], found["problem"]))


def by_student(report):
    return report.grades.set_index("student")


# --- the numbers --------------------------------------------------------------------------


def test_errors_against_a_written_out_reference_and_the_score_rule(room):
    ada, ben = truth(room, "Ada Lovelace"), truth(room, "Ben Okri")
    subs = {
        "Ada Lovelace": ada,  # exact: 0 %
        "Ben Okri": ben.replace(A=1.1 * float(ben.A)),  # 10 % too large everywhere
        "Chloé Zhao": GUESS,
        "Dee": truth(room, "Dee").replace(tau_d=2 * float(truth(room, "Dee").tau_d)),
    }
    report = grade(room, subs)
    g = by_student(report)
    assert list(report.grades["student"]) == ROSTER  # one row per roster student, in order
    assert g.loc["Ada Lovelace", "error"] == 0.0 and g.loc["Ada Lovelace", "score"] == 100.0
    assert g.loc["Ben Okri", "error"] == 10.0 and g.loc["Ben Okri", "score"] == 90.0
    for s in ("Chloé Zhao", "Dee"):
        expected = percent(reference_error(subs[s], truth(room, s)))
        assert g.loc[s, "error"] == expected and expected > 1.0
        assert g.loc[s, "score"] == round(max(0.0, 100 - expected), 1)
    for s in ("Emmy", "Fay", "Gus", "Hal"):
        assert g.loc[s, "status"] == "missing" and np.isnan(g.loc[s, "error"])
    assert g.loc["Dee", "tau_d"] == 2 * float(truth(room, "Dee").tau_d)
    kinds = {s: report.truths.loc[s, "kind"] for s in ROSTER}
    assert kinds == {s: g.loc[s, "kind"] for s in ROSTER}
    assert set(kinds.values()) <= {"depressing", "facilitating", "mixed"}
    assert report.truths.loc["Dee", "U"] == float(truth(room, "Dee").U)


def test_the_student_and_the_lecturer_read_the_same_number():
    shown = Classroom.create("BIO-412", roster=["Ada"], show_score=True)
    report = grade(shown, {"Ada": GUESS})
    seen = score(shown.code, "Ada", GUESS)  # what the student saw: a fraction to 0.001
    assert report.grades.loc[0, "error"] == round(100 * seen, 1)
    assert f"{100 * seen:.1f}" == f"{report.grades.loc[0, 'error']:.1f}"


def test_an_empty_class_grades_everyone_missing(room):
    report = grade(room, io.StringIO(SUBMISSION_HEADER + "\n"))
    assert (report.grades["status"] == "missing").all() and report.problems.empty
    plain = grade("NEURO-301", {})
    assert plain.grades.empty and list(plain.grades.columns)[:5] == [
        "student",
        "score",
        "error",
        "kind",
        "status",
    ]


# --- every malformed row, reported and never fatal ----------------------------------------


def messy_csv(room) -> tuple[str, dict[str, TMParameters]]:
    """A form export with every slip of the issue, one per row (row 1 is the header)."""
    t = {s: truth(room, s) for s in ROSTER}
    ada = line(room, "Ada Lovelace", t["Ada Lovelace"])
    rows = [
        ["Timestamp", "student", "tau_f", "tau_d", "U", "A", "check"],  # 1
        ["2026-12-05 10:01", *next(csv.reader([line(room, "Ada Lovelace", GUESS)]))],  # 2
        ["2026-12-05 10:02", *SUBMISSION_HEADER.split(",")],  # 3: a pasted header
        ["2026-12-05 10:03", *next(csv.reader([ada]))],  # 4: Ada again: this one counts
        ["2026-12-05 10:04", "Ben Okri", "0.1", "", "0.3", "100", ""],  # 5: an empty cell
        ["2026-12-05 10:05", "Chloé Zhao", *_commas(t["Chloé Zhao"])],  # 6: decimal commas
        ["2026-12-05 10:06", line(room, "Dee", t["Dee"]), "", "", "", "", ""],  # 7: one cell
        ["2026-12-05 10:07", f"{SUBMISSION_HEADER}\n{line(room, 'Emmy', t['Emmy'])}"]
        + [""] * 5,  # 8: both lines in one cell
        ["2026-12-05 10:08", *_ms(room, "Fay", t["Fay"])],  # 9: time constants in ms
        ["2026-12-05 10:09", *next(csv.reader([line(room, "Gsu", t["Gus"])]))],  # 10: typo
        ["2026-12-05 10:10", *next(csv.reader([line(room, "Hal", GUESS, code="BIO412")]))],
        ["2026-12-05 10:11", "Ben Okri", "abc", "0.5", "0.3", "100", ""],  # 12: not a number
        ["", "", "", "", "", "", ""],  # 13: blank: skipped without a word
        ["2026-12-05 10:12", "Ben Okri", "0.1", "0.5", "1.4", "100", ""],  # 14: U > 1
    ]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue(), t


def _commas(p: TMParameters) -> list[str]:
    return [f"{float(getattr(p, c))!r}".replace(".", ",") for c in ("tau_f", "tau_d", "U", "A")]


def _ms(room, student, p: TMParameters) -> list[str]:
    tau_f, tau_d = 1e3 * float(p.tau_f), 1e3 * float(p.tau_d)
    check = check_code(room.code, student)
    return [student, f"{tau_f:.6f}", f"{tau_d:.6f}", repr(float(p.U)), repr(float(p.A)), check]


def test_a_messy_form_export_is_graded_row_by_row(room):
    text, t = messy_csv(room)
    report = grade(room, io.StringIO(text))
    g = by_student(report)
    # Ada: the second submission (row 4) counts, the first is reported as replaced
    assert g.loc["Ada Lovelace", "error"] == 0.0 and g.loc["Ada Lovelace", "row"] == 4
    assert problems_of(report, 2) == [("replaced", "a later submission (row 4) counts")]
    assert problems_of(report, 3) == [("skipped", "a pasted header line (not a submission)")]
    # Ben: three bad rows, each skipped and named; no grade
    assert problems_of(report, 5) == [("skipped", "column 'tau_d': empty")]
    assert problems_of(report, 12) == [("skipped", "column 'tau_f': 'abc' is not a number")]
    ((action, why),) = problems_of(report, 14)
    assert action == "skipped" and "column 'U': 1.4 is not in (0, 1]" in why
    assert g.loc["Ben Okri", "status"] == "missing"
    # Chloé: decimal commas fixed, graded, no check code
    assert [a for a, _ in problems_of(report, 6)] == ["fixed"] * 4
    assert g.loc["Chloé Zhao", "error"] == 0.0
    assert g.loc["Chloé Zhao", "status"] == "graded, no check code"
    # Dee: a line pasted into one cell; Emmy: header and row pasted into one cell
    assert problems_of(report, 7) == [
        ("fixed", "a whole line pasted into one cell: read as a line")
    ]
    assert ("fixed", "a pasted header line in the cell was ignored") in problems_of(report, 8)
    assert g.loc["Dee", "error"] == 0.0 and g.loc["Emmy", "error"] == 0.0
    assert g.loc["Dee", "status"] == g.loc["Emmy", "status"] == "graded"
    # Fay: milliseconds read as such (to the 6 decimals written), and said so
    fixed = problems_of(report, 9)
    assert [a for a, _ in fixed] == ["fixed", "fixed"] and "ms" in fixed[0][1]
    assert g.loc["Fay", "tau_d"] == pytest.approx(float(t["Fay"].tau_d), rel=1e-7)
    assert g.loc["Fay", "error"] == 0.0
    # Gus typed "Gsu": not on the roster, with the closest name
    ((action, why),) = problems_of(report, 10)
    assert action == "skipped" and "'Gsu' is not on the roster (closest: 'Gus')" in why
    assert g.loc["Gus", "status"] == "missing"
    # Hal drew his synapse with a misspelled class code: the check code catches it
    ((action, why),) = problems_of(report, 11)
    assert action == "skipped" and why.startswith("check code") and "does not match" in why
    assert g.loc["Hal", "status"] == "check code differs" and np.isnan(g.loc["Hal", "error"])
    assert 13 not in set(report.problems["row"])


def test_a_check_code_made_under_another_roster_name_says_whose(room):
    ada_line = line(room, "Ada Lovelace", GUESS).split(",")
    swapped = ",".join(["Ben Okri", *ada_line[1:]])
    report = grade(room, io.StringIO(f"{SUBMISSION_HEADER}\n{swapped}\n"))
    ((action, why),) = problems_of(report, 2)
    assert action == "skipped" and "is 'Ada Lovelace''s" in why


def test_names_are_matched_ignoring_case_spacing_and_unicode_form(room):
    t = truth(room, "Chloé Zhao")
    # NFD é (e + combining accent), upper case, doubled and outer spaces
    typed = "  CHLOE\u0301   zhao "
    report = grade(room, io.StringIO(f"{SUBMISSION_HEADER}\n{line(room, typed, t)}\n"))
    g = by_student(report)
    assert g.loc["Chloé Zhao", "error"] == 0.0 and g.loc["Chloé Zhao", "status"] == "graded"


def test_a_form_with_one_submission_column_and_semicolons(room):
    t = truth(room, "Dee")
    semi = ";".join([f"{float(getattr(t, c))!r}".replace(".", ",") for c in ("tau_f", "tau_d")])
    rest = ";".join([f"{float(t.U)!r}".replace(".", ","), f"{float(t.A)!r}".replace(".", ",")])
    form = pd.DataFrame(
        {
            "Timestamp": ["2026-12-05 10:00", "2026-12-05 10:01"],
            "submission": [line(room, "Ada Lovelace", GUESS), f"Dee;{semi};{rest}"],
        }
    )
    report = grade(room, form)
    g = by_student(report)
    assert g.loc["Ada Lovelace", "error"] == percent(
        reference_error(GUESS, truth(room, "Ada Lovelace"))
    )
    assert g.loc["Dee", "error"] == 0.0 and g.loc["Dee", "row"] == 3
    assert [a for a, _ in problems_of(report, 3)] == ["fixed"] * 4  # the decimal commas


def test_a_line_with_decimal_commas_and_commas_is_ambiguous_and_skipped(room):
    report = grade(room, io.StringIO('submission\n"Dee,0,1,0,5,0,3,100"\n'))
    ((action, why),) = problems_of(report, 2)
    assert action == "skipped" and "decimal commas?" in why


def test_a_file_without_a_header_is_read_by_position(room):
    t = truth(room, "Emmy")
    report = grade(room, io.StringIO(line(room, "Emmy", t) + "\n"))
    assert by_student(report).loc["Emmy", "error"] == 0.0


def test_a_plain_code_grades_without_a_roster_and_path_file_frame_agree(tmp_path):
    code = "NEURO-301"
    subs = {"ada": mystery_synapse(code, "ada").reveal(code), "Smith, Bob": GUESS}
    lines = [SUBMISSION_HEADER] + [submission_row(s, p, code) for s, p in subs.items()]
    assert lines[2].startswith('"Smith, Bob",')  # quoted, so the comma stays in the name
    path = tmp_path / "subs.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    expected = grade(code, subs).grades.drop(columns=["row", "status"])
    binary = io.BytesIO(path.read_bytes())
    for source in (path, str(path), io.StringIO("\n".join(lines)), binary):
        got = grade(code, source).grades
        assert list(got["status"]) == ["graded", "graded"]
        pd.testing.assert_frame_equal(got.drop(columns=["row", "status"]), expected)
    frame = pd.read_csv(path)
    pd.testing.assert_frame_equal(
        grade(code, frame).grades.drop(columns=["row", "status"]), expected
    )
    assert grade(code, path).grades.loc[0, "error"] == 0.0  # repr round-trips every float


# --- formula-safe CSVs ----------------------------------------------------------------------


def test_formula_names_are_defused_in_the_submission_and_the_grades(tmp_path):
    evil = '=HYPERLINK("http://x","y")'
    room = Classroom.create("BIO-412", roster=[evil, "+1", "ok"])
    row = submission_row(evil, GUESS, room.code)
    assert row.startswith("\"'=HYPERLINK(")  # a leading quote: text, not a formula
    second = submission_row("+1", GUESS, room.code)
    report = grade(room, io.StringIO(f"{SUBMISSION_HEADER}\n{row}\n{second}\n"))
    assert list(report.grades["status"][:2]) == ["graded", "graded"]  # read back as the name
    path = tmp_path / "grades.csv"
    report.to_csv(path)
    with path.open(encoding="utf-8", newline="") as f:
        cells = [c for r in csv.reader(f) for c in r]
    assert "'" + evil in cells and "'+1" in cells
    assert not any(c.startswith(("=", "+", "@")) for c in cells)
    assert ",nan" not in path.read_text(encoding="utf-8").lower()  # missing: empty cells
    report.to_csv(tmp_path / "problems.csv", table="problems")
    with pytest.raises(ValueError, match="table"):
        report.to_csv(path, table="truths")


# --- arguments ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda r: grade(42, {}), TypeError, "classroom"),
        (lambda r: grade(r.code, {}), ValueError, "needs its key"),
        (lambda r: grade("", {}), ValueError, "class_code"),
        (lambda r: grade(r, 42), TypeError, "submissions"),
        (lambda r: grade(r, {"": GUESS}), ValueError, "student"),
        (lambda r: grade(r, {3: GUESS}), TypeError, "student"),
        (lambda r: grade(r, {"Dee": "0.1,0.5"}), TypeError, r"submissions\['Dee'\]"),
        (lambda r: submission_row("", GUESS), ValueError, "student"),
        (lambda r: submission_row("ada", None), TypeError, "params"),
        (lambda r: check_code("NEURO", 5), TypeError, "student"),
    ],
)
def test_bad_arguments(room, call, error, match):
    with pytest.raises(error, match=match):
        call(room)


def test_submission_row_format():
    p = TMParameters(tau_f=0.05, tau_d=0.75, tau_s=0.02, U=0.45, A=120)
    assert SUBMISSION_HEADER == "student,tau_f,tau_d,U,A,check"
    assert submission_row(" ada ", p) == "ada,0.05,0.75,0.45,120.0"
    check = check_code("NEURO-301", "ada")
    assert submission_row("ada", p, "NEURO-301") == f"ada,0.05,0.75,0.45,120.0,{check}"
    assert len(check) == 5 and check.isalpha() and check.islower()
    assert check_code("NEURO-301", "ADA ") == check != check_code("NEURO-301", "ada2")
    assert check_code("NEURO-302", "ada") != check


def test_a_name_misspelled_in_the_notebook_but_not_at_hand_in_is_caught(room):
    # Gus drew his synapse as "Gsu", then typed his name right in the sheet: the values
    # belong to another synapse, and the check code says so instead of grading them.
    drawn = line(room, "Gsu", truth(room, "Gus")).split(",")
    fixed_name = ",".join(["Gus", *drawn[1:]])
    report = grade(room, io.StringIO(f"{SUBMISSION_HEADER}\n{fixed_name}\n"))
    ((action, why),) = problems_of(report, 2)
    assert action == "skipped" and "does not match" in why
    assert by_student(report).loc["Gus", "status"] == "check code differs"
