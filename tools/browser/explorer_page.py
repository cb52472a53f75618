"""The explorer as the browser shows it: locators, readouts, settling, and kernel probes.

Used by the browser tests, ``benchmarks/bench_browser.py`` and ``scripts/screenshot.py``.
"""

from __future__ import annotations

import json
import math
import os
import time
from pathlib import Path

from tools.browser import browserkit as bk

FIGURE = ".stp-figure"
READOUT_KEYS = ("first", "ppr", "steady", "flim")
SLIDER_KEYS = ("tau_f", "tau_d", "tau_s", "U", "rate")
#: Outside hosts the explorer notebook links (Colab badge) or Voila's template loads (Font
#: Awesome from jsDelivr): this offline machine cannot reach them.
OFFLINE_HOSTS = (*bk.OFFLINE_HOSTS, "colab.research.google.com")

# Runs silently in the kernel: find the explorer(s) among the live widgets.
_PROBE_SETUP = (
    "import dataclasses as _stp_dc, json as _stp_json\n"
    "from ipywidgets.widgets.widget import _instances as _stp_wi\n"
    "_stp_ex = [w for w in list(_stp_wi.values()) if type(w).__name__ == 'STPExplorer']\n"
)
_PROBE_STATE = (
    "_stp_json.dumps([{"
    "'sliders': {k: s.value for k, s in e.sliders.items()},"
    "'slider_options': {k: [v for _, v in s.options] if hasattr(s, 'options') else None"
    " for k, s in e.sliders.items()},"
    "'slider_max': {k: s.options[-1][1] if hasattr(s, 'options') else s.max"
    " for k, s in e.sliders.items()},"
    "'values': {**{k: 1e3 * float(getattr(e.params, k)) for k in ('tau_f', 'tau_d', 'tau_s')},"
    " 'U': float(e.params.U), 'rate': float(e.stimulus.rate)},"
    "'steps': {k: getattr(s, 'step', None) for k, s in e.sliders.items()},"
    "'preset': e.preset.value,"
    "'pin': e.buttons['pin'].value,"
    "'render_count': e.render_count,"
    "'readout_values': e.readout_values,"
    "'protocol': _stp_dc.asdict(e.stimulus),"
    "'dt': e.dt,"
    "'width_px': e.view.width_px,"
    "'x_line': [e.lines['x'].get_xdata().tolist(), e.lines['x'].get_ydata().tolist()],"
    "} for e in _stp_ex])"
)


def expected_readouts(sliders: dict[str, float]) -> dict[str, float]:
    """The readouts for parameter values in slider units (ms, Hz), from stpwidget here."""
    from stpwidget import TMParameters, half_ceiling_rate, paired_pulse_ratio, steady_state

    p = TMParameters(
        tau_f=sliders["tau_f"] / 1e3,
        tau_d=sliders["tau_d"] / 1e3,
        tau_s=sliders["tau_s"] / 1e3,
        U=sliders["U"],
    )
    rate = float(sliders["rate"])
    return {
        "first": float(p.U),  # the first spike from rest releases U
        "ppr": float(paired_pulse_ratio(p, 1.0 / rate)),
        "steady": float(steady_state(p, rate).release),
        "flim": float(half_ceiling_rate(p)),  # shown: read off the grid, within 0.1 %
    }


def shown_tolerance(text: str) -> float:
    """Half a unit in the last digit a readout string shows (``"0.652"`` -> 0.0005)."""
    mantissa = text.strip().lower().split("e")[0]
    exponent = int(text.strip().lower().split("e")[1]) if "e" in text.lower() else 0
    decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
    return 0.5 * 10.0 ** (exponent - decimals) * (1 + 1e-9)


def readout_mismatches(shown: dict[str, str], expected: dict[str, float]) -> list[str]:
    """Readouts whose shown number is not the expected value at the shown precision."""
    bad = []
    for key in READOUT_KEYS:
        text = shown.get(key)
        try:
            slack = 1e-3 * abs(expected[key]) if key == "flim" else 0.0
            ok = abs(float(text) - expected[key]) <= shown_tolerance(text) + slack
        except (TypeError, ValueError):
            ok = False
        if not ok:
            bad.append(f"{key}: shown {text!r}, kernel says {expected[key]:.6g}")
    return bad


def slider_mismatches(state: dict) -> list[str]:
    """Sliders that do not show the explorer's value.

    A log slider (a choice among exact values) must show the value nearest to it on a log
    scale; a linear slider must be within half a step (its grid).
    """
    bad = []
    for key, value in state["values"].items():
        shown, options = state["sliders"][key], state["slider_options"][key]
        if options:
            ok = shown == min(options, key=lambda o: abs(math.log(o / value)))
        else:
            ok = abs(shown - value) <= state["steps"][key] / 2 + 1e-9
        if not ok:
            bad.append(f"{key}: slider {shown!r}, explorer {value!r}")
    return bad


def shown_differently(a: float, b: float, text: str) -> bool:
    """Whether two values would look different at the precision of ``text``."""
    return abs(a - b) > 2 * shown_tolerance(text)


class ExplorerPage:
    """One explorer in one page, served by JupyterLab (``"lab"``), Notebook 7
    (``"notebook"``) or Voila (``"voila"``): ``kind`` is the server's kind."""

    def __init__(self, kind: str, server: bk.Server, page, *, allowed_hosts=OFFLINE_HOSTS):
        assert kind == server.kind, f"a {kind!r} page on a {server.kind!r} server"
        self.kind = kind
        self.server = server
        self.page = page
        self.watch = bk.PageWatch(
            allowed_hosts=tuple(allowed_hosts), known_errors=bk.KNOWN_PAGE_ERRORS.get(kind, ())
        ).attach(page)
        self.probe: bk.KernelProbe | None = None
        #: The test case (``"lab"``, ``"lab@2x"``, ``"lab-dark"``...), set by the fixture.
        self.case = kind

    # -- loading ------------------------------------------------------------------------
    def load(self, notebook: str, timeout: float = 120.0) -> None:
        """Open the notebook (Lab, Notebook 7: wait for the kernel, Run All), then settle."""
        bk.open_and_run(self.page, self.server, notebook, timeout=timeout)
        self.page.wait_for_selector(FIGURE, state="visible", timeout=timeout * 1000)
        self.page.wait_for_selector(".stp-flim", timeout=timeout * 1000)
        self.settle(timeout=timeout)
        files = self.server.connection_files()
        assert files, "the server wrote no kernel connection file"
        self.probe = bk.KernelProbe(files[-1])
        self.probe.eval(_PROBE_SETUP, "'1'")

    def close(self) -> None:
        """Close the probe and the page."""
        if self.probe is not None:
            self.probe.close()
        self.page.close()

    # -- reading ------------------------------------------------------------------------
    def readouts(self) -> dict[str, str]:
        """The readout numbers as the page shows them (text)."""
        return self.page.evaluate(
            """keys => Object.fromEntries(keys.map(k => {
                 const el = document.querySelector('.stp-' + k);
                 return [k, el ? el.textContent.trim() : null];
               }))""",
            list(READOUT_KEYS),
        )

    def message(self) -> str:
        """Text of the explorer's message area (errors)."""
        return self.page.evaluate(
            "() => { const m = document.querySelector('.stp-message');"
            " return m ? m.textContent.trim() : null; }"
        )

    def sharpness(self) -> list[dict]:
        """Device pixels drawn per device pixel shown, per raster layer of the figure."""
        return bk.sharpness(self.page, FIGURE)

    def figure_hash(self) -> str | None:
        """Hash of the figure's pixels."""
        return bk.canvas_hash(self.page, FIGURE)

    def active_preset(self) -> str | None:
        """The preset button shown pressed."""
        return self.page.evaluate(
            "() => { const b = document.querySelector('.stp-preset button.mod-active');"
            " return b ? b.textContent.trim() : null; }"
        )

    def state(self) -> dict:
        """The explorer's state in the kernel (slider values, preset, x line, ...)."""
        assert self.probe is not None
        explorers = self.probe.eval(_PROBE_SETUP, _PROBE_STATE)
        assert len(explorers) == 1, f"expected one STPExplorer in the kernel, found {explorers}"
        return explorers[0]

    def kernel_idle(self) -> bool:
        """Whether the kernel's last status was idle (and Lab's or Notebook 7's page says so)."""
        if self.watch.kernel_idle_since() is None:
            return False
        if self.kind in bk.LAB_APPS:
            return bk.kernel_shown_idle(self.page, self.kind)
        return True

    def output_tracebacks(self) -> list[str]:
        """Outputs on the page showing a traceback."""
        return bk.output_tracebacks(self.page)

    def screenshot(self, name: str) -> None:
        """Save a screenshot of the explorer as ``<case>-<name>.png`` into the folder
        ``$STPWIDGET_SCREENSHOTS`` names (nothing when it is not set)."""
        folder = os.environ.get("STPWIDGET_SCREENSHOTS")
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            path = Path(folder) / f"{self.case}-{name}.png"
            self.page.locator(".stp-explorer").screenshot(path=str(path), animations="disabled")

    # -- waiting ------------------------------------------------------------------------
    def settle(self, quiet: float = 0.25, timeout: float = 15.0) -> str:
        """Wait until the kernel is idle and the figure unchanged for ``quiet`` s."""
        return bk.settle(
            self.page, self.watch, FIGURE, kind=self.kind, quiet=quiet, timeout=timeout
        )

    # -- acting -------------------------------------------------------------------------
    def handle(self, key: str) -> str:
        """Selector of a slider's handle."""
        return f".stp-{key} .noUi-handle"

    def press(self, key: str, arrow: str = "ArrowRight", times: int = 1) -> None:
        """Focus a slider's handle and press an arrow key."""
        self.page.focus(self.handle(key))
        for _ in range(times):
            self.page.keyboard.press(arrow)

    def click_preset(self, name: str) -> None:
        """Click one of the preset toggle buttons."""
        self.page.locator(".stp-preset button", has_text=name).click()

    def click_pin(self) -> None:
        """Click the pin toggle."""
        self.page.locator(".stp-pin").click()

    def drag_slider_end_to_end(self, key: str, moves: int = 48, pause_ms: int = 18) -> float:
        """Drag a slider's handle to its left end, then to its right end; return release time.

        ``moves`` mouse moves with ``pause_ms`` between them (about a second in all).
        """
        page = self.page
        page.locator(f".stp-{key}").scroll_into_view_if_needed()
        handle = page.locator(self.handle(key)).bounding_box()
        track = page.locator(f".stp-{key} .noUi-target").bounding_box()
        assert handle and track, f"slider {key} not visible"
        y = handle["y"] + handle["height"] / 2
        x = handle["x"] + handle["width"] / 2
        left, right = track["x"] - 15, track["x"] + track["width"] + 15
        page.mouse.move(x, y)
        page.mouse.down()
        n_left = max(4, moves // 6)
        path = [x + (left - x) * (i + 1) / n_left for i in range(n_left)]
        n_right = moves - n_left
        path += [left + (right - left) * (i + 1) / n_right for i in range(n_right)]
        for px in path:
            page.mouse.move(px, y)
            page.wait_for_timeout(pause_ms)
        page.mouse.up()
        return time.monotonic()


def dump(obj) -> str:
    """Short JSON for assertion messages."""
    return json.dumps(obj, default=str)[:2000]
