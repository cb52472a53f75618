"""The explorer's panels, one class per module (see :class:`~stpwidget.view.panels.base.Panel`)."""

from stpwidget.view.panels.base import Panel
from stpwidget.view.panels.current import CurrentPanel
from stpwidget.view.panels.data import DataPanel
from stpwidget.view.panels.frequency import FrequencyPanel
from stpwidget.view.panels.membrane import MembranePanel
from stpwidget.view.panels.traces import StatePanel

__all__ = ["CurrentPanel", "DataPanel", "FrequencyPanel", "MembranePanel", "Panel", "StatePanel"]
