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
# a slider or a drop-down takes, and Enter and Space on a button or a section's header,
# which makes Lumino skip its shortcuts for that key press; and it keeps Tab from ipympl's
# canvas, which would take it as a key for matplotlib and so never let the focus go on.
# It also gives the explorer what core widgets leave out for a screen reader or a keyboard
# (words(), again on every change in the explorer): each slider's handle a name (its
# label's hover text) and its value in words (the readout and the unit of the slider's
# stp-unit-<words> class) instead of an index; the figure's image the text the Frontend's
# hidden carrier holds; the message area a live region; each section header a button that
# Tab reaches and Enter or Space opens; the upload button without its file count.
_PROBE_JS = """(function (img) {
  var tries = 0, press = /^(Enter| )$/;
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
      var t = e.target, c = t && t.closest;
      if (e.key === 'Tab' && c && t.closest('.stp-explorer .jupyter-matplotlib-canvas-div')) {
        e.stopPropagation();  /* ipympl's canvas takes every key: Tab would never leave it */
        return;
      }
      var s = c && t.closest('.stp-explorer .widget-slider, '
        + '.stp-explorer .widget-hslider, .stp-explorer .widget-vslider, .stp-explorer select');
      var b = c && !s && t.closest('.stp-explorer button, .stp-explorer [data-stp-header]');
      if (!s && !b) return;
      if ((s && taken.test(e.key) || press.test(e.key)) && !e.ctrlKey && !e.metaKey && !e.altKey)
        t.setAttribute('data-lm-suppress-shortcuts', 'true');
      else t.removeAttribute('data-lm-suppress-shortcuts');
    }, true);
  }
  function set(el, name, value) {
    if (value === null) { if (el.hasAttribute(name)) el.removeAttribute(name); }
    else if (el.getAttribute(name) !== value) el.setAttribute(name, value);
  }
  function words() {
    var box = root();
    if (!box) return;
    var scope = box.closest('.stp-explorer') || box, carrier = box.querySelector('[data-alt]');
    var main = box.querySelector('img.stp-static') || box.querySelector('img.stp-vector');
    box.querySelectorAll('img:not([hidden])').forEach(function (i) {
      set(i, 'alt', i === main && carrier ? carrier.getAttribute('data-alt') : '');
    });
    scope.querySelectorAll('.widget-slider, .widget-hslider').forEach(function (s) {
      var label = s.querySelector('.widget-label'), out = s.querySelector('.widget-readout');
      var handle = s.querySelector('.noUi-handle, .ui-slider-handle');
      if (!label || !handle) return;
      var tip = label.getAttribute('title'), name = (tip && tip !== 'null' ? tip
        : label.textContent).trim(), unit = /(?:^|\\s)stp-unit-(\\S+)/.exec(s.className);
      var value = out ? (out.value !== undefined ? out.value : out.textContent).trim() : '';
      set(handle, 'aria-label', name);
      if (!handle.getAttribute('role')) {  /* ipywidgets 7: jQuery UI's handle has none */
        set(handle, 'role', 'slider'); set(handle, 'aria-valuenow', parseFloat(value) + '');
      }
      if (value) set(handle, 'aria-valuetext',
                     value + (unit ? ' ' + unit[1].replace(/-/g, ' ') : ''));
      if (out) { set(out, 'aria-label', name + ' (type a value)');
                 if (!out.matches('input')) set(out, 'role', 'textbox'); }
    });
    scope.querySelectorAll('[title="null"]').forEach(function (e) { set(e, 'title', null); });
    scope.querySelectorAll('.stp-upload, .stp-upload button').forEach(function (b) {
      b.childNodes.forEach(function (n) {
        if (n.nodeType === 3 && /\\s\\(\\d+\\)\\s*$/.test(n.nodeValue))
          n.nodeValue = n.nodeValue.replace(/\\s\\(\\d+\\)\\s*$/, '');
      });
    });
    scope.querySelectorAll('.jupyter-widget-Collapse-header, .p-Collapse-header').forEach(
      function (h) {
        set(h, 'tabindex', '0'); set(h, 'role', 'button');
        set(h, 'aria-expanded', /Collapse-open/.test(h.parentElement.className) + '');
        if (h.hasAttribute('data-stp-header')) return;
        h.setAttribute('data-stp-header', '');
        h.addEventListener('keydown', function (e) {
          if (!press.test(e.key) || e.ctrlKey || e.metaKey || e.altKey) return;
          e.preventDefault(); e.stopPropagation(); h.click();
        });
      });
    scope.querySelectorAll('.stp-message').forEach(function (m) {
      set(m, 'role', 'status'); set(m, 'aria-live', 'polite');
    });
  }
  function start() {
    if (!img.isConnected || !root() || !root().querySelector('.stp-frontend input')) {
      if (tries++ < 400) setTimeout(start, 50);
      return;
    }
    keys(); report(); watchRatio(); words();
    new MutationObserver(words).observe(root().closest('.stp-explorer') || root(), {
      subtree: true, childList: true, characterData: true, attributes: true,
      attributeFilter: ['aria-valuetext', 'title', 'class', 'data-alt', 'alt']});
    new MutationObserver(report).observe(document.body, {attributes: true,
      attributeFilter: ['data-jp-theme-light', 'data-jp-theme-name', 'class', 'style']});
  }
  start();
})(this)"""


#: The SVG data layer lies over the figure: clicks, drags and scrolls go through it to what
#: is below (ipympl's canvas: zoom and pan), and it cannot be dragged away as an image.
#: In the explorer: the figure's box is no scroller (Chromium makes a scroller a Tab stop),
#: a visible focus ring on every control, and the section headers in the
#: page's main text colour (JupyterLab's grey on a grey header is under 4.5:1), the green
#: and orange buttons darker (white on JupyterLab's is 4.1:1 and 2.7:1; now 5.1:1, 5.0:1).
_STYLE = """<style>
.stp-render .stp-vector { pointer-events: none; user-select: none; }
.stp-explorer .stp-render { overflow: visible; }
.stp-explorer :focus-visible, .stp-explorer .noUi-handle:focus,
.stp-explorer .ui-slider-handle:focus, .stp-explorer input:focus, .stp-explorer select:focus {
  outline: 2px solid var(--jp-brand-color1, #1565c0) !important; outline-offset: 1px; }
.stp-explorer .jupyter-widget-Collapse-header, .stp-explorer .p-Collapse-header,
.stp-explorer .lm-Collapse-header { color: var(--jp-ui-font-color0, #000); }
.stp-explorer .jupyter-button.mod-success { background-color: #2e7d32; color: #fff; }
.stp-explorer .jupyter-button.mod-warning { background-color: #b45309; color: #fff; }
</style>"""


#: What the figure's image says to a screen reader until the explorer describes it.
DEFAULT_ALT = "The explorer's figure: traces of the synapse (its numbers follow it as text)."


def _probe_html() -> str:
    script = escape(" ".join(_PROBE_JS.split()))
    style = " ".join(_STYLE.split())
    return f'{style}<img src="data:," alt="" hidden onerror="{script}">'


class Frontend:
    """Hidden widgets that learn the screen's pixel ratio and the page's colours.

    Their script also gives the explorer's controls what a screen reader needs and core
    widgets do not set: each slider's name and its value in words with its unit
    (``aria-label``, ``aria-valuetext`` from :func:`stpwidget.explorer.sliders.describe`),
    the message area as a live region, and the figure's text alternative (:meth:`describe`).

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
        self.alt = widgets.HTML(layout=widgets.Layout(display="none"))
        self.alt.add_class("stp-alt")
        self.describe(DEFAULT_ALT)
        self._on_report = on_report
        self.report.observe(self._on_value, "value")

    @property
    def widgets(self) -> list[widgets.Widget]:
        """The widgets to put next to the figure (all hidden)."""
        return [self.script, self.report, self.alt]

    def describe(self, text: str) -> None:
        """Make ``text`` the figure's text alternative (its image's ``alt``).

        Parameters
        ----------
        text : str
            What a screen reader says for the figure, e.g. a summary of the traces.

        Raises
        ------
        TypeError
            If ``text`` is not a str.
        ValueError
            If ``text`` is empty or only white space (an image needs a text alternative).
        """
        if not isinstance(text, str):
            raise TypeError(f"text must be a str; got {type(text).__name__}")
        if not text.strip():
            raise ValueError("text must say what the figure shows; got an empty string")
        self.alt.value = f'<span data-alt="{escape(text.strip())}"></span>'

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
        self.alt.close()
