/* The explorer's front end: render({model, el, controls, panels}) builds the controls and
 * the figure for a model object from state.js ({get, set, on, frame}) and redraws on every
 * change (once per animation frame). The figure is drawn on a canvas in matplotlib's style
 * by figure.js. Returns the scripting API {get, set, trace, spikes, readouts, redraw}.
 */
(function (root) {
  "use strict";
  const S = root.STPState;
  const F = root.STPFigure;
  const KIND_LABELS = { regular: "regular", poisson: "Poisson", probe: "regular + probe", step: "rate step", recorded: "recorded" };
  const TIME_PANELS = ["state", "current", "membrane"];
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

  const maxOf = (a) => { let m = 0; for (const v of a) if (v > m) m = v; return m; };
  const fmt = (v, digits) => (Number.isFinite(v) ? Number(v.toPrecision(digits)).toString() : "—");
  const fixed = (v, d) => (Number.isFinite(v) ? v.toFixed(d) : "—");

  /** One slider: an <input type=range> with a <label>, its value shown and spoken with its unit. */
  function slider(key, model, onError) {
    const spec = S.SLIDERS[key];
    const id = `stp-${key}-${++uid}`;
    const input = h("input", { type: "range", id, class: `stp-slider stp-${key}`, "data-key": key });
    const out = h("output", { for: id, class: "stp-value" });
    if (spec.log) { input.min = 0; input.max = spec.values.length - 1; input.step = 1; }
    else { input.min = spec.low; input.max = spec.high; input.step = spec.step; }
    const label = h("label", { for: id }, spec.unit ? `${spec.label} [${spec.unit}]` : spec.label);
    input.addEventListener("input", () => {
      const shown = spec.log ? spec.values[Number(input.value)] : Number(input.value);
      try { model.set({ [key]: shown / spec.scale }); } catch (err) { onError(err); }
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
      const b = h("button", { type: "button", class: `stp-toggle stp-${key}-${value}`, "aria-pressed": "false" }, label);
      b.addEventListener("click", () => { try { model.set({ [key]: value }); } catch (err) { onError(err); } });
      b.value = value;
      return b;
    });
    const group = h("div", { class: `stp-group stp-${key}`, role: "group", "aria-label": name }, h("span", { class: "stp-group-label" }, name), ...buttons);
    group.sync = (state) => { for (const b of buttons) b.setAttribute("aria-pressed", String(state[key] === b.value)); };
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
    if (rel.length) parts.push(`Release per spike goes from ${fixed(rel[0], 3)} at the first spike to ${fixed(rel[rel.length - 1], 3)} at the last; the peak current is ${fmt(maxOf(tr.current), 3)}.`);
    if (frame.v && panels.includes("membrane")) parts.push(`Membrane potential peaks at ${fmt(maxOf(frame.v), 3)}${frame.outputSpikes ? `; the LIF neuron fires ${frame.outputSpikes.length} times` : ""}.`);
    if (panels.includes("frequency")) parts.push(`Frequency response: release per spike after a long train falls from ${fixed(frame.frequency.release[0], 3)} at 1 Hz to ${fixed(frame.frequency.release[120], 3)} at 100 Hz; half-ceiling rate ${fmt(frame.limit, 3)} Hz.`);
    if (frame.data) parts.push(`Against the recordings: SSE ${fmt(frame.data.sse, 3)}, R² ${fixed(frame.data.r2, 3)}.`);
    return parts.join(" ");
  }

  function readoutsHTML(state, frame) {
    const r = frame.readouts;
    const after = state.kind === "poisson" ? "Poisson input, mean field" : "regular train";
    const b = (k, text) => `<b class="stp-${k}">${text}</b>`;
    let html = `first release ${b("first", fixed(r.first, 3))} &nbsp;·&nbsp; paired-pulse ratio at ${fmt(1e3 / state.rate, 3)} ms ${b("ppr", fixed(r.ppr, 3))} &nbsp;·&nbsp; release per spike after a long train at ${fmt(state.rate, 3)} Hz (${after}) ${b("steady", fixed(r.steady, 3))} &nbsp;·&nbsp; release rate reaches half its ceiling 1/τ_d at f½ = ${b("flim", fmt(r.flim, 3))} Hz`;
    if (frame.data) html += ` &nbsp;·&nbsp; model against the recordings: SSE ${b("sse", fmt(frame.data.sse, 4))}, R² ${b("r2", fixed(frame.data.r2, 3))}`;
    return html;
  }

  function equationsHTML(s) {
    return "At each spike, in this order:<div class=\"stp-eq\">u⁺ = u⁻ + U (1 − u⁻), &nbsp; r = u⁺ x⁻, &nbsp; x⁺ = x⁻ − r, &nbsp; I⁺ = I⁻ + A r</div>"
      + "Between spikes:<div class=\"stp-eq\">τ_f du/dt = −u, &nbsp; τ_d dx/dt = 1 − x, &nbsp; τ_s dI/dt = −I</div>"
      + `with U = ${fmt(s.U, 3)}, τ_f = ${fmt(s.tau_f * 1e3, 4)} ms, τ_d = ${fmt(s.tau_d * 1e3, 4)} ms, τ_s = ${fmt(s.tau_s * 1e3, 4)} ms, A = ${fmt(s.A, 3)}.`;
  }

  /** Points of a traced quantity, about two per pixel, with the pre-spike value at each spike. */
  function decimate(tr, field, widthPx) {
    const t = tr.t;
    const y = tr[field];
    const pre = tr.pre[field];
    const n = t.length;
    const stride = Math.max(1, Math.ceil(n / (2 * Math.max(1, widthPx))));
    const xs = [];
    const ys = [];
    let k = 0;
    const end = t[n - 1] + tr.dt;
    for (let s = 0; s < n; s++) {
      const spikeHere = k < tr.spikes.length && tr.spikes[k] <= t[s];
      const nearSpike = spikeHere || (k < tr.spikes.length && s + 1 < n && tr.spikes[k] <= t[s + 1]);
      if (spikeHere) {
        while (k < tr.spikes.length && tr.spikes[k] <= t[s]) { if (tr.spikes[k] < end) { xs.push(tr.spikes[k]); ys.push(pre[k]); } k++; }
      }
      if (s % stride === 0 || s === n - 1 || nearSpike || spikeHere) { xs.push(t[s]); ys.push(y[s]); }
    }
    return [xs, ys];
  }

  function thinned(t, v, widthPx) {
    const stride = Math.max(1, Math.ceil(t.length / (2 * Math.max(1, widthPx))));
    const xs = [];
    const ys = [];
    for (let s = 0; s < t.length; s++) if (s % stride === 0 || s === t.length - 1) { xs.push(t[s]); ys.push(v[s]); }
    return [xs, ys];
  }


  /** The panels, each drawn from a frame; `limits` keeps the axis limits between draws. */
  const PANELS = {
    state(ax, frame, st, limits, widthPx) {
      const tr = frame.trace;
      ax.frame({ ylabel: "fraction", grid: true, xticklabels: st.last, xlabel: st.last ? "time (s)" : "" });
      ax.line(...decimate(tr, "x", widthPx), { color: F.COLORS.x, lw: 1.6 });
      ax.line(...decimate(tr, "u", widthPx), { color: F.COLORS.u, lw: 1.6 });
      ax.markers(tr.spikes, Array.from(tr.spikes, () => 1.07), { marker: "|", color: F.COLORS.release, ms: 9, mew: 1.5 });
      ax.legend([
        { label: "x: available resources", color: F.COLORS.x, lw: 1.6 },
        { label: "u: utilization", color: F.COLORS.u, lw: 1.6 },
        { label: "presynaptic spikes", color: F.COLORS.release, marker: "|", ms: 9, mew: 1.5 },
      ], { ncols: st.narrow ? 2 : 3, fontsize: "small" });
    },
    current(ax, frame, st, limits, widthPx) {
      const tr = frame.trace;
      ax.frame({ ylabel: "I (units of A)", grid: true, xticklabels: st.last, xlabel: st.last ? "time (s)" : "" });
      ax.line(...decimate(tr, "current", widthPx), { color: F.COLORS.current, lw: 1.4 });
      ax.markers(tr.spikes, Array.from(tr.release, (r) => r * st.A), { marker: "o", color: F.COLORS.release, ms: 4 });
      ax.legend([
        { label: "current I", color: F.COLORS.current, lw: 1.4 },
        { label: "release A·r per spike", color: F.COLORS.release, marker: "o", ms: 4 },
      ], { ncols: st.narrow ? 2 : 3, fontsize: "small" });
    },
    membrane(ax, frame, st, limits, widthPx) {
      ax.frame({ ylabel: "V (units of A)", grid: true, xticklabels: st.last, xlabel: st.last ? "time (s)" : "" });
      if (!frame.v) return;
      ax.line(...thinned(frame.trace.t, frame.v, widthPx), { color: F.COLORS.current, lw: 1.4 });
      const entries = [{ label: "membrane potential V", color: F.COLORS.current, lw: 1.4 }];
      if (st.lif) {
        ax.line([0, frame.duration], [st.threshold, st.threshold], { color: F.COLORS.limit, lw: 1.0, dash: [3.7, 1.6] });
        const top = limits.vtop;
        ax.markers(frame.outputSpikes, Array.from(frame.outputSpikes, () => 1.12 * top), { marker: "v", color: F.COLORS.limit, ms: 6 });
        entries.push({ label: "LIF threshold", color: F.COLORS.limit, lw: 1.0, dash: [3.7, 1.6] }, { label: "postsynaptic spikes", color: F.COLORS.limit, marker: "v", ms: 6 });
      }
      ax.legend(entries, { ncols: st.narrow ? 2 : 3, fontsize: "small" });
    },
    frequency(ax, frame, st) {
      const f = frame.frequency;
      ax.frame({ ylabel: "fraction", xlabel: "input rate f (Hz)", grid: "both" });
      const rates = Array.from(f.rates);
      ax.line(rates, Array.from(f.release), { color: F.COLORS.x, lw: 1.6 });
      ax.line(rates, rates.map((r, k) => r * f.release[k] * st.tau_d), { color: F.COLORS.rate, lw: 1.6 });
      const lr = Math.log(st.rate);
      let k = 1;
      while (k < 120 && Math.log(rates[k]) < lr) k++;
      const a = Math.log(rates[k - 1]);
      const b = Math.log(rates[k]);
      const rAt = f.release[k - 1] + ((lr - a) / (b - a)) * (f.release[k] - f.release[k - 1]);
      if (Number.isFinite(frame.limit) && frame.limit >= 1 && frame.limit <= 100) {
        ax.line([frame.limit, frame.limit], [0, 1.02], { color: F.COLORS.limit, lw: 1.2, dash: [1.2, 2] });
      }
      ax.markers([st.rate], [rAt], { marker: "o", color: F.COLORS.release, ms: 6 });
      ax.legend([
        { label: "r: release per spike", color: F.COLORS.x, lw: 1.6 },
        { label: "f·r·τ_d: release rate / 1/τ_d", color: F.COLORS.rate, lw: 1.6 },
        { label: "input rate", color: F.COLORS.release, marker: "o", ms: 6 },
        { label: "half-ceiling rate f½", color: F.COLORS.limit, lw: 1.2, dash: [1.2, 2] },
      ], { ncols: 1, fontsize: "x-small", anchorX: st.narrow ? -0.1 : -0.25, title: frame.poisson ? "after long Poisson input (mean field)" : "after a long regular train (exact)" });
    },
    data(ax, frame, st, limits, widthPx, recordings) {
      ax.frame({ ylabel: "amplitude", xlabel: "pulse number", grid: true });
      if (!frame.data) return;
      recordings.slice(0, 6).forEach((rec, k) => {
        const color = F.DATA_COLORS[k];
        const n = rec.mean.map((_, j) => j + 1);
        const bx = [];
        const by = [];
        n.forEach((x, j) => { bx.push(x, x, NaN); by.push(rec.mean[j] - rec.spread[j], rec.mean[j] + rec.spread[j], NaN); });
        ax.line(bx, by, { color, lw: 1.0, alpha: 0.6 });
        ax.line(n, Array.from(frame.data.predicted[k]), { color, lw: 1.4, alpha: 0.8 });
        ax.markers(n, rec.mean, { marker: "o", color, ms: 4 });
      });
      ax.legend(recordings.slice(0, 6).map((rec, k) => ({ label: rec.label || `recording ${k + 1}`, color: F.DATA_COLORS[k], marker: "o", ms: 4 })),
        { ncols: 2, fontsize: "x-small", anchorX: st.narrow ? -0.1 : -0.25, title: "recorded (points ± sd) and model A·r (lines)" });
    },
  };

  /**
   * Build the explorer in `el` for `model`. controls: slider keys to offer (null: all);
   * panels: panel names; returns the scripting API.
   */
  function render({ model, el, controls, panels }) {
    panels = panels || ["state", "current", "frequency"];
    const recordings = model.options.recordings;
    const membrane = panels.includes("membrane");
    const offered = (key) => !controls || controls.includes(key);
    const message = h("div", { class: "stp-message", role: "status", "aria-live": "polite" });
    const onError = (err) => { message.textContent = `${err.name || "Error"}: ${err.message} — the plot shows the last valid state.`; message.classList.add("stp-error"); };
    const clearError = () => { message.textContent = ""; message.classList.remove("stp-error"); };
    const syncers = [];
    const add = (parent, node) => { parent.append(node); if (node.sync) syncers.push(node.sync); return node; };

    const synapse = h("div", { class: "stp-controls stp-synapse" });
    if (offered("preset")) add(synapse, toggles("synapse", [["facilitating", "facilitating"], ["depressing", "depressing"], ["custom", "custom"]], model, onError, "preset"));
    for (const key of ["tau_f", "tau_d", "tau_s", "U", "rate"]) if (offered(key)) add(synapse, slider(key, model, onError));
    const input = h("div", { class: "stp-controls stp-input" });
    const kinds = S.KINDS.filter((k) => k !== "recorded" || recordings.length);
    if (offered("kind")) add(input, toggles("input", kinds.map((k) => [KIND_LABELS[k], k]), model, onError, "kind"));
    const kindRows = {};
    for (const key of ["n_spikes", "probe_delay", "rate_after"]) if (offered(key)) kindRows[key] = add(input, slider(key, model, onError));
    if (offered("seed")) {
      const seedOut = h("span", { class: "stp-seed" });
      const draw = h("button", { type: "button", class: "stp-new_draw" }, "new draw");
      draw.addEventListener("click", () => { try { model.set({ seed: model.get().seed + 1 }); } catch (err) { onError(err); } });
      kindRows.seed = add(input, Object.assign(h("div", { class: "stp-row stp-row-seed" }, h("span", {}, "seed "), seedOut, " ", draw), { sync: (s) => { seedOut.textContent = String(s.seed); } }));
    }
    if (membrane) {
      if (offered("tau_m")) add(input, slider("tau_m", model, onError));
      if (offered("lif")) {
        const box = h("input", { type: "checkbox", id: `stp-lif-${++uid}`, class: "stp-lif" });
        box.addEventListener("change", () => { try { model.set({ lif: box.checked }); } catch (err) { onError(err); } });
        add(input, Object.assign(h("div", { class: "stp-row stp-row-lif" }, box, h("label", { for: box.id }, "LIF spikes (a neuron that fires at threshold)")), { sync: (s) => { box.checked = s.lif; } }));
      }
      if (offered("threshold")) kindRows.threshold = add(input, slider("threshold", model, onError));
    }
    const tools = h("div", { class: "stp-tools" });
    const scaleSel = h("select", { id: `stp-scale-${++uid}`, class: "stp-scale" }, ...S.SCALES.map((s) => h("option", { value: String(s) }, `${s}×`)));
    scaleSel.addEventListener("change", () => { try { model.set({ scale: Number(scaleSel.value) }); } catch (err) { onError(err); } });
    const copy = h("button", { type: "button", class: "stp-copy-link" }, "copy link");
    const linkBox = h("input", { type: "text", readonly: "", class: "stp-link", "aria-label": "link to this view" });
    copy.addEventListener("click", () => {
      linkBox.value = location.href;
      const done = () => { message.classList.remove("stp-error"); message.textContent = "Link copied: it opens this view."; };
      const fallback = () => { linkBox.hidden = false; linkBox.select(); try { document.execCommand("copy"); done(); } catch (e) { message.textContent = "Select the link and copy it."; } };
      if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(location.href).then(done, fallback); else fallback();
    });
    linkBox.hidden = true;
    tools.append(h("label", { for: scaleSel.id }, "text size "), scaleSel, " ", copy, linkBox);

    const canvas = h("canvas", { class: "stp-figure", role: "img" });
    const desc = h("p", { class: "stp-sr-only stp-description", id: `stp-desc-${++uid}` });
    canvas.setAttribute("aria-describedby", desc.id);
    const figure = h("div", { class: "stp-figure-box" }, canvas, desc);
    const readouts = h("div", { class: "stp-readouts" });
    const equations = h("div", { class: "stp-equations-body" });
    const eqBox = h("details", { class: "stp-equations" }, h("summary", {}, "model equations"), equations);
    el.append(h("div", { class: "stp-top" }, synapse, input), tools, message, figure, readouts, eqBox);

    const limits = { cur: 1e-9, vtop: 1e-9, ytop: 1e-9, key: "" };
    let pending = false;
    let drawn = 0;
    function draw() {
      pending = false;
      const state = model.get();
      const frame = model.frame();
      el.style.setProperty("--stp-scale", String(state.scale));
      const cssW = Math.max(280, figure.clientWidth || 920);
      const narrow = cssW < 640;
      const sideNames = panels.filter((p) => !TIME_PANELS.includes(p));
      const timeNames = panels.filter((p) => TIME_PANELS.includes(p));
      const cssH = narrow ? 280 * panels.length * state.scale : Math.round(cssW * 560 / 920);
      const dpr = root.devicePixelRatio || 1;
      if (canvas.width !== Math.round(cssW * dpr) || canvas.height !== Math.round(cssH * dpr)) {
        canvas.width = Math.round(cssW * dpr);
        canvas.height = Math.round(cssH * dpr);
        canvas.style.height = `${cssH}px`;
      }
      const ctx = canvas.getContext("2d");
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.fillStyle = "#ffffff";
      ctx.fillRect(0, 0, cssW, cssH);
      let rects;
      if (narrow) {
        rects = {};
        const rowH = cssH / panels.length;
        [...timeNames, ...sideNames].forEach((p, k) => {
          const extra = p === "frequency" || p === "data" ? 6 : 3;
          rects[p] = { x: 62 * state.scale, y: k * rowH + extra * 13 * state.scale, w: cssW - 78 * state.scale, h: rowH - (extra * 13 + 50) * state.scale };
        });
      } else {
        rects = F.layout(panels, cssW, cssH, state.scale);
      }
      const tr = frame.trace;
      const peak = maxOf(tr.current);
      limits.cur = F.upperLimit(limits.cur, 1.1 * peak);
      let vtop = 0;
      if (frame.v) { vtop = maxOf(frame.v); if (state.lif) vtop = Math.max(vtop, state.threshold); limits.vtop = vtop; limits.vmax = F.upperLimit(limits.vmax || 1e-9, 1.25 * vtop); }
      let top = 0;
      if (frame.data) {
        recordings.forEach((rec, k) => { rec.mean.forEach((m, j) => { top = Math.max(top, m + rec.spread[j]); }); top = Math.max(top, maxOf(frame.data.predicted[k])); });
        if (top > 0) limits.ytop = F.upperLimit(limits.ytop, 1.1 * top);
      }
      const longest = Math.max(10, ...recordings.map((r) => r.mean.length));
      const lims = {
        state: { xlim: [0, frame.duration], ylim: [-0.02, 1.12] },
        current: { xlim: [0, frame.duration], ylim: [0, limits.cur] },
        membrane: { xlim: [0, frame.duration], ylim: [0, limits.vmax || 1] },
        frequency: { xlim: [1, 100], ylim: [0, 1.02], xlog: true },
        data: { xlim: [0.5, (recordings.length ? Math.max(...recordings.map((r) => r.mean.length)) : longest) + 0.5], ylim: [0, limits.ytop] },
      };
      const lastTime = timeNames[timeNames.length - 1];
      for (const name of panels) {
        const ax = new F.Axes(ctx, rects[name], { ...lims[name], scale: state.scale });
        const st = { ...state, narrow, last: narrow || name === lastTime };
        PANELS[name](ax, frame, st, limits, rects[name].w, recordings);
      }
      for (const fn of syncers) fn(state);
      for (const [key, row] of Object.entries(kindRows)) {
        const used = key === "threshold" ? state.lif : S.USES[state.kind].includes(key);
        row.hidden = !used;
      }
      if (!S.SCALES.includes(state.scale) && !scaleSel.querySelector(`option[value="${state.scale}"]`)) {
        scaleSel.append(h("option", { value: String(state.scale) }, `${state.scale}×`));
      }
      scaleSel.value = String(state.scale);
      readouts.innerHTML = readoutsHTML(state, frame);
      readouts.style.fontSize = `${1.05 * state.scale}em`;
      equations.innerHTML = equationsHTML(state);
      const text = describe(state, frame, panels);
      canvas.setAttribute("aria-label", text.split(". ")[0] + ".");
      desc.textContent = text;
      drawn += 1;
      canvas.dataset.drawn = String(drawn);
      if (root.STP_ON_DRAW) root.STP_ON_DRAW(drawn);
    }
    function schedule() {
      if (!pending) { pending = true; root.requestAnimationFrame(draw); }
    }
    model.on(() => { clearError(); schedule(); });
    root.addEventListener("resize", schedule);
    draw();

    const pick = (a) => Array.from(a);
    return {
      get: () => model.get(),
      set(values) { try { clearError(); return model.set(values); } catch (err) { onError(err); throw err; } },
      trace() {
        const fr = model.frame();
        const out = { t: pick(fr.trace.t), x: pick(fr.trace.x), u: pick(fr.trace.u), current: pick(fr.trace.current) };
        if (membrane && fr.v) out.v = pick(fr.v);
        return out;
      },
      spikes: () => pick(model.frame().trace.spikes),
      outputSpikes: () => (model.frame().outputSpikes ? pick(model.frame().outputSpikes) : []),
      readouts: () => ({ ...model.frame().readouts }),
      data: () => (model.frame().data ? { sse: model.frame().data.sse, r2: model.frame().data.r2 } : null),
      redraw: draw,
      drawn: () => drawn,
    };
  }

  root.STPExplorer = { render, decimate, describe };
})(typeof globalThis !== "undefined" ? globalThis : this);
