"""The frequency-response panel: release per spike and release rate after a long train."""

from __future__ import annotations

import math

import numpy as np
from matplotlib.axes import Axes

from stpwidget.state import RATES, Frame
from stpwidget.view.figure import COLORS, GHOST_ALPHA, clear
from stpwidget.view.panels.base import Panel

_TITLES = {
    False: "after a long regular train (exact)",
    True: "after long Poisson input (mean field)",
}


class FrequencyPanel(Panel):
    """After a long train at each input rate: release per spike r and release rate f·r.

    Both on one linear axis from 0 to 1: r is a fraction of the resources, and the release
    rate is shown as a fraction of its ceiling 1/τ_d (f·r·τ_d). The vertical line marks the
    half-ceiling rate, where the release rate reaches half its ceiling.
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
                    [], [], color=COLORS["rate"], lw=1.6, label="f·r·τ_d: release rate / 1/τ_d"
                )[0],
                "rate_marker": plot([], [], "o", color=COLORS["release"], ms=6, label="input rate")[
                    0
                ],
                "limit": ax.axvline(
                    1.0, color=COLORS["limit"], ls=":", lw=1.2, label="half-ceiling rate f½"
                ),
            }
        )
        ghost = plot([], [], "--", color=COLORS["x"], alpha=GHOST_ALPHA, label="_nolegend_")
        self.ghosts["pin"] = {"ss_release": ghost[0]}
        clear(self.ghosts["pin"])
        self._poisson: bool | None = None

    def _legend(self, poisson: bool) -> None:
        """The legend above the panel, titled by the kind of input (background: full draw)."""
        handles = [self.lines[k] for k in ("ss_release", "ss_rate", "rate_marker", "limit")]
        self.ax.legend(
            handles=handles,
            loc="lower left",
            bbox_to_anchor=(-0.25, 1.0),
            fontsize="x-small",
            frameon=False,
            borderaxespad=0.2,
            handlelength=1.5,
            title=_TITLES[poisson],
            title_fontsize="small",
            alignment="left",
        )
        self._poisson = poisson

    def show(self, frame: Frame, width_px: int) -> bool:
        """Draw the frame's frequency response, its input rate and half-ceiling rate."""
        rates, rate = frame.rates, frame.state.stimulus.rate
        release = frame.frequency.release.detach().cpu().numpy()
        self.lines["ss_release"].set_data(rates, release)
        self.lines["ss_rate"].set_data(rates, rates * release * float(frame.state.params.tau_d))
        r_at = float(np.interp(np.log(rate), np.log(rates), release))
        self.lines["rate_marker"].set_data([rate], [r_at])
        limit = self.lines["limit"]
        inside = math.isfinite(frame.limit) and rates[0] <= frame.limit <= rates[-1]
        limit.set_visible(inside)  # the readout gives the value when it is off the panel
        if inside:
            limit.set_xdata([frame.limit, frame.limit])
        pinned = frame.ghosts["pin"]
        ghost = self.ghosts["pin"]["ss_release"]
        if pinned is None or pinned.frequency is None:
            clear(self.ghosts["pin"])
        else:
            ghost.set_data(rates, pinned.frequency.release.detach().cpu().numpy())
            ghost.set_visible(True)
        if frame.poisson is not self._poisson:
            self._legend(frame.poisson)
            return True
        return False
