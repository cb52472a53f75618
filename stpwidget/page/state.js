/* The page's state: slider specs, validation like the Python explorer's set_params and
 * set_input (a bad value is refused with a message and changes nothing), the URL fragment,
 * and a small observable model object {get, set, on, frame} that a front end renders.
 * No DOM. CommonJS in Node, `globalThis.STPState` in a page (after stp.js and frame.js).
 */
(function (root, factory) {
  const node = typeof module === "object" && module.exports;
  const api = factory(node ? require("./frame.js") : root.STPModel);
  if (node) module.exports = api;
  else root.STPState = api;
})(typeof globalThis !== "undefined" ? globalThis : this, function (M) {
  "use strict";

  /** Values per decade of the log sliders (explorer/controls.py DECADE). */
  const DECADE = [
    1, 1.1, 1.2, 1.3, 1.5, 1.6, 1.8, 2, 2.2, 2.4, 2.7, 3, 3.3, 3.6, 4, 4.5, 5, 5.5, 6, 6.5, 7, 7.5,
    8, 9,
  ];

  function logValues(lo, hi) {
    const out = [];
    for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
      for (const m of DECADE) {
        const v = Number((m * Math.pow(10, e)).toPrecision(10));
        if (v >= lo && v <= hi) out.push(v);
      }
    }
    return out;
  }

  /** Sliders keyed like the API: label, spoken name, unit, range in slider units, scale. */
  const SLIDERS = {
    tau_f: {
      label: "τ_f facilitation",
      name: "τ_f, facilitation time constant",
      unit: "ms",
      low: 1,
      high: 2000,
      log: true,
      scale: 1e3,
    },
    tau_d: {
      label: "τ_d depression",
      name: "τ_d, depression time constant",
      unit: "ms",
      low: 1,
      high: 2000,
      log: true,
      scale: 1e3,
    },
    tau_s: {
      label: "τ_s current",
      name: "τ_s, synaptic current time constant",
      unit: "ms",
      low: 1,
      high: 200,
      log: true,
      scale: 1e3,
    },
    U: {
      label: "U utilization",
      name: "U, utilization: release of the first spike",
      unit: "",
      low: 0.01,
      high: 1,
      log: false,
      step: 0.01,
      scale: 1,
    },
    rate: {
      label: "input rate",
      name: "input rate, spikes per second",
      unit: "Hz",
      low: 1,
      high: 100,
      log: true,
      scale: 1,
    },
    n_spikes: {
      label: "spikes",
      name: "number of spikes",
      unit: "",
      low: 1,
      high: 200,
      log: false,
      step: 1,
      scale: 1,
      integer: true,
    },
    probe_delay: {
      label: "probe delay",
      name: "probe delay, from the last spike to the probe",
      unit: "ms",
      low: 10,
      high: 5000,
      log: true,
      scale: 1e3,
    },
    rate_after: {
      label: "rate after step",
      name: "input rate after the step",
      unit: "Hz",
      low: 1,
      high: 100,
      log: true,
      scale: 1,
    },
    tau_m: {
      label: "τ_m membrane",
      name: "τ_m, membrane time constant",
      unit: "ms",
      low: 1,
      high: 200,
      log: true,
      scale: 1e3,
    },
    threshold: {
      label: "LIF threshold",
      name: "LIF threshold, where the model neuron fires, in multiples of A (a full release)",
      unit: "× A",
      low: 0.01,
      high: 1,
      log: false,
      step: 0.01,
      scale: 1,
    },
  };
  for (const spec of Object.values(SLIDERS)) {
    if (spec.log) spec.values = logValues(spec.low, spec.high);
  }
  const UNIT_WORDS = { ms: "milliseconds", Hz: "hertz", A: "units of A", "": "" };

  const PRESETS = {
    facilitating: { tau_f: 0.75, tau_d: 0.05, tau_s: 0.02, U: 0.15, A: 1.0 },
    depressing: { tau_f: 0.05, tau_d: 0.75, tau_s: 0.02, U: 0.45, A: 1.0 },
  };
  const PARAMS = ["tau_f", "tau_d", "tau_s", "U", "A"];
  const KINDS = ["regular", "poisson", "probe", "step", "recorded"];
  /** Which settings each kind uses (explorer/input_controls.py USES). */
  const USES = {
    regular: ["n_spikes"],
    poisson: ["n_spikes", "seed"],
    probe: ["n_spikes", "probe_delay"],
    step: ["rate_after"],
    recorded: [],
  };
  /** Every key of the state (API units), in the fragment's order. */
  const KEYS = [
    "preset",
    ...PARAMS,
    "kind",
    "rate",
    "n_spikes",
    "probe_delay",
    "seed",
    "rate_after",
    "switch",
    "start",
    "tau_m",
    "lif",
    "threshold",
    "scale",
  ];
  const SCALES = [1, 1.25, 1.5, 2];

  /** The option closest to `value` on a log scale (what a log slider shows). */
  function nearestIndex(values, value) {
    let best = 0;
    for (let k = 1; k < values.length; k++) {
      if (Math.abs(Math.log(values[k] / value)) < Math.abs(Math.log(values[best] / value)))
        best = k;
    }
    return best;
  }

  /** Text a screen reader speaks for a slider: "τ_d, depression time constant, 750 milliseconds". */
  function valueText(key, value) {
    const spec = SLIDERS[key];
    const shown = Number((value * spec.scale).toPrecision(4));
    const unit = UNIT_WORDS[spec.unit];
    return `${spec.name}, ${shown}${unit ? " " + unit : ""}`;
  }

  function fail(message) {
    const err = new Error(message);
    err.name = "ValueError";
    throw err;
  }

  function asNumber(key, value) {
    const v = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
    if (typeof v !== "number" || !Number.isFinite(v))
      fail(`${key} must be a finite number; got ${JSON.stringify(value)}`);
    return v;
  }

  function checkSlider(key, value) {
    const spec = SLIDERS[key];
    const shown = value * spec.scale;
    if (!(shown >= spec.low && shown <= spec.high)) {
      fail(
        `${key} must be within the explorer's slider range [${spec.low / spec.scale}, ${spec.high / spec.scale}] (${spec.low} to ${spec.high} ${spec.unit || "unitless"} on the slider); got ${value}`,
      );
    }
  }

  function checkInteger(key, value, lo, hi) {
    if (!Number.isInteger(value) || value < lo || value > hi)
      fail(`${key} must be an integer in [${lo}, ${hi}]; got ${value}`);
  }

  /**
   * `state` with `values` applied, validated as a whole; throws a ValueError naming the
   * argument and the allowed range, and then nothing changes.
   */
  function applyValues(state, values, options) {
    const next = { ...state };
    const unknown = Object.keys(values)
      .filter((k) => !KEYS.includes(k))
      .sort();
    if (unknown.length)
      fail(`unknown setting(s) ${JSON.stringify(unknown)}; use ${JSON.stringify(KEYS)}`);
    if ("preset" in values) {
      const name = values.preset;
      if (!(name in PRESETS) && name !== "custom")
        fail(
          `preset must be one of ["depressing", "facilitating", "custom"]; got ${JSON.stringify(name)}`,
        );
      if (name in PRESETS) Object.assign(next, PRESETS[name]);
      next.preset = name;
    }
    for (const [key, raw] of Object.entries(values)) {
      if (key === "preset") continue;
      if (key === "kind") {
        const kinds = options.recordings.length ? KINDS : KINDS.slice(0, 4);
        if (!kinds.includes(raw))
          fail(`kind must be one of ${JSON.stringify(kinds)}; got ${JSON.stringify(raw)}`);
        next.kind = raw;
        continue;
      }
      if (key === "lif") {
        if (raw !== true && raw !== false && raw !== "true" && raw !== "false")
          fail(`lif must be true or false; got ${JSON.stringify(raw)}`);
        next.lif = raw === true || raw === "true";
        continue;
      }
      const v = asNumber(key, raw);
      if (key in SLIDERS && key !== "n_spikes") checkSlider(key, v);
      else if (key === "n_spikes") checkInteger(key, v, 1, 200);
      else if (key === "seed") checkInteger(key, v, 0, 2147483647);
      else if (key === "A" && !(v > 0)) fail(`A must be > 0; got ${v}`);
      else if (key === "start" && !(v >= 0 && v <= 10))
        fail(`start must be in [0, 10] s; got ${v}`);
      else if (key === "scale" && !(v >= 0.5 && v <= 3))
        fail(`scale must be in [0.5, 3] (${SCALES.join(", ")} in the menu); got ${v}`);
      next[key] = v;
    }
    // The switch comes after the start only where it is used (stimulus.py).
    const after = next.kind === "step" ? next.start : 0;
    if (!(next.switch > after && next.switch <= 40))
      fail(`switch must be in (${after}, 40] s; got ${next.switch}`);
    // A parameter moved makes the synapse "custom", unless it is the named preset's own value.
    const named = PRESETS[next.preset];
    if (PARAMS.some((k) => k in values && (!named || next[k] !== named[k]))) next.preset = "custom";
    const end = M.stimulusEnd(stimulusOf(next, options));
    if (end > 100 / 1.1) {
      fail(
        `rate=${next.rate} Hz with n_spikes=${next.n_spikes}${next.kind === "probe" ? ` and probe_delay=${next.probe_delay} s` : ""} would last ${Number(end.toPrecision(3))} s; the longest window is 100 s: raise the rate or use fewer spikes`,
      );
    }
    return next;
  }

  function stimulusOf(state, options) {
    const times = options.times || (options.recordings.length ? options.recordings[0].times : []);
    const s = { ...M.STIMULUS_DEFAULTS };
    for (const k of Object.keys(s)) if (k in state) s[k] = state[k];
    s.times = times;
    return s;
  }

  /** The state as a URL fragment ("tau_d=0.4&U=0.3&kind=poisson&rate=20"), API units. */
  function toFragment(state, options) {
    const keys = ["preset", "tau_f", "tau_d", "tau_s", "U", "kind", "rate", ...USES[state.kind]];
    if (state.A !== 1) keys.push("A");
    if (state.kind === "step") keys.push("switch");
    if (options.membrane) keys.push("tau_m", "lif", "threshold");
    if (state.scale !== 1) keys.push("scale");
    return keys.map((k) => `${k}=${encodeURIComponent(String(state[k]))}`).join("&");
  }

  /** Values from a fragment (strings; applyValues converts and checks them). */
  function fromFragment(hash) {
    const text = hash.replace(/^#/, "");
    const values = {};
    if (!text) return values;
    for (const part of text.split("&")) {
      if (!part) continue;
      const eq = part.indexOf("=");
      const key = decodeURIComponent(eq < 0 ? part : part.slice(0, eq));
      values[key] = decodeURIComponent(eq < 0 ? "" : part.slice(eq + 1));
    }
    return values;
  }

  /**
   * The model object a front end renders: {get, set, on, frame, stimulus, options}.
   * initial: a full state (API units); options: {recordings, membrane, dt}.
   */
  function createModel(initial, options) {
    options = { recordings: [], membrane: false, dt: 1e-4, ...options };
    let state = applyValues({ scale: 1, ...initial }, {}, options);
    let frame = null;
    const listeners = [];
    const model = {
      options,
      get: () => ({ ...state }),
      /** Apply several values at once; throws a ValueError and changes nothing if one is bad. */
      set(values) {
        if (values === null || typeof values !== "object")
          fail(`set takes an object of settings; got ${JSON.stringify(values)}`);
        const next = applyValues(state, values, options);
        const changed = KEYS.some((k) => next[k] !== state[k]);
        state = next;
        if (changed) {
          frame = null;
          for (const fn of listeners) fn(model.get());
        }
        return model.get();
      },
      on(fn) {
        listeners.push(fn);
      },
      stimulus: () => stimulusOf(state, options),
      /** What the panels draw (stp.js compute), cached until the state changes. */
      frame() {
        if (frame === null) {
          frame = M.compute({
            params: {
              tau_f: state.tau_f,
              tau_d: state.tau_d,
              tau_s: state.tau_s,
              U: state.U,
              A: state.A,
            },
            stimulus: stimulusOf(state, options),
            dt: options.dt,
            membrane: options.membrane,
            lif: state.lif,
            tau_m: state.tau_m,
            threshold: state.threshold,
            recordings: options.recordings,
          });
        }
        return frame;
      },
    };
    return model;
  }

  return {
    DECADE,
    SLIDERS,
    PRESETS,
    KINDS,
    USES,
    KEYS,
    SCALES,
    logValues,
    nearestIndex,
    valueText,
    applyValues,
    toFragment,
    fromFragment,
    createModel,
  };
});
