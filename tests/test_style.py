"""The figure's look: colour-blind safety of the palette, the theme, the presentation scale.

The colour-vision checks simulate protanopia, deuteranopia and tritanopia with the matrices
of Machado, Oliveira & Fernandes (2009, severity 1, on linear RGB) and compare colours with
CIEDE2000 in CIELAB (D65), both written here from their papers; the CIEDE2000 code is checked
against the published test pairs of Sharma, Wu & Dalal (2005) first.
"""

from __future__ import annotations

import itertools

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_hex, to_rgba
from matplotlib.figure import Figure

from stpwidget.view.style import (
    DARK,
    LIGHT,
    PALETTE,
    Style,
    Theme,
    contrast,
    css_color,
    restyle,
    theme_from_page,
)

MACHADO = {
    "protanopia": [
        [0.152286, 1.052583, -0.204868],
        [0.114503, 0.786281, 0.099216],
        [-0.003882, -0.048116, 1.051998],
    ],
    "deuteranopia": [
        [0.367322, 0.860646, -0.227968],
        [0.280085, 0.672501, 0.047413],
        [-0.011820, 0.042940, 0.968881],
    ],
    "tritanopia": [
        [1.255528, -0.076749, -0.178779],
        [-0.078411, 0.930809, 0.147602],
        [0.004733, 0.691367, 0.303900],
    ],
}
VISIONS = (None, *MACHADO)
#: Colours drawn together in one panel of the explorer (``release`` is the theme's
#: foreground: black marks in the light theme, light ones in the dark theme).
PANELS = {
    "state": ("x", "u", "release"),
    "current": ("current", "release"),
    "frequency": ("x", "rate", "release", "limit"),
    "membrane": ("current", "limit"),
}
#: Smallest CIEDE2000 difference accepted between two colours of one panel, under every
#: simulated vision. About 10 is where plotting guides put "clearly different categories";
#: the tightest pair here (blue x vs reddish-purple rate under protanopia) is 10.9.
MIN_PAIR = 10.0
#: Smallest difference between a line's colour and the background, under every vision.
MIN_BACKGROUND = 20.0


def _linear(c: np.ndarray) -> np.ndarray:
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _srgb(c: np.ndarray) -> np.ndarray:
    c = np.clip(c, 0, 1)
    return np.where(c <= 0.0031308, 12.92 * c, 1.055 * c ** (1 / 2.4) - 0.055)


def simulate(color: str, vision: str | None) -> np.ndarray:
    rgb = np.array(to_rgba(color)[:3])
    if vision is None:
        return rgb
    return _srgb(np.array(MACHADO[vision]) @ _linear(rgb))


def lab(rgb: np.ndarray) -> np.ndarray:
    xyz = (
        np.array(
            [
                [0.4124564, 0.3575761, 0.1804375],
                [0.2126729, 0.7151522, 0.0721750],
                [0.0193339, 0.1191920, 0.9503041],
            ]
        )
        @ _linear(rgb)
        / np.array([0.95047, 1.0, 1.08883])
    )
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def ciede2000(lab1, lab2) -> float:
    """CIEDE2000 colour difference (Sharma, Wu & Dalal 2005, equations 1-22)."""
    (L1, a1, b1), (L2, a2, b2) = lab1, lab2
    cbar = (np.hypot(a1, b1) + np.hypot(a2, b2)) / 2
    g = 0.5 * (1 - np.sqrt(cbar**7 / (cbar**7 + 25**7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = np.hypot(a1p, b1), np.hypot(a2p, b2)
    h1p, h2p = np.degrees(np.arctan2(b1, a1p)) % 360, np.degrees(np.arctan2(b2, a2p)) % 360
    dh = 0.0 if c1p * c2p == 0 else (h2p - h1p + 180) % 360 - 180
    dHp = 2 * np.sqrt(c1p * c2p) * np.sin(np.radians(dh / 2))
    lbar, cbarp = (L1 + L2) / 2, (c1p + c2p) / 2
    if c1p * c2p == 0:
        hbar = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        hbar = (h1p + h2p) / 2
    else:
        hbar = (h1p + h2p + 360) / 2 if h1p + h2p < 360 else (h1p + h2p - 360) / 2
    t = (
        1
        - 0.17 * np.cos(np.radians(hbar - 30))
        + 0.24 * np.cos(np.radians(2 * hbar))
        + 0.32 * np.cos(np.radians(3 * hbar + 6))
        - 0.20 * np.cos(np.radians(4 * hbar - 63))
    )
    rc = 2 * np.sqrt(cbarp**7 / (cbarp**7 + 25**7))
    sl = 1 + 0.015 * (lbar - 50) ** 2 / np.sqrt(20 + (lbar - 50) ** 2)
    sc, sh = 1 + 0.045 * cbarp, 1 + 0.015 * cbarp * t
    rt = -np.sin(np.radians(60 * np.exp(-(((hbar - 275) / 25) ** 2)))) * rc
    dl, dc, dhh = (L2 - L1) / sl, (c2p - c1p) / sc, dHp / sh
    return float(np.sqrt(dl**2 + dc**2 + dhh**2 + rt * dc * dhh))


def delta(a: str, b: str, vision: str | None) -> float:
    return ciede2000(lab(simulate(a, vision)), lab(simulate(b, vision)))


@pytest.mark.parametrize(
    ("lab1", "lab2", "expected"),
    [  # Sharma, Wu & Dalal (2005), table 1: pairs 1, 7, 17, 25 and 34
        ((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485), 2.0425),
        ((50.0, 0.0, 0.0), (50.0, -1.0, 2.0), 2.3669),
        ((50.0, 2.5, 0.0), (56.0, -27.0, -3.0), 31.9030),
        ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
        ((22.7233, 20.0904, -46.6940), (23.0331, 14.9730, -42.5619), 2.0373),
    ],
)
def test_ciede2000_matches_sharmas_test_data(lab1, lab2, expected):
    assert ciede2000(lab1, lab2) == pytest.approx(expected, abs=1e-4)


@pytest.mark.parametrize("theme", [LIGHT, DARK], ids=["light", "dark"])
@pytest.mark.parametrize("vision", VISIONS, ids=lambda v: v or "typical")
def test_colours_of_a_panel_stay_apart_for_colour_blind_viewers(theme, vision):
    colors = dict(PALETTE, release=to_hex(to_rgba(theme.foreground), keep_alpha=False))
    for panel, keys in PANELS.items():
        for a, b in itertools.combinations(keys, 2):
            d = delta(colors[a], colors[b], vision)
            assert d >= MIN_PAIR, f"{panel}: {a} vs {b} differ by {d:.1f} ({vision})"
        for key in keys:
            d = delta(colors[key], theme.background, vision)
            assert d >= MIN_BACKGROUND, f"{key} vs the background: {d:.1f} ({vision})"


def test_contrast_is_wcags():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#777777") == pytest.approx(1.0)
    # WCAG's example value: #767676 on white is the palest grey with 4.5:1.
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("rgb(17, 17, 17)", "#111111"),
        ("rgba(255, 255, 255, 0.87)", "#ffffffde"),
        ("rgb(255 0 0 / 50%)", "#ff000080"),
        ("rgba(0, 0, 0, 0)", None),
        ("transparent", None),
        ("#abc", "#aabbcc"),
        ("not a colour", None),
        ("", None),
    ],
)
def test_css_colors_as_browsers_report_them(text, expected):
    assert css_color(text) == expected


def test_theme_from_page():
    dark = theme_from_page("rgb(17, 17, 17)", "rgba(255, 255, 255, 0.87)")
    assert dark == Theme("#111111", "#ffffffde") and dark.dark
    assert not theme_from_page("rgb(255, 255, 255)", "rgb(0, 0, 0)").dark
    assert theme_from_page("rgb(20, 20, 20)", "rgb(30, 30, 30)") is None  # unreadable
    assert theme_from_page("", "rgb(0, 0, 0)") is None


def test_scale_outside_its_range_is_refused():
    with pytest.raises(ValueError, match=r"scale must be a number in \[0.5, 3\]"):
        Style(scale=4.0)


def _figure():
    fig = Figure(figsize=(4, 3), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    (line,) = ax.plot([0, 1], [0, 1], lw=2.0, color="#0072B2", label="x")
    (marks,) = ax.plot([0.5], [0.5], "o", color="#000000", ms=4.0, label="release")
    ax.set_ylabel("fraction", fontsize=10.0)
    ax.legend()
    fig.canvas.draw()
    return fig, ax, line, marks


def test_presentation_scale_multiplies_fonts_lines_and_ticks():
    fig, ax, line, marks = _figure()
    tick = ax.xaxis.get_major_ticks()[0]
    before = (tick.tick1line.get_markersize(), tick.label1.get_fontsize())
    restyle(fig, Style(), Style(scale=1.5))
    assert line.get_linewidth() == pytest.approx(3.0)
    assert marks.get_markersize() == pytest.approx(6.0)
    assert ax.yaxis.label.get_fontsize() == pytest.approx(15.0)
    assert ax.get_legend().get_texts()[0].get_fontsize() == pytest.approx(1.5 * 10.0)
    # Ticks made later (new limits) are scaled too, not only those that exist now.
    ax.set_xlim(0, 10)
    fig.canvas.draw()
    for tick in ax.xaxis.get_major_ticks():
        assert tick.tick1line.get_markersize() == pytest.approx(1.5 * before[0])
        assert tick.label1.get_fontsize() == pytest.approx(1.5 * before[1])


def test_dark_theme_maps_foreground_and_background_and_back():
    fig, ax, line, marks = _figure()
    restyle(fig, Style(), Style(theme=DARK))
    assert to_hex(fig.get_facecolor()) == "#111111"
    assert to_hex(ax.get_facecolor()) == "#111111"
    light_text = to_rgba(DARK.foreground)
    assert to_rgba(ax.yaxis.label.get_color()) == pytest.approx(light_text)
    # Black marks become the foreground; their faces too (they follow the line's colour).
    assert to_rgba(marks.get_markerfacecolor()) == pytest.approx(light_text)
    assert to_hex(line.get_color()) == "#0072b2"  # the palette's hues stay
    legend_marks = ax.get_legend().legend_handles[1]
    assert to_rgba(legend_marks.get_markerfacecolor()) == pytest.approx(light_text)
    restyle(fig, Style(theme=DARK), Style())
    assert to_hex(fig.get_facecolor()) == "#ffffff"
    assert to_hex(marks.get_markerfacecolor()) == "#000000"
    assert to_hex(ax.yaxis.label.get_color()) == "#000000"


def test_artists_made_after_styling_catch_up_once():
    """A legend a panel makes anew is styled like the rest; its handles are not scaled twice."""
    import weakref

    fig, ax, line, _marks = _figure()
    style = Style(scale=1.5, theme=DARK)
    restyle(fig, Style(), style)
    seen = weakref.WeakSet(fig.findobj())
    legend = ax.legend(title="made anew")  # from the styled lines, at matplotlib's defaults
    restyle(fig, Style(), style, seen)
    assert legend.get_title().get_fontsize() == pytest.approx(1.5 * 10.0)
    assert to_rgba(legend.get_texts()[0].get_color()) == pytest.approx(to_rgba(DARK.foreground))
    assert legend.legend_handles[0].get_linewidth() == pytest.approx(line.get_linewidth())
    restyle(fig, Style(), style, seen)  # nothing new: nothing changes
    assert legend.get_title().get_fontsize() == pytest.approx(1.5 * 10.0)


@pytest.mark.parametrize("vision", VISIONS, ids=lambda v: v or "typical")
def test_recordings_colours_stay_apart_for_colour_blind_viewers(vision):
    """The data panel draws up to six recordings at once, one colour each."""
    from stpwidget.view.panels.data import DATA_COLORS

    for a, b in itertools.combinations(DATA_COLORS, 2):
        assert delta(a, b, vision) >= MIN_PAIR, f"{a} vs {b}: {delta(a, b, vision):.1f}"


def wcag_ratio(a, b) -> float:
    """WCAG 2.1 contrast ratio, written from its definition (relative luminance, sRGB)."""

    def luminance(rgb):
        c = np.asarray(rgb, dtype=float)
        c = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]

    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def over(color: str, background: str) -> np.ndarray:
    """``color`` composited on an opaque background (its alpha applied)."""
    r, g, b, alpha = to_rgba(color)
    return alpha * np.array([r, g, b]) + (1 - alpha) * np.array(to_rgba(background)[:3])


def test_wcag_ratio_matches_wcags_examples():
    assert wcag_ratio((0, 0, 0), (1, 1, 1)) == pytest.approx(21.0)
    assert wcag_ratio(to_rgba("#767676")[:3], (1, 1, 1)) == pytest.approx(4.54, abs=0.01)


@pytest.mark.parametrize("theme", [LIGHT, DARK], ids=["light", "dark"])
@pytest.mark.parametrize("vision", VISIONS, ids=lambda v: v or "typical")
def test_every_colour_has_3_to_1_against_the_background(theme, vision):
    """WCAG 1.4.11: lines and marks, for every vision the simulation covers."""
    from stpwidget.view.style import DATA_COLORS

    background = simulate(theme.background, vision)
    colors = {**PALETTE, **{f"recording {k + 1}": c for k, c in enumerate(DATA_COLORS)}}
    colors["release"] = to_hex(over(theme.foreground, theme.background))
    for key, color in colors.items():
        ratio = wcag_ratio(simulate(color, vision), background)
        assert ratio >= 3.0, f"{key} {color}: {ratio:.2f}:1 on {theme.background} ({vision})"


@pytest.mark.parametrize("theme", [LIGHT, DARK], ids=["light", "dark"])
def test_text_has_4_5_to_1_against_the_background(theme):
    text = over(theme.foreground, theme.background)
    assert wcag_ratio(text, to_rgba(theme.background)[:3]) >= 4.5
