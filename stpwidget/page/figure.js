/* A tiny canvas plotting kit in matplotlib's default style (DejaVu Sans, 0.8 pt spines,
 * outward ticks, MaxNLocator's 1-2-2.5-5 steps, ScalarFormatter's labels, log decades) and
 * the explorer's panels drawn with it. Sizes are in points, as in matplotlib at 100 dpi.
 * `globalThis.STPFigure` in a page; CommonJS in Node (the layout and ticks are testable).
 */
(function (root, factory) {
  const api = factory();
  if (typeof module === "object" && module.exports) module.exports = api;
  else root.STPFigure = api;
})(typeof globalThis !== "undefined" ? globalThis : this, function () {
  "use strict";

  const PT = 100 / 72; // CSS pixels per point at the notebook figure's 100 dpi
  /** By what each colour shows: view/style.py PALETTE (3:1 on both themes; a test compares). */
  const COLORS = {
    x: "#0072B2",
    u: "#D55E00",
    current: "#009E73",
    release: "#000000",
    rate: "#C2729E",
    limit: "#636945",
  };
  const DATA_COLORS = ["#0072B2", "#D55E00", "#009E73", "#C2729E", "#636945", "#865D76"];
  const FONT = '"DejaVu Sans", "Bitstream Vera Sans", Verdana, Arial, sans-serif';
  const SIZES = { medium: 10, small: 8.33, "x-small": 6.94 };

  /** Smallest of 1, 2, 5 × 10^k that is >= value (view/figure.py nice_ceiling). */
  function niceCeiling(value) {
    if (!Number.isFinite(value) || value <= 0) return 1.0;
    const decade = Math.pow(10, Math.floor(Math.log10(value)));
    for (const m of [1, 2, 5, 10]) if (m * decade >= value * (1 - 1e-12)) return m * decade;
    return 10 * decade;
  }

  /**
   * An axis' upper limit that follows the data in 1-2-5 steps and is lowered only once the
   * data use under a fifth of it (view/figure.py set_upper_limit): still while dragging.
   */
  function upperLimit(current, top) {
    if (top <= current && top >= current / 5) return current;
    return niceCeiling(top);
  }

  /** Tick positions of matplotlib's AutoLocator (MaxNLocator, steps 1, 2, 2.5, 5, 10). */
  function linearTicks(lo, hi, nbins) {
    nbins = Math.max(1, Math.min(9, nbins));
    const span = hi - lo;
    if (!(span > 0)) return [lo];
    const scale = Math.pow(10, Math.floor(Math.log10(span / nbins)));
    const raw = span / nbins;
    const steps = [1, 2, 2.5, 5, 10, 20].map((s) => s * scale);
    let istep = steps.findIndex((s) => s >= raw);
    for (; istep >= 0; istep--) {
      const step = steps[istep];
      const first = Math.floor(lo / step + 1e-10);
      const last = Math.ceil(hi / step - 1e-10);
      const ticks = [];
      for (let k = first; k <= last; k++) ticks.push(k * step);
      const inside = ticks.filter((t) => t >= lo - 1e-10 * step && t <= hi + 1e-10 * step);
      if (inside.length >= 2 || istep === 0) {
        return inside.map((t) => Number(t.toPrecision(12)));
      }
    }
    return [lo, hi];
  }

  /** Labels like ScalarFormatter's: one number of decimals for all, enough for the step. */
  function tickLabels(ticks) {
    if (ticks.length < 2) return ticks.map((t) => String(t));
    const step = Math.abs(ticks[1] - ticks[0]);
    const decimals = Math.max(
      0,
      Math.min(
        12,
        -Math.floor(Math.log10(step) + 1e-9) +
          (String(
            Number((step / Math.pow(10, Math.floor(Math.log10(step) + 1e-9))).toPrecision(6)),
          ).includes(".")
            ? 1
            : 0),
      ),
    );
    return ticks.map((t) => (t === 0 ? 0 : t).toFixed(decimals).replace("-", "−"));
  }

  /** An axis' ticks and labels, with matplotlib's "1e−4"-style multiplier for tiny or huge ranges. */
  function axisTicks(lo, hi, lengthPt, labelPt, factor) {
    const ticks = linearTicks(lo, hi, Math.floor(lengthPt / (labelPt * factor)));
    const big = Math.max(Math.abs(lo), Math.abs(hi));
    const exponent = big > 0 ? Math.floor(Math.log10(big)) : 0;
    if (big > 0 && (exponent < -3 || exponent > 4)) {
      const mult = Math.pow(10, exponent);
      return {
        ticks,
        labels: tickLabels(ticks.map((t) => t / mult)),
        offset: `1e${exponent}`.replace("-", "−"),
      };
    }
    return { ticks, labels: tickLabels(ticks), offset: "" };
  }

  /** Panel rectangles in CSS px: time panels stacked on the left, side panels on the right. */
  function layout(names, width, height, scale) {
    const m = scale;
    const time = names.filter((n) => n === "state" || n === "current" || n === "membrane");
    const side = names.filter((n) => n === "frequency" || n === "data");
    const rects = {};
    const right = side.length ? 0.6 - 0.03 * (m - 1) : 0.92;
    const left = 0.08 * m;
    const top = 1 - 0.1 * m;
    const bottom = 0.1 * m;
    const hspace = 0.16 * m;
    const cell = (top - bottom) / (time.length + hspace * (time.length - 1));
    time.forEach((name, k) => {
      const y1 = top - k * cell * (1 + hspace);
      rects[name] = {
        x: left * width,
        y: (1 - y1) * height,
        w: (right - left) * width,
        h: cell * height,
      };
    });
    const slot = (1 - 0.2 * m) / Math.max(1, side.length);
    const sl = 0.71 + 0.05 * (m - 1);
    side.forEach((name, k) => {
      const b = 0.1 * m + (side.length - 1 - k) * slot;
      const h = slot - (side.length === 1 ? 0.16 : 0.21) * m;
      rects[name] = {
        x: sl * width,
        y: (1 - b - h) * height,
        w: (0.92 - sl) * width,
        h: h * height,
      };
    });
    return rects;
  }

  /** A drawing context for one axes: data → pixel transforms and matplotlib-like pieces. */
  function Axes(ctx, rect, opts) {
    this.ctx = ctx;
    this.r = rect;
    this.s = opts.scale || 1;
    this.xlim = opts.xlim;
    this.ylim = opts.ylim;
    this.xlog = !!opts.xlog;
    this.fg = opts.fg || "#000000";
  }
  Axes.prototype.px = function (x) {
    const [a, b] = this.xlim;
    const f = this.xlog
      ? (Math.log10(x) - Math.log10(a)) / (Math.log10(b) - Math.log10(a))
      : (x - a) / (b - a);
    return this.r.x + f * this.r.w;
  };
  Axes.prototype.py = function (y) {
    const [a, b] = this.ylim;
    return this.r.y + this.r.h - ((y - a) / (b - a)) * this.r.h;
  };
  Axes.prototype.font = function (size) {
    return `${(SIZES[size] || size) * PT * this.s}px ${FONT}`;
  };
  Axes.prototype.text = function (str, x, y, size, align, baseline, color, rotate) {
    const c = this.ctx;
    c.save();
    c.font = this.font(size);
    c.fillStyle = color || this.fg;
    c.textAlign = align;
    c.textBaseline = baseline;
    c.translate(x, y);
    if (rotate) c.rotate(rotate);
    c.fillText(str, 0, 0);
    c.restore();
  };
  /** Spines, ticks, tick labels, grid and axis labels (under the data: call it first). */
  Axes.prototype.frame = function (o) {
    const c = this.ctx;
    const s = this.s;
    const r = this.r;
    const tick = 3.5 * PT * s;
    const pad = 3.5 * PT * s;
    c.save();
    c.lineWidth = 0.8 * PT * s;
    const grid = (pos, vertical, alpha) => {
      c.strokeStyle = `rgba(176,176,176,${alpha})`;
      c.beginPath();
      if (vertical) {
        c.moveTo(pos, r.y);
        c.lineTo(pos, r.y + r.h);
      } else {
        c.moveTo(r.x, pos);
        c.lineTo(r.x + r.w, pos);
      }
      c.stroke();
    };
    const ylen = r.h / (PT * s);
    const yt = axisTicks(this.ylim[0], this.ylim[1], ylen, 10, 2);
    const yticks = yt.ticks.filter((t) => t >= this.ylim[0] - 1e-12 && t <= this.ylim[1] + 1e-12);
    const xticks = [];
    const xlabels = [];
    let xminor = [];
    if (this.xlog) {
      const [a, b] = this.xlim;
      for (let e = Math.floor(Math.log10(a)); e <= Math.ceil(Math.log10(b)); e++) {
        const v = Math.pow(10, e);
        if (v >= a * (1 - 1e-12) && v <= b * (1 + 1e-12)) {
          xticks.push(v);
          xlabels.push(["10", String(e).replace("-", "−")]);
        }
        for (let k = 2; k < 10; k++) if (k * v > a && k * v < b) xminor.push(k * v);
      }
    } else {
      const xt = axisTicks(this.xlim[0], this.xlim[1], r.w / (PT * s), 10, 3);
      xt.ticks.forEach((t, k) => {
        if (t >= this.xlim[0] - 1e-12 && t <= this.xlim[1] + 1e-12) {
          xticks.push(t);
          xlabels.push(xt.labels[k]);
        }
      });
      this.xoffset = xt.offset;
    }
    if (o.grid) {
      for (const t of xticks) grid(this.px(t), true, 0.25);
      if (o.grid === "both") for (const t of xminor) grid(this.px(t), true, 0.25);
      for (const t of yticks) grid(this.py(t), false, 0.25);
    }
    c.strokeStyle = this.fg;
    c.strokeRect(r.x, r.y, r.w, r.h);
    c.beginPath();
    for (const t of xticks) {
      const X = this.px(t);
      c.moveTo(X, r.y + r.h);
      c.lineTo(X, r.y + r.h + tick);
    }
    for (const t of yticks) {
      const Y = this.py(t);
      c.moveTo(r.x, Y);
      c.lineTo(r.x - tick, Y);
    }
    c.stroke();
    c.beginPath();
    c.lineWidth = 0.6 * PT * s;
    for (const t of xminor) {
      const X = this.px(t);
      c.moveTo(X, r.y + r.h);
      c.lineTo(X, r.y + r.h + 2 * PT * s);
    }
    c.stroke();
    c.restore();
    yticks.forEach((t) => {
      const k = yt.ticks.indexOf(t);
      this.text(yt.labels[k], r.x - tick - pad, this.py(t), "medium", "right", "middle");
    });
    if (yt.offset) this.text(yt.offset, r.x, r.y - 2 * PT * s, "medium", "left", "bottom");
    if (o.xticklabels !== false) {
      xticks.forEach((t, k) => {
        const X = this.px(t);
        const Y = r.y + r.h + tick + pad;
        if (Array.isArray(xlabels[k])) {
          const [base, exp] = xlabels[k];
          this.text(base, X, Y + 2 * PT * s, "medium", "right", "top");
          this.text(exp, X, Y, 7, "left", "top");
        } else {
          this.text(xlabels[k], X, Y, "medium", "center", "top");
        }
      });
      if (this.xoffset)
        this.text(
          this.xoffset,
          r.x + r.w,
          r.y + r.h + tick + pad + 14 * PT * s,
          "medium",
          "right",
          "top",
        );
    }
    const ylabelX = r.x - tick - pad - this.yLabelWidth(yt.labels) - 4 * PT * s;
    if (o.ylabel)
      this.text(o.ylabel, ylabelX, r.y + r.h / 2, "medium", "center", "bottom", null, -Math.PI / 2);
    if (o.xlabel)
      this.text(
        o.xlabel,
        r.x + r.w / 2,
        r.y + r.h + tick + pad + 14 * PT * s + 4 * PT * s,
        "medium",
        "center",
        "top",
      );
  };
  Axes.prototype.yLabelWidth = function (labels) {
    this.ctx.save();
    this.ctx.font = this.font("medium");
    const w = Math.max(0, ...labels.map((l) => this.ctx.measureText(l).width));
    this.ctx.restore();
    return w;
  };
  /** A polyline clipped to the axes (NaN breaks it). */
  Axes.prototype.line = function (xs, ys, o) {
    const c = this.ctx;
    c.save();
    c.beginPath();
    c.rect(this.r.x, this.r.y, this.r.w, this.r.h);
    c.clip();
    c.strokeStyle = o.color;
    c.globalAlpha = o.alpha === undefined ? 1 : o.alpha;
    c.lineWidth = (o.lw || 1.5) * PT * this.s;
    c.lineJoin = "round";
    if (o.dash) c.setLineDash(o.dash.map((d) => d * PT * this.s));
    c.beginPath();
    let pen = false;
    for (let k = 0; k < xs.length; k++) {
      if (!Number.isFinite(ys[k])) {
        pen = false;
        continue;
      }
      const X = this.px(xs[k]);
      const Y = this.py(ys[k]);
      if (pen) c.lineTo(X, Y);
      else c.moveTo(X, Y);
      pen = true;
    }
    c.stroke();
    c.restore();
  };
  /** Markers: "o" (filled circle), "|" (vertical tick), "v" (triangle down). Size in points. */
  Axes.prototype.markers = function (xs, ys, o) {
    const c = this.ctx;
    const size = o.ms * PT * this.s;
    c.save();
    c.fillStyle = o.color;
    c.strokeStyle = o.color;
    c.lineWidth = (o.mew || 1) * PT * this.s;
    for (let k = 0; k < xs.length; k++) {
      const X = this.px(xs[k]);
      const Y = this.py(ys[k]);
      if (X < this.r.x - 1 || X > this.r.x + this.r.w + 1) continue;
      drawMarker(c, o.marker, X, Y, size);
    }
    c.restore();
  };
  function drawMarker(c, marker, X, Y, size) {
    c.beginPath();
    if (marker === "o") {
      c.arc(X, Y, size / 2, 0, 2 * Math.PI);
      c.fill();
    } else if (marker === "|") {
      c.moveTo(X, Y - size / 2);
      c.lineTo(X, Y + size / 2);
      c.stroke();
    } else if (marker === "v") {
      c.moveTo(X - size / 2, Y - size / 2);
      c.lineTo(X + size / 2, Y - size / 2);
      c.lineTo(X, Y + size / 2);
      c.closePath();
      c.fill();
    }
  }
  /**
   * A frameless legend above the axes (anchored at its lower left, x in axes fractions):
   * entries [{label, color, lw, dash, marker, ms}], in `ncols` columns, with an optional title.
   */
  Axes.prototype.legend = function (entries, o) {
    const c = this.ctx;
    const s = this.s;
    const fs = (SIZES[o.fontsize] || 10) * PT * s;
    const handle = 1.5 * fs;
    const rowH = fs * 1.25;
    const titleH = o.title ? SIZES[o.titlesize || "small"] * PT * s * 1.35 : 0;
    const x0 = this.r.x + (o.anchorX || 0) * this.r.w + 0.4 * fs;
    c.save();
    c.font = this.font(o.fontsize);
    const widths = entries.map((e) => c.measureText(e.label).width);
    c.restore();
    // Columns of the widest entry each; fewer columns where they would leave the canvas.
    const room = c.canvas.clientWidth ? c.canvas.clientWidth - x0 : Infinity;
    let rows = 0;
    let colW = [];
    for (let ncols = o.ncols; ncols >= 1; ncols--) {
      rows = Math.ceil(entries.length / ncols);
      colW = [];
      for (let k = 0; k < entries.length; k++) {
        const col = Math.floor(k / rows);
        colW[col] = Math.max(colW[col] || 0, handle + 0.8 * fs + widths[k] + 2 * fs);
      }
      if (colW.reduce((a, b) => a + b, 0) - 2 * fs <= room) break;
    }
    const y = this.r.y - 0.2 * fs - rows * rowH;
    if (o.title)
      this.text(o.title, x0, y - titleH + 0.15 * fs, o.titlesize || "small", "left", "top");
    entries.forEach((e, k) => {
      const col = Math.floor(k / rows);
      const row = k % rows;
      let X = x0;
      for (let j = 0; j < col; j++) X += colW[j];
      const Y = y + row * rowH + rowH / 2;
      c.save();
      c.strokeStyle = e.color;
      c.fillStyle = e.color;
      if (e.lw) {
        c.lineWidth = e.lw * PT * s;
        if (e.dash) c.setLineDash(e.dash.map((d) => d * PT * s));
        c.beginPath();
        c.moveTo(X, Y);
        c.lineTo(X + handle, Y);
        c.stroke();
      }
      if (e.marker) {
        c.lineWidth = (e.mew || 1) * PT * s;
        drawMarker(c, e.marker, X + handle / 2, Y, e.ms * PT * s);
      }
      c.restore();
      this.text(e.label, X + handle + 0.8 * fs, Y, o.fontsize, "left", "middle");
    });
  };

  return {
    PT,
    COLORS,
    DATA_COLORS,
    FONT,
    niceCeiling,
    upperLimit,
    linearTicks,
    tickLabels,
    axisTicks,
    layout,
    Axes,
  };
});
