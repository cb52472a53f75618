"""The frequency-response panel: release per spike and release rate after a long train."""

from __future__ import annotations

import math

import numpy as np
from matplotlib.axes import Axes

from stpwidget.state import RATES, Frame
from stpwidget.view.figure import COLORS, GHOST_STYLES, GHOST_WIDTH, clear
from stpwidget.view.panels.base import Panel, ghost_label
from stpwidget.view.quantities import half_ceiling_side

_TITLES = {
    False: "after a long regular train (exact)",
    True: "after long Poisson input (mean field)",
}


def half_ceiling_note(frame: Frame) -> str:
    """The half-ceiling rate where the panel cannot mark it (empty when it can).

    ``"f½ = 467 Hz →"`` beyond the panel's right edge, ``"← f½ = 0.5 Hz"`` before its left
    edge; ``"f½ > 100 Hz →"`` when the rate is not known beyond the panel (Poisson input).
    """
    side, limit = half_ceiling_side(frame), frame.limit
    edge = float(frame.rates[-1] if side == "above" else frame.rates[0])
    if side == "inside":
        return ""
    if side == "above":
        return f"f½ = {limit:.3g} Hz →" if math.isfinite(limit) else f"f½ > {edge:g} Hz →"
    return f"← f½ = {limit:.2g} Hz" if math.isfinite(limit) else f"← f½ < {edge:g} Hz"


class FrequencyPanel(Panel):
    """After a long train at each input rate: release per spike r and release rate f·r.

    Both on one linear axis from 0 to 1: r is a fraction of the resources, and the release
    rate is shown as a fraction of its ceiling 1/τ_d (f·r·τ_d). The vertical line marks the
    half-ceiling rate f½, where the release rate reaches half its ceiling; off the panel, a
    note at its edge gives the value.
    """

    name = "frequency"
    column = "side"

    def __init__(self, ax: Axes) -> None:
        super().__init__(ax)
        ax.set_xscale("log")
        ax.set_xlim(RATES[0], RATES[-1])
        ax.set_ylim(0, 1.02)
        ax.set_xlabel("input rate f (Hz)")
        ax.set_ylabel("fraction")
        ax.grid(alpha=0.25, which="both")
        plot = ax.plot
        self.lines.update(
            {
                "ss_release": plot([], [], color=COLORS["x"], lw=1.6, label="r: release per spike")[
                    0
                ],
                "ss_rate": plot(
                    [], [], color=COLORS["rate"], lw=1.6, label="f·r·τ_d: release rate ÷ 1/τ_d"
                )[0],
                "rate_marker": plot([], [], "o", color=COLORS["release"], ms=6, label="input rate")[
                    0
                ],
                "limit": ax.axvline(
                    1.0, color=COLORS["limit"], ls=":", lw=1.2, label="half-ceiling rate f½"
                ),
            }
        )
        ghost = plot([], [], GHOST_STYLES["pin"], color=COLORS["x"], lw=GHOST_WIDTH)
        self.ghosts["pin"] = {"ss_release": ghost[0]}
        clear(self.ghosts["pin"])
        self.note = ax.text(
            0.98, 0.96, "", transform=ax.transAxes, ha="right", va="top", fontsize="small"
        )
        self.note.set_color(COLORS["release"])

    def show(self, frame: Frame, width_px: int) -> bool:
        """Draw the frame's frequency response, its input rate and half-ceiling rate."""
        rates, rate = frame.rates, frame.state.stimulus.rate
        release = frame.frequency.release.detach().cpu().numpy()
        self.lines["ss_release"].set_data(rates, release)
        self.lines["ss_rate"].set_data(rates, frame.ceiling_fraction)
        if frame.state.stimulus.kind == "recorded":  # no one rate: the marker does not apply
            self.lines["rate_marker"].set_data([], [])
        else:
            r_at = float(np.interp(np.log(rate), np.log(rates), release))
            self.lines["rate_marker"].set_data([rate], [r_at])
        limit = self.lines["limit"]
        note = half_ceiling_note(frame)
        limit.set_visible(not note)
        if not note:
            limit.set_xdata([frame.limit, frame.limit])
        changed = note != self.note.get_text()
        self.note.set_text(note)
        self.note.set_horizontalalignment("left" if note.startswith("←") else "right")
        self.note.set_x(0.02 if note.startswith("←") else 0.98)
        pinned = frame.ghosts["pin"]
        ghost = self.ghosts["pin"]["ss_release"]
        if pinned is None or pinned.frequency is None:
            clear(self.ghosts["pin"])
        else:
            ghost.set_data(rates, pinned.frequency.release.detach().cpu().numpy())
            ghost.set_label(ghost_label("pin", frame))
            ghost.set_visible(True)
        return self._legend(_TITLES[frame.poisson], ncols=1) | changed
