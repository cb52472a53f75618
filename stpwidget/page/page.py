"""The explorer as one self-contained HTML page: the exact model runs in the browser.

:func:`save_page` writes the explorer's current state into a single file with no network
use: the model (``stp.js``, the same closed forms as the Python kernel, checked against it
to 1e-9 by ``tests/test_page_model.py``), the stimuli and what the panels draw
(``frame.js``), the state and its validation (``state.js``), the figure in matplotlib's
style (``figure.js``) and its panels (``panels.js``), the controls (``controls.js``) and
the front end (``explorer.js``), inlined.
The Python package stays the source of truth; the page is for sharing a view.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from html import escape
from importlib import resources
from pathlib import Path
from typing import Any

from stpwidget.params import PRESETS
from stpwidget.recordings import Recording
from stpwidget.state import ExplorerState

#: Every panel a page can show (as in :data:`stpwidget.view.PANELS`) and the time panels.
PANELS: tuple[str, ...] = ("state", "current", "membrane", "frequency", "data")
TIME_PANELS: tuple[str, ...] = ("state", "current", "membrane")
#: The controls a page can offer (``controls=`` picks among them).
CONTROLS: tuple[str, ...] = (
    *("preset", "tau_f", "tau_d", "tau_s", "U", "rate", "kind"),
    *("n_spikes", "probe_delay", "rate_after", "seed", "tau_m", "lif", "threshold"),
)
#: The page's scripts, in load order (each defines one global for the next).
SCRIPTS: tuple[str, ...] = (
    *("stp.js", "frame.js", "state.js", "figure.js", "panels.js", "controls.js", "explorer.js"),
)
#: Largest page written (bytes): a page is mailed and put on course sites.
MAX_BYTES = 3_000_000


def _asset(name: str) -> str:
    return resources.files("stpwidget.page").joinpath(name).read_text(encoding="utf-8")


def script_sources() -> list[str]:
    """The page's scripts in load order (for a page, or a notebook widget that renders alike).

    Each defines one global the next ones use: ``STPModel`` (stp.js, frame.js), ``STPState``,
    ``STPFigure``, ``STPPanels``, ``STPControls`` and ``STPExplorer`` (``render``).
    """
    return [_asset(name) for name in SCRIPTS]


def _check_choice(name: str, values: Sequence[str], allowed: Sequence[str]) -> tuple[str, ...]:
    if isinstance(values, str):
        raise TypeError(f"{name} must be a sequence of names, not a string; got {values!r}")
    chosen = tuple(values)
    bad = [v for v in chosen if v not in allowed]
    if bad or len(set(chosen)) != len(chosen):
        raise ValueError(f"{name} must be distinct names from {allowed}; got {list(chosen)}")
    return chosen


def _spread(rec: Recording) -> list[float]:
    """Error bar of every spike: the given sd, else the trials' sd, else 0 (as the notebook)."""
    if rec.sd is not None:
        return [float(v) for v in rec.sd]
    if rec.n_trials > 1:
        return [float(v) for v in rec.amplitudes.std(0)]
    return [0.0] * rec.spike_times.numel()


def page_config(
    state: ExplorerState,
    controls: Sequence[str] | None = None,
    *,
    panels: Sequence[str] | None = None,
    scale: float = 1.0,
) -> dict[str, Any]:
    """What the page starts from (JSON-ready): state in API units, options, controls, panels.

    Raises
    ------
    ValueError
        For an unknown or repeated control or panel name, no time panel, the data panel
        without recordings, a membrane control
        without the membrane panel, or a scale outside [0.5, 3].
    TypeError
        For ``controls`` or ``panels`` given as one string.
    """
    shown = _check_choice("panels", state.panels if panels is None else panels, PANELS)
    if not any(p in TIME_PANELS for p in shown):
        raise ValueError(f"panels must include a time panel {TIME_PANELS}; got {list(shown)}")
    if "data" in shown and not state.recordings:
        raise ValueError("panels: the data panel needs recordings in the state")
    offered = None if controls is None else list(_check_choice("controls", controls, CONTROLS))
    needs_membrane = sorted({"tau_m", "lif", "threshold"} & set(offered or ()))
    if needs_membrane and "membrane" not in shown:
        raise ValueError(
            f"controls {needs_membrane} need the membrane panel: add 'membrane' to panels"
        )
    if not (isinstance(scale, int | float) and 0.5 <= scale <= 3.0):
        raise ValueError(f"scale must be a number in [0.5, 3] (as the explorer's); got {scale!r}")
    p, s = state.params, state.stimulus
    values: dict[str, Any] = {
        k: float(getattr(p, k)) for k in ("tau_f", "tau_d", "tau_s", "U", "A")
    }
    values.update(
        preset=state.preset,
        kind=s.kind,
        rate=float(s.rate),
        n_spikes=int(s.n_spikes),
        start=float(s.start),
        probe_delay=float(s.probe_delay),
        seed=int(s.seed),
        rate_after=float(s.rate_after),
        switch=float(s.switch),
        tau_m=float(state.tau_m),
        lif=bool(state.lif),
        threshold=float(state.threshold),
        scale=float(scale),
    )
    recordings = [
        {
            "times": [float(t) for t in r.spike_times],
            "mean": [float(a) for a in r.mean],
            "sd": None if r.sd is None else [float(v) for v in r.sd],
            "spread": _spread(r),
            "label": r.label or "",
        }
        for r in state.recordings
    ]
    return {
        "state": values,
        "options": {
            "recordings": recordings,
            "membrane": "membrane" in shown,
            "dt": float(state.dt),
            "times": [float(t) for t in s.times] if s.kind == "recorded" else None,
        },
        "controls": offered,
        "panels": list(shown),
    }


_BOOT = """
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("stp-config").textContent);
  const model = STPState.createModel(config.state, config.options);
  const el = document.getElementById("stp-explorer");
  const fragment = STPState.fromFragment(location.hash);
  let fragmentError = null;
  try { model.set(fragment); } catch (err) { fragmentError = err; }
  const view = STPExplorer.render({ model, el, controls: config.controls, panels: config.panels });
  if (fragmentError) {
    el.querySelector(".stp-message").textContent = "The link's settings were not applied: "
      + fragmentError.message;
    el.querySelector(".stp-message").classList.add("stp-error");
  }
  // The address follows the view: at once, then at most every 150 ms while a slider is
  // dragged (browsers throttle pages that rewrite their address too often).
  let written = "";
  let last = -Infinity;
  let timer = null;
  function write() {
    timer = null;
    last = performance.now();
    written = "#" + STPState.toFragment(model.get(), model.options);
    if (location.hash === written) return;
    try { history.replaceState(null, "", written); } catch (e) { location.replace(written); }
  }
  function writeFragment() {
    if (timer !== null) return;
    const wait = last + 150 - performance.now();
    if (wait <= 0) write(); else timer = setTimeout(write, wait);
  }
  model.on(writeFragment);
  write();
  window.addEventListener("hashchange", function () {
    if (location.hash === written) return;
    try { view.set(STPState.fromFragment(location.hash)); } catch (e) { /* message shown */ }
  });
  window.stpwidget = view;
})();
"""


def page_html(
    state: ExplorerState,
    controls: Sequence[str] | None = None,
    *,
    panels: Sequence[str] | None = None,
    scale: float = 1.0,
    title: str = "Short-term synaptic plasticity — explorer",
) -> str:
    """The page's HTML (see :func:`save_page`), as a string."""
    config = page_config(state, controls, panels=panels, scale=scale)
    # Every "<" as \u003c (still JSON): nothing in a label can close the <script> element
    # or open a comment in it.
    data = json.dumps(config, allow_nan=False).replace("<", "\\u003c")
    scripts = "\n".join(f"<script>\n{text}\n</script>" for text in script_sources())
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; \
script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>{escape(title)}</title>
<style>
{_asset("page.css")}
</style>
</head>
<body>
<main class="stp-explorer" id="stp-explorer">
<h1>{escape(title)}</h1>
<noscript>This page needs JavaScript: the model runs in the browser.</noscript>
</main>
<p class="stp-explorer stp-footer">Made with stpwidget: the exact Tsodyks–Markram model, \
computed in this page (no network). Poisson trains are drawn in the page from the seed.</p>
<script type="application/json" id="stp-config">{data}</script>
{scripts}
<script>{_BOOT}</script>
</body>
</html>
"""


def save_page(
    state: ExplorerState,
    path: str | Path,
    controls: Sequence[str] | None = None,
    *,
    panels: Sequence[str] | None = None,
    scale: float = 1.0,
) -> Path:
    """Write the explorer in ``state`` as one self-contained HTML file.

    The page works opened from disk with no network, on phones (touch) and projectors; its
    URL fragment holds the view (``#tau_d=0.4&U=0.3&kind=poisson&rate=20``, API units) and
    ``window.stpwidget`` offers ``get``, ``set``, ``trace``, ``spikes`` and ``readouts``.

    Parameters
    ----------
    state : ExplorerState
        The synapse, stimulus, membrane settings and recordings to start from.
    path : str or Path
        Where to write the ``.html`` file (its folder must exist).
    controls : sequence of str, optional
        The controls the page offers, from :data:`CONTROLS` (e.g. ``("U", "rate")`` for a
        worksheet); default all.
    panels : sequence of str, optional
        Panels from :data:`PANELS`, at least one time panel (the data panel only with
        recordings); default the state's own.
    scale : float, default 1
        Presentation scale of the text and lines, 0.5 to 3 (1.5 for a projector; the page's
        menu offers 1, 1.25, 1.5 and 2).

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    ValueError
        For a bad control, panel or scale (nothing is written), or a page over 3 MB.
    """
    html = page_html(state, controls, panels=panels, scale=scale)
    size = len(html.encode("utf-8"))
    if size > MAX_BYTES:
        raise ValueError(f"the page would be {size} bytes; at most {MAX_BYTES} (fewer recordings)")
    out = Path(path)
    out.write_text(html, encoding="utf-8")
    return out


def preset_state(name: str) -> ExplorerState:
    """The explorer's state for preset ``name`` (what ``python -m stpwidget page`` shows)."""
    if name not in PRESETS:
        raise ValueError(f"preset must be one of {tuple(PRESETS)}; got {name!r}")
    return ExplorerState.from_preset(name)
