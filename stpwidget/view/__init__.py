"""The view: matplotlib only. Panels make artists and update them from a computed frame.

Nothing here knows about widgets; :mod:`stpwidget.view.render` puts a figure on screen.
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
