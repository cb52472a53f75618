"""The frequency-response panel: steady-state release per spike and release rate."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes

from stpwidget.state import RATES, Frame
from stpwidget.view.figure import COLORS, GHOST_ALPHA, clear
from stpwidget.view.panels.base import Panel


class FrequencyPanel(Panel):
    """r∞ (left axis) and f·r∞ (right, log axis) against the input rate, rate and limit marked."""

    name = "frequency"
    column = "side"

    def __init__(self, ax: Axes) -> None:
        super().__init__(ax)
        twin = self.twin = ax.twinx()
        ax.set_xscale("log")
        ax.set_xlim(RATES[0], RATES[-1])
        ax.set_ylim(0, 1.02)
        ax.set_xlabel("input rate f (Hz)")
        ax.set_ylabel("steady-state release r∞ per spike", color=COLORS["x"])
        twin.set_ylabel("release rate f·r∞ (Hz)", color=COLORS["rate"])
        ax.grid(alpha=0.25, which="both")
        self.lines.update(
            {
                "ss_release": ax.plot(
                    [], [], color=COLORS["x"], lw=1.6, label="r∞: release per spike (left)"
                )[0],
                "ss_rate": twin.plot(
                    [], [], color=COLORS["rate"], lw=1.6, label="f·r∞: release rate (right)"
                )[0],
                "rate_marker": ax.plot(
                    [], [], "o", color=COLORS["release"], ms=6, label="input rate"
                )[0],
                "limit": ax.axvline(
                    1.0,
                    color=COLORS["limit"],
                    ls=":",
                    lw=1.2,
                    label="limiting frequency 1/(U τ_d)",
                ),
            }
        )
        ghost = ax.plot([], [], "--", color=COLORS["x"], alpha=GHOST_ALPHA, label="_nolegend_")
        self.ghosts["pin"] = {"ss_release": ghost[0]}
        clear(self.ghosts["pin"])
        # The values live in the readouts: no text artist to re-render on every update.
        handles = [self.lines[k] for k in ("ss_release", "ss_rate", "rate_marker", "limit")]
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

    def show(self, frame: Frame, width_px: int) -> bool:
        """Draw the frame's frequency response, its input rate and limiting frequency."""
        rates, rate = frame.rates, frame.state.stimulus.rate
        release = frame.frequency.release.detach().cpu().numpy()
        self.lines["ss_release"].set_data(rates, release)
        self.lines["ss_rate"].set_data(rates, rates * release)
        r_at = float(np.interp(np.log(rate), np.log(rates), release))
        self.lines["rate_marker"].set_data([rate], [r_at])
        self.lines["limit"].set_xdata([frame.limit, frame.limit])
        pinned = frame.ghosts["pin"]
        ghost = self.ghosts["pin"]["ss_release"]
        if pinned is None or pinned.frequency is None:
            clear(self.ghosts["pin"])
        else:
            ghost.set_data(rates, pinned.frequency.release.detach().cpu().numpy())
            ghost.set_visible(True)
        return False  # fixed axes: nothing to rescale
