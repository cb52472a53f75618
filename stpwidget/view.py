"""The view: pure matplotlib. Builds the explorer's figure and updates its artists.

Nothing here knows about widgets. :class:`STPView` owns the axes and artists; its
``show_*`` methods only call ``set_data``/``set_text``-like setters and report whether an
axis limit changed (then the whole figure must be redrawn; otherwise only the data artists).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from stpwidget.closed_form import SteadyState
from stpwidget.model import STPTrace

#: Okabe–Ito colours: distinguishable with the common colour-vision deficiencies.
COLORS = {
    "x": "#0072B2",
    "u": "#E69F00",
    "current": "#009E73",
    "release": "#000000",
    "rate": "#CC79A7",
    "limit": "#D55E00",
}
GHOST_ALPHA = 0.35
#: Rates (Hz) of the frequency-response panel.
RATES = np.logspace(0, 2, 121)


def decimate(
    trace: STPTrace, field: str, width_px: int, index: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Points of one traced quantity, thinned to about two per pixel, with sharp spikes.

    Every returned point lies on the model's exact trace: it is either a sample of
    ``trace`` (unchanged) or, at a spike time, the value just before the spike. Thinning
    drops samples but never moves one.

    Parameters
    ----------
    trace : STPTrace
        A trace from :func:`stpwidget.simulate` (``method="exact"``).
    field : {"x", "u", "current"}
        Which quantity.
    width_px : int
        Width of the plot in pixels (> 0).
    index : int, optional
        Member of a batched trace.

    Returns
    -------
    t, y : numpy.ndarray
        Times in s and values, sorted by time.
    """
    t = trace.t.cpu().numpy()
    y = getattr(trace, field)
    pre = getattr(trace.pre, field)
    if index is not None:
        y, pre = y[index], pre[index]
    y, pre = y.detach().cpu().numpy(), pre.detach().cpu().numpy()
    n = len(t)
    stride = max(1, -(-n // (2 * max(1, width_px))))  # ceil: at most ~2 points per pixel
    keep = np.zeros(n, dtype=bool)
    keep[::stride] = True
    keep[-1] = True
    spikes = trace.spike_times.cpu().numpy()
    inside = spikes < t[-1] + trace.dt
    spikes, pre = spikes[inside], pre[inside]
    # Around each spike keep the sample before it and the first one on or after it.
    first = np.searchsorted(t, spikes, side="left")
    keep[np.clip(first, 0, n - 1)] = True
    keep[np.clip(first - 1, 0, n - 1)] = True
    tk, yk = t[keep], y[keep]
    # Merge in the pre-spike values at the spike instants; at equal times they come first.
    times = np.concatenate([spikes, tk])
    values = np.concatenate([pre, yk])
    order = np.lexsort((np.r_[np.zeros(len(spikes)), np.ones(len(tk))], times))
    return times[order], values[order]


def nice_ceiling(value: float) -> float:
    """Smallest of 1, 2, 5 x 10^k that is >= ``value`` (limits that change in steps)."""
    if not math.isfinite(value) or value <= 0:
        return 1.0
    exponent = math.floor(math.log10(value))
    for mantissa in (1.0, 2.0, 5.0, 10.0):
        if mantissa * 10**exponent >= value * (1 - 1e-12):
            return mantissa * 10**exponent
    return 10.0 ** (exponent + 1)  # pragma: no cover - loop always returns


def style_state_axes(ax: Axes) -> None:
    """Axes for x and u (fractions, 0 to 1, with room for spike marks on top)."""
    ax.set_ylim(-0.02, 1.12)
    ax.set_ylabel("fraction")
    ax.grid(alpha=0.25)


def style_current_axes(ax: Axes) -> None:
    """Axes for the synaptic current (units of A) against time in s."""
    ax.set_ylabel("current I (units of A)")
    ax.set_xlabel("time (s)")
    ax.grid(alpha=0.25)


def legends_above(*axes: Axes) -> None:
    """Put each legend above its panel, so it never covers data."""
    for ax in axes:
        ax.legend(
            loc="lower left",
            bbox_to_anchor=(0.0, 1.0),
            ncols=3,
            fontsize="small",
            frameon=False,
            borderaxespad=0.2,
            handlelength=1.5,
        )


def trace_lines(ax_state: Axes, ax_current: Axes, ghost: bool = False) -> dict[str, Line2D]:
    """Create the x, u, current and release artists on two axes (empty data)."""
    alpha, style = (GHOST_ALPHA, "--") if ghost else (1.0, "-")
    label = (lambda s: "_nolegend_") if ghost else (lambda s: s)
    lines = {
        "x": ax_state.plot(
            [],
            [],
            style,
            color=COLORS["x"],
            alpha=alpha,
            lw=1.6,
            label=label("x: available resources"),
        )[0],
        "u": ax_state.plot(
            [], [], style, color=COLORS["u"], alpha=alpha, lw=1.6, label=label("u: utilization")
        )[0],
        "current": ax_current.plot(
            [], [], style, color=COLORS["current"], alpha=alpha, lw=1.4, label=label("current I")
        )[0],
    }
    if not ghost:
        lines["release"] = ax_current.plot(
            [], [], "o", color=COLORS["release"], ms=4, label="release A·r per spike"
        )[0]
        lines["spikes"] = ax_state.plot(
            [], [], "|", color=COLORS["release"], ms=9, mew=1.5, label="presynaptic spikes"
        )[0]
    return lines


def set_trace(lines: dict[str, Line2D], trace: STPTrace, width_px: int) -> float:
    """Put a trace on lines made by :func:`trace_lines`; return the largest current shown."""
    for field in ("x", "u", "current"):
        lines[field].set_data(*decimate(trace, field, width_px))
    spikes = trace.spike_times.cpu().numpy()
    if "release" in lines:
        amplitude = (trace.release * trace.params.as_tensors()["A"]).detach().cpu().numpy()
        lines["release"].set_data(spikes, amplitude)
        lines["spikes"].set_data(spikes, np.full(len(spikes), 1.07))
    return float(trace.current.max()) if trace.current.numel() else 0.0


def plot_trace(trace: STPTrace, ax: Axes | Sequence[Axes] | None = None) -> Figure:
    """Draw a trace as a static figure: x and u above, the current below.

    Parameters
    ----------
    trace : STPTrace
        From :func:`stpwidget.simulate` (one synapse, ``method="exact"``).
    ax : matplotlib Axes or pair of Axes, optional
        Where to draw: two axes (state, current), or one axes for everything (the current
        then goes on a twin y axis). Default: a new pyplot figure with two stacked panels.

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn on.
    """
    if ax is None:
        _, (ax_state, ax_current) = plt.subplots(
            2, 1, sharex=True, figsize=(8, 5), layout="constrained"
        )
    elif isinstance(ax, Axes):
        ax_state, ax_current = ax, ax.twinx()
    else:
        ax_state, ax_current = ax
    style_state_axes(ax_state)
    style_current_axes(ax_current)
    lines = trace_lines(ax_state, ax_current)
    width = int(ax_state.get_window_extent().width) or 800
    peak = set_trace(lines, trace, width)
    ax_state.set_xlim(0, float(trace.t[-1]) + trace.dt)
    ax_current.set_ylim(0, nice_ceiling(1.1 * peak))
    legends_above(ax_state, ax_current)
    return ax_state.figure


class STPView:
    """The explorer's figure: two time panels and a frequency-response panel.

    Parameters
    ----------
    figure : matplotlib.figure.Figure
        An empty figure to draw on (made by the caller, so the view does not care whether
        it belongs to pyplot, ipympl or a bare Agg canvas).
    """

    def __init__(self, figure: Figure) -> None:
        self.figure = figure
        grid = figure.add_gridspec(2, 1, left=0.08, right=0.6, top=0.9, bottom=0.1, hspace=0.16)
        self.ax_state = figure.add_subplot(grid[0])
        self.ax_current = figure.add_subplot(grid[1], sharex=self.ax_state)
        # Shorter than the time panels: its four-line legend sits above it.
        self.ax_freq = figure.add_axes((0.71, 0.1, 0.21, 0.64))
        self.ax_rate = self.ax_freq.twinx()
        style_state_axes(self.ax_state)
        style_current_axes(self.ax_current)
        self.ax_state.tick_params(labelbottom=False)
        self.lines = trace_lines(self.ax_state, self.ax_current)
        self.ghosts = {
            "pin": trace_lines(self.ax_state, self.ax_current, ghost=True),
            "other": trace_lines(self.ax_state, self.ax_current, ghost=True),
        }
        for line in self.ghosts["other"].values():
            line.set_linestyle(":")
        for line in (*self.ghosts["pin"].values(), *self.ghosts["other"].values()):
            line.set_visible(False)
        self._style_frequency_panel()
        legends_above(self.ax_state, self.ax_current)
        self.ax_current.set_ylim(0, 1e-9)  # the first show() picks the limit from the data
        self._peaks = {"main": 0.0, "pin": 0.0, "other": 0.0}

    def _style_frequency_panel(self) -> None:
        ax, twin = self.ax_freq, self.ax_rate
        ax.set_xscale("log")
        ax.set_xlim(RATES[0], RATES[-1])
        ax.set_ylim(0, 1.02)
        ax.set_xlabel("input rate f (Hz)")
        ax.set_ylabel("steady-state release r∞ per spike", color=COLORS["x"])
        twin.set_ylabel("release rate f·r∞ (Hz)", color=COLORS["rate"])
        ax.grid(alpha=0.25, which="both")
        lines = {
            "ss_release": ax.plot(
                [], [], color=COLORS["x"], lw=1.6, label="r∞: release per spike (left)"
            )[0],
            "ss_rate": twin.plot(
                [], [], color=COLORS["rate"], lw=1.6, label="f·r∞: release rate (right)"
            )[0],
            "rate_marker": ax.plot([], [], "o", color=COLORS["release"], ms=6, label="input rate")[
                0
            ],
            "limit": ax.axvline(
                1.0, color=COLORS["limit"], ls=":", lw=1.2, label="limiting frequency 1/(U τ_d)"
            ),
            "ghost_ss": ax.plot(
                [], [], "--", color=COLORS["x"], alpha=GHOST_ALPHA, label="_nolegend_"
            )[0],
        }
        lines["ghost_ss"].set_visible(False)
        self.lines.update(lines)
        # The values live in the readouts: no text artist to re-render on every update.
        handles = [lines[k] for k in ("ss_release", "ss_rate", "rate_marker", "limit")]
        ax.legend(
            handles=handles,
            loc="lower left",
            bbox_to_anchor=(-0.25, 1.0),
            fontsize="x-small",
            frameon=False,
            borderaxespad=0.2,
            handlelength=1.5,
            title="steady state of a regular train",
            title_fontsize="small",
            alignment="left",
        )
        twin.set_yscale("log")
        twin.set_ylim(1e-2, 1e2)  # f·r∞ <= f <= 100 Hz: a fixed log axis never jumps

    @property
    def width_px(self) -> int:
        """Width of the time panels in pixels (for thinning)."""
        bbox = self.ax_state.get_position()
        return max(1, int(bbox.width * self.figure.bbox.width))

    @property
    def data_artists(self) -> list:
        """Artists that change with the data (redrawn when blitting)."""
        ghosts = [a for g in self.ghosts.values() for a in g.values()]
        return [*ghosts, *self.lines.values()]

    def show(self, trace: STPTrace, frequency: SteadyState, rate: float, limit: float) -> bool:
        """Show a trace and the frequency response; return True if an axis limit changed.

        Parameters
        ----------
        trace : STPTrace
            Exact trace of the current parameters and protocol.
        frequency : SteadyState
            Steady state over :data:`RATES` (Hz).
        rate : float
            The protocol's rate in Hz (marked on the frequency panel).
        limit : float
            Limiting frequency 1 / (U τ_d) in Hz.
        """
        self._peaks["main"] = set_trace(self.lines, trace, self.width_px)
        release = frequency.release.detach().cpu().numpy()
        self.lines["ss_release"].set_data(RATES, release)
        self.lines["ss_rate"].set_data(RATES, RATES * release)
        r_at = float(np.interp(np.log(rate), np.log(RATES), release))
        self.lines["rate_marker"].set_data([rate], [r_at])
        self.lines["limit"].set_xdata([limit, limit])
        changed = self._set_limit(self.ax_state, "x", float(trace.t[-1]) + trace.dt, exact=True)
        changed |= self._set_limit(self.ax_current, "y", 1.1 * max(self._peaks.values()))
        return changed

    def show_ghost(
        self, which: str, trace: STPTrace | None, frequency: SteadyState | None = None
    ) -> bool:
        """Show (or hide, with ``None``) the faint ``"pin"`` or ``"other"`` traces."""
        lines = self.ghosts[which]
        if which == "pin":
            lines = {**lines, "ss": self.lines["ghost_ss"]}
        for line in lines.values():  # hidden ghosts cost nothing to blit
            line.set_visible(trace is not None)
        if trace is None:
            for line in lines.values():
                line.set_data([], [])
            self._peaks[which] = 0.0
        else:
            self._peaks[which] = set_trace(lines, trace, self.width_px)
            if frequency is not None:
                self.lines["ghost_ss"].set_data(RATES, frequency.release.cpu().numpy())
        return self._set_limit(self.ax_current, "y", 1.1 * max(self._peaks.values()))

    @staticmethod
    def _set_limit(ax: Axes, axis: str, top: float, exact: bool = False) -> bool:
        """Raise an axis' upper limit in 1-2-5 steps; lower it once data use under a fifth.

        The hysteresis keeps limits still while dragging. Returns True if the limit changed.
        """
        get, set_ = (ax.get_xlim, ax.set_xlim) if axis == "x" else (ax.get_ylim, ax.set_ylim)
        current = get()[1]
        if exact:
            if math.isclose(current, top):
                return False
        elif top <= current and top >= current / 5:
            return False
        else:
            top = nice_ceiling(top)
        set_(0, top)
        return True
