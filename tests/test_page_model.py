"""The page's JavaScript model (stpwidget/page/stp.js) against the Python kernel.

Node (or Chromium, where Node is missing) runs the module on many random synapses and
stimuli; every number the page draws is compared with ``simulate``,
``postsynaptic_potential``, ``lif_response``, the closed forms, ``readout_values`` and
``data_fit``, to 1e-9 relative. The Python package is the reference.

The absolute floor (``1e-12`` times the largest magnitude of the compared quantity) is for
values that are differences of numbers of order one: ``x = 1 - (1 - x)`` and ``V`` after a
LIF reset (``V_free + W e^(-t/τ_m)`` near 0). Two libms that differ in the last bit of an
``exp`` leave them an absolute error of order 1e-16 of their scale, which is an unbounded
*relative* error where the value crosses 0. The floor is 10⁴ times that, and 10⁹ times below
anything visible.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from importlib import resources

import numpy as np
import pytest
import torch

from stpwidget import (
    Recording,
    Stimulus,
    TMParameters,
    lif_response,
    paired_pulse_ratio,
    poisson_steady_state,
    postsynaptic_potential,
    simulate,
    steady_state,
)
from stpwidget.response import RATES, readout_values
from stpwidget.state import data_fit

RTOL, FLOOR = 1e-9, 1e-12
NODE = shutil.which("node")

# The module's results for a list of cases, arrays packed as base64 float64 by `pack`.
RUN_CASES = r"""
function runCases(m, cases, pack) {
  return cases.map((c) => {
    const frame = m.compute(c.state);
    const tr = frame.trace;
    const lif = m.lifResponse(tr, c.state.tau_m, c.state.threshold);
    return {
      duration: frame.duration, spikes: pack(tr.spikes), t: pack(tr.t), x: pack(tr.x),
      u: pack(tr.u), current: pack(tr.current), release: pack(tr.release),
      pre_x: pack(tr.pre.x), post_u: pack(tr.post.u), post_current: pack(tr.post.current),
      v: pack(m.postsynapticPotential(tr, c.state.tau_m)), lif_v: pack(lif.v),
      lif_spikes: pack(lif.spikes), frame_v: pack(frame.v || []),
      rates: pack(frame.frequency.rates), freq: pack(frame.frequency.release),
      regular: pack(m.frequencyResponse(c.state.params, false).release),
      poisson: pack(m.frequencyResponse(c.state.params, true).release),
      readouts: frame.readouts, half: m.halfCeilingRate(c.state.params),
      data: frame.data && { sse: frame.data.sse, r2: frame.data.r2,
        predicted: frame.data.predicted.map(pack) },
    };
  });
}
"""
# Node: cases as JSON on stdin, results on stdout.
NODE_RUNNER = (
    RUN_CASES
    + r"""
const m = require(process.argv[1]);
const pack = (a) => Buffer.from(Float64Array.from(a).buffer).toString("base64");
let input = "";
process.stdin.on("data", (c) => (input += c));
process.stdin.on("end", () => {
  process.stdout.write(JSON.stringify(runCases(m, JSON.parse(input), pack)));
});
"""
)
# A browser: the modules inlined in a blank page, as in a saved page (globalThis.STPModel).
BROWSER_RUNNER = (
    "(cases) => {"
    + RUN_CASES
    + r"""
  const pack = (a) => {
    const bytes = new Uint8Array(Float64Array.from(a).buffer);
    let text = "";
    for (let i = 0; i < bytes.length; i += 0x8000) {
      text += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    }
    return btoa(text);
  };
  return runCases(globalThis.STPModel, cases, pack);
}"""
)


def unpack(text: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(text), dtype=np.float64).copy()


def run_js(cases: list[dict]) -> list[dict]:
    """The module's results in Node, or (where Node is missing, as in CI) in Chromium."""
    folder = resources.files("stpwidget.page")
    if NODE is not None:
        proc = subprocess.run(
            [NODE, "-e", NODE_RUNNER, str(folder.joinpath("frame.js"))],
            input=json.dumps(cases),
            capture_output=True,
            text=True,
            check=True,
            timeout=300,
        )
        return json.loads(proc.stdout)  # type: ignore[no-any-return]
    from tools.browser import browserkit as bk

    ok, why = bk.browser_available()
    if not ok:
        pytest.skip(f"needs Node.js or Chromium: {why}")
    with bk.chromium() as (_browser, context):
        page = context.new_page()
        page.set_content("<!DOCTYPE html><title>stp.js</title>")
        for name in ("stp.js", "frame.js"):
            page.add_script_tag(content=folder.joinpath(name).read_text(encoding="utf-8"))
        return page.evaluate(BROWSER_RUNNER, cases)  # type: ignore[no-any-return]


def close(name: str, got, want) -> None:
    got, want = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    assert got.shape == want.shape, f"{name}: shape {got.shape} != {want.shape}"
    if not got.size:
        return
    finite = np.abs(want[np.isfinite(want)])
    floor = FLOOR * max(1.0, float(finite.max()) if finite.size else 1.0)
    both_nan = np.isnan(got) & np.isnan(want)
    err = np.abs(got - want)
    bad = ~both_nan & ~(err <= RTOL * np.abs(want) + floor)
    assert not bad.any(), (
        f"{name}: {int(bad.sum())} of {got.size} differ, first at {np.flatnonzero(bad)[0]}: "
        f"{got[bad][0]!r} vs {want[bad][0]!r}"
    )


def log_uniform(rng: np.random.Generator, lo: float, hi: float) -> float:
    return float(np.exp(rng.uniform(np.log(lo), np.log(hi))))


def random_case(rng: np.random.Generator, k: int) -> tuple[dict, TMParameters, Stimulus]:
    params = TMParameters(
        tau_f=log_uniform(rng, 1e-3, 2.0),
        tau_d=log_uniform(rng, 1e-3, 2.0),
        tau_s=log_uniform(rng, 1e-3, 0.2),
        U=float(rng.uniform(0.01, 1.0)),
        A=log_uniform(rng, 0.1, 10.0),
    )
    kind = ("regular", "poisson", "probe", "step", "recorded")[k % 5]
    rate = log_uniform(rng, 1.0, 100.0)
    n = int(rng.integers(1, 40))
    start = float(rng.choice([0.0, 0.1, rng.uniform(0, 0.5)]))
    settings: dict = {"kind": kind, "rate": rate, "n_spikes": n, "start": start}
    if kind == "poisson":
        settings["seed"] = int(rng.integers(0, 2**31 - 1))
    elif kind == "probe":
        settings["probe_delay"] = log_uniform(rng, 0.01, 2.0)
    elif kind == "step":
        settings.update(rate_after=log_uniform(rng, 1.0, 100.0), switch=start + 0.5)
    elif kind == "recorded":  # a grid-aligned spike and two at once, to test the sampling rule
        times = np.sort(np.r_[rng.uniform(0.3, 2.0, n), 0.01, 0.25, 0.25])
        settings["times"] = tuple(float(t) for t in times)
    stimulus = Stimulus(**settings)
    dt = float(rng.choice([1e-4, 2e-4, 5e-4]))
    # Some membranes with τ_m = τ_s exactly, or within the Taylor series' range of it.
    tau_m = [float(params.tau_s), float(params.tau_s) * (1 + 1e-3), log_uniform(rng, 1e-3, 0.2)][
        k % 3
    ]
    state = {
        "params": {f: float(getattr(params, f)) for f in ("tau_f", "tau_d", "tau_s", "U", "A")},
        "stimulus": {**_stimulus_dict(stimulus)},
        "dt": dt,
        "membrane": True,
        "lif": True,
        "tau_m": tau_m,
        "threshold": 0.0,  # set below from the free potential
        "recordings": [],
    }
    return state, params, stimulus


def _stimulus_dict(s: Stimulus) -> dict:
    fields = ("kind", "rate", "n_spikes", "start", "probe_delay", "seed", "rate_after", "switch")
    return {**{f: getattr(s, f) for f in fields}, "times": list(s.times)}


def test_page_model_matches_the_kernel() -> None:
    rng = np.random.default_rng(20)
    cases, refs = [], []
    for k in range(60):
        state, params, stimulus = random_case(rng, k)
        # A threshold the free potential crosses a few times (or never, for some cases).
        spikes = stimulus.spikes()
        free = postsynaptic_potential(
            simulate(params, spikes, stimulus.duration, dt=state["dt"]), state["tau_m"]
        )
        state["threshold"] = float(free.max()) * float(rng.choice([0.3, 0.7, 0.95, 1.5]))
        if k % 4 == 0:  # recordings: with and without sd, with trials
            recs = []
            for j in range(2):
                times = np.cumsum(rng.uniform(0.01, 0.2, int(rng.integers(2, 12))))
                amps = rng.uniform(0.05, 1.0, (int(rng.integers(1, 4)), times.size))
                sd = rng.uniform(0.01, 0.2, times.size) if j else None
                rec = Recording(times.tolist(), amps.tolist(), label=f"r{j}", sd=sd)
                recs.append(rec)
                state["recordings"].append(
                    {
                        "times": rec.spike_times.tolist(),
                        "mean": rec.mean.tolist(),
                        "sd": None if rec.sd is None else rec.sd.tolist(),
                    }
                )
            refs.append((params, stimulus, tuple(recs)))
        else:
            refs.append((params, stimulus, ()))
        cases.append({"state": state})
    results = run_js(cases)
    covered = {"lif spikes": 0, "f½ off the grid": 0, "recordings": 0}
    close("RATES", unpack(results[0]["rates"]), RATES)
    for case, got, (params, stimulus, recs) in zip(cases, results, refs):
        state = case["state"]
        assert got["duration"] == stimulus.duration
        js_spikes = unpack(got["spikes"])
        if stimulus.kind == "poisson":  # the page's own draw: the kernel simulates it too
            assert np.all(np.diff(js_spikes) >= 0) and np.all(js_spikes >= stimulus.start)
            assert np.all(js_spikes < stimulus.start + stimulus.train_length)
        else:
            close(f"{stimulus.kind} spikes", js_spikes, stimulus.spikes().numpy())
        trace = simulate(params, torch.as_tensor(js_spikes), stimulus.duration, dt=state["dt"])
        for field in ("t", "x", "u", "current", "release"):
            close(field, unpack(got[field]), getattr(trace, field).numpy())
        close("pre x", unpack(got["pre_x"]), trace.pre.x.numpy())
        close("post u", unpack(got["post_u"]), trace.post.u.numpy())
        close("post current", unpack(got["post_current"]), trace.post.current.numpy())
        close("V", unpack(got["v"]), postsynaptic_potential(trace, state["tau_m"]).numpy())
        lif = lif_response(trace, state["tau_m"], state["threshold"])
        covered["lif spikes"] += lif.spike_times.numel() > 1
        covered["f½ off the grid"] += not RATES[0] <= readout_values(params, stimulus)["flim"] < 100
        covered["recordings"] += bool(recs)
        close("LIF spikes", unpack(got["lif_spikes"]), lif.spike_times.numpy())
        close("LIF V", unpack(got["lif_v"]), lif.v.numpy())
        close("frame V (LIF)", unpack(got["frame_v"]), lif.v.numpy())
        close("regular r", unpack(got["regular"]), steady_state(params, RATES).release.numpy())
        close(
            "Poisson r", unpack(got["poisson"]), poisson_steady_state(params, RATES).release.numpy()
        )
        want = readout_values(params, stimulus)
        for key in ("first", "ppr", "steady", "flim"):
            value = got["readouts"][key]
            close(key, np.nan if value is None else value, want[key])
        # Recorded input: the paired-pulse ratio at the train's first interval.
        t = stimulus.times
        interval = t[1] - t[0] if stimulus.kind == "recorded" else 1 / stimulus.rate
        close("ppr (closed form)", got["readouts"]["ppr"], paired_pulse_ratio(params, interval))
        if recs:
            fit = data_fit(params, recs)
            close("SSE", got["data"]["sse"], fit.sse)
            close("R²", got["data"]["r2"], fit.r2)
            for k, predicted in enumerate(fit.predicted):
                close("predicted", unpack(got["data"]["predicted"][k]), predicted.numpy())
    assert min(covered.values()) >= 3, covered  # the random cases reach every branch


def test_half_ceiling_root_finder_matches() -> None:
    """The regular f½ outside the panel's grid: JS bisection against the Python solver."""
    from stpwidget.closed_form import half_ceiling_rate

    rng = np.random.default_rng(5)
    cases, params_list = [], []
    for _ in range(20):
        params = TMParameters(
            tau_f=log_uniform(rng, 1e-3, 2.0),
            tau_d=log_uniform(rng, 1e-3, 2.0),
            tau_s=0.02,
            U=float(rng.uniform(0.01, 1.0)),
        )
        state, _, _ = random_case(rng, 0)
        state["params"] = {f: float(getattr(params, f)) for f in ("tau_f", "tau_d", "tau_s", "U")}
        state["params"]["A"] = 1.0
        state["threshold"] = 1.0
        cases.append({"state": state})
        params_list.append(params)
    for got, params in zip(run_js(cases), params_list):
        close("f½ root", got["half"], float(half_ceiling_rate(params)))
