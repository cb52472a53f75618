// Unit tests of the page's JavaScript (run by `node --test tests/js`, and by pytest through
// tests/test_page_js.py). The exactness against the Python kernel is tests/test_page_model.py.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const M = require("../../stpwidget/page/frame.js");
const S = require("../../stpwidget/page/state.js");
const F = require("../../stpwidget/page/figure.js");

const INITIAL = {
  preset: "depressing",
  ...S.PRESETS.depressing,
  kind: "regular",
  rate: 10,
  n_spikes: 9,
  start: 0.1,
  probe_delay: 0.5,
  seed: 0,
  rate_after: 40,
  switch: 0.8,
  tau_m: 0.02,
  lif: false,
  threshold: 0.15,
};

test("Python's round: halves go to the even neighbour", () => {
  assert.deepEqual([0.5, 1.5, 2.5, 2.4, 2.6].map(M.roundHalfEven), [0, 2, 2, 2, 3]);
});

test("tau_m = tau_s: the membrane's response is (t/tau) e^(-t/tau) from one spike", () => {
  const tau = 0.02;
  const trace = M.simulate(
    { tau_f: 0.05, tau_d: 0.75, tau_s: tau, U: 0.45, A: 1 },
    [0.1],
    0.5,
    1e-4,
  );
  const v = M.postsynapticPotential(trace, tau);
  for (const k of [1100, 1200, 1500, 3000]) {
    const t = trace.t[k] - 0.1;
    const want = 0.45 * (t / tau) * Math.exp(-t / tau);
    assert.ok(Math.abs(v[k] - want) <= 1e-12 * 0.45, `${v[k]} vs ${want}`);
  }
});

test("Poisson draws: the same seed, the same train; mean count rate x duration", () => {
  assert.deepEqual(M.poissonTrain(20, 1, 7), M.poissonTrain(20, 1, 7));
  assert.notDeepEqual(M.poissonTrain(20, 1, 7), M.poissonTrain(20, 1, 8));
  let total = 0;
  const draws = 2000;
  for (let s = 0; s < draws; s++) total += M.poissonTrain(20, 1, s).length;
  // Mean of 2000 Poisson(20) counts: sd 0.1, so 0.5 is five sd.
  assert.ok(Math.abs(total / draws - 20) < 0.5, `mean count ${total / draws}`);
});

test("a bad value is refused with its name and range, and nothing changes", () => {
  const model = S.createModel(INITIAL, {});
  const seen = [];
  model.on((s) => seen.push(s));
  const before = model.get();
  assert.throws(
    () => model.set({ U: 0.3, tau_d: 5 }),
    /tau_d must be within the explorer's slider range \[0.001, 2\]/,
  );
  assert.throws(() => model.set({ kind: "recorded" }), /kind must be one of/);
  assert.throws(() => model.set({ lif: "maybe" }), /lif must be true or false/);
  assert.deepEqual(model.get(), before);
  assert.equal(seen.length, 0);
  model.set({ U: 0.3 });
  assert.equal(seen.length, 1);
  assert.equal(model.get().preset, "custom");
});

test("the fragment round-trips every kind in API units, preset names included", () => {
  for (const kind of ["regular", "poisson", "probe", "step"]) {
    const model = S.createModel(INITIAL, { membrane: true });
    model.set({ kind, tau_d: 0.4, U: 0.3, rate: 20, seed: 3, probe_delay: 0.25, lif: true });
    const text = S.toFragment(model.get(), model.options);
    const again = S.createModel(INITIAL, { membrane: true });
    again.set(S.fromFragment("#" + text));
    for (const key of ["tau_d", "U", "rate", "kind", "lif", ...S.USES[kind]]) {
      assert.equal(again.get()[key], model.get()[key], `${kind}: ${key}`);
    }
  }
  const model = S.createModel(INITIAL, {});
  model.set(S.fromFragment("#" + S.toFragment(model.get(), model.options)));
  assert.equal(model.get().preset, "depressing");
});

test("axis limits follow the data in 1-2-5 steps, and stay while the data stay within", () => {
  assert.equal(F.niceCeiling(0.45 * 1.1), 0.5);
  assert.equal(F.niceCeiling(0.11), 0.2);
  assert.equal(F.upperLimit(0.5, 0.3), 0.5); // within [top/5, top]: still
  assert.equal(F.upperLimit(0.5, 0.09), 0.1); // under a fifth: lowered
  assert.equal(F.upperLimit(0.5, 0.6), 1); // above: raised
});

test("ticks like matplotlib's AutoLocator and ScalarFormatter", () => {
  assert.deepEqual(F.linearTicks(-0.02, 1.12, 8), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(F.tickLabels(F.linearTicks(0, 0.5, 8)), [
    "0.0",
    "0.1",
    "0.2",
    "0.3",
    "0.4",
    "0.5",
  ]);
  assert.deepEqual(F.tickLabels([0, 0.25, 0.5]), ["0.00", "0.25", "0.50"]);
  assert.equal(F.axisTicks(0, 2e-5, 300, 10, 2).offset, "1e−5");
});
