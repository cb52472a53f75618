"""The notebooks: they run headless, pairs agree, the .ipynb are stripped, Colab links, exercises.

Every notebook is executed once per render path with nbclient, in a kernel of the Python
that runs the tests (``python3`` resolves to ``sys.executable``), with the Jupyter and
matplotlib folders in a temp folder (see ``conftest.py``):

* ``image``: matplotlib's inline backend, as in Colab: the explorer sends PNG images;
* ``ipympl``: ``%matplotlib widget``'s backend: the explorer draws on an ipympl canvas.

The second is marked ``ipympl``: the Colab-like leg (``.ci/colab_leg.sh``) runs
``-m "not ipympl"``.
"""

from __future__ import annotations

import doctest
import math
import os
import re
import sys
from pathlib import Path

import ipywidgets
import jupytext
import nbformat
import pytest
import torch
from nbclient import NotebookClient
from tm_reference import releases

import stpwidget.exercises as ex
import stpwidget.exercises.postsynaptic
from stpwidget import (
    PRESETS,
    TMParameters,
    mystery_synapse,
    regular_train,
    simulate,
    submission_row,
    with_recovery_probe,
)

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
NAMES = ("01_explorer", "02_lesson", "03_lecturer")
#: The notebooks that show the explorer (the lecturer's grading notebook does not).
EXPLORER_NOTEBOOKS = ("01_explorer", "02_lesson")
#: Static figures each notebook shows (PNG images, or ipympl canvases besides the explorer):
#: at least this many for the lesson and the lecturer's notebook, exactly 0 for the quick start.
FIGURES = {"01_explorer": 0, "02_lesson": 14, "03_lecturer": 1}
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
BACKENDS = {"image": "module://matplotlib_inline.backend_inline", "ipympl": "widget"}
#: The kernel shows every warning once, even those a notebook hides by default, except
#: ipympl's own deprecation (pyproject.toml's filterwarnings ignores it too).
SHOW_WARNINGS = "default,ignore:Passing unrecognized arguments to super(Toolbar):DeprecationWarning"
#: Model name of the explorer's figure widget on each render path.
FIGURE_MODEL = {"image": "ImageModel", "ipympl": "MPLCanvasModel"}


def repository() -> str:
    """``[project.urls] Repository`` of pyproject.toml, without a trailing slash or .git."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    section = re.search(r"^\[project\.urls\]\s*$(.*?)(?=^\[|\Z)", text, re.M | re.S)
    assert section, "pyproject.toml has no [project.urls] table"
    match = re.search(r'^Repository\s*=\s*"([^"]+)"', section.group(1), re.M)
    assert match, "[project.urls] has no Repository"
    url = match.group(1).rstrip("/")
    return url.removesuffix(".git")


def colab_url(name: str) -> str:
    owner_repo = re.fullmatch(r"https://github\.com/([^/]+/[^/]+)", repository())
    assert owner_repo, f"Repository must be a github.com URL; got {repository()}"
    return (
        f"https://colab.research.google.com/github/{owner_repo.group(1)}/blob/main/"
        f"notebooks/{name}.ipynb"
    )


def read_ipynb(name: str) -> nbformat.NotebookNode:
    return nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)


def read_md(name: str) -> nbformat.NotebookNode:
    return jupytext.read(NOTEBOOKS / f"{name}.md")


def output_texts(cell: nbformat.NotebookNode) -> list[str]:
    """Every text an executed cell shows (streams, text/* data, tracebacks)."""
    texts = []
    for out in cell.get("outputs", []):
        if out.output_type == "stream":
            texts.append(out.text)
        elif out.output_type == "error":
            texts.append("\n".join([out.ename, out.evalue, *out.traceback]))
        else:
            texts.extend(v for k, v in out.get("data", {}).items() if k.startswith("text/"))
    return texts


# --- executed notebooks ---------------------------------------------------------------


@pytest.fixture(
    scope="module",
    params=[
        pytest.param((n, b), id=f"{n}-{b}", marks=[pytest.mark.ipympl] if b == "ipympl" else [])
        for n in NAMES
        for b in BACKENDS
    ],
)
def executed(request):
    """A notebook executed headless on one render path (run once per module).

    The image path runs with matplotlib's inline backend, like Colab; the ipympl path runs
    ``%matplotlib widget`` first, as the notebooks tell their readers. A last cell reports
    the kernel's interpreter and ipywidgets; both extra cells are removed afterwards.
    """
    name, backend = request.param
    nb = read_ipynb(name)
    probe = "import sys\n\nimport ipywidgets\n\nprint(sys.executable, ipywidgets.__version__)"
    nb.cells.append(nbformat.v4.new_code_cell(probe))
    if backend == "ipympl":
        nb.cells.insert(0, nbformat.v4.new_code_cell("%matplotlib widget"))
    env = dict(os.environ, MPLBACKEND=BACKENDS["image"], PYTHONWARNINGS=SHOW_WARNINGS)
    env.pop("PYTEST_CURRENT_TEST", None)
    client = NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}
    )
    client.execute(env=env)
    if backend == "ipympl":
        magic = nb.cells.pop(0)
        assert not magic.outputs, output_texts(magic)
    reported = nb.cells.pop()
    assert output_texts(reported) == [f"{sys.executable} {ipywidgets.__version__}\n"], (
        "the notebook ran in another Python or with another ipywidgets than the tests"
    )
    return name, backend, nb


def test_executes_without_errors_or_warnings(executed):
    name, _, nb = executed
    for index, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            where = f"{name}, cell {index}"
            assert out.output_type != "error", f"{where}: {out.ename}: {out.evalue}"
            assert not (out.output_type == "stream" and out.name == "stderr"), (
                f"{where} wrote to stderr:\n{out.text}"
            )
        for text in output_texts(cell):
            assert not re.search(r"Warning\b|warn\(", text), f"{name}, cell {index}:\n{text}"


def test_the_install_cell_does_nothing_outside_colab(executed):
    name, _, nb = executed
    first = next(c for c in nb.cells if c.cell_type == "code")
    assert first.outputs == [], f"{name}: the install cell printed {output_texts(first)}"


def test_the_explorer_is_displayed(executed):
    name, backend, nb = executed
    if name not in EXPLORER_NOTEBOOKS:
        pytest.skip(f"{name} shows no explorer")
    shown = [
        out.data[WIDGET_VIEW]["model_id"]
        for cell in nb.cells
        for out in cell.get("outputs", [])
        if WIDGET_VIEW in out.get("data", {})
    ]
    assert shown, f"{name}: no widget view in any output"
    state = nb.metadata["widgets"][WIDGET_STATE]["state"]
    explorers = [m for m in shown if "stp-explorer" in state[m]["state"].get("_dom_classes", [])]
    assert explorers, f"{name}: the widget shown is not an STPExplorer"
    # The figure widget is a box (the figure plus the pixel-ratio probe): look inside it.
    boxes = [m for m in state.values() if "stp-figure" in m["state"].get("_dom_classes", [])]
    figures = [
        child
        for box in boxes
        for child in box["state"].get("children", [])
        if state.get(child.removeprefix("IPY_MODEL_"), {}).get("model_name")
        == FIGURE_MODEL[backend]
    ]
    assert figures, f"{name}: the explorer's figure is not a {FIGURE_MODEL[backend]}"


def test_the_figures_are_shown(executed):
    name, backend, nb = executed
    # Static figures: PNG images inline, canvas widgets with ipympl (the explorer is one too).
    mime = "image/png" if backend == "image" else WIDGET_VIEW
    shown = sum(mime in out.get("data", {}) for cell in nb.cells for out in cell.get("outputs", []))
    explorers = sum("STPExplorer(" in cell.source for cell in nb.cells if cell.cell_type == "code")
    static = shown - (backend == "ipympl") * explorers
    if FIGURES[name]:
        assert static >= FIGURES[name], f"{name} showed {static} figures ({mime})"
    else:
        assert static == 0, f"{name} should show only the explorer; it showed {shown} ({mime})"


# --- the files ------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_md_and_ipynb_have_the_same_cells(name):
    def cells(nb):
        return [(c.cell_type, c.source) for c in nb.cells]

    md, ipynb = cells(read_md(name)), cells(read_ipynb(name))
    assert len(md) == len(ipynb), f"{name}: {len(md)} cells in .md, {len(ipynb)} in .ipynb"
    for index, (a, b) in enumerate(zip(md, ipynb)):
        assert a == b, f"{name}, cell {index} differs: run `jupytext --sync notebooks/*.md`"


@pytest.mark.parametrize("name", NAMES)
def test_ipynb_is_stripped(name):
    nb = read_ipynb(name)
    nbformat.validate(nb)
    assert nb.metadata.kernelspec.name == "python3"
    assert "widgets" not in nb.metadata, f"{name}.ipynb carries widget state"
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{name}.ipynb, cell {index} has outputs"
            assert cell.execution_count is None, f"{name}.ipynb, cell {index} has a count"


def test_jupytext_pairs_ipynb_with_md():
    config = (NOTEBOOKS / "jupytext.toml").read_text(encoding="utf-8")
    assert re.search(r'^formats\s*=\s*"ipynb,md"\s*$', config, re.M)


def test_readme_colab_badge_matches_the_repository():
    assert (
        f"(https://colab.research.google.com/assets/colab-badge.svg)]({colab_url('01_explorer')})"
        in (ROOT / "README.md").read_text(encoding="utf-8")
    )


@pytest.mark.parametrize("name", NAMES)
def test_colab_badge_matches_the_repository(name):
    nb = read_ipynb(name)
    first_markdown = next(c for c in nb.cells if c.cell_type == "markdown")
    badge = f"[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]({colab_url(name)})"
    assert badge in first_markdown.source
    # Every Colab link in the notebook points at a notebook of this repository.
    text = "\n".join(c.source for c in nb.cells)
    for url in re.findall(r"https://colab\.research\.google\.com/github/[^\s)\"']+", text):
        target = re.search(r"/notebooks/([^/]+)\.ipynb$", url)
        assert target and url == colab_url(target.group(1)), url
        assert (NOTEBOOKS / f"{target.group(1)}.ipynb").exists(), url


# --- exercises --------------------------------------------------------------------------


def answers() -> dict:
    """The right answers, computed here from docs/model.md (not with the checkers' code)."""
    dep, fac = PRESETS["depressing"], PRESETS["facilitating"]
    U, tf, td = dep.U, dep.tau_f, dep.tau_d
    u = U * math.exp(-0.1 / tf) + U * (1 - U * math.exp(-0.1 / tf))
    second = u * (1 - U * math.exp(-0.1 / td))

    def ppr(d):  # docs/model.md: PPR(Δ) for the facilitating preset
        return (1 + (1 - fac.U) * math.exp(-d / fac.tau_f)) * (1 - fac.U * math.exp(-d / fac.tau_d))

    ppr_peak = max((k * 1e-4 for k in range(1, 10_000)), key=ppr)

    def r_inf(f):  # docs/model.md: steady state of a regular train
        d = 1 / f
        uu = fac.U / (1 - (1 - fac.U) * math.exp(-d / fac.tau_f))
        return uu * (1 - math.exp(-d / fac.tau_d)) / (1 - (1 - uu) * math.exp(-d / fac.tau_d))

    tuned = max((10 ** (k / 2000) for k in range(-2000, 6000)), key=r_inf)
    # Recovery: 9 spikes at 10 Hz, then the probe release a gap T later (docs/model.md).
    end = simulate(dep, regular_train(10.0, 9, start=0.1), 1.0).post
    ue, xe = float(end.u[-1]), float(end.x[-1])

    def probe(gap):
        uu = ue * math.exp(-gap / tf)
        return (uu + U * (1 - uu)) * (1 - (1 - xe) * math.exp(-gap / td))

    recovery = next(k * 1e-4 for k in range(1, 100_000) if probe(k * 1e-4) >= 0.9 * U)
    # Poisson input at 20 Hz, facilitating: the mean-field formula of docs/model.md.
    f = 20.0
    um = fac.U * f * fac.tau_f / (1 + fac.U * f * fac.tau_f)
    up = um + fac.U * (1 - um)
    poisson = up / (1 + up * f * fac.tau_d)
    return {
        "second": second,
        "ppr_peak": ppr_peak,
        "recovery": recovery,
        "f_lim": 1 / (U * td),
        "tuned": tuned,
        "poisson": poisson,
        "step": step_windows("depressing")["after"] / step_windows("depressing")["before"],
    }


#: Exercise 9's rate step, written out: 10 Hz from 0.1 s, then 40 Hz from 0.8 s to 1.5 s.
STEP_TIMES = [0.1 + k / 10.0 for k in range(7)] + [0.8 + k / 40.0 for k in range(28)]


def step_windows(name: str) -> dict[str, float]:
    """Total release of preset ``name`` in exercise 9's 100 ms windows (tests/tm_reference).

    Windows by spike index, not by comparing rounded times: "before" is the spike at 0.7 s,
    "after" the four at 0.8 ... 0.875 s, "late" the four at 1.4 ... 1.475 s.
    """
    p = PRESETS[name]
    r = releases(float(p.U), float(p.tau_f), float(p.tau_d), STEP_TIMES)
    return {"before": r[6], "after": r[7:11].sum(), "late": r[31:35].sum(), "all": r}


#: Checkers that compare a number with the model's value within a tolerance.
CHECKS = {
    "second": ex.check_second_release,
    "recovery": ex.check_recovery_time,
    "f_lim": ex.check_limiting_frequency,
    "poisson": ex.check_poisson_release,
    "step": ex.check_step_transient,
}
#: Checkers that accept any answer near a flat maximum (exercises 2 and 6).
PEAKS = {"ppr_peak": ex.check_ppr_peak, "tuned": ex.check_tuned_rate}


@pytest.fixture(scope="module")
def right():
    return answers()


def test_reference_answers_are_the_documented_numbers(right):
    assert right["second"] == pytest.approx(0.293081, abs=1e-6)  # docs/model.md, spike 2
    assert right["f_lim"] == pytest.approx(2.963, abs=1e-3)
    assert 0.07 < right["ppr_peak"] < 0.1
    assert 10 < right["tuned"] < 16
    assert 1.0 < right["recovery"] < 2.5
    assert 2.5 < right["step"] < 2.8  # the release per 100 ms jumps, but not fourfold


@pytest.mark.parametrize("key", [*CHECKS, *PEAKS])
def test_checker_accepts_the_right_answer(key, right):
    check = {**CHECKS, **PEAKS}[key]
    verdict = check(right[key])
    assert verdict, verdict.message
    assert verdict.message.startswith("Correct")
    # Numbers in any form a student may hand in: a float, an int-like, a 0-d tensor.
    assert check(torch.tensor(right[key]))


@pytest.mark.parametrize("key", CHECKS)
@pytest.mark.parametrize("factor", [0.8, 1.25])
def test_checker_rejects_a_wrong_answer(key, factor, right):
    verdict = CHECKS[key](right[key] * factor)
    assert not verdict, verdict.message
    assert ("too low" if factor < 1 else "too high") in verdict.message
    # The feedback never gives the model's value away.
    assert f"{right[key]:.3g}" not in verdict.message


@pytest.mark.parametrize("key", PEAKS)
@pytest.mark.parametrize("factor", [0.5, 2.0])
def test_peak_checker_points_the_way(key, factor, right):
    verdict = PEAKS[key](right[key] * factor)
    assert not verdict, verdict.message
    assert re.search("longer|higher" if factor < 1 else "shorter|lower", verdict.message)
    assert "% below the largest" in verdict.message


def test_peak_checkers_accept_what_a_careful_reader_finds(right):
    # Exercise 2: the figure's dot at 100 ms has a PPR 0.13% below the largest.
    assert ex.check_ppr_peak(0.1)
    assert not ex.check_ppr_peak(0.03) and not ex.check_ppr_peak(0.3)  # the other dots
    # Exercise 6: 15 Hz releases 0.8% less per spike than the best rate; the
    # Markram–Wang–Tsodyks estimate 1/sqrt(U τ_d τ_f) = 13.3 Hz too.
    assert ex.check_tuned_rate(15.0) and ex.check_tuned_rate(1 / math.sqrt(0.15 * 0.05 * 0.75))
    assert not ex.check_tuned_rate(20.0)
    # when right, the range that passes is shown
    assert re.search(r"from \d+ ms to \d+ ms", ex.check_ppr_peak(0.1).message)


@pytest.mark.parametrize("check", [*CHECKS.values(), *PEAKS.values()])
@pytest.mark.parametrize("bad", [None, "0.3", float("nan"), torch.ones(3), True])
def test_checker_refuses_a_non_answer(check, bad):
    verdict = check(bad)
    assert not verdict
    assert verdict.message.startswith(("No answer yet", "Not a number"))
    assert repr(verdict) == verdict.message


def test_checkers_catch_milliseconds(right):
    assert not ex.check_ppr_peak(1e3 * right["ppr_peak"])
    assert "milliseconds" in ex.check_ppr_peak(1e3 * right["ppr_peak"]).message
    assert "milliseconds" in ex.check_recovery_time(1e3 * right["recovery"]).message


def test_exercise_1_names_the_usual_slips():
    U, tf, td = 0.45, 0.05, 0.75
    u_minus, x_minus = U * math.exp(-0.1 / tf), 1 - U * math.exp(-0.1 / td)
    u_plus = u_minus + U * (1 - u_minus)
    slips = {
        U * x_minus: "u⁺ = U",  # 0.2728: the residual u ignored
        u_plus * (1 - U): "x recovers",  # 0.2659: x not recovered
        u_minus * x_minus: "before the jump",  # 0.0369: released with u⁻
        U * (1 - U): "both change",  # 0.2475: neither decays nor recovers
    }
    for value, words in slips.items():
        for answer in (value, round(value, 4), round(value, 3)):
            message = ex.check_second_release(answer).message
            assert message.startswith("Not yet") and words in message, (answer, message)
            assert "Hint:" not in message
    # an answer that is no known slip gets the direction and the general hint
    assert "Hint:" in ex.check_second_release(0.25).message


def test_other_checkers_name_their_slips(right):
    recovery = ex.check_recovery_time(0.75 * math.log(10)).message  # x_e⁺ taken as 0
    assert "after the train x is low but not 0" in recovery
    assert "last spike" in ex.check_recovery_time(right["recovery"] + 0.8).message
    assert "ceiling" in ex.check_limiting_frequency(1 / 0.75).message
    assert "seconds" in ex.check_limiting_frequency(1 / (0.45 * 750)).message
    assert "facilitating preset" in ex.check_limiting_frequency(1 / (0.15 * 0.05)).message


def test_exercise_9_is_the_explorers_rate_step_and_names_its_slips():
    from stpwidget import step_train
    from stpwidget.state import ExplorerState
    from stpwidget.stimulus import Stimulus

    # the checker's train is the one the exercise describes, and the explorer's rate step
    assert step_train(**ex.STEP).tolist() == pytest.approx(STEP_TIMES, abs=1e-12)
    shown = Stimulus(kind="step", rate=10.0, rate_after=40.0)
    assert shown.spikes().tolist() == pytest.approx(STEP_TIMES, abs=1e-12)
    assert ExplorerState.from_preset("depressing").threshold == 0.15  # §9's "defaults"
    dep, fac = step_windows("depressing"), step_windows("facilitating")
    r, U, td = dep["all"], 0.45, 0.75
    # r∞ from the steady-state formula of docs/model.md (u⁺ ≈ U: τ_f is short)
    steady = {}
    for f in (10.0, 40.0):
        d = 1 / f
        u = U / (1 - (1 - U) * math.exp(-d / 0.05))
        steady[f] = u * (1 - math.exp(-d / td)) / (1 - (1 - u) * math.exp(-d / td))
    slips = {
        4.0: "ratio of the rates",
        dep["late"] / dep["before"]: "last 100 ms",
        4 * steady[40.0] / steady[10.0]: "steady state at the new rate",
        dep["after"] / 4 / dep["before"]: "mean release per spike",
        r[7] / r[6]: "two single spikes",
        fac["after"] / fac["before"]: "facilitating preset",
    }
    assert len({round(v, 2) for v in slips}) == len(slips)  # distinct slips
    for value, words in slips.items():
        assert abs(value / (dep["after"] / dep["before"]) - 1) > 0.05  # none is right
        for answer in (value, round(value, 2)):
            message = ex.check_step_transient(answer).message
            assert message.startswith("Not yet") and words in message, (answer, message)
    assert "Hint:" in ex.check_step_transient(2.0).message
    # ±2%, as the docstring says
    right = dep["after"] / dep["before"]
    assert ex.check_step_transient(right * 1.019) and ex.check_step_transient(right * 0.981)
    assert not ex.check_step_transient(right * 1.022) and not ex.check_step_transient(right * 0.978)


def test_postsynaptic_checker_docstring_examples():
    result = doctest.testmod(stpwidget.exercises.postsynaptic)
    assert result.attempted > 0 and result.failed == 0


def test_the_poisson_hint_is_for_the_regular_value_only():
    fac = PRESETS["facilitating"]
    d = 1 / 20.0
    u = fac.U / (1 - (1 - fac.U) * math.exp(-d / fac.tau_f))
    regular = u * (1 - math.exp(-d / fac.tau_d)) / (1 - (1 - u) * math.exp(-d / fac.tau_d))
    assert "regular" in ex.check_poisson_release(regular).message
    for wrong in (0.3, 0.6, 0.2):
        message = ex.check_poisson_release(wrong).message
        assert "regular" not in message and "Hint:" in message, message


def recorded_letter() -> str:
    """The candidate whose measurements are the recording, found here by simulation."""
    protocol = ex.RECORDING_PROTOCOL
    train = with_recovery_probe(
        regular_train(protocol["train_rate"], int(protocol["train_spikes"])), protocol["probe_gap"]
    )
    fits = []
    for letter, params in ex.CANDIDATES.items():
        pair = simulate(params, [0.0, protocol["pair_interval"]], 0.01).release
        release = simulate(params, train, 0.01).release
        measured = (float(pair[1] / pair[0]), float(release[-1] / release[0]))
        if all(abs(a - b) <= 0.005 for a, b in zip(measured, ex.RECORDING.values())):
            fits.append(letter)
    assert len(fits) == 1, fits
    return fits[0]


def test_which_synapse_checker():
    letter = recorded_letter()
    assert ex.check_which_synapse(letter) and ex.check_which_synapse(f" {letter.lower()} ")
    others = [c for c in ex.CANDIDATES if c != letter]
    messages = {c: ex.check_which_synapse(c).message for c in others}
    for c, message in messages.items():
        assert message.startswith(f"Not yet: {c}"), message
        assert "fits the measurements too" not in message  # each one misses something
    assert len(set(messages.values())) == len(others)  # a diagnosis for each, not one text
    assert any("facilitates" in m for m in messages.values())
    assert any("recovers faster" in m for m in messages.values())
    assert any("PPR at 50 ms is closer to 1" in m for m in messages.values())
    for bad in (None, "E", 3, ""):
        verdict = ex.check_which_synapse(bad)
        assert not verdict and verdict.message.startswith(("No answer yet", "Not one of"))


def test_design_checker():
    def ratios(p):  # docs/model.md steady state over U, at 5 and 40 Hz
        out = []
        for f in (5.0, 40.0):
            d = 1 / f
            u = p.U / (1 - (1 - p.U) * math.exp(-d / p.tau_f))
            x = (1 - math.exp(-d / p.tau_d)) / (1 - (1 - u) * math.exp(-d / p.tau_d))
            out.append(u * x / p.U)
        return out

    good = TMParameters(tau_f=0.04, tau_d=0.6, tau_s=0.02, U=0.02)
    low, high = ratios(good)
    assert low <= 0.99 and high >= 1.01
    assert ex.check_depress_then_facilitate(good)
    assert (
        f"{low:.3f} at 5 Hz and {high:.3f} at 40 Hz"
        in ex.check_depress_then_facilitate(good).message
    )
    # the presets each fail one condition, and are told which
    dep = ex.check_depress_then_facilitate(PRESETS["depressing"]).message
    fac = ex.check_depress_then_facilitate(PRESETS["facilitating"]).message
    assert "At 40 Hz it does not facilitate" in dep and "At 5 Hz" not in dep
    assert "At 5 Hz it does not depress" in fac and "At 40 Hz" not in fac
    # just inside and just outside the stated 1% margin
    edge = TMParameters(tau_f=0.04, tau_d=0.6, tau_s=0.02, U=0.1)  # depresses at both rates
    assert not ex.check_depress_then_facilitate(edge)
    for bad in (None, {"U": 0.1}, good.replace(U=torch.tensor([0.02, 0.03]))):
        assert not ex.check_depress_then_facilitate(bad)


def test_norse_translation_checker():
    n = ex.NORSE_EXERCISE
    good = TMParameters(1 / n["tau_f_inv"], 1 / n["tau_d_inv"], 1 / n["tau_s_inv"], n["U"])
    assert ex.check_norse_translation(good)
    inverse = TMParameters(n["tau_f_inv"], n["tau_d_inv"], n["tau_s_inv"], n["U"])
    assert "inverse" in ex.check_norse_translation(inverse).message
    ms = good.replace(tau_f=1e3 * good.tau_f, tau_d=1e3 * good.tau_d, tau_s=1e3 * good.tau_s)
    assert "milliseconds" in ex.check_norse_translation(ms).message
    assert not ex.check_norse_translation(good.replace(U=0.5))
    assert not ex.check_norse_translation(good.replace(tau_s=0.02))
    assert not ex.check_norse_translation(None)
    assert not ex.check_norse_translation({"tau_f": 0.5})


# --- the lesson's exercises and their solutions ---------------------------------------------

DETAILS = re.compile(r"<details>(.*?)</details>", re.S)
FENCE = re.compile(r"```python\n(.*?)```", re.S)
#: Every exercise of the lesson and its checker, in order (numbered in the sections, lettered
#: in the optional appendix). A new exercise adds a line here.
LESSON_EXERCISES = {
    "1": "check_second_release",
    "2": "check_ppr_peak",
    "3": "check_recovery_time",
    "4": "check_which_synapse",
    "5": "check_limiting_frequency",
    "6": "check_tuned_rate",
    "7": "check_poisson_release",
    "8": "check_depress_then_facilitate",
    "9": "check_step_transient",
    "A": "check_norse_translation",
}


def test_the_lesson_has_exactly_its_exercises_with_hidden_solutions():
    nb = read_ipynb("02_lesson")
    headings = [
        m.group(1)
        for c in nb.cells
        if c.cell_type == "markdown"
        for m in re.finditer(r"^### Exercise (\w+):", c.source, re.M)
    ]
    assert headings == list(LESSON_EXERCISES)
    solutions = [c for c in nb.cells if c.cell_type == "markdown" and DETAILS.search(c.source)]
    checks = [c for c in nb.cells if c.cell_type == "code" and "check_" in c.source]
    assert len(solutions) == len(checks) == len(LESSON_EXERCISES)
    for cell, checker in zip(checks, LESSON_EXERCISES.values()):
        # the student's cell starts unanswered and ends with its own check
        assert re.search(r"^\w+ = None  # your answer", cell.source, re.M), cell.source
        assert cell.source.splitlines()[-1].startswith(f"{checker}("), cell.source
    # every checker of the package has its exercise
    assert {n for n in ex.__all__ if n.startswith("check_")} == set(LESSON_EXERCISES.values())
    numbered = sum(key.isdigit() for key in LESSON_EXERCISES)
    words = ["", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine", "Ten"]
    intro = next(c for c in nb.cells if "How to use this notebook" in c.source).source
    assert f"{words[numbered]} exercises ask for an answer (and one more in the appendix)" in (
        " ".join(intro.split())
    )


def test_the_lesson_solutions_pass_their_checkers(monkeypatch, capsys):
    verdicts: list = []

    def recording(check):
        def wrapper(*args, **kwargs):
            verdict = check(*args, **kwargs)
            verdicts.append(verdict)
            return verdict

        return wrapper

    for name in ex.__all__:
        if name.startswith("check_"):
            monkeypatch.setattr(ex, name, recording(getattr(ex, name)))
    nb = read_ipynb("02_lesson")
    blocks = [
        code
        for cell in nb.cells
        if cell.cell_type == "markdown"
        for details in DETAILS.findall(cell.source)
        for code in FENCE.findall(details)
    ]
    assert len(blocks) == len(LESSON_EXERCISES)
    for code in blocks:
        before = len(verdicts)
        exec(compile(code, "<solution>", "exec"), {"__name__": "__solution__"})
        assert len(verdicts) == before + 1, f"a solution must call one checker:\n{code}"
        assert verdicts[-1], f"{verdicts[-1]}\n{code}"
    capsys.readouterr()


def test_the_guides_class_and_grading_snippets_run(tmp_path, monkeypatch, capsys):
    """docs/teaching.md's snippets: make and save a class, then grade it from its file."""
    from stpwidget.mystery import Classroom

    guide = (ROOT / "docs" / "teaching.md").read_text(encoding="utf-8")
    make = next(b for b in FENCE.findall(guide) if "Classroom.create(" in b)
    snippet = next(b for b in FENCE.findall(guide) if "grade(" in b)
    class_file = re.search(r'Classroom\.load\("([^"]+)"\)', snippet).group(1)
    answers = re.search(r'grade\(room, "([^"]+)"\)', snippet).group(1)
    assert re.search(rf'room\.save\("{re.escape(class_file)}"\)', make), make
    monkeypatch.chdir(tmp_path)
    made: dict = {}
    exec(compile(make, "<teaching.md>", "exec"), made)
    room = Classroom.load(tmp_path / class_file)
    assert room.code == made["room"].code and room.code in capsys.readouterr().out
    first = room.roster[0]
    truth = mystery_synapse(room.code, first).reveal(room.key)
    rows = ["student,tau_f,tau_d,U,A,check", submission_row(first, truth, room.code), "x,1,2"]
    (tmp_path / answers).write_text("\n".join(rows) + "\n", encoding="utf-8")
    namespace: dict = {}
    exec(compile(snippet, "<teaching.md>", "exec"), namespace)
    report = namespace["report"]
    assert report.grades.loc[0, "error"] == 0.0 and report.grades.loc[0, "student"] == first
    assert list(report.problems["row"]) == [3] and "x" in capsys.readouterr().out
    written = (tmp_path / "grades.csv").read_text(encoding="utf-8").splitlines()
    assert written[0].startswith("student,score,error,kind,status")
    assert len(written) == 1 + len(room.roster)


def test_the_lecturer_notebooks_class_snippet_is_the_guides():
    """The notebook shows (does not run) how to make a class: the guide's runnable snippet."""
    guide = (ROOT / "docs" / "teaching.md").read_text(encoding="utf-8")
    make = next(b for b in FENCE.findall(guide) if "Classroom.create(" in b)
    shown = [
        block
        for c in read_md("03_lecturer").cells
        if c.cell_type == "markdown"
        for block in FENCE.findall(c.source)
    ]
    assert shown == [make]


@pytest.mark.parametrize("name", NAMES)
def test_notebook_text_has_the_right_title(name):
    title = next(c for c in read_ipynb(name).cells if c.cell_type == "markdown").source
    assert title.startswith("# Short-term synaptic plasticity")
    assert "Spike Time Dependent" not in title
