"""The explorer widget: ipywidgets binding only (widgets ↔ state ↔ view)."""

from stpwidget.explorer.controls import SLIDERS, SliderSpec, log_values, nearest
from stpwidget.explorer.explorer import STPExplorer

__all__ = ["SLIDERS", "STPExplorer", "SliderSpec", "log_values", "nearest"]
