"""Recording and its CSV format: shapes, the trial mean, the round trip, every bad input."""

import doctest
import importlib.util
import io
import math
import re
from pathlib import Path

import pytest
import torch

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
    write_recordings(script.example_recordings(), buffer)
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
