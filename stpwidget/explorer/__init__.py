"""The explorer widget: ipywidgets binding only (widgets ↔ state ↔ view)."""

from stpwidget.explorer.explorer import STPExplorer
from stpwidget.explorer.sliders import SLIDERS, SliderSpec, log_values, nearest

__all__ = ["SLIDERS", "STPExplorer", "SliderSpec", "log_values", "nearest"]
