"""The browser probe: learn the screen's pixel ratio and the page's colours from core widgets.

Core widgets report nothing about the screen. A hidden ``HTML`` widget carries a few lines of
JavaScript (an ``<img>`` that fails to load runs its ``onerror``; JupyterLab, Notebook 7 and
Voila render an HTML widget's markup as it is), which write a small JSON report into a hidden
``Text`` widget, whose view sends it to the kernel like any typed text. Where the script
cannot run (a front end that sanitises widget HTML), nothing is reported and the figure stays
at a pixel ratio of 1 in the light theme.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from html import escape
from typing import Any

import ipywidgets as widgets

from stpwidget.view.style import Theme, theme_from_page

# Runs once per view of the probe (an <img> that fails to load runs its onerror). It finds
# its renderer's box, then reports {ratio, bg, fg} into the hidden text input (an "input"
# event: the Text view sends it to the kernel), again whenever the ratio (browser zoom,
# another screen) or JupyterLab's theme changes. Once per page it also listens to keydown
# on window in the capture phase (before Notebook 7's shortcut handler on document) and
# marks the focused part of an explorer's slider (the event's target: Lumino's command-mode
# selectors match the focused element itself) with data-lm-suppress-shortcuts for the keys
# a slider takes, which makes Lumino skip its shortcuts for that key press.
_PROBE_JS = """(function (img) {
  var tries = 0;
  function root() { return img.closest('.stp-render'); }
  function report() {
    var box = root(), input = box && box.querySelector('.stp-frontend input');
    if (!input) return;
    var el = box, bg = '';
    while (el && el.nodeType === 1) {
      var c = getComputedStyle(el).backgroundColor;
      if (c && c !== 'transparent' && !/^rgba\\(.*,\\s*0\\)$/.test(c)) { bg = c; break; }
      el = el.parentElement;
    }
    var value = JSON.stringify({ratio: window.devicePixelRatio || 1, bg: bg,
                                fg: getComputedStyle(box).color});
    if (input.value === value) return;
    input.value = value;
    input.dispatchEvent(new Event('input', {bubbles: true}));
  }
  function watchRatio() {
    var q = matchMedia('(resolution: ' + (window.devicePixelRatio || 1) + 'dppx)');
    q.addEventListener('change', function () { report(); watchRatio(); }, {once: true});
  }
  function keys() {
    if (window.__stpKeys) return;
    window.__stpKeys = true;
    var taken = /^(Arrow(Left|Right|Up|Down)|Home|End|Page(Up|Down))$/;
    window.addEventListener('keydown', function (e) {
      var t = e.target, s = t && t.closest && t.closest('.stp-explorer .widget-slider, '
        + '.stp-explorer .widget-hslider, .stp-explorer .widget-vslider');
      if (!s) return;
      if (taken.test(e.key) && !e.ctrlKey && !e.metaKey && !e.altKey)
        t.setAttribute('data-lm-suppress-shortcuts', 'true');
      else t.removeAttribute('data-lm-suppress-shortcuts');
    }, true);
  }
  function start() {
    if (!img.isConnected || !root() || !root().querySelector('.stp-frontend input')) {
      if (tries++ < 400) setTimeout(start, 50);
      return;
    }
    keys(); report(); watchRatio();
    new MutationObserver(report).observe(document.body, {attributes: true,
      attributeFilter: ['data-jp-theme-light', 'data-jp-theme-name', 'class', 'style']});
  }
  start();
})(this)"""


#: The SVG data layer lies over the figure: clicks, drags and scrolls go through it to what
#: is below (ipympl's canvas: zoom and pan), and it cannot be dragged away as an image.
_STYLE = "<style>.stp-render .stp-vector { pointer-events: none; user-select: none; }</style>"


def _probe_html() -> str:
    script = escape(" ".join(_PROBE_JS.split()))
    return f'{_STYLE}<img src="data:," alt="" hidden onerror="{script}">'


class Frontend:
    """Hidden widgets that learn the screen's pixel ratio and the page's colours.

    Parameters
    ----------
    on_report : callable
        Called with ``(ratio, theme)`` whenever the browser reports: the device pixels per
        CSS pixel (``window.devicePixelRatio``, 0.5 to 8) and the page's :class:`Theme`
        (None where its colours could not be read).
    """

    def __init__(self, on_report: Callable[[float, Theme | None], None]) -> None:
        hidden = widgets.Layout(display="none")
        self.script = widgets.HTML(_probe_html(), layout=hidden)
        self.report = widgets.Text(value="", layout=widgets.Layout(display="none"))
        self.report.add_class("stp-frontend")
        self._on_report = on_report
        self.report.observe(self._on_value, "value")

    @property
    def widgets(self) -> list[widgets.Widget]:
        """The widgets to put next to the figure (both hidden)."""
        return [self.script, self.report]

    def _on_value(self, change: dict[str, Any]) -> None:
        try:
            data = json.loads(change["new"])
            ratio = float(data["ratio"])
        except (ValueError, TypeError, KeyError):
            return  # not a report (nothing else writes here): ignore it
        if not (math.isfinite(ratio) and 0.5 <= ratio <= 8):
            return
        theme = theme_from_page(str(data.get("bg", "")), str(data.get("fg", "")))
        self._on_report(ratio, theme)

    def close(self) -> None:
        """Close both widgets."""
        self.script.close()
        self.report.close()
