/* The explorer's front end: render({model, el, controls, panels}) builds the controls
 * (controls.js) and the figure for a model object from state.js ({get, set, on, frame}) and
 * redraws on every change (once per animation frame). The figure is drawn on a canvas in
 * matplotlib's style by figure.js. Returns the scripting API {get, set, trace, spikes,
 * readouts, redraw}.
 */
(function (root) {
  "use strict";
  const S = root.STPState;
  const F = root.STPFigure;
  const C = root.STPControls;
  const { KIND_LABELS, h, maxOf, slider, toggles, describe, readoutsHTML, equationsHTML } = C;
  const { PANELS, decimate } = root.STPPanels;
  const TIME_PANELS = ["state", "current", "membrane"];
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
    const onError = (err) => {
      message.textContent = `${err.name || "Error"}: ${err.message} — the plot shows the last valid state.`;
      message.classList.add("stp-error");
    };
    const clearError = () => {
      message.textContent = "";
      message.classList.remove("stp-error");
    };
    const syncers = [];
    const add = (parent, node) => {
      parent.append(node);
      if (node.sync) syncers.push(node.sync);
      return node;
    };

    const synapse = h("div", { class: "stp-controls stp-synapse" });
    if (offered("preset"))
      add(
        synapse,
        toggles(
          "synapse",
          [
            ["facilitating", "facilitating"],
            ["depressing", "depressing"],
            ["custom", "custom"],
          ],
          model,
          onError,
          "preset",
        ),
      );
    for (const key of ["tau_f", "tau_d", "tau_s", "U", "rate"])
      if (offered(key)) add(synapse, slider(key, model, onError));
    const input = h("div", { class: "stp-controls stp-input" });
    const kinds = S.KINDS.filter((k) => k !== "recorded" || recordings.length);
    if (offered("kind"))
      add(
        input,
        toggles(
          "input",
          kinds.map((k) => [KIND_LABELS[k], k]),
          model,
          onError,
          "kind",
        ),
      );
    const kindRows = {};
    for (const key of ["n_spikes", "probe_delay", "rate_after"])
      if (offered(key)) kindRows[key] = add(input, slider(key, model, onError));
    if (offered("seed")) {
      const seedOut = h("span", { class: "stp-seed" });
      const draw = h("button", { type: "button", class: "stp-new_draw" }, "new draw");
      draw.addEventListener("click", () => {
        try {
          model.set({ seed: model.get().seed + 1 });
        } catch (err) {
          onError(err);
        }
      });
      kindRows.seed = add(
        input,
        Object.assign(
          h("div", { class: "stp-row stp-row-seed" }, h("span", {}, "seed "), seedOut, " ", draw),
          {
            sync: (s) => {
              seedOut.textContent = String(s.seed);
            },
          },
        ),
      );
    }
    if (membrane) {
      if (offered("tau_m")) add(input, slider("tau_m", model, onError));
      if (offered("lif")) {
        const box = h("input", { type: "checkbox", id: `stp-lif-${C.nextId()}`, class: "stp-lif" });
        box.addEventListener("change", () => {
          try {
            model.set({ lif: box.checked });
          } catch (err) {
            onError(err);
          }
        });
        add(
          input,
          Object.assign(
            h(
              "div",
              { class: "stp-row stp-row-lif" },
              box,
              h("label", { for: box.id }, "LIF spikes (a neuron that fires at threshold)"),
            ),
            {
              sync: (s) => {
                box.checked = s.lif;
              },
            },
          ),
        );
      }
      if (offered("threshold"))
        kindRows.threshold = add(input, slider("threshold", model, onError));
    }
    const tools = h("div", { class: "stp-tools" });
    const scaleSel = h(
      "select",
      { id: `stp-scale-${C.nextId()}`, class: "stp-scale" },
      ...S.SCALES.map((s) => h("option", { value: String(s) }, `${s}×`)),
    );
    scaleSel.addEventListener("change", () => {
      try {
        model.set({ scale: Number(scaleSel.value) });
      } catch (err) {
        onError(err);
      }
    });
    const copy = h("button", { type: "button", class: "stp-copy-link" }, "copy link");
    const linkBox = h("input", {
      type: "text",
      readonly: "",
      class: "stp-link",
      "aria-label": "link to this view",
    });
    copy.addEventListener("click", () => {
      linkBox.value = location.href;
      const done = () => {
        message.classList.remove("stp-error");
        message.textContent = "Link copied: it opens this view.";
      };
      const fallback = () => {
        linkBox.hidden = false;
        linkBox.select();
        try {
          document.execCommand("copy");
          done();
        } catch (e) {
          message.textContent = "Select the link and copy it.";
        }
      };
      if (navigator.clipboard && navigator.clipboard.writeText)
        navigator.clipboard.writeText(location.href).then(done, fallback);
      else fallback();
    });
    linkBox.hidden = true;
    tools.append(h("label", { for: scaleSel.id }, "text size "), scaleSel, " ", copy, linkBox);

    const canvas = h("canvas", { class: "stp-figure", role: "img" });
    const desc = h("p", { class: "stp-sr-only stp-description", id: `stp-desc-${C.nextId()}` });
    canvas.setAttribute("aria-describedby", desc.id);
    const figure = h("div", { class: "stp-figure-box" }, canvas, desc);
    const readouts = h("div", { class: "stp-readouts" });
    const equations = h("div", { class: "stp-equations-body" });
    const eqBox = h(
      "details",
      { class: "stp-equations" },
      h("summary", {}, "model equations"),
      equations,
    );
    el.append(
      h("div", { class: "stp-top" }, synapse, input),
      tools,
      message,
      figure,
      readouts,
      eqBox,
    );

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
      const cssH = narrow ? 280 * panels.length * state.scale : Math.round((cssW * 560) / 920);
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
          // Room above for the legend's rows (and below for the last time panel's label).
          const extra = { frequency: 6, data: 6, membrane: 4.5 }[p] || 3;
          rects[p] = {
            x: 62 * state.scale,
            y: k * rowH + extra * 13 * state.scale,
            w: cssW - 88 * state.scale,
            h: rowH - (extra * 13 + 50) * state.scale,
          };
        });
      } else {
        rects = F.layout(panels, cssW, cssH, state.scale);
      }
      const tr = frame.trace;
      const peak = maxOf(tr.current);
      limits.cur = F.upperLimit(limits.cur, 1.1 * peak);
      let vtop = 0;
      if (frame.v) {
        vtop = maxOf(frame.v);
        if (state.lif) vtop = Math.max(vtop, state.threshold);
        limits.vtop = vtop;
        limits.vmax = F.upperLimit(limits.vmax || 1e-9, 1.25 * vtop);
      }
      let top = 0;
      if (frame.data) {
        recordings.forEach((rec, k) => {
          rec.mean.forEach((m, j) => {
            top = Math.max(top, m + rec.spread[j]);
          });
          top = Math.max(top, maxOf(frame.data.predicted[k]));
        });
        if (top > 0) limits.ytop = F.upperLimit(limits.ytop, 1.1 * top);
      }
      const longest = Math.max(10, ...recordings.map((r) => r.mean.length));
      const lims = {
        state: { xlim: [0, frame.duration], ylim: [-0.02, 1.12] },
        current: { xlim: [0, frame.duration], ylim: [0, limits.cur] },
        membrane: { xlim: [0, frame.duration], ylim: [0, limits.vmax || 1] },
        frequency: { xlim: [1, 100], ylim: [0, 1.02], xlog: true },
        data: {
          xlim: [
            0.5,
            (recordings.length ? Math.max(...recordings.map((r) => r.mean.length)) : longest) + 0.5,
          ],
          ylim: [0, limits.ytop],
        },
      };
      const lastTime = timeNames[timeNames.length - 1];
      for (const name of panels) {
        const ax = new F.Axes(ctx, rects[name], { ...lims[name], scale: state.scale });
        const st = { ...state, narrow, last: name === lastTime };
        PANELS[name](ax, frame, st, limits, rects[name].w, recordings);
      }
      for (const fn of syncers) fn(state);
      for (const [key, row] of Object.entries(kindRows)) {
        const used = key === "threshold" ? state.lif : S.USES[state.kind].includes(key);
        row.hidden = !used;
      }
      if (
        !S.SCALES.includes(state.scale) &&
        !scaleSel.querySelector(`option[value="${state.scale}"]`)
      ) {
        scaleSel.append(h("option", { value: String(state.scale) }, `${state.scale}×`));
      }
      scaleSel.value = String(state.scale);
      readouts.innerHTML = readoutsHTML(state, frame, model.stimulus().times);
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
      if (!pending) {
        pending = true;
        root.requestAnimationFrame(draw);
      }
    }
    model.on(() => {
      clearError();
      schedule();
    });
    root.addEventListener("resize", schedule);
    draw();

    const pick = (a) => Array.from(a);
    return {
      get: () => model.get(),
      set(values) {
        try {
          clearError();
          return model.set(values);
        } catch (err) {
          onError(err);
          throw err;
        }
      },
      trace() {
        const fr = model.frame();
        const out = {
          t: pick(fr.trace.t),
          x: pick(fr.trace.x),
          u: pick(fr.trace.u),
          current: pick(fr.trace.current),
        };
        if (membrane && fr.v) out.v = pick(fr.v);
        return out;
      },
      spikes: () => pick(model.frame().trace.spikes),
      outputSpikes: () => (model.frame().outputSpikes ? pick(model.frame().outputSpikes) : []),
      readouts: () => ({ ...model.frame().readouts }),
      data: () =>
        model.frame().data ? { sse: model.frame().data.sse, r2: model.frame().data.r2 } : null,
      redraw: draw,
      drawn: () => drawn,
    };
  }

  root.STPExplorer = { render, decimate, describe };
})(typeof globalThis !== "undefined" ? globalThis : this);
