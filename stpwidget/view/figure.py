"""Shared matplotlib pieces: colours, line styles, thinning, legends, units, ``plot_trace``.

Pure matplotlib and NumPy; the explorer's panels and the static :func:`plot_trace` use them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal, cast

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.lines import Line2D

from stpwidget.model import STPTrace
from stpwidget.view.style import PALETTE

#: Colours by what they show (see :data:`stpwidget.view.style.PALETTE`; black marks follow
#: the theme's foreground).
COLORS = dict(PALETTE)
#: Line style of each overlay: the pinned traces dashed, the other preset dotted. Overlays are
#: drawn in full colour (3:1 against the background), thinner than the live lines.
GHOST_STYLES: dict[str, Literal["--", ":"]] = {"pin": "--", "other": ":"}
GHOST_WIDTH = 1.1


def thinned_mask(n: int, width_px: int) -> np.ndarray:
    """Which of ``n`` samples to keep for about two points per pixel (the last one always)."""
    stride = max(1, -(-n // (2 * max(1, width_px))))  # ceil: at most ~2 points per pixel
    keep = np.zeros(n, dtype=bool)
    keep[::stride] = True
    keep[-1:] = True
    return keep


def thinned(trace: STPTrace, values: torch.Tensor, width_px: int) -> tuple[np.ndarray, np.ndarray]:
    """Samples of a continuous quantity (no jumps at spikes), about two per pixel.

    Every returned point is a sample of ``values`` at ``trace.t``, unchanged.
    """
    t, y = trace.t.cpu().numpy(), values.detach().cpu().numpy()
    keep = thinned_mask(len(t), width_px)
    return t[keep], y[keep]


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
    keep = thinned_mask(n, width_px)
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
    decade = 10.0 ** math.floor(math.log10(value))
    for mantissa in (1.0, 2.0, 5.0, 10.0):
        if mantissa * decade >= value * (1 - 1e-12):
            return mantissa * decade
    return 10.0 * decade  # pragma: no cover - loop always returns


def style_state_axes(ax: Axes) -> None:
    """Axes for x and u (fractions, 0 to 1, with room for spike marks on top)."""
    ax.set_ylim(-0.02, 1.12)
    ax.set_ylabel("fraction")
    ax.grid(alpha=0.25)


def style_current_axes(ax: Axes, unit: str = "units of A") -> None:
    """Axes for the synaptic current (in ``unit``) against time in s."""
    ax.set_ylabel(f"I ({unit})")  # short: fits a third of the figure at scale 1.5
    ax.set_xlabel("time (s)")
    ax.grid(alpha=0.25)


def place_legend(
    ax: Axes,
    handles: Sequence[Artist],
    title: str | None = None,
    ncols: int = 2,
    fontsize: str = "small",
) -> Legend:
    """The one way a panel's legend is placed: above the panel, left-aligned, no frame.

    Above the axes it never covers data; :meth:`stpwidget.view.STPView.layout` leaves room
    for it.
    """
    return ax.legend(
        handles=list(handles),
        loc="lower left",
        bbox_to_anchor=(0.0, 1.0),
        ncols=max(1, min(ncols, len(handles))),
        fontsize=fontsize,
        frameon=False,
        borderaxespad=0.2,
        handlelength=1.5,
        title=title,
        title_fontsize="small",
        alignment="left",
    )


def legends_above(*axes: Axes) -> None:
    """Put each legend above its panel, so it never covers data."""
    for ax in axes:
        place_legend(ax, ax.get_legend_handles_labels()[0], ncols=3)


def _line(ax: Axes, key: str, width: float, label: str, ghost: bool) -> Line2D:
    """One trace line in its colour: solid, or thin and dashed (unlabelled) for a ghost."""
    if ghost:
        width, label = GHOST_WIDTH, "_nolegend_"
    style = GHOST_STYLES["pin"] if ghost else "-"
    return ax.plot([], [], style, color=COLORS[key], lw=width, label=label)[0]


def state_lines(ax: Axes, ghost: bool = False) -> dict[str, Line2D]:
    """Create the x and u lines on ``ax`` (thin, dashed and unlabelled for a ghost)."""
    return {
        "x": _line(ax, "x", 1.6, "x: available resources", ghost),
        "u": _line(ax, "u", 1.6, "u: utilization", ghost),
    }


def spike_marks(ax: Axes) -> Line2D:
    """The presynaptic spikes as ticks at the top of the x/u axes."""
    return ax.plot([], [], "|", color=COLORS["release"], ms=9, mew=1.5, label="presynaptic spikes")[
        0
    ]


def current_lines(ax: Axes, ghost: bool = False) -> dict[str, Line2D]:
    """Create the current line (and, unless ``ghost``, the release marks) on ``ax``."""
    lines = {"current": _line(ax, "current", 1.4, "current I", ghost)}
    if not ghost:
        lines["release"] = ax.plot(
            [], [], "o", color=COLORS["release"], ms=4, label="release A·r per spike"
        )[0]
    return lines


def trace_lines(ax_state: Axes, ax_current: Axes, ghost: bool = False) -> dict[str, Line2D]:
    """Create the x, u, current, release and spike artists on two axes (empty data)."""
    lines = {**state_lines(ax_state, ghost), **current_lines(ax_current, ghost)}
    if not ghost:
        lines["spikes"] = spike_marks(ax_state)
    return lines


def set_trace(lines: dict[str, Line2D], trace: STPTrace, width_px: int) -> float:
    """Put a trace on lines made by the factories above; return the largest current shown.

    Only the lines present are set (``x``, ``u``, ``current``, ``release``, ``spikes``).
    """
    for field in ("x", "u", "current"):
        if field in lines:
            lines[field].set_data(*decimate(trace, field, width_px))
    spikes = trace.spike_times.cpu().numpy()
    if "release" in lines:
        amplitude = (trace.release * trace.params.as_tensors()["A"]).detach().cpu().numpy()
        lines["release"].set_data(spikes, amplitude)
    if "spikes" in lines:
        lines["spikes"].set_data(spikes, np.full(len(spikes), 1.07))
    return float(trace.current.max()) if trace.current.numel() else 0.0


def clear(lines: dict[str, Line2D]) -> None:
    """Empty and hide lines (hidden artists cost nothing to blit)."""
    for line in lines.values():
        line.set_data([], [])
        line.set_visible(False)


def set_upper_limit(ax: Axes, axis: str, top: float, exact: bool = False) -> bool:
    """Raise an axis' upper limit in 1-2-5 steps; lower it once data use under a fifth.

    The hysteresis keeps limits still while dragging; ``exact`` sets ``top`` itself.
    Returns True if the limit changed (the figure then needs a full redraw).
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
    return cast(Figure, ax_state.figure)
