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

import ast
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
from IPython.core.inputtransformer2 import TransformerManager
from nbclient import NotebookClient

import stpwidget.exercises as ex
from stpwidget import PRESETS, TMParameters, regular_train, simulate

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
NAMES = ("01_explorer", "02_lesson")
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
    figures = [
        m
        for m in state.values()
        if m["model_name"] == FIGURE_MODEL[backend]
        and "stp-figure" in m["state"].get("_dom_classes", [])
    ]
    assert figures, f"{name}: the explorer's figure is not a {FIGURE_MODEL[backend]}"


def test_the_figures_are_shown(executed):
    name, backend, nb = executed
    # Static figures: PNG images inline, canvas widgets with ipympl (the explorer is one too).
    mime = "image/png" if backend == "image" else WIDGET_VIEW
    shown = sum(mime in out.get("data", {}) for cell in nb.cells for out in cell.get("outputs", []))
    static = shown - (backend == "ipympl")
    if name == "02_lesson":
        assert static >= 9, f"the lesson showed {static} figures ({mime})"
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


@pytest.mark.parametrize("name", NAMES)
def test_installs_from_the_repository_only_in_colab(name):
    nb = read_ipynb(name)
    code = [c for c in nb.cells if c.cell_type == "code"]
    # Parse the first code cell as IPython runs it (magics become run_line_magic calls).
    python = TransformerManager().transform_cell(code[0].source)
    tree = ast.parse(python)
    assert [type(n) for n in tree.body] == [ast.Import, ast.If], "import sys, then one if"
    guard = tree.body[1]
    assert ast.unparse(guard.test) == "'google.colab' in sys.modules"
    assert not guard.orelse, "nothing happens outside Colab"
    calls = [ast.unparse(n) for n in guard.body]
    install = f'install --quiet "git+{repository()}"'
    assert calls == [f"get_ipython().run_line_magic('pip', {install!r})"], calls
    for cell in nb.cells:
        assert "!pip" not in cell.source, "use %pip (the kernel's pip), never !pip"
        if cell.cell_type == "code" and cell is not code[0]:
            assert not re.search(r"%pip\b", cell.source), "install only in the first cell"


# --- exercises --------------------------------------------------------------------------


def answers() -> dict:
    """The right answers, computed here from STP_MODEL.md (not with the checkers' code)."""
    dep, fac = PRESETS["depressing"], PRESETS["facilitating"]
    U, tf, td = dep.U, dep.tau_f, dep.tau_d
    u = U * math.exp(-0.1 / tf) + U * (1 - U * math.exp(-0.1 / tf))
    second = u * (1 - U * math.exp(-0.1 / td))

    def ppr(d):  # STP_MODEL.md: PPR(Δ) for the facilitating preset
        return (1 + (1 - fac.U) * math.exp(-d / fac.tau_f)) * (1 - fac.U * math.exp(-d / fac.tau_d))

    ppr_peak = max((k * 1e-4 for k in range(1, 10_000)), key=ppr)

    def r_inf(f):  # STP_MODEL.md: steady state of a regular train
        d = 1 / f
        uu = fac.U / (1 - (1 - fac.U) * math.exp(-d / fac.tau_f))
        return uu * (1 - math.exp(-d / fac.tau_d)) / (1 - (1 - uu) * math.exp(-d / fac.tau_d))

    tuned = max((10 ** (k / 2000) for k in range(-2000, 6000)), key=r_inf)
    # Recovery: 9 spikes at 10 Hz, then the probe release a gap T later (STP_MODEL.md).
    end = simulate(dep, regular_train(10.0, 9, start=0.1), 1.0).post
    ue, xe = float(end.u[-1]), float(end.x[-1])

    def probe(gap):
        uu = ue * math.exp(-gap / tf)
        return (uu + U * (1 - uu)) * (1 - (1 - xe) * math.exp(-gap / td))

    recovery = next(k * 1e-4 for k in range(1, 100_000) if probe(k * 1e-4) >= 0.9 * U)
    # Poisson input at 20 Hz, facilitating: the mean-field formula of STP_MODEL.md.
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
    }


CHECKS = {
    "second": ex.check_second_release,
    "ppr_peak": ex.check_ppr_peak,
    "recovery": ex.check_recovery_time,
    "f_lim": ex.check_limiting_frequency,
    "tuned": ex.check_tuned_rate,
    "poisson": ex.check_poisson_release,
}


@pytest.fixture(scope="module")
def right():
    return answers()


def test_reference_answers_are_the_documented_numbers(right):
    assert right["second"] == pytest.approx(0.293081, abs=1e-6)  # STP_MODEL.md, spike 2
    assert right["f_lim"] == pytest.approx(2.963, abs=1e-3)
    assert 0.07 < right["ppr_peak"] < 0.1
    assert 10 < right["tuned"] < 16
    assert 1.0 < right["recovery"] < 2.5


@pytest.mark.parametrize("key", CHECKS)
def test_checker_accepts_the_right_answer(key, right):
    verdict = CHECKS[key](right[key])
    assert verdict, verdict.message
    assert verdict.message.startswith("Correct")
    # Numbers in any form a student may hand in: a float, an int-like, a 0-d tensor.
    assert CHECKS[key](torch.tensor(right[key]))


@pytest.mark.parametrize("key", CHECKS)
@pytest.mark.parametrize("factor", [0.8, 1.25])
def test_checker_rejects_a_wrong_answer(key, factor, right):
    verdict = CHECKS[key](right[key] * factor)
    assert not verdict, verdict.message
    assert ("too low" if factor < 1 else "too high") in verdict.message
    # The feedback never gives the model's value away.
    assert f"{right[key]:.3g}" not in verdict.message


@pytest.mark.parametrize("key", CHECKS)
@pytest.mark.parametrize("bad", [None, "0.3", float("nan"), torch.ones(3), True])
def test_checker_refuses_a_non_answer(key, bad):
    verdict = CHECKS[key](bad)
    assert not verdict
    assert verdict.message.startswith(("No answer yet", "Not a number"))
    assert repr(verdict) == verdict.message


def test_checkers_catch_milliseconds(right):
    assert not ex.check_ppr_peak(1e3 * right["ppr_peak"])
    assert "milliseconds" in ex.check_ppr_peak(1e3 * right["ppr_peak"]).message
    assert "milliseconds" in ex.check_recovery_time(1e3 * right["recovery"]).message


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


def test_the_lesson_has_five_checkable_exercises_with_hidden_solutions():
    nb = read_ipynb("02_lesson")
    exercises = [c for c in nb.cells if c.cell_type == "markdown" and "### Exercise" in c.source]
    solutions = [c for c in nb.cells if c.cell_type == "markdown" and DETAILS.search(c.source)]
    checks = [c for c in nb.cells if c.cell_type == "code" and "check_" in c.source]
    assert len(exercises) >= 5
    assert len(solutions) == len(exercises) == len(checks)
    for cell in checks:  # the student's cell starts unanswered and ends with the check
        assert re.search(r"^\w+ = None  # your answer", cell.source, re.M), cell.source
        assert cell.source.splitlines()[-1].startswith("check_"), cell.source


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
    assert len(blocks) >= 5
    for code in blocks:
        before = len(verdicts)
        exec(compile(code, "<solution>", "exec"), {"__name__": "__solution__"})
        assert len(verdicts) == before + 1, f"a solution must call one checker:\n{code}"
        assert verdicts[-1], f"{verdicts[-1]}\n{code}"
    capsys.readouterr()


@pytest.mark.parametrize("name", NAMES)
def test_notebook_text_has_the_right_title(name):
    title = next(c for c in read_ipynb(name).cells if c.cell_type == "markdown").source
    assert title.startswith("# Short-term synaptic plasticity")
    assert "Spike Time Dependent" not in title
