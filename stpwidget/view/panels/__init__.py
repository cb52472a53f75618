"""The explorer's panels, one class per module (see :class:`~stpwidget.view.panels.base.Panel`).

A new panel is one module here and one line in :data:`PANELS`.
"""

from stpwidget.view.panels.base import Panel
from stpwidget.view.panels.current import CurrentPanel
from stpwidget.view.panels.data import DataPanel
from stpwidget.view.panels.frequency import FrequencyPanel
from stpwidget.view.panels.membrane import MembranePanel
from stpwidget.view.panels.state import StatePanel

#: Every panel the explorer knows, by name, in their default order.
PANELS: dict[str, type[Panel]] = {
    panel.name: panel
    for panel in (StatePanel, CurrentPanel, MembranePanel, FrequencyPanel, DataPanel)
}

__all__ = [
    "PANELS",
    "CurrentPanel",
    "DataPanel",
    "FrequencyPanel",
    "MembranePanel",
    "Panel",
    "StatePanel",
]
