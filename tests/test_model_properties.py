"""Property tests: bounds, batching, float32, autograd, devices, CSV round trips."""

import math

import pytest
import torch
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from stpwidget import PRESETS, TMParameters, poisson_train, simulate

taus = st.floats(1e-3, 3.0)
params = st.builds(
    TMParameters, tau_f=taus, tau_d=taus, tau_s=taus, U=st.floats(1e-3, 1.0), A=st.floats(0.1, 5.0)
)
trains = st.lists(st.floats(0.0, 0.5), max_size=40).map(sorted)


@settings(max_examples=150, deadline=None)
@given(p=params, spikes=trains)
def test_state_stays_in_bounds(p, spikes):
    trace = simulate(p, spikes, 0.6, dt=1e-3)
    for values in (trace.x, trace.u, trace.pre.x, trace.post.x, trace.post.u, trace.release):
        assert bool(((values >= 0) & (values <= 1)).all())
    assert bool((trace.current >= 0).all())


@settings(max_examples=40, deadline=None)
@given(ps=st.lists(params, min_size=1, max_size=5), spikes=trains)
def test_batch_equals_loop_over_members(ps, spikes):
    stacked = TMParameters(
        *(
            torch.tensor([getattr(p, f) for p in ps], dtype=torch.float64)
            for f in ("tau_f", "tau_d", "tau_s", "U", "A")
        )
    )
    batch = simulate(stacked, spikes, 0.6, dt=1e-3)
    assert batch.x.shape == (len(ps), 600)
    for k, p in enumerate(ps):
        one = simulate(p, spikes, 0.6, dt=1e-3)
        for field in ("x", "u", "current", "release"):
            torch.testing.assert_close(
                getattr(batch, field)[k], getattr(one, field), rtol=1e-12, atol=1e-12
            )


@settings(max_examples=60, deadline=None)
@given(p=params, spikes=trains)
def test_float32_stays_close_to_float64(p, spikes):
    hi = simulate(p, spikes, 0.6, dt=1e-3)
    lo = simulate(p, spikes, 0.6, dt=1e-3, dtype=torch.float32)
    assert lo.x.dtype == torch.float32
    for field in ("x", "u", "release"):
        assert bool(((getattr(lo, field).double() - getattr(hi, field)).abs() <= 1e-5).all())
    scale = max(1.0, hi.current.abs().max().item())
    assert bool(((lo.current.double() - hi.current).abs() <= 1e-5 * scale).all())


def test_poisson_train_is_reproducible_and_has_the_right_rate():
    a, b = poisson_train(20.0, 50.0, seed=3), poisson_train(20.0, 50.0, seed=3)
    assert torch.equal(a, b) and a.dtype == torch.float64
    assert not torch.equal(a, poisson_train(20.0, 50.0, seed=4))
    assert len(a) == pytest.approx(1000, abs=4 * 1000**0.5)  # 4 sigma
    assert bool((torch.diff(a) >= 0).all()) and 0 <= a.min() and a.max() < 50.0


@pytest.mark.parametrize("method", ["exact", "euler"])
def test_gradcheck_through_simulate(method):
    tau_f = torch.tensor(0.3, dtype=torch.float64, requires_grad=True)
    tau_d = torch.tensor(0.2, dtype=torch.float64, requires_grad=True)
    U = torch.tensor(0.3, dtype=torch.float64, requires_grad=True)

    def run(tau_f, tau_d, U):
        trace = simulate(
            TMParameters(tau_f, tau_d, 0.02, U),
            [0.01, 0.03, 0.06, 0.1],
            0.15,
            dt=1e-3,
            method=method,
        )
        return trace.x, trace.u, trace.current, trace.release

    # gradcheck raises (with the offending entries) when autograd and finite differences differ.
    torch.autograd.gradcheck(run, (tau_f, tau_d, U), raise_exception=True)


def test_gradient_of_release_matches_the_closed_form_derivative():
    # r2 = U (1 + (1 - U) e^(-D/tau_f)) (1 - U e^(-D/tau_d)), so
    # dr2/dtau_d = -U^2 (1 + (1 - U) e^(-D/tau_f)) e^(-D/tau_d) D / tau_d^2 (by hand).
    p, gap, td = PRESETS["depressing"], 0.05, 0.5
    tau_d = torch.tensor(td, dtype=torch.float64, requires_grad=True)
    r = simulate(p.replace(tau_d=tau_d), [0.0, gap], 0.1).release[1]
    (grad,) = torch.autograd.grad(r, tau_d)
    U, tf = p.U, p.tau_f
    expected = -(U**2) * (1 + (1 - U) * math.exp(-gap / tf)) * math.exp(-gap / td) * gap / td**2
    assert float(grad) == pytest.approx(expected, rel=1e-12)
    # And a central finite difference of the kernel itself agrees to its truncation error.
    h = 1e-6
    up, down = (
        float(simulate(p.replace(tau_d=td + s), [0.0, gap], 0.1).release[1]) for s in (h, -h)
    )
    assert float(grad) == pytest.approx((up - down) / (2 * h), rel=1e-7)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device on this machine")
def test_cuda_matches_cpu(seed_train):
    p = PRESETS["facilitating"]
    cpu = simulate(p, seed_train, 1.0)
    gpu = simulate(p, seed_train, 1.0, device="cuda")
    assert gpu.x.device.type == "cuda"
    torch.testing.assert_close(gpu.x.cpu(), cpu.x, rtol=0, atol=1e-12)
    torch.testing.assert_close(gpu.release.cpu(), cpu.release, rtol=0, atol=1e-12)


@settings(max_examples=30, deadline=None)
@given(
    ps=st.lists(params, min_size=1, max_size=3),
    spikes=trains,
    method=st.sampled_from(["exact", "euler"]),
)
def test_autograd_path_equals_the_numpy_path(ps, spikes, method):
    # Without gradients the CPU runs NumPy; with them torch: both must give the same trace.
    fields = ("tau_f", "tau_d", "tau_s", "U", "A")
    columns = [torch.tensor([getattr(p, f) for p in ps], dtype=torch.float64) for f in fields]
    spikes = sorted({round(s, 3) for s in spikes})  # euler: one spike per 1 ms step
    assume(method == "exact" or min(float(c.min()) for c in columns[:3]) > 1e-3)  # dt < tau
    plain = simulate(TMParameters(*columns), spikes, 0.6, dt=1e-3, method=method)
    graded = [c.clone().requires_grad_(True) for c in columns]
    traced = simulate(TMParameters(*graded), spikes, 0.6, dt=1e-3, method=method)
    assert traced.x.requires_grad
    for field in ("x", "u", "current", "release"):
        torch.testing.assert_close(
            getattr(traced, field).detach(), getattr(plain, field), rtol=1e-12, atol=1e-12
        )


@pytest.mark.parametrize("method", ["exact", "euler"])
def test_large_trace_path_equals_the_small_one(method, monkeypatch):
    # Long traces are filled by torch after a NumPy loop: the same numbers either way.
    import stpwidget.model

    p = PRESETS["facilitating"].replace(U=torch.tensor([0.15, 0.5], dtype=torch.float64))
    spikes = poisson_train(20.0, 2.0, seed=5)
    small = simulate(p, spikes, 2.0, dt=1e-3, method=method)
    monkeypatch.setattr(stpwidget.model, "SMALL_TRACE", 0)
    large = simulate(p, spikes, 2.0, dt=1e-3, method=method)
    for field in ("t", "x", "u", "current", "release"):
        torch.testing.assert_close(
            getattr(large, field), getattr(small, field), rtol=1e-12, atol=1e-12
        )


def _accepted(label: str) -> bool:
    from stpwidget.recordings import Recording

    try:
        Recording([0.1], [1.0], label=label)
    except ValueError:
        return False
    return True


finite = st.floats(allow_nan=False, allow_infinity=False)


@settings(max_examples=300, deadline=None)
@given(
    labels=st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=4, unique=True),
    amplitude=finite,
    time=st.floats(0.0, 1e300),
)
def test_every_label_a_recording_accepts_reads_back_from_csv(labels, amplitude, time):
    import io

    from stpwidget.recordings import Recording, read_recordings, write_recordings

    labels = [label for label in labels if _accepted(label)]
    assume(labels)
    recs = [Recording([time], [amplitude], label=label) for label in labels]
    buffer = io.StringIO()
    write_recordings(recs, buffer)
    for source in (buffer.getvalue(), buffer.getvalue().encode("utf-8")):
        back = read_recordings(io.StringIO(source) if isinstance(source, str) else source)
        assert [r.label for r in back] == labels
        assert all(r.amplitudes.tolist() == [amplitude] for r in back)
        assert all(r.spike_times.tolist() == [time] for r in back)


@settings(max_examples=200, deadline=None)
@given(label=st.text(max_size=8))
def test_a_label_is_refused_exactly_when_it_would_not_read_back(label):
    # The documented rule: CSV readers strip cells, and control characters do not survive.
    import unicodedata

    no_control = all(unicodedata.category(c) != "Cc" for c in label)
    assert _accepted(label) == (label != "" and label == label.strip() and no_control)


junk = st.one_of(
    st.none(),
    st.booleans(),
    st.text(max_size=5),
    st.integers(-(2**70), 2**70),
    st.floats(),
    st.complex_numbers(max_magnitude=2.0),
    st.lists(st.floats(-2.0, 2.0), min_size=0, max_size=3).map(torch.tensor),
)


@settings(max_examples=300, deadline=None)
@given(field=st.sampled_from(["tau_f", "tau_d", "tau_s", "U", "A"]), value=junk)
def test_any_parameter_value_is_accepted_or_refused_naming_the_field(field, value):
    good = {"tau_f": 0.05, "tau_d": 0.75, "tau_s": 0.02, "U": 0.45, "A": 1.0}
    try:
        p = TMParameters(**{**good, field: value})
    except (TypeError, ValueError) as err:
        assert str(err).startswith(field), str(err)
        return
    stored = getattr(p, field)
    values = torch.as_tensor(stored, dtype=torch.float64).detach()
    assert bool(torch.isfinite(values).all()) and bool((values > 0).all())
    assert not isinstance(value, (str, bool, type(None), complex))


stimulus_fields = ["rate", "n_spikes", "start", "probe_delay", "seed", "rate_after", "switch"]


@settings(max_examples=300, deadline=None)
@given(
    kind=st.sampled_from(["regular", "poisson", "probe", "step"]),
    field=st.sampled_from(stimulus_fields),
    value=junk,
)
def test_any_stimulus_setting_is_accepted_or_refused_naming_it(kind, field, value):
    from stpwidget.stimulus import Stimulus

    try:
        stimulus = Stimulus(kind=kind, **{field: value})
    except (TypeError, ValueError) as err:
        message = str(err)
        # Settings that only fail together are named in the combined message.
        assert message.startswith(field) or f"{field}=" in message or "train would last" in message
        return
    assert type(getattr(stimulus, field)) is (int if field in ("n_spikes", "seed") else float)
    spikes = stimulus.spikes()  # a stimulus that was accepted always gives its train
    assert bool(torch.isfinite(spikes).all()) and spikes.max() <= stimulus.duration


csv_like = st.text(
    alphabet=st.sampled_from(list('label,t_samplitude;\t"\r\n 0.1-e9nNaIf\ufeff\x00é')), max_size=80
)


@settings(max_examples=400, deadline=None)
@given(content=st.one_of(st.binary(max_size=80), csv_like.map(lambda t: t.encode("utf-8"))))
def test_any_bytes_read_or_are_refused_naming_the_row(content):
    import io

    from stpwidget.recordings import read_recordings

    header = b"label,t_s,amplitude\n"
    for data in (content, header + content):
        try:
            recs = read_recordings(data)
        except ValueError as err:
            assert str(err).startswith("CSV"), str(err)
            continue
        for rec in recs:  # what is read is a valid recording that writes back
            assert bool(torch.isfinite(rec.amplitudes).all())
        buffer = io.StringIO()
        from stpwidget.recordings import write_recordings

        write_recordings(recs, buffer)
        again = read_recordings(buffer.getvalue().encode())
        assert [r.label for r in again] == [r.label for r in recs]


@settings(max_examples=150, deadline=None)
@given(
    field=st.sampled_from(["n_sites", "quantal_cv", "noise_sd", "seed"]),
    value=st.one_of(junk, st.floats(0, 1e300), st.integers(0, 2**65)),
)
def test_any_rig_setting_is_accepted_and_records_finite_values_or_refused(field, value):
    from stpwidget.quantal import VirtualSynapse

    try:
        syn = VirtualSynapse(PRESETS["depressing"].replace(A=40.0), **{"n_sites": 5, field: value})
    except (TypeError, ValueError) as err:
        assert str(err).startswith(field), str(err)
        return
    rec = syn.record([0.1, 0.12, 0.5], trials=4)
    assert bool(torch.isfinite(rec.amplitudes).all())


@settings(max_examples=300, deadline=None)
@given(
    field=st.sampled_from(["spike_times", "amplitudes", "sd", "label"]),
    value=st.one_of(junk, st.lists(st.floats(), min_size=2, max_size=2)),
)
def test_any_recording_field_is_accepted_and_writes_back_or_is_refused(field, value):
    import io

    from stpwidget.recordings import Recording, read_recordings, write_recordings

    good = {"spike_times": [0.1, 0.2], "amplitudes": [1.0, 0.5], "sd": None, "label": "x"}
    try:
        rec = Recording(**{**good, field: value})
    except (TypeError, ValueError) as err:
        # Named first, or (a length that does not match the other's) named in the message.
        assert str(err).startswith(field) or f"{field};" in str(err), str(err)
        return
    buffer = io.StringIO()
    write_recordings([rec], buffer)
    (back,) = read_recordings(io.StringIO(buffer.getvalue()))
    assert torch.equal(back.amplitudes, rec.amplitudes) and back.label == (
        rec.label or "recording_1"
    )
