"""Recording and its CSV format: shapes, the trial mean, the round trip, every bad input."""

import doctest
import importlib.util
import io
import math
import re
from pathlib import Path

import pytest
import torch

import stpwidget
import stpwidget.recordings
from stpwidget.recordings import Recording, read_recordings, write_recordings

TIMES = [0.1, 0.2, 0.3]


def test_one_trial_keeps_amplitudes_as_float64():
    rec = Recording(TIMES, [1.0, 0.7, 0.5], label="10 Hz")
    assert rec.n_trials == 1
    assert rec.amplitudes.dtype == rec.spike_times.dtype == torch.float64
    assert rec.mean.tolist() == [1.0, 0.7, 0.5]
    assert rec.sd is None and rec.label == "10 Hz"


def test_trials_mean_is_the_column_mean():
    rec = Recording(TIMES, [[1.0, 0.7, 0.5], [1.2, 0.9, 0.6], [0.8, 0.5, 0.1]], sd=[1, 2, 3])
    assert rec.n_trials == 3
    # Means by hand: (1.0 + 1.2 + 0.8) / 3 = 1.0, (0.7 + 0.9 + 0.5) / 3 = 0.7, 1.2 / 3 = 0.4.
    torch.testing.assert_close(rec.mean, torch.tensor([1.0, 0.7, 0.4], dtype=torch.float64))
    assert rec.sd.dtype == torch.float64 and rec.sd.tolist() == [1.0, 2.0, 3.0]


def test_recording_is_frozen_and_does_not_alias_the_input():
    amps = torch.tensor([1.0, 0.7, 0.5], dtype=torch.float64)
    rec = Recording(TIMES, amps)
    amps[0] = 99.0
    assert rec.amplitudes[0] == 1.0
    with pytest.raises(AttributeError):
        rec.label = "other"


BAD_RECORDINGS = {
    "times unsorted": (lambda: Recording([0.2, 0.1], [1, 1]), "spike_times"),
    "times negative": (lambda: Recording([-0.1, 0.1], [1, 1]), "spike_times"),
    "times nan": (lambda: Recording([0.1, math.nan], [1, 1]), "spike_times"),
    "times empty": (lambda: Recording([], []), "spike_times"),
    "times 2-D": (lambda: Recording([[0.1, 0.2]], [1, 1]), "spike_times"),
    "amplitudes too short": (lambda: Recording(TIMES, [1, 1]), "amplitudes"),
    "amplitudes 3-D": (lambda: Recording(TIMES, [[[1, 1, 1]]]), "amplitudes"),
    "amplitudes no trials": (lambda: Recording(TIMES, torch.zeros(0, 3)), "amplitudes"),
    "amplitudes nan": (lambda: Recording(TIMES, [1, math.nan, 1]), "amplitudes"),
    "amplitudes inf in a trial": (
        lambda: Recording(TIMES, [[1, 1, 1], [1, math.inf, 1]]),
        "amplitudes",
    ),
    "sd wrong length": (lambda: Recording(TIMES, [1, 1, 1], sd=[1, 1]), "sd"),
    "sd zero": (lambda: Recording(TIMES, [1, 1, 1], sd=[1, 0, 1]), "sd"),
    "sd negative": (lambda: Recording(TIMES, [1, 1, 1], sd=[1, -1, 1]), "sd"),
    "sd inf": (lambda: Recording(TIMES, [1, 1, 1], sd=[1, math.inf, 1]), "sd"),
    "label empty": (lambda: Recording(TIMES, [1, 1, 1], label=""), "label"),
    "label with spaces around": (lambda: Recording(TIMES, [1, 1, 1], label=" 10 Hz"), "label"),
    "label with a carriage return": (lambda: Recording(TIMES, [1, 1, 1], label="a\rb"), "label"),
    "label with a tab": (lambda: Recording(TIMES, [1, 1, 1], label="a\tb"), "label"),
}


@pytest.mark.parametrize("case", BAD_RECORDINGS)
def test_bad_recording_names_the_argument(case):
    make, name = BAD_RECORDINGS[case]
    with pytest.raises(ValueError, match=name):
        make()


def test_round_trip_is_exact(tmp_path):
    gen = torch.Generator().manual_seed(3)
    recs = [
        Recording(TIMES, torch.rand(3, dtype=torch.float64, generator=gen), label="10 Hz"),
        Recording([0.0, 1 / 3], torch.rand(4, 2, dtype=torch.float64, generator=gen), sd=[0.1, 2]),
        Recording([0.05], [-1e-12], label="tiny, with a comma"),
    ]
    path = tmp_path / "recs.csv"
    write_recordings(recs, path)
    back = read_recordings(path)
    assert [r.label for r in back] == ["10 Hz", "recording_2", "tiny, with a comma"]
    for a, b in zip(recs, back):
        assert torch.equal(a.spike_times, b.spike_times)  # repr round-trips float64 exactly
        assert torch.equal(a.amplitudes, b.amplitudes)
        assert (a.sd is None and b.sd is None) or torch.equal(a.sd, b.sd)


def test_reads_a_hand_written_file_in_any_column_order():
    text = (
        "trial,amplitude,t_s,label\n"
        "1,10,0.1,cell A\n"
        "1,6,0.2,cell A\n"
        "2,12,0.1,cell A\n"
        "\n"  # blank lines are skipped
        "2,8,0.2,cell A\n"
        ",5,0.0,cell B\n"
        ",4,0.5,cell B\n"
    )
    a, b = read_recordings(io.StringIO(text))
    assert a.label == "cell A" and a.amplitudes.tolist() == [[10, 6], [12, 8]]
    assert a.mean.tolist() == [11, 7] and a.spike_times.tolist() == [0.1, 0.2]
    assert b.label == "cell B" and b.n_trials == 1 and b.amplitudes.tolist() == [5, 4]


def test_labels_keep_file_order_even_when_interleaved():
    text = "label,t_s,amplitude\nz,0.1,1\na,0.1,2\nz,0.2,3\n"
    z, a = read_recordings(io.StringIO(text))
    assert (z.label, z.amplitudes.tolist()) == ("z", [1.0, 3.0])
    assert (a.label, a.amplitudes.tolist()) == ("a", [2.0])


HEADER = "label,t_s,amplitude\n"
BAD_FILES = {
    "empty file": ("", r"row 1: the file is empty"),
    "header only": (HEADER, "no data rows"),
    "missing column": ("label,t_s\nA,0.1\n", r"row 1 .*'amplitude'"),
    "unknown column": ("label,t_s,amplitude,cell\nA,0.1,1,x\n", r"row 1, column 4.*'cell'"),
    "duplicate column": ("label,t_s,amplitude,t_s\n", r"row 1, column 4.*twice"),
    "short row": (HEADER + "A,0.1,1\nA,0.2\n", r"row 3"),
    "not a number": (HEADER + "A,0.1,1\nA,0.2,big\n", r"row 3, column 'amplitude'.*'big'"),
    "empty cell": (HEADER + "A,,1\n", r"row 2, column 't_s'.*empty"),
    "nan": (HEADER + "A,0.1,nan\n", r"row 2, column 'amplitude'.*finite"),
    "inf time": (HEADER + "A,inf,1\n", r"row 2, column 't_s'.*finite"),
    "negative time": (HEADER + "A,-0.1,1\n", r"row 2, column 't_s'.*\[0"),
    "empty label": (HEADER + ",0.1,1\n", r"row 2, column 'label'"),
    "times out of order": (
        HEADER + "A,0.1,1\nB,0.05,1\nA,0.3,1\nA,0.2,1\n",
        r"row 5, column 't_s'.*0\.2.*0\.3.*row 4",
    ),
    "sd zero": ("label,t_s,amplitude,sd\nA,0.1,1,0\n", r"row 2, column 'sd'.*\(0"),
    "sd only in some rows": ("label,t_s,amplitude,sd\nA,0.1,1,1\nA,0.2,1,\n", r"row 3.*'sd'"),
    "trial only in some rows": (
        "label,t_s,amplitude,trial\nA,0.1,1,\nA,0.2,1,1\n",
        r"row 3.*'trial'",
    ),
    "trials with other times": (
        "label,t_s,amplitude,trial\nA,0.1,1,1\nA,0.2,1,1\nA,0.1,1,2\nA,0.25,1,2\n",
        r"row 5, column 't_s'.*0\.25",
    ),
    "trial with a missing spike": (
        "label,t_s,amplitude,trial\nA,0.1,1,1\nA,0.2,1,1\nA,0.1,1,2\n",
        r"row 4, column 't_s'.*1 spikes.*2",
    ),
    "trial with an extra spike": (
        "label,t_s,amplitude,trial\nA,0.1,1,1\nA,0.1,1,2\nA,0.2,1,2\n",
        r"row 4, column 't_s'.*2 spikes.*1",
    ),
    "trials with other sd": (
        "label,t_s,amplitude,trial,sd\nA,0.1,1,1,0.5\nA,0.1,1,2,0.6\n",
        r"row 3, column 'sd'",
    ),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_bad_csv_names_row_and_column(case):
    text, pattern = BAD_FILES[case]
    # Every message starts with the row it blames ("CSV row 3, column 'amplitude': ...").
    with pytest.raises(ValueError, match=f"^CSV:? {pattern}"):
        read_recordings(io.StringIO(text))


def test_write_refuses_duplicate_labels_and_non_recordings():
    rec = Recording(TIMES, [1, 1, 1], label="x")
    buffer = io.StringIO()
    with pytest.raises(ValueError, match=r"recordings\[1\].*'x'"):
        write_recordings([rec, rec], buffer)
    with pytest.raises(TypeError, match=r"recordings\[0\]"):
        write_recordings([[0.1, 1.0]], buffer)
    # A generated name may not clash with a given one either.
    with pytest.raises(ValueError, match=r"recordings\[1\].*'recording_2'"):
        write_recordings(
            [Recording(TIMES, [1, 1, 1], label="recording_2"), rec.__class__(TIMES, [1, 1, 1])],
            buffer,
        )
    assert buffer.getvalue() == ""  # nothing written


def test_bad_source_or_destination():
    with pytest.raises(TypeError, match=r"^source"):
        read_recordings(42)
    with pytest.raises(TypeError, match=r"^path_or_buffer.*text"):
        write_recordings([], io.BytesIO())


ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "recordings.md"
EXAMPLE = ROOT / "docs" / "example_recordings.csv"


def test_example_csv_is_what_the_script_writes():
    spec = importlib.util.spec_from_file_location(
        "make_example_recordings", ROOT / "scripts" / "make_example_recordings.py"
    )
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    buffer = io.StringIO()
    write_recordings(script.example_file_recordings(), buffer)
    assert buffer.getvalue() == EXAMPLE.read_text()
    # The rows quoted in the docs are the file's first rows.
    quoted = re.search(r"```text\n(.*?)```", DOC.read_text(), re.S).group(1)
    assert EXAMPLE.read_text().startswith(quoted)


def test_docs_example_runs_and_shows_what_it_prints(monkeypatch):
    monkeypatch.chdir(ROOT)
    block = re.search(r"```python\n(.*?)```", DOC.read_text(), re.S).group(1)
    namespace: dict = {}
    for line in block.splitlines():
        code, _, shown = line.partition("  # ")
        if shown:
            assert repr(eval(code, namespace)) == shown, code
        elif code.strip():
            exec(code, namespace)


def test_docstring_examples():
    result = doctest.testmod(stpwidget.recordings, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


# --- What spreadsheets write (issue 18): real files, read by path, as bytes and as a stream.

ROWS = [("10 Hz", 0.1, 1.5), ("10 Hz", 0.2, 1.25), ("café ☕", 0.0, 2.0)]


def _read_every_way(path):
    """The recordings of ``path`` read by path, as bytes and from a binary stream: all alike."""
    ways = [read_recordings(path), read_recordings(path.read_bytes())]
    with open(path, "rb") as stream:
        ways.append(read_recordings(stream))
    for other in ways[1:]:
        assert [(r.label, r.spike_times.tolist(), r.amplitudes.tolist()) for r in other] == [
            (r.label, r.spike_times.tolist(), r.amplitudes.tolist()) for r in ways[0]
        ]
    return ways[0]


def _expected_rows(recs):
    return [
        (r.label, t, a) for r in recs for t, a in zip(r.spike_times.tolist(), r.amplitudes.tolist())
    ]


SPREADSHEET_FILES = {
    # Excel's "CSV UTF-8": a byte-order mark, CRLF line ends.
    "excel csv utf-8": (
        b"\xef\xbb\xbflabel,t_s,amplitude\r\n10 Hz,0.1,1.5\r\n10 Hz,0.2,1.25\r\n"
        + "café ☕,0.0,2.0\r\n".encode()
    ),
    # Header in another case and with spaces; Excel's empty trailing column.
    "header case and trailing column": (
        " Label ,T_S, Amplitude,\n10 Hz,0.1,1.5,\n10 Hz,0.2,1.25,\ncafé ☕ ,0.0,2.0,\n".encode()
    ),
    # Rows shorter than the header where the trailing columns are empty; an empty row of commas.
    "short rows and empty rows": (
        "label,t_s,amplitude,,\n10 Hz,0.1,1.5\n,,,,\n10 Hz,0.2,1.25,,\ncafé ☕,0.0,2.0\n".encode()
    ),
    # Excel in many European locales: semicolons and decimal commas.
    "semicolons and decimal commas": (
        "label;t_s;amplitude\r\n10 Hz;0,1;1,5\r\n10 Hz;0,2;1,25\r\ncafé ☕;0;2\r\n".encode()
    ),
    # Tab-separated text.
    "tabs": "label\tt_s\tamplitude\n10 Hz\t0.1\t1.5\n10 Hz\t0.2\t1.25\ncafé ☕\t0\t2\n".encode(),
    # Old Mac line ends.
    "CR only": "label,t_s,amplitude\r10 Hz,0.1,1.5\r10 Hz,0.2,1.25\rcafé ☕,0,2\r".encode(),
}


@pytest.mark.parametrize("case", SPREADSHEET_FILES)
def test_reads_what_spreadsheets_write(case, tmp_path):
    path = tmp_path / "data.csv"
    path.write_bytes(SPREADSHEET_FILES[case])
    recs = _read_every_way(path)
    assert _expected_rows(recs) == ROWS


def test_a_text_stream_with_a_bom_reads_like_the_file(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(SPREADSHEET_FILES["excel csv utf-8"])
    with open(path, encoding="utf-8", newline="") as stream:  # BOM left in the text
        assert _expected_rows(read_recordings(stream)) == ROWS


def test_latin1_file_names_row_and_column_and_says_how_to_save_as_utf8(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("label,t_s,amplitude\n10 Hz,0.1,1.5\ncafé,0.0,2.0\n".encode("latin-1"))
    for source in (path, path.read_bytes()):
        with pytest.raises(ValueError) as info:
            read_recordings(source)
        message = str(info.value)
        assert message.startswith("CSV row 3, column 1 ('label'): byte 0xe9 is not UTF-8"), message
        assert "CSV UTF-8" in message and "Unicode (UTF-8)" in message


def test_non_utf8_byte_in_a_number_cell_names_that_column():
    content = "label,t_s,amplitude\nA,0.1,1\nA,0.2,1\xb5\n".encode("latin-1")
    with pytest.raises(ValueError, match=r"^CSV row 3, column 3 \('amplitude'\): byte 0xb5"):
        read_recordings(content)


def test_utf16_file_is_refused_with_how_to_save_as_utf8():
    content = "label,t_s,amplitude\nA,0.1,1\n".encode("utf-16")
    with pytest.raises(ValueError, match=r"^CSV: the file is UTF-16.*save it as UTF-8"):
        read_recordings(content)


def test_oversized_field_names_row_and_column(tmp_path):
    path = tmp_path / "big.csv"
    path.write_text("label,t_s,amplitude\nA,0.1,1\nA,0.2," + "9" * 200_000 + "\n")
    with pytest.raises(
        ValueError,
        match=r"^CSV row 3, column 3 \('amplitude'\): the cell is over 131,072 characters",
    ):
        read_recordings(path)
    quoted = 'label,t_s,amplitude\n"' + "x," * 100_000 + '",0.1,1\n'
    with pytest.raises(ValueError, match=r"^CSV row 2, column 1 \('label'\): the cell is over"):
        read_recordings(io.StringIO(quoted))
    with pytest.raises(ValueError, match=r"^CSV row 1, column 2: the cell is over"):
        read_recordings(io.StringIO("label," + "t" * 200_000 + "\n"))


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        (
            "label,t_s,amplitude,\nA,0.1,1,note\n",
            r"^CSV row 2, column 4: 'note' is in a column without a name",
        ),
        ("label,t_s,amplitude\nA,0.1,1,extra\n", r"^CSV row 2, column 4: 'extra'"),
        (
            'label,t_s,amplitude\n"a\rb",0.1,1\n',
            r"^CSV row 2, column 'label': the label .*control character",
        ),
        ("label,t_s,amplitude\nA,0.1\n", r"^CSV row 2, column 'amplitude': the cell is empty"),
        (
            "label;t_s;amplitude\nA;0,1;1.000,5\n",
            r"^CSV row 2, column 'amplitude': '1.000,5' is not a real",
        ),
    ],
)
def test_what_cannot_be_read_is_named(text, pattern):
    with pytest.raises(ValueError, match=pattern):
        read_recordings(io.StringIO(text))


def test_labels_are_read_without_surrounding_spaces_and_written_back_the_same(tmp_path):
    text = "label,t_s,amplitude\n 20 Hz,0.1,1\n20 Hz ,0.2,2\n"
    (rec,) = read_recordings(io.StringIO(text))
    assert rec.label == "20 Hz" and rec.amplitudes.tolist() == [1.0, 2.0]
    path = tmp_path / "back.csv"
    write_recordings([rec], path)
    assert path.read_text() == "label,t_s,amplitude\n20 Hz,0.1,1.0\n20 Hz,0.2,2.0\n"


@pytest.mark.parametrize("label", ["", " x", "x ", "a\rb", "a\nb", "\t", "a\x00b"])
def test_labels_that_would_not_read_back_are_refused_at_construction(label):
    with pytest.raises(ValueError, match=r"^label"):
        Recording(TIMES, [1, 1, 1], label=label)


def test_label_of_the_wrong_type_is_a_type_error():
    with pytest.raises(TypeError, match=r"^label must be a str or None; got int"):
        Recording(TIMES, [1, 1, 1], label=3)


# --- Recordings copy and freeze what they are given; NaN is named with recording and spike.


def test_recording_copies_the_spike_times_and_keeps_sorted():
    times = torch.tensor(TIMES, dtype=torch.float64)
    rec = Recording(times, [1.0, 0.7, 0.5])
    times[0] = 5.0  # the caller's tensor; the recording must not change
    assert rec.spike_times.tolist() == TIMES


def test_writing_into_an_attribute_does_not_change_the_recording():
    rec = Recording(TIMES, [[1.0, 0.7, 0.5], [1.2, 0.9, 0.6]], sd=[1, 2, 3])
    rec.amplitudes[0, 1] = math.nan
    rec.spike_times[0] = math.nan
    rec.sd[0] = -1.0
    rec.mean[0] = math.nan
    assert rec.amplitudes.tolist() == [[1.0, 0.7, 0.5], [1.2, 0.9, 0.6]]
    assert rec.spike_times.tolist() == TIMES and rec.sd.tolist() == [1.0, 2.0, 3.0]
    with pytest.raises(AttributeError):
        rec.amplitudes = torch.zeros(3)
    with pytest.raises(AttributeError):
        del rec.label
    # Fitting it still works on the values it was given.
    from stpwidget.fit import fit

    result = fit(rec, free=("A",), start=PRESETS_DEP)
    assert math.isfinite(float(result.params.A))


PRESETS_DEP = stpwidget.PRESETS["depressing"]


def test_a_recording_survives_pickling_and_copying():
    import copy
    import pickle

    rec = Recording(TIMES, [1.0, 0.7, 0.5], label="10 Hz", sd=[1, 1, 2])
    for other in (pickle.loads(pickle.dumps(rec)), copy.deepcopy(rec), copy.copy(rec)):
        assert other.label == "10 Hz" and other.amplitudes.tolist() == [1.0, 0.7, 0.5]
        assert other.sd.tolist() == [1.0, 1.0, 2.0]


@pytest.mark.parametrize(
    ("make", "pattern"),
    [
        (
            lambda: Recording(TIMES, [1, math.nan, 1], label="10 Hz"),
            r"^amplitudes of recording '10 Hz' must be finite; spike 2 \(t = 0.2 s\) is nan",
        ),
        (
            lambda: Recording(TIMES, [[1, 1, 1], [1, 1, -math.inf]], label="x"),
            r"^amplitudes of recording 'x' must be finite; trial 2, spike 3 \(t = 0.3 s\) is -inf",
        ),
        (lambda: Recording(TIMES, [1, 1, 1], sd=[1, math.inf, 1]), r"^sd must be finite; spike 2"),
        (
            lambda: Recording([0.1, math.inf], [1, 1], label="x"),
            r"^spike_times must be finite .*spike 2 is inf s of recording 'x'",
        ),
    ],
)
def test_nan_and_inf_are_refused_naming_recording_and_spike(make, pattern):
    with pytest.raises(ValueError, match=pattern):
        make()


def test_wrong_types_of_data_are_type_errors():
    with pytest.raises(TypeError, match=r"^amplitudes"):
        Recording(TIMES, ["a", "b", "c"])
    with pytest.raises(TypeError, match=r"^amplitudes"):
        Recording(TIMES, "1,2,3")
    with pytest.raises(TypeError, match=r"^sd"):
        Recording(TIMES, [1, 1, 1], sd=torch.tensor([1, 1, 1]) + 0j)


# --- as_recordings: the one conversion the explorer uses.


def test_as_recordings_accepts_every_form(tmp_path):
    from stpwidget.recordings import as_recordings

    rec = Recording(TIMES, [1, 1, 1], label="x")
    path = tmp_path / "x.csv"
    write_recordings([rec], path)
    assert as_recordings(rec) == (rec,) and as_recordings([rec, rec]) == (rec, rec)
    for source in (path, str(path), path.read_bytes(), io.StringIO(path.read_text())):
        (back,) = as_recordings(source)
        assert back.label == "x" and back.amplitudes.tolist() == [1.0, 1.0, 1.0]


@pytest.mark.parametrize(
    ("value", "error", "pattern"),
    [
        (42, TypeError, r"^recordings must be a Recording"),
        (
            [Recording(TIMES, [1, 1, 1]), "x"],
            TypeError,
            r"^recordings\[1\] must be a Recording; got str",
        ),
        ([], ValueError, r"^recordings must hold at least one"),
        (b"label,t_s\nA,0.1\n", ValueError, r"^CSV row 1 \(header\): missing column 'amplitude'"),
    ],
)
def test_as_recordings_refuses_anything_else(value, error, pattern):
    from stpwidget.recordings import as_recordings

    with pytest.raises(error, match=pattern):
        as_recordings(value)


def test_a_unit_travels_with_the_recording_through_csv():
    rec = Recording([0.1, 0.2], [[10.0, 7.0], [11.0, 6.5]], label="20 Hz", unit="pA")
    other = Recording([0.1], [0.5], label="mV one", unit="mV")
    plain = Recording([0.3], [1.0], label="no unit")
    buffer = io.StringIO()
    write_recordings([rec, other, plain], buffer)
    assert buffer.getvalue().splitlines()[0] == "label,t_s,amplitude,trial,unit"
    back = read_recordings(io.StringIO(buffer.getvalue()))
    assert [r.unit for r in back] == ["pA", "mV", None]
    assert "in pA" in repr(back[0])


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("label,t_s,amplitude,unit\na,0.1,1,pA\na,0.2,1,mV\n", r"CSV row 3, column 'unit'"),
        ("label,t_s,amplitude,unit\na,0.1,1,pA\na,0.2,1,\n", r"CSV row 3, column 'unit'"),
        (f"label,t_s,amplitude,unit\na,0.1,1,{'p' * 17}\n", r"CSV row 2, column 'unit'.*16"),
    ],
)
def test_a_unit_that_cannot_be_read_names_its_row_and_column(text, match):
    with pytest.raises(ValueError, match=match):
        read_recordings(io.StringIO(text))


def test_a_unit_is_checked_like_a_label():
    with pytest.raises(TypeError, match="unit"):
        Recording([0.1], [1.0], unit=3)
    with pytest.raises(ValueError, match="unit"):
        Recording([0.1], [1.0], unit=" pA")
    with pytest.raises(ValueError, match="unit must be at most 16"):
        Recording([0.1], [1.0], unit="p" * 17)
