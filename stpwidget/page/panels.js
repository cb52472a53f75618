/* The explorer's panels drawn on a canvas with figure.js, each from a frame (frame.js
 * compute): which lines, marks, labels and legends, as stpwidget/view/panels/*.py draws them.
 * `globalThis.STPPanels` (after figure.js).
 */
(function (root) {
  "use strict";
  const F = root.STPFigure;
  const maxOf = (a) => {
    let m = 0;
    for (const v of a) if (v > m) m = v;
    return m;
  };

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
      const nearSpike =
        spikeHere || (k < tr.spikes.length && s + 1 < n && tr.spikes[k] <= t[s + 1]);
      if (spikeHere) {
        while (k < tr.spikes.length && tr.spikes[k] <= t[s]) {
          if (tr.spikes[k] < end) {
            xs.push(tr.spikes[k]);
            ys.push(pre[k]);
          }
          k++;
        }
      }
      if (s % stride === 0 || s === n - 1 || nearSpike || spikeHere) {
        xs.push(t[s]);
        ys.push(y[s]);
      }
    }
    return [xs, ys];
  }

  function thinned(t, v, widthPx) {
    const stride = Math.max(1, Math.ceil(t.length / (2 * Math.max(1, widthPx))));
    const xs = [];
    const ys = [];
    for (let s = 0; s < t.length; s++)
      if (s % stride === 0 || s === t.length - 1) {
        xs.push(t[s]);
        ys.push(v[s]);
      }
    return [xs, ys];
  }

  /** A time panel's axes: one time label, at the bottom (tick labels on each on a phone). */
  function timeFrame(ax, st, ylabel) {
    const last = st.last;
    ax.frame({
      ylabel,
      grid: true,
      xticklabels: last || st.narrow,
      xlabel: last ? "time (s)" : "",
    });
  }

  /** A time panel's legend above it, in three columns as legends_above (two on a phone). */
  function timeLegend(ax, st, entries) {
    ax.legend(entries, { ncols: st.narrow ? 2 : 3, fontsize: "small" });
  }

  /** The panels, each drawn from a frame; `limits` keeps the axis limits between draws. */
  const PANELS = {
    state(ax, frame, st, limits, widthPx) {
      const tr = frame.trace;
      timeFrame(ax, st, "fraction");
      ax.line(...decimate(tr, "x", widthPx), { color: F.COLORS.x, lw: 1.6 });
      ax.line(...decimate(tr, "u", widthPx), { color: F.COLORS.u, lw: 1.6 });
      ax.markers(
        tr.spikes,
        Array.from(tr.spikes, () => 1.07),
        { marker: "|", color: F.COLORS.release, ms: 9, mew: 1.5 },
      );
      timeLegend(ax, st, [
        { label: "x: available resources", color: F.COLORS.x, lw: 1.6 },
        { label: "u: utilization", color: F.COLORS.u, lw: 1.6 },
        { label: "presynaptic spikes", color: F.COLORS.release, marker: "|", ms: 9, mew: 1.5 },
      ]);
    },
    current(ax, frame, st, limits, widthPx) {
      const tr = frame.trace;
      timeFrame(ax, st, "I (units of A)");
      ax.line(...decimate(tr, "current", widthPx), { color: F.COLORS.current, lw: 1.4 });
      ax.markers(
        tr.spikes,
        Array.from(tr.release, (r) => r * st.A),
        { marker: "o", color: F.COLORS.release, ms: 4 },
      );
      timeLegend(ax, st, [
        { label: "current I", color: F.COLORS.current, lw: 1.4 },
        { label: "release A·r per spike", color: F.COLORS.release, marker: "o", ms: 4 },
      ]);
    },
    membrane(ax, frame, st, limits, widthPx) {
      timeFrame(ax, st, "V (units of A)");
      if (!frame.v) return;
      ax.line(...thinned(frame.trace.t, frame.v, widthPx), { color: F.COLORS.current, lw: 1.4 });
      const entries = [{ label: "membrane potential V", color: F.COLORS.current, lw: 1.4 }];
      if (st.lif) {
        ax.line([0, frame.duration], [st.threshold, st.threshold], {
          color: F.COLORS.limit,
          lw: 1.0,
          dash: [3.7, 1.6],
        });
        const top = limits.vtop;
        ax.markers(
          frame.outputSpikes,
          Array.from(frame.outputSpikes, () => 1.12 * top),
          { marker: "v", color: F.COLORS.limit, ms: 6 },
        );
        entries.push(
          { label: "LIF threshold", color: F.COLORS.limit, lw: 1.0, dash: [3.7, 1.6] },
          { label: "postsynaptic spikes", color: F.COLORS.limit, marker: "v", ms: 6 },
        );
      }
      timeLegend(ax, st, entries);
    },
    frequency(ax, frame, st) {
      const f = frame.frequency;
      ax.frame({ ylabel: "fraction", xlabel: "input rate f (Hz)", grid: "both" });
      const rates = Array.from(f.rates);
      ax.line(rates, Array.from(f.release), { color: F.COLORS.x, lw: 1.6 });
      ax.line(
        rates,
        rates.map((r, k) => r * f.release[k] * st.tau_d),
        { color: F.COLORS.rate, lw: 1.6 },
      );
      const lr = Math.log(st.rate);
      let k = 1;
      while (k < 120 && Math.log(rates[k]) < lr) k++;
      const a = Math.log(rates[k - 1]);
      const b = Math.log(rates[k]);
      const rAt = f.release[k - 1] + ((lr - a) / (b - a)) * (f.release[k] - f.release[k - 1]);
      if (Number.isFinite(frame.limit) && frame.limit >= 1 && frame.limit <= 100) {
        ax.line([frame.limit, frame.limit], [0, 1.02], {
          color: F.COLORS.limit,
          lw: 1.2,
          dash: [1.2, 2],
        });
      }
      ax.markers([st.rate], [rAt], { marker: "o", color: F.COLORS.release, ms: 6 });
      ax.legend(
        [
          { label: "r: release per spike", color: F.COLORS.x, lw: 1.6 },
          { label: "f·r·τ_d: release rate / 1/τ_d", color: F.COLORS.rate, lw: 1.6 },
          { label: "input rate", color: F.COLORS.release, marker: "o", ms: 6 },
          { label: "half-ceiling rate f½", color: F.COLORS.limit, lw: 1.2, dash: [1.2, 2] },
        ],
        {
          ncols: 1,
          fontsize: "x-small",
          anchorX: st.narrow ? -0.1 : -0.25,
          title: frame.poisson
            ? "after long Poisson input (mean field)"
            : "after a long regular train (exact)",
        },
      );
    },
    data(ax, frame, st, limits, widthPx, recordings) {
      ax.frame({ ylabel: "amplitude", xlabel: "pulse number", grid: true });
      if (!frame.data) return;
      recordings.slice(0, 6).forEach((rec, k) => {
        const color = F.DATA_COLORS[k];
        const n = rec.mean.map((_, j) => j + 1);
        const bx = [];
        const by = [];
        n.forEach((x, j) => {
          bx.push(x, x, NaN);
          by.push(rec.mean[j] - rec.spread[j], rec.mean[j] + rec.spread[j], NaN);
        });
        ax.line(bx, by, { color, lw: 1.0, alpha: 0.6 });
        ax.line(n, Array.from(frame.data.predicted[k]), { color, lw: 1.4, alpha: 0.8 });
        ax.markers(n, rec.mean, { marker: "o", color, ms: 4 });
      });
      ax.legend(
        recordings.slice(0, 6).map((rec, k) => ({
          label: rec.label || `recording ${k + 1}`,
          color: F.DATA_COLORS[k],
          marker: "o",
          ms: 4,
        })),
        {
          ncols: 2,
          fontsize: "x-small",
          anchorX: st.narrow ? -0.1 : -0.25,
          title: "recorded (points ± sd) and model A·r (lines)",
        },
      );
    },
  };

  root.STPPanels = { PANELS, decimate, thinned, maxOf };
})(typeof globalThis !== "undefined" ? globalThis : this);
