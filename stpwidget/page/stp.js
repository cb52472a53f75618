/* stpwidget's exact Tsodyks–Markram model in JavaScript: pure functions, no DOM.
 *
 * It mirrors the Python kernel (stpwidget/model.py, membrane.py, closed_form.py, state.py)
 * closed form for closed form and, where rounding matters, operation for operation, so the
 * page draws what `simulate` computes (tests/test_page_model.py checks 1e-9 relative).
 * Units are the API's: seconds, Hz. Works as a CommonJS module (Node), or inlined in a page
 * (it then defines `globalThis.STPModel`). The stimuli and `compute` are in frame.js.
 */
(function (root, factory) {
  const api = factory();
  if (typeof module === "object" && module.exports) module.exports = api;
  else root.STPModel = api;
})(typeof globalThis !== "undefined" ? globalThis : this, function () {
  "use strict";

  /** Rates of the frequency response: numpy.logspace(0, 2, 121). */
  const RATES = (function () {
    const out = new Float64Array(121);
    const step = 2 / 120;
    for (let k = 0; k < 121; k++) out[k] = Math.pow(10, k * step);
    out[120] = 100;
    return out;
  })();
  const SERIES_BELOW = 0.05;

  /** Python's round(): halves to even. */
  function roundHalfEven(v) {
    const f = Math.floor(v);
    const diff = v - f;
    if (diff > 0.5) return f + 1;
    if (diff < 0.5) return f;
    return f % 2 === 0 ? f : f + 1;
  }

  /** numpy.searchsorted(a, v, side): the first index whose element is > v ("right") or >= v. */
  function searchSorted(a, v, side) {
    let lo = 0;
    let hi = a.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (a[mid] < v || (side === "right" && a[mid] === v)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * The exact event-driven solution (model.py simulate, method "exact").
   * params: {tau_f, tau_d, tau_s, U, A} in s; spikes: sorted times in s; duration, dt in s.
   * Returns {t, x, u, current, spikes, release, pre, post, dt}; a sample on a spike shows the
   * post-spike state.
   */
  function simulate(params, spikes, duration, dt) {
    dt = dt === undefined ? 1e-4 : dt;
    const n = roundHalfEven(duration / dt);
    if (!(n >= 1)) throw new Error("duration must be at least one step dt");
    const taus = [params.tau_d, params.tau_f, params.tau_s];
    const rates = taus.map((tau) => -1.0 / tau);
    const U = params.U;
    const A = params.A === undefined ? 1.0 : params.A;
    const m = spikes.length;
    // State (1 - x, u, I) entering (pre) and leaving (post) every spike.
    const pre = [new Float64Array(m), new Float64Array(m), new Float64Array(m)];
    const post = [new Float64Array(m), new Float64Array(m), new Float64Array(m)];
    let d = 0.0;
    let u = 0.0;
    let i = 0.0;
    for (let k = 0; k < m; k++) {
      const gap = k === 0 ? 0.0 : spikes[k] - spikes[k - 1];
      const p0 = d * Math.exp(gap * rates[0]);
      const p1 = u * Math.exp(gap * rates[1]);
      const p2 = i * Math.exp(gap * rates[2]);
      u = p1 * 1.0 + U * (1.0 - p1);
      const r = u * (1.0 - p0);
      d = p0 * 1.0 + r;
      i = p2 * 1.0 + A * r;
      [pre[0][k], pre[1][k], pre[2][k], post[0][k], post[1][k], post[2][k]] = [p0, p1, p2, d, u, i];
    }
    const t = new Float64Array(n);
    const x = new Float64Array(n);
    const uu = new Float64Array(n);
    const cur = new Float64Array(n);
    // Decay the latest post-spike state (a rest "event" at 0 leads the list).
    let j = 0; // events (rest + spikes) at or before the sample
    for (let s = 0; s < n; s++) {
      const ts = s * dt;
      t[s] = ts;
      while (j < m && spikes[j] <= ts) j++;
      if (j === 0) {
        x[s] = 1.0 - 0.0 * Math.exp(ts * rates[0]);
        uu[s] = 0.0;
        cur[s] = 0.0;
        continue;
      }
      const el = ts - spikes[j - 1];
      x[s] = 1.0 - post[0][j - 1] * Math.exp(el * rates[0]);
      uu[s] = post[1][j - 1] * Math.exp(el * rates[1]);
      cur[s] = post[2][j - 1] * Math.exp(el * rates[2]);
    }
    const release = new Float64Array(m);
    for (let k = 0; k < m; k++) release[k] = (1.0 - pre[0][k]) * post[1][k];
    const state = (s) => ({ x: s[0].map((v) => 1.0 - v), u: s[1], current: s[2] });
    return {
      t,
      x,
      u: uu,
      current: cur,
      spikes: Float64Array.from(spikes),
      release,
      pre: state(pre),
      post: state(post),
      params,
      dt,
    };
  }

  /** φ(w) = (1 − e^(−w))/w, φ(0) = 1; a Taylor series below 0.05 (membrane.py _phi). */
  function phi(w) {
    if (w < SERIES_BELOW) {
      let series = 1.0 + 0.0 * w;
      for (let k = 9; k > 0; k--) series = 1.0 - (w / (k + 1)) * series;
      return series;
    }
    return -Math.expm1(-w) / w;
  }

  /** V a time Δ after a unit current starts at V = 0 (membrane.py _response). */
  function response(el, rateS, rateM) {
    const slow = Math.min(rateS, rateM);
    return el * rateM * Math.exp(-slow * el) * phi(Math.abs(rateS - rateM) * el);
  }

  /** The free membrane carried exactly from spike to spike (membrane.py _membrane). */
  function membrane(trace, tauM, gain) {
    gain = gain === undefined ? 1.0 : gain;
    const m = trace.spikes.length;
    const events = new Float64Array(m + 1);
    const current = new Float64Array(m + 1);
    events.set(trace.spikes, 1);
    current.set(trace.post.current, 1);
    const rateS = 1.0 / trace.params.tau_s;
    const rateM = 1.0 / tauM;
    const v = new Float64Array(m + 1);
    for (let k = 0; k < m; k++) {
      const gap = events[k + 1] - events[k];
      const decay = Math.exp(-rateM * gap);
      const drive = gain * current[k] * response(gap, rateS, rateM);
      v[k + 1] = decay * v[k] + drive;
    }
    /** V at time ts >= 0. */
    function at(ts) {
      const idx = Math.max(searchSorted(events, ts, "right") - 1, 0);
      const el = ts - events[idx];
      return v[idx] * Math.exp(-rateM * el) + gain * current[idx] * response(el, rateS, rateM);
    }
    return { events, v, current, rateS, rateM, gain, at };
  }

  /** Membrane potential at the trace's samples (postsynaptic_potential). */
  function postsynapticPotential(trace, tauM, gain) {
    const mem = membrane(trace, tauM, gain);
    const out = new Float64Array(trace.t.length);
    let j = 0;
    const ev = mem.events;
    for (let s = 0; s < out.length; s++) {
      const ts = trace.t[s];
      while (j + 1 < ev.length && ev[j + 1] <= ts) j++;
      const el = ts - ev[j];
      out[s] =
        mem.v[j] * Math.exp(-mem.rateM * el) +
        mem.gain * mem.current[j] * response(el, mem.rateS, mem.rateM);
    }
    return out;
  }

  /**
   * Leaky integrate-and-fire readout (membrane.py lif_response): crossings found on the
   * sample grid, located by subdivision to rounding. Returns {v, spikes}.
   */
  function lifResponse(trace, tauM, threshold, gain, reset, refractory) {
    reset = reset === undefined ? 0.0 : reset;
    refractory = refractory === undefined ? 0.002 : refractory;
    const mem = membrane(trace, tauM, gain);
    const t = trace.t;
    const n = t.length;
    const free = postsynapticPotential(trace, tauM, gain);
    const v = Float64Array.from(free);
    const rateM = mem.rateM;
    let tE = 0.0;
    let w = 0.0;
    const potential = (ts) => mem.at(ts) + w * Math.exp(-rateM * (ts - tE));
    // The crossing in (lo, hi], by 256 points a round (numpy.linspace's points), to rounding.
    const locate = (lo, hi) => {
      for (;;) {
        const step = (hi - lo) / 256;
        const point = (j) => (j === 256 ? hi : j * step + lo);
        let k = 255;
        for (let j = 1; j <= 256; j++) {
          if (potential(point(j)) >= threshold) {
            k = j - 1;
            break;
          }
        }
        const newLo = k === 0 ? lo : point(k);
        const newHi = point(k + 1);
        if (newHi - newLo >= hi - lo) return hi;
        lo = newLo;
        hi = newHi;
      }
    };
    const spikes = [];
    let start = 0;
    while (start < n) {
      let hit = -1;
      for (let s = start; s < n; s++) {
        const value = free[s] + w * Math.exp(-rateM * (t[s] - tE));
        v[s] = value;
        if (value >= threshold) {
          hit = s;
          break;
        }
      }
      if (hit < 0) break;
      const left = hit === start ? tE : t[hit - 1];
      const crossing = locate(left, t[hit]);
      spikes.push(crossing);
      tE = crossing + refractory;
      const end = searchSorted(t, tE, "left");
      for (let s = hit; s < end && s < n; s++) v[s] = reset;
      w = reset - mem.at(tE);
      start = end;
    }
    return { v, spikes: Float64Array.from(spikes) };
  }

  /** Steady state of a regular train at `rate` Hz (closed_form._steady). */
  function steadyState(p, rate) {
    const interval = 1.0 / rate;
    const ef = Math.exp(-interval / p.tau_f);
    const ed = Math.exp(-interval / p.tau_d);
    const es = Math.exp(-interval / p.tau_s);
    const u = p.U / (1.0 - (1.0 - p.U) * ef);
    const x = (1.0 - ed) / (1.0 - (1.0 - u) * ed);
    const release = u * x;
    const A = p.A === undefined ? 1.0 : p.A;
    return { u, x, release, current: (A * release) / (1.0 - es) };
  }

  /** Mean-field steady state of Poisson input (closed_form.poisson_steady_state). */
  function poissonSteadyState(p, f) {
    const a = p.U * f * p.tau_f;
    const uMinus = a / (1.0 + a);
    const u = uMinus + p.U * (1.0 - uMinus);
    const x = 1.0 / (1.0 + u * f * p.tau_d);
    const release = u * x;
    const A = p.A === undefined ? 1.0 : p.A;
    return { u, x, release, current: A * f * release * p.tau_s };
  }

  /** Paired-pulse ratio from rest at interval d s (closed_form.paired_pulse_ratio). */
  function pairedPulseRatio(p, d) {
    return (1.0 + (1.0 - p.U) * Math.exp(-d / p.tau_f)) * (1.0 - p.U * Math.exp(-d / p.tau_d));
  }

  /** The half-ceiling rate of a regular train by bisection on a log scale (Hz). */
  function halfCeilingRate(p) {
    const excess = (f) => f * p.tau_d * steadyState(p, f).release - 0.5;
    let lo = 0.5 / p.tau_d;
    let hi = 4.0 / (p.U * p.tau_d);
    for (let k = 0; k < 64 && excess(hi) < 0; k++) hi *= 2.0;
    for (let k = 0; k < 100; k++) {
      const mid = Math.sqrt(lo * hi);
      if (excess(mid) < 0) lo = mid;
      else hi = mid;
    }
    return Math.sqrt(lo * hi);
  }

  /** Release per spike over RATES: regular steady state or Poisson mean field. */
  function frequencyResponse(p, poisson) {
    const release = new Float64Array(RATES.length);
    for (let k = 0; k < RATES.length; k++) {
      const s = poisson ? poissonSteadyState(p, RATES[k]) : steadyState(p, RATES[k]);
      release[k] = s.release;
    }
    return { rates: RATES, release };
  }

  /** Where f·r·τ_d crosses 1/2, interpolated on RATES (state._half_ceiling). NaN: none. */
  function halfCeiling(p, release, poisson) {
    const level = new Float64Array(RATES.length);
    let k = -1;
    for (let j = 0; j < RATES.length; j++) {
      level[j] = RATES[j] * release[j] * p.tau_d;
      if (k < 0 && level[j] >= 0.5) k = j;
    }
    if (k <= 0) return poisson ? NaN : halfCeilingRate(p);
    const lo = Math.log(RATES[k - 1]);
    const hi = Math.log(RATES[k]);
    const a = level[k - 1];
    const b = level[k];
    return Math.exp(lo + ((0.5 - a) / (b - a)) * (hi - lo));
  }

  /**
   * The explorer's live numbers (response.readout_values). For recorded input (a stimulus
   * with `times`) the paired-pulse ratio is at the train's first interval (NaN for one
   * spike), `steady` the release at its last spike, and f½ that of regular trains.
   */
  function readoutValues(p, stimulus) {
    const poisson = stimulus.kind === "poisson";
    const freq = frequencyResponse(p, poisson);
    const steady = poisson ? poissonSteadyState(p, stimulus.rate) : steadyState(p, stimulus.rate);
    const values = {
      first: p.U,
      ppr: pairedPulseRatio(p, 1.0 / stimulus.rate),
      steady: steady.release,
      flim: halfCeiling(p, freq.release, poisson),
    };
    if (stimulus.kind === "recorded") {
      const t = stimulus.times;
      values.ppr = t.length > 1 ? pairedPulseRatio(p, t[1] - t[0]) : NaN;
      const release = simulate(p, t, 1e-3, 1e-3).release;
      values.steady = release[release.length - 1];
    }
    return values;
  }

  /**
   * The model's amplitudes A·release for recordings [{times, mean, sd|null}] and the
   * weighted SSE and R² (state.data_fit).
   */
  function dataFit(p, recordings) {
    const predicted = [];
    let sw = 0.0;
    let swy = 0.0;
    let sse = 0.0;
    const all = [];
    const A = p.A === undefined ? 1.0 : p.A;
    for (const rec of recordings) {
      const release = simulate(p, rec.times, 1e-3, 1e-3).release;
      const model = release.map((r) => A * r);
      predicted.push(model);
      for (let k = 0; k < model.length; k++) {
        const w = rec.sd ? Math.pow(rec.sd[k], -2) : 1.0;
        const r = rec.mean[k] - model[k];
        sse += w * r * r;
        all.push([w, rec.mean[k]]);
      }
    }
    for (const [w, y] of all) {
      sw += w;
      swy += w * y;
    }
    const mean = swy / sw;
    let sst = 0.0;
    for (const [w, y] of all) sst += w * (y - mean) * (y - mean);
    return { predicted, sse, r2: sst > 0 ? 1.0 - sse / sst : NaN };
  }

  return {
    RATES,
    roundHalfEven,
    searchSorted,
    simulate,
    phi,
    postsynapticPotential,
    lifResponse,
    steadyState,
    poissonSteadyState,
    pairedPulseRatio,
    halfCeilingRate,
    frequencyResponse,
    halfCeiling,
    readoutValues,
    dataFit,
  };
});
