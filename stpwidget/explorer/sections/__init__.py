"""The explorer's sections: groups of widgets, each bound to part of the state through a door."""

from stpwidget.explorer.sections.base import Section
from stpwidget.explorer.sections.data import DataSection
from stpwidget.explorer.sections.inputs import InputSection
from stpwidget.explorer.sections.membrane import MembraneSection
from stpwidget.explorer.sections.mystery import MysterySection

__all__ = ["DataSection", "InputSection", "MembraneSection", "MysterySection", "Section"]
