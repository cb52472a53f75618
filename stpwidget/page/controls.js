/* The explorer's controls and texts, as DOM pieces: labelled sliders that speak their value
 * with its unit, toggle buttons, the readouts, the equations and the figure's text
 * alternative. `globalThis.STPControls` (after state.js and panels.js); explorer.js composes them.
 */
(function (root) {
  "use strict";
  const S = root.STPState;
  const KIND_LABELS = {
    regular: "regular",
    poisson: "Poisson",
    probe: "regular + probe",
    step: "rate step",
    recorded: "recorded",
  };
  let uid = 0;

  function h(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") e.className = v;
      else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v);
    }
    for (const c of children) e.append(c);
    return e;
  }

  const maxOf = root.STPPanels.maxOf;
  const fmt = (v, digits) => (Number.isFinite(v) ? Number(v.toPrecision(digits)).toString() : "—");
  const fixed = (v, d) => (Number.isFinite(v) ? v.toFixed(d) : "—");

  /** One slider: an <input type=range> with a <label>, its value shown and spoken with its unit. */
  function slider(key, model, onError) {
    const spec = S.SLIDERS[key];
    const id = `stp-${key}-${++uid}`;
    const input = h("input", {
      type: "range",
      id,
      class: `stp-slider stp-${key}`,
      "data-key": key,
    });
    const out = h("output", { for: id, class: "stp-value" });
    if (spec.log) {
      input.min = 0;
      input.max = spec.values.length - 1;
      input.step = 1;
    } else {
      input.min = spec.low;
      input.max = spec.high;
      input.step = spec.step;
    }
    const label = h("label", { for: id }, spec.unit ? `${spec.label} [${spec.unit}]` : spec.label);
    input.addEventListener("input", () => {
      const shown = spec.log ? spec.values[Number(input.value)] : Number(input.value);
      try {
        model.set({ [key]: shown / spec.scale });
      } catch (err) {
        onError(err);
      }
    });
    const row = h("div", { class: `stp-row stp-row-${key}` }, label, input, out);
    row.sync = (state) => {
      const value = state[key];
      const shown = value * spec.scale;
      input.value = spec.log ? S.nearestIndex(spec.values, shown) : String(shown);
      out.textContent = spec.integer ? String(value) : fmt(shown, 3);
      input.setAttribute("aria-valuetext", S.valueText(key, value));
    };
    return row;
  }

  /** A group of toggle buttons (aria-pressed) that sets one key. */
  function toggles(name, options, model, onError, key) {
    const buttons = options.map(([label, value]) => {
      const b = h(
        "button",
        { type: "button", class: `stp-toggle stp-${key}-${value}`, "aria-pressed": "false" },
        label,
      );
      b.addEventListener("click", () => {
        try {
          model.set({ [key]: value });
        } catch (err) {
          onError(err);
        }
      });
      b.value = value;
      return b;
    });
    const group = h(
      "div",
      { class: `stp-group stp-${key}`, role: "group", "aria-label": name },
      h("span", { class: "stp-group-label" }, name),
      ...buttons,
    );
    group.sync = (state) => {
      for (const b of buttons) b.setAttribute("aria-pressed", String(state[key] === b.value));
    };
    return group;
  }

  /** The figure's text alternative: what the panels show, in words, for this synapse. */
  function describe(state, frame, panels) {
    const tr = frame.trace;
    const rel = tr.release;
    const kind = KIND_LABELS[state.kind];
    const parts = [
      `Figure of a ${state.preset === "custom" ? "custom" : state.preset} synapse: τ_f ${fmt(state.tau_f * 1e3, 4)} ms, τ_d ${fmt(state.tau_d * 1e3, 4)} ms, τ_s ${fmt(state.tau_s * 1e3, 4)} ms, U ${fmt(state.U, 3)}.`,
      `Input: ${kind} at ${fmt(state.rate, 3)} Hz, ${tr.spikes.length} spikes in a ${frame.duration} s window.`,
    ];
    if (rel.length)
      parts.push(
        `Release per spike goes from ${fixed(rel[0], 3)} at the first spike to ${fixed(rel[rel.length - 1], 3)} at the last; the peak current is ${fmt(maxOf(tr.current), 3)}.`,
      );
    if (frame.v && panels.includes("membrane"))
      parts.push(
        `Membrane potential peaks at ${fmt(maxOf(frame.v), 3)}${frame.outputSpikes ? `; the LIF neuron fires ${frame.outputSpikes.length} times` : ""}.`,
      );
    if (panels.includes("frequency"))
      parts.push(
        `Frequency response: release per spike after a long train falls from ${fixed(frame.frequency.release[0], 3)} at 1 Hz to ${fixed(frame.frequency.release[120], 3)} at 100 Hz; half-ceiling rate ${fmt(frame.limit, 3)} Hz.`,
      );
    if (frame.data)
      parts.push(
        `Against the recordings: SSE ${fmt(frame.data.sse, 3)}, R² ${fixed(frame.data.r2, 3)}.`,
      );
    return parts.join(" ");
  }

  /** The readout line, word for word as the notebook's (explorer/text.py readout_html). */
  function readoutsHTML(state, frame, times) {
    const r = frame.readouts;
    const after = state.kind === "poisson" ? "Poisson input, mean field" : "regular train";
    const b = (k, text) => `<b class="stp-${k}">${text}</b>`;
    const dot = " &nbsp;·&nbsp; ";
    let pair = `paired-pulse ratio at ${fmt(1e3 / state.rate, 3)} ms ${b("ppr", fixed(r.ppr, 3))}`;
    let train = `release per spike after a long train at ${fmt(state.rate, 3)} Hz (${after}) ${b("steady", fixed(r.steady, 3))}`;
    if (state.kind === "recorded") {
      pair =
        times.length > 1
          ? `paired-pulse ratio at the recorded train's first interval ${fmt(1e3 * (times[1] - times[0]), 3)} ms ${b("ppr", fixed(r.ppr, 3))}`
          : `${b("ppr", "no paired-pulse ratio")} (the recorded train has one spike)`;
      train = `release at the recorded train's last spike ${b("steady", fixed(r.steady, 3))}`;
    }
    let flim = `at f½ = ${b("flim", fmt(r.flim, 3))} Hz`;
    if (!Number.isFinite(r.flim)) {
      const level = frame.frequency.rates[0] * frame.frequency.release[0] * state.tau_d;
      flim =
        level >= 0.5
          ? `${b("flim", "already at 1 Hz")} (f½ is below the panel's range)`
          : `${b("flim", "not below 100 Hz")} (f½ is above the panel's range)`;
    }
    const of = state.kind === "recorded" ? " of regular trains" : "";
    let html = `first release ${b("first", fixed(r.first, 3))}${dot}${pair}${dot}${train}${dot}release rate${of} reaches half its ceiling 1/τ_d ${flim}`;
    if (frame.data)
      html += `${dot}model against the recordings: SSE ${b("sse", fmt(frame.data.sse, 4))}, R² ${b("r2", fixed(frame.data.r2, 3))}`;
    return html;
  }

  function equationsHTML(s) {
    return (
      'At each spike, in this order:<div class="stp-eq">u⁺ = u⁻ + U (1 − u⁻), &nbsp; r = u⁺ x⁻, &nbsp; x⁺ = x⁻ − r, &nbsp; I⁺ = I⁻ + A r</div>' +
      'Between spikes:<div class="stp-eq">τ_f du/dt = −u, &nbsp; τ_d dx/dt = 1 − x, &nbsp; τ_s dI/dt = −I</div>' +
      `with U = ${fmt(s.U, 3)}, τ_f = ${fmt(s.tau_f * 1e3, 4)} ms, τ_d = ${fmt(s.tau_d * 1e3, 4)} ms, τ_s = ${fmt(s.tau_s * 1e3, 4)} ms, A = ${fmt(s.A, 3)}.`
    );
  }

  root.STPControls = {
    KIND_LABELS,
    h,
    fmt,
    fixed,
    maxOf,
    slider,
    toggles,
    describe,
    readoutsHTML,
    equationsHTML,
    nextId: () => ++uid,
  };
})(typeof globalThis !== "undefined" ? globalThis : this);
