"""The view: matplotlib only. Panels make artists and update them from a computed frame.

Nothing here knows about widgets: :mod:`stpwidget.render` puts the figure on screen, and
:func:`stpwidget.view.describe.describe` gives the same frame in words (no matplotlib).
"""

from stpwidget.view.figure import COLORS, decimate, nice_ceiling, plot_trace
from stpwidget.view.layout import DEFAULT_PANELS, STPView
from stpwidget.view.panels import PANELS

__all__ = [
    "COLORS",
    "DEFAULT_PANELS",
    "PANELS",
    "STPView",
    "decimate",
    "nice_ceiling",
    "plot_trace",
]
