"""The explorer's figure keeps every legend and label clear of the other panels.

For every panel combination, figure widths from a 1000 px notebook column to a 2560 px
projector, and presentation scales 1 and 1.5, the test draws the busiest frame (four
recordings with long names, pin and other-preset overlays, the LIF neuron on, f½ off the
panel) and measures the window extents of what is drawn: no legend, axis label, tick label
or note may overlap (0 px tolerance) a panel's frame or a text of another panel, and all of
it stays inside the figure.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import weakref

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox

from stpwidget.recordings import Recording
from stpwidget.state import ExplorerState, compute
from stpwidget.view import PANELS, STPView
from stpwidget.view.style import Style, restyle

TIME = [name for name, cls in PANELS.items() if cls.column == "time"]
SIDE = [name for name, cls in PANELS.items() if cls.column == "side"]
COMBINATIONS = [
    (*t, *s)
    for k in range(1, len(TIME) + 1)
    for t in itertools.combinations(TIME, k)
    for j in range(len(SIDE) + 1)
    for s in itertools.combinations(SIDE, j)
]
WIDTHS = (1000, 1600, 2560)
#: The explorer's shape (920 x 560 by default).
ASPECT = 560 / 920


@functools.cache
def busiest_frame():
    state = ExplorerState.from_preset("depressing")
    train = state.stimulus.spikes()
    labels = ("20 Hz × 6 (200 trials)", "pair at 50 ms (2 trials)", "10 Hz", "probe at 1 s")
    rng = np.random.default_rng(0)
    recordings = tuple(
        Recording(train, 0.4 + 0.1 * rng.random(len(train)), label=label) for label in labels
    )
    pinned = (state.params, state.stimulus)
    state = state.with_params(tau_d=0.004)  # f½ far above the panel's 100 Hz
    state = state.with_panels([p for p in PANELS if p != "data"]).with_recordings(recordings)
    state = dataclasses.replace(state, pinned=pinned, compare=True, lif=True, threshold=0.3)
    return compute(state)


def draw(panels, width, scale):
    """The figure as the explorer's renderer makes it: the view built, restyled to the
    scale (``attach``), shown (it lays out), its new legends styled, drawn."""
    fig = Figure(figsize=(width / 100, width * ASPECT / 100), dpi=100)
    FigureCanvasAgg(fig)
    view = STPView(fig, panels, scale)
    restyle(fig, Style(), Style(scale=scale))
    seen = weakref.WeakSet(fig.findobj())
    assert view.show(busiest_frame())  # new legends and limits: a full draw comes
    restyle(fig, Style(), Style(scale=scale), seen)
    fig.canvas.draw()
    return fig, view


def _ticklabels(axis):
    return [
        t.label1 for t in axis._update_ticks() if t.label1.get_visible() and t.label1.get_text()
    ]


def texts(ax, renderer):
    """(kind, box) of every text of one axes that is drawn."""
    out = []
    for axis in (ax.xaxis, ax.yaxis):
        out += [("tick label", t.get_window_extent(renderer)) for t in _ticklabels(axis)]
        if axis.label.get_visible() and axis.label.get_text():
            out.append(("axis label", axis.label.get_window_extent(renderer)))
    legend = ax.get_legend()
    if legend is not None:
        out.append(("legend", legend.get_window_extent(renderer)))
    out += [("note", t.get_window_extent(renderer)) for t in ax.texts if t.get_text()]
    return out


def overlap(a: Bbox, b: Bbox) -> float:
    """Area (px²) two boxes share; 0 when they only touch."""
    w = min(a.x1, b.x1) - max(a.x0, b.x0)
    h = min(a.y1, b.y1) - max(a.y0, b.y0)
    return max(0.0, w) * max(0.0, h)


def collisions(fig):
    renderer = fig.canvas.get_renderer()
    axes = fig.axes
    found = []
    boxes = {k: texts(ax, renderer) for k, ax in enumerate(axes)}
    everything = fig.bbox
    for k in range(len(axes)):
        for kind, box in boxes[k]:
            inside = Bbox.intersection(box, everything)
            if inside is None or overlap(box, everything) < box.width * box.height - 1e-6:
                found.append(f"panel {k} {kind} leaves the figure: {box.bounds}")
            for j, other in enumerate(axes):
                if kind == "note" and j == k:
                    continue  # a note is written inside its own panel
                if overlap(box, other.bbox) > 0:
                    found.append(f"panel {k} {kind} covers panel {j}'s frame")
            for j in range(len(axes)):
                for other_kind, other_box in boxes[j]:
                    same = j == k
                    if (
                        same
                        and "legend" not in (kind, other_kind)
                        and "note"
                        not in (
                            kind,
                            other_kind,
                        )
                    ):
                        continue  # matplotlib places an axes' own ticks and labels
                    if (j, other_kind, other_box.bounds) <= (k, kind, box.bounds):
                        continue  # each pair once, never a box with itself
                    if overlap(box, other_box) > 0:
                        found.append(f"panel {k} {kind} overlaps panel {j} {other_kind}")
    return found


@pytest.mark.parametrize("scale", [1.0, 1.5])
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("panels", COMBINATIONS, ids="+".join)
def test_no_legend_or_label_overlaps_another_panel(panels, width, scale):
    fig, _ = draw(panels, width, scale)
    assert collisions(fig) == []


def test_the_overlap_measure_finds_an_overlap():
    """The measure itself: a legend moved onto the panel below is reported."""
    fig, view = draw(("state", "current"), 1000, 1.0)
    legend = view.panels[1].ax.get_legend()
    legend.set_bbox_to_anchor((0.0, 0.5), transform=view.panels[1].ax.transAxes)
    fig.canvas.draw()
    assert any("legend covers panel 1's frame" in c for c in collisions(fig))


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_every_line_mark_and_text_drawn_has_wcag_contrast(theme):
    """Lines and marks 3:1, text 4.5:1 against the figure's background, as drawn (alpha
    composited); grid lines are guides, not content, and are left out."""
    from matplotlib.colors import to_rgba
    from matplotlib.lines import Line2D
    from matplotlib.text import Text
    from test_style import over, wcag_ratio

    from stpwidget.view.style import DARK, LIGHT

    style = Style(theme=DARK if theme == "dark" else LIGHT)
    fig = Figure(figsize=(9.2, 5.6), dpi=100)
    FigureCanvasAgg(fig)
    view = STPView(fig, tuple(PANELS))
    view.show(busiest_frame())
    restyle(fig, Style(), style)
    view.layout()
    fig.canvas.draw()
    background = to_rgba(style.theme.background)[:3]
    grid = {id(t.gridline) for ax in fig.axes for a in (ax.xaxis, ax.yaxis)
            for t in a.get_major_ticks() + a.get_minor_ticks()}  # fmt: skip
    lines = [a for a in fig.findobj(Line2D) if a.get_visible() and id(a) not in grid]
    checked = 0
    for line in lines:
        alpha = line.get_alpha()
        for color in (line.get_color(), line.get_markerfacecolor()):
            if str(color).lower() == "none":
                continue
            rgba = to_rgba(color, alpha)
            ratio = wcag_ratio(over(rgba, style.theme.background), background)
            assert ratio >= 3.0, f"{line.get_label()} {color}: {ratio:.2f}:1"
            checked += 1
    texts = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
    for text in texts:
        ratio = wcag_ratio(over(to_rgba(text.get_color()), style.theme.background), background)
        assert ratio >= 4.5, f"{text.get_text()!r}: {ratio:.2f}:1"
    assert checked > 20 and len(texts) > 30


def test_a_new_scale_needs_one_layout_call():
    """A renderer switching to scale 1.5 after the first draw: layout() makes room again."""
    fig, view = draw(tuple(PANELS), 1000, 1.0)
    assert collisions(fig) == []
    restyle(fig, Style(), Style(scale=1.5))
    fig.canvas.draw()
    assert collisions(fig) != []  # the old places do not fit the larger text
    view.scale = 1.5
    assert view.layout()
    fig.canvas.draw()
    assert collisions(fig) == []
    assert not view.layout()  # nothing changed since: nothing moves
