"""The explorer's data section: CSV upload (ipywidgets 7 and 8), the example, A and the fit.

Image path only, so it runs in the Colab-like leg too. Model amplitudes are checked against
the Tsodyks–Markram recurrence written out below (STP_MODEL.md), not against the kernel.
"""

from __future__ import annotations

import io
import re
import warnings

import ipywidgets
import numpy as np
import pytest
import torch
from tm_reference import releases

from stpwidget.examples import example_recordings
from stpwidget.explorer import STPExplorer
from stpwidget.explorer.sections import data as dc
from stpwidget.fit import FitWarning, fit
from stpwidget.params import PRESETS, TMParameters
from stpwidget.recordings import Recording, write_recordings
from stpwidget.trains import regular_train, with_recovery_probe

IPYWIDGETS_7 = ipywidgets.__version__.startswith("7.")
FIELDS = ("tau_f", "tau_d", "tau_s", "U", "A")


def release(p: TMParameters, spikes) -> np.ndarray:
    """r_k from rest, by the written-out recurrence of tests/tm_reference.py."""
    return releases(float(p.U), float(p.tau_f), float(p.tau_d), spikes)


def values(p: TMParameters) -> tuple[float, ...]:
    return tuple(float(getattr(p, f)) for f in FIELDS)


def csv_bytes(recordings) -> bytes:
    buffer = io.StringIO()
    write_recordings(recordings, buffer)
    return buffer.getvalue().encode("utf-8")


def value_v7(name: str, content: bytes) -> dict:
    """FileUpload.value as ipywidgets 7.7 builds it."""
    meta = {"name": name, "type": "text/csv", "size": len(content), "lastModified": 1.7e12}
    return {name: {"metadata": meta, "content": content}}


def value_v8(name: str, content: bytes) -> tuple:
    """FileUpload.value as ipywidgets 8 builds it (content is a memoryview)."""
    return (
        {"name": name, "type": "text/csv", "size": len(content), "content": memoryview(content)},
    )


def send_upload(upload: ipywidgets.FileUpload, name: str, content: bytes, counter: int = 1):
    """Set the upload's state as the installed version's front end sends it."""
    if IPYWIDGETS_7:  # the JS sets metadata, data (binary buffers) and bumps _counter
        meta = {"name": name, "type": "text/csv", "size": len(content), "lastModified": 0}
        upload.set_state({"metadata": [meta], "data": [memoryview(content)], "_counter": counter})
    else:  # ipywidgets 8: value is a list of files, content sent as a binary buffer
        file = {"name": name, "type": "text/csv", "size": len(content)}
        upload.set_state({"value": [{**file, "content": memoryview(content), "last_modified": 0}]})


@pytest.fixture
def explorer():
    ex = STPExplorer(backend="image")
    ex.data_controls.animation_seconds = 0.0
    yield ex
    ex.close()


@pytest.fixture
def recordings():
    p = PRESETS["depressing"].replace(A=40.0)
    train = with_recovery_probe(regular_train(20.0, 6, start=0.1), 0.4)
    exact = float(p.A) * release(p, train)
    noise = np.array(
        [[0.5, -0.3, 0.2, -0.1, 0.4, -0.2, 0.3], [-0.5, 0.3, -0.2, 0.1, -0.4, 0.2, 0.1]]
    )
    return [
        Recording(train, exact + noise, label="20 Hz"),
        Recording(train[:3], 1.1 * exact[:3], label="pulses", sd=[0.5, 0.4, 0.3]),
    ]


def test_section_is_there_before_any_data(explorer):
    d = explorer.data_controls
    assert isinstance(d.widget, ipywidgets.Accordion) and d.widget.selected_index is None
    assert d.upload.accept == ".csv" and d.widget.layout.display is None
    assert d.data_box.layout.display == "none"  # train selector, A and fit wait for data
    assert explorer.data_controls.widget in explorer.children


@pytest.mark.parametrize("make", [value_v7, value_v8], ids=["ipywidgets7", "ipywidgets8"])
def test_upload_value_parser_reads_both_versions(make):
    content = b"label,t_s,amplitude\na,0.1,1.5\n"
    assert dc.uploaded_files(make("data.csv", content)) == [("data.csv", content)]
    (rec,) = dc.read_upload(make("data.csv", content))
    assert rec.label == "a" and rec.amplitudes.tolist() == [1.5]


def test_upload_as_the_front_end_sends_it(explorer, recordings):
    content = csv_bytes(recordings)
    send_upload(explorer.data_controls.upload, "mine.csv", content)
    assert explorer.message.value == ""
    loaded = explorer.state.recordings
    assert [r.label for r in loaded] == ["20 Hz", "pulses"]
    for got, sent in zip(loaded, recordings):
        torch.testing.assert_close(got.amplitudes, sent.amplitudes, rtol=0, atol=0)
        torch.testing.assert_close(got.spike_times, sent.spike_times, rtol=0, atol=0)
    torch.testing.assert_close(loaded[1].sd, torch.tensor([0.5, 0.4, 0.3], dtype=torch.float64))
    assert (
        explorer.stimulus.kind == "recorded"
        and [p.name for p in explorer.view.panels][-1] == "data"
    )
    assert explorer.data_controls.widget.selected_index == 0  # data came in: section open
    assert not explorer.data_controls.upload.value  # emptied, so the same file loads again
    upload = explorer.data_controls.upload  # says what is shown (the browser's count is hidden)
    assert upload.description == "load another CSV" and "mine.csv" in upload.tooltip
    explorer.load_recordings(recordings[:1])
    send_upload(explorer.data_controls.upload, "mine.csv", content, counter=2)
    assert len(explorer.state.recordings) == 2


@pytest.mark.parametrize(
    ("content", "match"),
    [
        (b"label,t_s,amplitude\na,0.1,1.0\na,0.2,x\n", r"bad\.csv: CSV row 3, column 'amplitude'"),
        (b"label,t_s,amp\na,0.1,1.0\n", r"bad\.csv: CSV row 1, column 3"),
        (b"label,t_s,amplitude\na,0.2,1.0\na,0.1,1.0\n", r"bad\.csv: CSV row 3, column 't_s'"),
        (
            b"label,t_s,amplitude\na,0.1,\xff\n",
            r"bad\.csv: CSV row 2, column 3 \('amplitude'\): byte 0xff is not UTF-8",
        ),
    ],
)
def test_bad_upload_names_row_and_column_and_changes_nothing(explorer, recordings, content, match):
    explorer.load_recordings(recordings)
    state, renders, image = explorer.state, explorer.render_count, explorer.renderer.widget.value
    send_upload(explorer.data_controls.upload, "bad.csv", content)
    message = re.sub(r"<[^>]+>", "", explorer.message.value).replace("&#x27;", "'")
    assert re.search(match, message), message
    assert explorer.state is state and explorer.render_count == renders
    assert explorer.renderer.widget.value == image


def test_example_is_noisy_facilitating_data_within_its_standard_error(explorer):
    explorer.data_controls.example.click()
    recs = explorer.state.recordings
    assert [r.label for r in recs] == ["10 Hz", "20 Hz", "40 Hz"]
    assert all(torch.equal(a.amplitudes, b.amplitudes) for a, b in zip(recs, example_recordings()))
    p, n_sites, cv, sd = PRESETS["facilitating"], 50, 0.3, 0.02
    for rec, rate in zip(recs, (10.0, 20.0, 40.0)):
        spikes = rec.spike_times.numpy()
        np.testing.assert_allclose(spikes[:10], 0.1 + np.arange(10) / rate)
        assert spikes[10] - spikes[9] == pytest.approx(0.5) and rec.n_trials == 20
        # docs/model.md: mean A·r_k, variance (A²/N) r_k (1 + c² − r_k) + σ² per trial; the
        # trial mean of 20 lies within 5 standard errors (fails by chance < 1e-5 per spike).
        r = release(p, spikes)
        se = np.sqrt(((r / n_sites) * (1 + cv**2 - r) + sd**2) / rec.n_trials)
        assert np.all(np.abs(rec.mean.numpy() - r) < 5 * se)
    assert explorer.stimulus.times == tuple(recs[0].spike_times.tolist())


def test_sse_and_r2_readout_follow_the_sliders_by_hand(explorer, recordings):
    explorer.load_recordings(recordings)
    explorer.sliders["U"].value = 0.3
    explorer.data_controls.amplitude.value = 50.0
    p = explorer.params
    assert (float(p.U), float(p.A)) == (0.3, 50.0)
    y = np.concatenate([r.mean.numpy() for r in recordings])
    model = np.concatenate([50.0 * release(p, r.spike_times) for r in recordings])
    w = np.concatenate([np.ones(7), 1.0 / np.array([0.5, 0.4, 0.3]) ** 2])
    sse = float(np.sum(w * (y - model) ** 2))
    r2 = 1.0 - sse / float(np.sum(w * (y - np.sum(w * y) / np.sum(w)) ** 2))
    shown = explorer.data_controls.quality.value
    assert (
        f'<b class="stp-sse">{sse:.4g}</b>' in shown and f'<b class="stp-r2">{r2:.3f}</b>' in shown
    )
    assert explorer.frame.data.sse == pytest.approx(sse, rel=1e-10)


def test_a_field_and_best_a(explorer, recordings):
    explorer.load_recordings(recordings)
    d = explorer.data_controls
    state = explorer.state
    d.amplitude.value = -2.0
    assert "A must be" in explorer.message.value and explorer.state is state
    assert d.amplitude.value == float(state.params.A)  # the field returns to the state
    d.best_a.click()
    # Weighted least squares in A alone: A = Σ w y r / Σ w r² (the amplitudes are linear in A).
    p = explorer.params
    y = np.concatenate([r.mean.numpy() for r in recordings])
    r = np.concatenate([release(p, rec.spike_times) for rec in recordings])
    w = np.concatenate([np.ones(7), 1.0 / np.array([0.5, 0.4, 0.3]) ** 2])
    assert float(p.A) == pytest.approx(np.sum(w * y * r) / np.sum(w * r * r), rel=1e-9)
    assert values(p)[:4] == values(state.params)[:4]


def test_fit_button_glides_from_the_students_values_to_the_fit(explorer, monkeypatch):
    explorer.data_controls.example.click()
    explorer.data_controls.animation_seconds = 20.0  # long: each frame waits (sleep is fake)
    explorer.set_params(U=0.3, tau_d=0.4)  # the student's values: the animation's start
    start = explorer.state
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FitWarning)
        expected = fit(start.recordings, start=start.params)  # fit()'s own bounds
    shown, sleeps, show = [], [], explorer.show

    def record(state, **kw):
        shown.append(state.params)
        show(state, **kw)

    monkeypatch.setattr(explorer, "show", record)
    monkeypatch.setattr(dc.time, "sleep", sleeps.append)
    renders = explorer.render_count
    explorer.data_controls.fit_button.click()
    assert values(explorer.params) == values(expected.params)  # A and τ_s included
    assert float(explorer.params.tau_s) == float(start.params.tau_s)
    n = len(shown)
    assert n == dc.MAX_FRAMES and explorer.render_count - renders == n
    # Frame k (1..n) is k/n of the way from the student's values: geometric for τ and A,
    # linear for U; the last is the fit itself.
    for k, p in enumerate(shown, start=1):
        w = k / n
        a, b = float(start.params.tau_d), float(expected.params.tau_d)
        assert float(p.tau_d) == pytest.approx(a * (b / a) ** w, rel=1e-12)
        u0, u1 = float(start.params.U), float(expected.params.U)
        assert float(p.U) == pytest.approx(u0 + w * (u1 - u0), rel=1e-12)
    # Frame k is due k · 20 s / frames after the first (the sleep here does not pass time,
    # so each sleep is the whole wait until that frame is due): all within the 20 s.
    assert len(sleeps) == n and sleeps[0] == 0.0
    assert 0.0 < max(sleeps) <= 20.0 * (n - 1) / n
    assert explorer.preset.value == "custom"
    # The browser's late replies to the frames (U snapped to its slider's 0.01 step) are
    # echoes, not the student's drags: the fit stays.
    fitted = explorer.state
    for p in shown[:5]:
        explorer.sliders["U"].value = round(float(p.U), 2)
    assert explorer.state is fitted
    # Standard errors as the fit gives them, ms for time constants.
    errors = explorer.data_controls.errors.value
    symbols = {"U": "U", "tau_f": "τ_f", "tau_d": "τ_d", "A": "A"}  # as the sliders say
    for name in ("U", "tau_f", "tau_d", "A"):
        scale, unit = (1e3, " ms") if name.startswith("tau") else (1.0, "")
        row = re.search(rf'class="stp-stderr-{name}">(.*?)</tr>', errors).group(1)
        assert f"<td>{symbols[name]}</td>" in row
        assert f"± {scale * expected.stderr[name]:.3g}{unit}" in row
        assert f"{scale * float(getattr(expected.params, name)):.4g}{unit}" in row
    explorer.sliders["tau_s"].value = 5.0  # the state moves away from the fit: errors go
    assert explorer.data_controls.errors.value == ""


def test_undetermined_parameters_show_why_and_no_warning_escapes(explorer):
    # With U = 1 every spike releases all that is there: u⁺ = 1 whatever τ_f, so the data
    # cannot say anything about τ_f, and U sits at its bound.
    truth = TMParameters(tau_f=0.1, tau_d=0.3, tau_s=0.02, U=1.0, A=5.0)
    train = with_recovery_probe(regular_train(20.0, 5, start=0.1), 0.3)
    explorer.load_recordings(Recording(train, 5.0 * release(truth, train), label="U = 1"))
    explorer.data_controls.fit_button.click()  # strict pytest: a FitWarning would fail here
    errors = explorer.data_controls.errors.value
    for name in ("U", "tau_f"):
        row = re.search(rf'class="stp-stderr-{name}">(.*?)</tr>', errors).group(1)
        assert "not determined by these data" in row
    assert "do not pin down" in errors and "tau_f" in re.search(
        r'stp-fit-note">(.*?)</div>', errors
    ).group(1)
    assert float(explorer.params.U) == pytest.approx(1.0) and float(
        explorer.params.A
    ) == pytest.approx(5.0)


def test_fit_error_is_shown_and_nothing_changes(explorer):
    explorer.load_recordings(Recording([0.1, 0.2], [-1.0, -0.5], label="negative"))
    state = explorer.state
    explorer.data_controls.fit_button.click()
    assert "give inward currents as magnitudes" in explorer.message.value
    assert explorer.state is state and not explorer.data_controls.fit_button.disabled


def test_axes_say_the_datas_unit_once_recordings_name_it(explorer):
    from stpwidget.examples import example_file_recordings

    assert "units of A" in explorer.view.panels[1].ax.get_ylabel()
    explorer.load_recordings(example_file_recordings())  # in pA
    labels = [p.ax.get_ylabel() for p in explorer.view.panels]
    assert any("(pA)" in label for label in labels), labels
