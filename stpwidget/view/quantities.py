"""Numbers the figure and its text alternative both show, computed once from a frame.

No matplotlib: the panels draw these, :func:`stpwidget.view.describe.describe` words them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

from stpwidget.recordings import Recording
from stpwidget.state import Frame


def unit_of(recordings: Sequence[Recording]) -> str:
    """The unit of A, currents and potentials, in words for an axis label.

    The recordings' unit once recordings that name one (all the same) are loaded, e.g.
    ``"pA"``; ``"data unit"`` for recordings that do not name theirs; else ``"units of A"``: A,
    the current per unit of released resource, sets the unit of I and V (at gain 1).
    """
    units = {getattr(r, "unit", None) for r in recordings}
    if len(units) == 1 and None not in units:
        return str(units.pop())
    return "data unit" if recordings else "units of A"


def half_ceiling_side(frame: Frame) -> Literal["inside", "above", "below"]:
    """Where the half-ceiling rate f½ lies against the frequency panel's rates.

    When ``frame.limit`` is not known (Poisson input beyond the grid), the release rate at
    the panel's last rate tells (``frame.ceiling_fraction``): below half its ceiling there,
    f½ is above.
    """
    low, high, limit = float(frame.rates[0]), float(frame.rates[-1]), frame.limit
    if math.isfinite(limit):
        return "above" if limit > high else "below" if limit < low else "inside"
    return "above" if float(frame.ceiling_fraction[-1]) < 0.5 else "below"
