"""The page's JavaScript unit tests (``node --test tests/js``), and its axes against matplotlib."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from matplotlib.ticker import MaxNLocator

from stpwidget.view.figure import nice_ceiling

NODE = shutil.which("node")
ROOT = Path(__file__).resolve().parents[1]
needs_node = pytest.mark.skipif(NODE is None, reason="needs Node.js")


def node_eval(script: str) -> object:
    figure = str(ROOT / "stpwidget" / "page" / "figure.js")
    code = (
        f"const F = require({json.dumps(figure)}); process.stdout.write(JSON.stringify({script}));"
    )
    out = subprocess.run([NODE, "-e", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


@needs_node
def test_node_unit_tests_pass() -> None:
    proc = subprocess.run(
        [NODE, "--test", str(ROOT / "tests" / "js")], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "# fail 0" in proc.stdout


@needs_node
def test_ticks_and_ceilings_match_matplotlib() -> None:
    rng = np.random.default_rng(3)
    ranges = [(-0.02, 1.12, 8), (0, 1, 9), (0, 0.5, 5), (0, 2, 9), (0, 100, 6)]
    ranges += [(0.0, float(10 ** rng.uniform(-3, 3)), int(rng.integers(2, 10))) for _ in range(30)]
    got = node_eval(f"{json.dumps(ranges)}.map(([a, b, n]) => F.linearTicks(a, b, n))")
    for (lo, hi, nbins), ticks in zip(ranges, got):  # type: ignore[arg-type]
        want = MaxNLocator(nbins=nbins, steps=[1, 2, 2.5, 5, 10]).tick_values(lo, hi)
        want = want[(want >= lo - 1e-12) & (want <= hi + 1e-12)]
        np.testing.assert_allclose(ticks, want, rtol=1e-9, atol=1e-12, err_msg=f"{lo}..{hi}")
    values = [float(v) for v in 10 ** rng.uniform(-4, 4, 50)] + [0.55, 1.0, 2.0, 5.0]
    ceilings = node_eval(f"{json.dumps(values)}.map(F.niceCeiling)")
    assert ceilings == [nice_ceiling(v) for v in values]


def test_committed_example_page_is_what_make_page_writes(tmp_path, capsys) -> None:
    from stpwidget.__main__ import main

    assert main(["page", str(tmp_path / "bad.html"), "--controls", "U,volume"]) == 2
    assert "controls must be distinct names from" in capsys.readouterr().err
    assert not (tmp_path / "bad.html").exists()
    assert main(["page", str(tmp_path / "page.html"), "--preset", "depressing"]) == 0
    committed = (ROOT / "docs" / "example_page.html").read_text(encoding="utf-8")
    assert committed == (tmp_path / "page.html").read_text(encoding="utf-8"), "run `make page`"


@needs_node
def test_page_specs_are_the_notebook_explorers() -> None:
    """Labels, units, ranges, log values, presets, windows and colours match the Python side."""
    from stpwidget.explorer.sections.inputs import USES
    from stpwidget.explorer.sections.membrane import TAU_M, THRESHOLD
    from stpwidget.explorer.sliders import DECADE, PROBE_DELAY, RATE_AFTER, SLIDERS, log_values
    from stpwidget.params import PRESETS
    from stpwidget.stimulus import WINDOWS
    from stpwidget.view.panels.data import DATA_COLORS
    from stpwidget.view.style import PALETTE

    folder = json.dumps(str(ROOT / "stpwidget" / "page"))
    code = (
        f"const d = {folder}; const S = require(d + '/state.js'); const M = require(d + "
        "'/frame.js'); const F = require(d + '/figure.js'); process.stdout.write(JSON.stringify("
        "{sliders: S.SLIDERS, decade: S.DECADE, presets: S.PRESETS, uses: S.USES, "
        "windows: M.WINDOWS, colors: F.COLORS, data: F.DATA_COLORS}));"
    )
    out = subprocess.run([NODE, "-e", code], capture_output=True, text=True, check=True)
    js = json.loads(out.stdout)
    specs = {**SLIDERS, "probe_delay": PROBE_DELAY, "rate_after": RATE_AFTER}
    specs.update(tau_m=TAU_M, threshold=THRESHOLD)
    for key, spec in specs.items():
        got = js["sliders"][key]
        assert (got["label"], got["unit"], got["low"], got["high"]) == (
            spec.label,
            spec.unit,
            spec.low,
            spec.high,
        ), key
        assert (got["log"], got["scale"]) == (spec.log, spec.scale), key
        if spec.log:
            assert got["values"] == log_values(spec.low, spec.high), key
    assert js["decade"] == list(DECADE)
    for name, params in PRESETS.items():
        assert js["presets"][name] == {
            k: float(getattr(params, k)) for k in ("tau_f", "tau_d", "tau_s", "U", "A")
        }
    assert js["uses"] == {k: list(v) for k, v in USES.items()}
    assert js["windows"] == list(WINDOWS)
    assert {k: v.lower() for k, v in js["colors"].items()} == {
        k: v.lower() for k, v in PALETTE.items()
    }
    assert js["data"] == list(DATA_COLORS)


@needs_node
@pytest.mark.parametrize("scale", [1.0, 1.5])
def test_panel_layout_holds_in_the_figure(scale) -> None:
    """The page's panels lie inside the 920 x 560 figure, apart, in the notebook's columns.

    The notebook measures its text to place the panels (STPView.layout); the page keeps its
    own margins, so the rectangles are compared by arrangement, not to the pixel.
    """
    from stpwidget.view import PANELS

    sets = [
        ("state", "current", "frequency"),
        ("state", "current", "membrane", "frequency", "data"),
        ("state", "membrane"),
    ]
    got = node_eval(f"{json.dumps(sets)}.map((p) => F.layout(p, 920, 560, {scale}))")
    for names, rects in zip(sets, got):  # type: ignore[arg-type]
        boxes = {n: (r["x"], r["y"], r["x"] + r["w"], r["y"] + r["h"]) for n, r in rects.items()}
        assert set(boxes) == set(names)
        for name, (x0, y0, x1, y1) in boxes.items():
            assert 0 < x0 < x1 < 920 and 0 < y0 < y1 < 560, name
        for a in names:  # no two panels overlap
            for b in names:
                if a < b:
                    ax0, ay0, ax1, ay1 = boxes[a]
                    bx0, by0, bx1, by1 = boxes[b]
                    assert ax1 <= bx0 or bx1 <= ax0 or ay1 <= by0 or by1 <= ay0, (a, b)
        time = [n for n in names if PANELS[n].column == "time"]
        side = [n for n in names if PANELS[n].column == "side"]
        assert len({(boxes[n][0], boxes[n][2]) for n in time}) == 1  # one shared time axis
        assert [boxes[n][1] for n in time] == sorted(boxes[n][1] for n in time)  # in order
        assert all(boxes[s][0] > boxes[time[0]][2] for s in side)  # side column on the right
