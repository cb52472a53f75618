/* The explorer's stimuli and everything its panels draw for one state (`compute`), on top of
 * the model in stp.js: stimulus.py's trains and windows, state.py's compute. Pure functions,
 * no DOM. In Node, `require("./frame.js")` gives the model and these; in a page (after
 * stp.js) they join `globalThis.STPModel`.
 */
(function (root, factory) {
  const node = typeof module === "object" && module.exports;
  const M = node ? require("./stp.js") : root.STPModel;
  const api = factory(M);
  if (node) module.exports = Object.assign({}, M, api);
  else Object.assign(root.STPModel, api);
})(typeof globalThis !== "undefined" ? globalThis : this, function (M) {
  "use strict";

  /** Display windows in s (stimulus.py WINDOWS). */
  const WINDOWS = [0.5, 1, 2, 5, 10, 20, 50, 100];

  /** A small seeded PRNG (mulberry32): the same seed, the same Poisson train in any browser. */
  function mulberry32(seed) {
    let a = seed >>> 0;
    return function () {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  /** A Poisson train of `rate` Hz on [0, duration): exponential intervals from `seed`. */
  function poissonTrain(rate, duration, seed) {
    const rand = mulberry32(seed);
    const out = [];
    let t = 0.0;
    for (;;) {
      t += -Math.log(1.0 - rand()) / rate;
      if (t >= duration) break;
      out.push(t);
    }
    return out;
  }

  const STIMULUS_DEFAULTS = {
    kind: "regular",
    rate: 10.0,
    n_spikes: 9,
    start: 0.1,
    probe_delay: 0.5,
    seed: 0,
    rate_after: 40.0,
    switch: 0.8,
    times: [],
  };

  function trainLength(s) {
    return (s.kind === "poisson" ? s.n_spikes : s.n_spikes - 1) / s.rate;
  }

  /** Time of the last spike (or the end of a Poisson or step train), s (Stimulus.end). */
  function stimulusEnd(s) {
    if (s.kind === "step") return 2 * s.switch - s.start;
    if (s.kind === "recorded") return s.times[s.times.length - 1];
    const end = s.start + trainLength(s);
    return s.kind === "probe" ? end + s.probe_delay : end;
  }

  /** The display window in s: the shortest of WINDOWS that shows the train. */
  function stimulusDuration(s) {
    const end = stimulusEnd(s);
    for (const w of WINDOWS) if (w >= 1.1 * end) return w;
    throw new Error("the train outlasts the longest window");
  }

  function regularTrain(rate, n, start) {
    const out = [];
    for (let k = 0; k < n; k++) out.push(start + k / rate);
    return out;
  }

  /** Spike times in s of a stimulus {kind, rate, n_spikes, start, ...} (Stimulus.spikes). */
  function stimulusSpikes(s) {
    if (s.kind === "poisson") {
      return poissonTrain(s.rate, trainLength(s), s.seed).map((t) => s.start + t);
    }
    if (s.kind === "step") {
      const end = stimulusEnd(s);
      const between = (rate, begin, stop) =>
        regularTrain(rate, Math.max(0, Math.ceil((stop - begin) * rate - 1e-9)), begin);
      return between(s.rate, s.start, s.switch).concat(between(s.rate_after, s.switch, end));
    }
    if (s.kind === "recorded") return s.times.slice();
    const train = regularTrain(s.rate, s.n_spikes, s.start);
    if (s.kind === "probe") train.push(train[train.length - 1] + s.probe_delay);
    return train;
  }

  /**
   * Everything the panels draw for one state: {params, stimulus, dt, membrane, tau_m, lif,
   * threshold, recordings}. Returns {trace, duration, v, outputSpikes, frequency, limit,
   * readouts, data}.
   */
  function compute(state) {
    const p = state.params;
    const stim = state.stimulus;
    const poisson = stim.kind === "poisson";
    const duration = stimulusDuration(stim);
    const trace = M.simulate(p, stimulusSpikes(stim), duration, state.dt);
    let v = null;
    let outputSpikes = null;
    if (state.membrane && state.lif) {
      const lif = M.lifResponse(trace, state.tau_m, state.threshold);
      v = lif.v;
      outputSpikes = lif.spikes;
    } else if (state.membrane) {
      v = M.postsynapticPotential(trace, state.tau_m);
    }
    const frequency = M.frequencyResponse(p, poisson);
    const readouts = M.readoutValues(p, stim);
    const recs = state.recordings || [];
    return {
      trace,
      duration,
      v,
      outputSpikes,
      frequency,
      poisson,
      limit: readouts.flim,
      readouts,
      data: recs.length ? M.dataFit(p, recs) : null,
    };
  }

  return {
    WINDOWS,
    STIMULUS_DEFAULTS,
    mulberry32,
    poissonTrain,
    stimulusEnd,
    stimulusDuration,
    stimulusSpikes,
    compute,
  };
});
