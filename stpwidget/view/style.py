"""How the explorer's figure looks: a colour-blind-safe palette, a theme, a presentation scale.

Pure matplotlib. A :class:`Style` is applied to a figure that is already built
(:func:`restyle`), so a renderer can follow the page's theme, or a lecturer switch to a larger
scale, without rebuilding the view: colours are mapped, fonts, lines, markers and ticks scaled.
"""

from __future__ import annotations

import dataclasses
import math
import re
import weakref
from collections.abc import Iterator
from typing import Any

from matplotlib import rcParams
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.colors import to_hex, to_rgba
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.spines import Spine
from matplotlib.text import Text

#: Colours by what they show, after Okabe & Ito's colour-blind-safe palette ("Color Universal
#: Design", 2008), each at a luminance that gives at least 3:1 (WCAG 2.1, 1.4.11) against both
#: the light and the dark theme's background, for typical vision and under protanopia,
#: deuteranopia and tritanopia. Okabe–Ito's orange (#E69F00, 2.25:1 on white) and sky blue fail
#: that, and a darkened orange is too close to vermillion: u takes vermillion, the limits a dark
#: olive. ``tests/test_style.py`` checks the contrasts and that the colours drawn together stay
#: apart (Machado 2009 simulation, CIEDE2000).
PALETTE: dict[str, str] = {
    "x": "#0072B2",  # blue (Okabe–Ito)
    "u": "#D55E00",  # vermillion (Okabe–Ito)
    "current": "#009E73",  # bluish green (Okabe–Ito)
    "release": "#000000",  # black: marks (spikes, releases); the theme's foreground
    "rate": "#C2729E",  # reddish purple (Okabe–Ito's #CC79A7, a little darker: 3:1 on white)
    "limit": "#636945",  # dark olive: half-ceiling rate, LIF threshold and spikes
}
#: One colour per recording in the data panel, in order: the palette's hues, then a mauve.
DATA_COLORS: tuple[str, ...] = (
    PALETTE["x"],
    PALETTE["u"],
    PALETTE["current"],
    PALETTE["rate"],
    PALETTE["limit"],
    "#865D76",  # mauve
)


@dataclasses.dataclass(frozen=True)
class Theme:
    """Background and foreground of the figure (text, axes, black marks), as ``#rrggbb``."""

    background: str = "#ffffff"
    foreground: str = "#000000"

    @property
    def dark(self) -> bool:
        """Whether the background is darker than the foreground."""
        return _luminance(self.background) < _luminance(self.foreground)


LIGHT = Theme()
#: JupyterLab's dark theme colours (``--jp-layout-color0``, ``--jp-ui-font-color0``).
DARK = Theme(background="#111111", foreground="#ffffffde")


@dataclasses.dataclass(frozen=True)
class Style:
    """A figure's look.

    Parameters
    ----------
    scale : float, default 1
        Fonts, line widths, markers and ticks are multiplied by this (0.5 to 3); 1.5 for a
        projector. The figure's size on the page does not change.
    theme : Theme, default :data:`LIGHT`
        Background and foreground colours (the page's, where the browser reports them).
    """

    scale: float = 1.0
    theme: Theme = LIGHT

    def __post_init__(self) -> None:
        if not (isinstance(self.scale, int | float) and 0.5 <= self.scale <= 3.0):
            raise ValueError(f"scale must be a number in [0.5, 3]; got {self.scale!r}")


def _luminance(color: str) -> float:
    """WCAG relative luminance of a colour (0 black, 1 white)."""
    r, g, b, _ = to_rgba(color)
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two colours (1 to 21; 3 is the minimum for graphics)."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


_CSS_RGB = re.compile(r"rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)(?:[,/\s]+([\d.]+%?))?\s*\)")


def css_color(text: str) -> str | None:
    """A CSS colour as the browser reports it (``rgb(..)``, ``rgba(..)``, ``#hex``) -> hex.

    Returns None for an unparsable or fully transparent colour.
    """
    text = text.strip().lower()
    match = _CSS_RGB.fullmatch(text)
    if match:
        r, g, b = (min(255.0, float(v)) / 255 for v in match.groups()[:3])
        alpha_text = match.group(4)
        if alpha_text is None:
            alpha = 1.0
        elif alpha_text.endswith("%"):
            alpha = float(alpha_text[:-1]) / 100
        else:
            alpha = float(alpha_text)
        return None if alpha <= 0 else to_hex((r, g, b, min(1.0, alpha)), keep_alpha=alpha < 1)
    try:
        return to_hex(to_rgba(text), keep_alpha=to_rgba(text)[3] < 1) if text else None
    except ValueError:
        return None


def theme_from_page(background: str, foreground: str) -> Theme | None:
    """The theme of a page from its computed background and text colours (CSS strings).

    None if either is missing or they are too alike to draw with (contrast below 3).
    """
    bg, fg = css_color(background), css_color(foreground)
    if bg is None or fg is None:
        return None
    bg = to_hex(to_rgba(bg), keep_alpha=False)  # a page's background is opaque where shown
    if contrast(bg, to_hex(to_rgba(fg))) < 3:
        return None
    return Theme(background=bg, foreground=fg)


# -- restyling a built figure ---------------------------------------------------------------


def _same(a: Any, b: str) -> bool:
    """Whether matplotlib colour ``a`` is ``b`` (ignoring alpha)."""
    try:
        return bool(to_hex(to_rgba(a)) == to_hex(to_rgba(b)))
    except (ValueError, TypeError):
        return False


def _mapped(color: Any, old: Theme, new: Theme) -> Any:
    """``color`` with the old theme's foreground/background replaced by the new one's."""
    if isinstance(color, str) and color.lower() in ("none", ""):
        return color
    for before, after in ((old.foreground, new.foreground), (old.background, new.background)):
        if _same(color, before):
            alpha = to_rgba(color)[3] * to_rgba(after)[3] / max(to_rgba(before)[3], 1e-12)
            return to_rgba(after, min(1.0, alpha))
    return color


def _legend_lines(ax: Axes) -> Iterator[Line2D]:
    legend = ax.get_legend()
    if legend is not None:
        yield from (h for h in legend.legend_handles if isinstance(h, Line2D))


def _rc(key: str) -> Any:
    return _as_any(rcParams)[key]


def _as_any(obj: object) -> Any:
    """``obj`` untyped (matplotlib's stubs miss a few things used here)."""
    return obj


def _points(size: Any) -> float:
    return float(FontProperties(size=size).get_size_in_points())


def _tick_artists(ax: Axes) -> set[int]:
    """The artists of the axes' current ticks, by id (restyled through tick parameters)."""
    ids: set[int] = set()
    for axis in (ax.xaxis, ax.yaxis):
        for tick in [*axis.get_major_ticks(), *axis.get_minor_ticks()]:
            ids.update(id(a) for a in (tick.label1, tick.label2, tick.tick1line, tick.tick2line))
            ids.add(id(tick.gridline))
    return ids


def _restyle_ticks(ax: Axes, factor: float, old: Theme, new: Theme) -> None:
    """Scale and recolour ticks through the tick parameters, so later ticks follow too."""
    for name, axis in (("x", ax.xaxis), ("y", ax.yaxis)):
        for which in ("major", "minor"):
            ticks = axis.get_major_ticks() if which == "major" else axis.get_minor_ticks()
            params = axis.get_tick_params(which=which)
            if ticks:
                line, label = ticks[0].tick1line, ticks[0].label1
                size, width = line.get_markersize(), line.get_markeredgewidth()
                pad, labelsize = _as_any(ticks[0]).get_pad(), float(label.get_fontsize())
                grid_width = ticks[0].gridline.get_linewidth()
            else:  # no tick made yet: matplotlib's defaults
                size = _rc(f"{name}tick.{which}.size")
                width = _rc(f"{name}tick.{which}.width")
                pad = _rc(f"{name}tick.{which}.pad")
                labelsize = _points(params.get("labelsize", _rc(f"{name}tick.labelsize")))
                grid_width = _rc("grid.linewidth")
            default = _rc(f"{name}tick.color")
            axis.set_tick_params(
                which=which,
                length=size * factor,
                width=width * factor,
                pad=pad * factor,
                labelsize=labelsize * factor,
                grid_linewidth=grid_width * factor,
                color=_mapped(params.get("color", default), old, new),
                labelcolor=_mapped(params.get("labelcolor", default), old, new),
            )
        axis.labelpad = axis.labelpad * factor


def restyle(
    figure: Figure, old: Style, new: Style, seen: weakref.WeakSet[Any] | None = None
) -> None:
    """Change a built figure from style ``old`` to ``new`` (colours, scale), in place.

    Every text, line, marker, spine and tick is scaled by ``new.scale / old.scale``; colours
    equal to the old theme's foreground or background become the new one's (the palette's
    hues stay: they read on both). Ticks made later follow too (their parameters are set).

    With ``seen``, only what a panel added to an axes since (texts, lines, patches, a legend
    made anew) is changed, and added to ``seen``; a new legend's handles are left as they
    are: they copy styled artists.
    """
    factor = new.scale / old.scale
    a, b = old.theme, new.theme
    if math.isclose(factor, 1.0) and a == b:
        return
    if seen is not None:
        _catch_up(figure, factor, a, b, seen)
        return
    figure.set_facecolor(_mapped(figure.get_facecolor(), a, b))
    done: set[int] = {id(figure.patch)}
    for ax in figure.axes:
        done |= _tick_artists(ax)
        done.add(id(ax.patch))
        ax.set_facecolor(_mapped(ax.get_facecolor(), a, b))
        _restyle_ticks(ax, factor, a, b)
        for line in [*ax.lines, *_legend_lines(ax)]:
            _scale_line(line, factor)
        legend = ax.get_legend()
        if legend is not None:
            # Its paddings are in units of the font size it was made with.
            _as_any(legend)._fontsize *= factor
    for artist in figure.findobj(lambda o: isinstance(o, Text | Line2D | Patch)):
        if id(artist) not in done:
            done.add(id(artist))
            _recolor(artist, factor, a, b)


def _scale_line(line: Line2D, factor: float) -> None:
    line.set_linewidth(line.get_linewidth() * factor)
    line.set_markersize(line.get_markersize() * factor)
    line.set_markeredgewidth(line.get_markeredgewidth() * factor)


def _catch_up(
    figure: Figure, factor: float, a: Theme, b: Theme, seen: weakref.WeakSet[Any]
) -> None:
    """Style the axes' direct children (and legends) not in ``seen``: cheap when none are."""
    for ax in figure.axes:
        for child in ax.get_children():
            if child in seen or isinstance(child, Axis):
                continue
            seen.add(child)
            if isinstance(child, Legend):
                seen.update(child.legend_handles)  # copies of styled artists
                _as_any(child)._fontsize *= factor
                for text in [*child.get_texts(), child.get_title()]:
                    seen.add(text)
                    _recolor(text, factor, a, b)
            elif isinstance(child, Text | Line2D | Patch):
                if isinstance(child, Line2D):
                    _scale_line(child, factor)
                _recolor(child, factor, a, b)


def _recolor(artist: Artist, factor: float, a: Theme, b: Theme) -> None:
    """One text, line or patch: colours mapped, a text's size and a spine's width scaled."""
    if isinstance(artist, Text):
        artist.set_fontsize(float(artist.get_fontsize()) * factor)
        artist.set_color(_mapped(artist.get_color(), a, b))
    elif isinstance(artist, Line2D):
        # All three read first: a marker colour left "auto" follows the line's colour.
        colors = (artist.get_color(), artist.get_markerfacecolor(), artist.get_markeredgecolor())
        artist.set_color(_mapped(colors[0], a, b))
        artist.set_markerfacecolor(_mapped(colors[1], a, b))
        artist.set_markeredgecolor(_mapped(colors[2], a, b))
    elif isinstance(artist, Patch):
        artist.set_edgecolor(_mapped(artist.get_edgecolor(), a, b))
        if isinstance(artist, Spine):
            artist.set_linewidth(artist.get_linewidth() * factor)
        elif to_rgba(artist.get_facecolor())[3] > 0:
            artist.set_facecolor(_mapped(artist.get_facecolor(), a, b))
