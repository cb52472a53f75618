"""The notebooks' install cell: it installs the wheel of their version, and that wheel works.

The repository has no tag to install from, and stpwidget is not on a package index: the
notebooks install, in Colab, the wheel that ``make dist`` builds, from where the lecturer
puts it (docs/teaching.md, "Keeping a class on one version"). The slow test below builds
that wheel, installs it with the lesson's own install cell into a fresh virtual environment
(no system site-packages: a missing dependency fails), and runs the notebooks' first cells
there, away from this checkout.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import jupytext
import pytest
import torch
from IPython.core.inputtransformer2 import TransformerManager

ROOT = Path(__file__).resolve().parents[1]
NAMES = ("01_explorer", "02_lesson", "03_lecturer")
#: The ipywidgets Google Colab ships (as in .ci/colab_leg.sh).
COLAB_IPYWIDGETS = "ipywidgets==7.7.*"


def version() -> str:
    """``[project] version`` of pyproject.toml."""
    match = re.search(
        r'^version\s*=\s*"([^"]+)"', (ROOT / "pyproject.toml").read_text("utf-8"), re.M
    )
    assert match, "pyproject.toml has no version"
    return match.group(1)


#: The file `make dist` (hatchling) builds for this version: what the install cells name.
WHEEL = f"stpwidget-{version()}-py3-none-any.whl"


def code_cells(name: str) -> list[str]:
    cells = jupytext.read(ROOT / "notebooks" / f"{name}.md").cells
    return [c.source for c in cells if c.cell_type == "code"]


@pytest.mark.parametrize("name", NAMES)
def test_the_install_cell_installs_the_wheel_of_its_version_only_in_colab(name):
    cells = code_cells(name)
    tree = ast.parse(TransformerManager().transform_cell(cells[0]))
    assert [type(n) for n in tree.body] == [ast.Import, ast.Assign, ast.If]
    assert ast.unparse(tree.body[1]) == f"INSTALL_FROM = {WHEEL!r}"
    guard = tree.body[2]
    assert ast.unparse(guard.test) == "'google.colab' in sys.modules" and not guard.orelse
    calls = [ast.unparse(n) for n in guard.body]
    install = 'install --quiet "{INSTALL_FROM}"'  # IPython fills in the variable
    assert calls == [f"get_ipython().run_line_magic('pip', {install!r})"], calls
    assert f"({version()})" in cells[0].splitlines()[0]  # the comment names the version
    for cell in jupytext.read(ROOT / "notebooks" / f"{name}.md").cells:
        assert "!pip" not in cell.source, "use %pip (the kernel's pip), never !pip"
    assert not any(re.search(r"%pip\b", c) for c in cells[1:]), "install only in the first cell"


@pytest.mark.parametrize("name", ["01_explorer", "02_lesson"])
def test_the_student_notebooks_say_what_to_do_when_the_install_fails(name):
    cells = jupytext.read(ROOT / "notebooks" / f"{name}.md").cells
    first_code = next(i for i, c in enumerate(cells) if c.cell_type == "code")
    before = " ".join(" ".join(c.source.split()) for c in cells[:first_code])
    sentence = (
        r"If (the first cell|it) reports an error( in Colab)?, download `"
        + re.escape(WHEEL)
        + r"` from your course page, upload it with Colab's \*Files\* panel \(the folder icon "
        r"on the left\), set `INSTALL_FROM` to its file name and run the cell again\."
    )
    assert re.search(sentence, before), before[-600:]


#: Runs in the fresh environment: the install cell as in Colab, then the first cells.
DRIVER = textwrap.dedent(
    """
    import json, sys, types
    from IPython.core.interactiveshell import InteractiveShell

    cells = json.load(open(sys.argv[1], encoding="utf-8"))
    shell = InteractiveShell.instance()
    sys.modules["google.colab"] = types.ModuleType("google.colab")  # as in Colab
    assert shell.run_cell(cells["install"]).success
    del sys.modules["google.colab"]
    for source in cells["first"]:
        result = shell.run_cell(source)
        result.raise_error()
    import importlib.metadata, stpwidget
    from stpwidget.exercises import check_second_release
    print("RESULT", json.dumps({
        "file": stpwidget.__file__,
        "version": importlib.metadata.version("stpwidget"),
        "check": check_second_release(shell.user_ns["trace"].release[1:2].numpy()).message,
        "ipywidgets": importlib.metadata.version("ipywidgets"),
    }))
    """
)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel of this checkout, built as `make dist` builds it (hatchling, isolated)."""
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(ROOT)],
        check=True,
        timeout=300,
    )
    built = sorted(p.name for p in out.glob("*.whl"))
    assert built == [WHEEL], built  # the file name the install cells give
    return out / WHEEL


def test_the_wheel_installs_into_a_fresh_environment_and_runs_the_first_cells(wheel, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTEST_CURRENT_TEST")}
    env.update(MPLBACKEND="Agg", PYTHONNOUSERSITE="1")

    def run(*args: str, cwd: Path = tmp_path) -> str:
        done = subprocess.run(
            [str(python), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    # What Colab has before the install cell: torch (pinned: a bare `torch` pulls CUDA),
    # IPython and ipywidgets 7.7. Everything else must come from the wheel's dependencies,
    # and they must take Colab's ipywidgets as it is (an upgrade would need a restart).
    cpu_torch = f"torch=={torch.__version__.split('+')[0]}"
    run("-m", "pip", "install", "--quiet", cpu_torch, "ipython", COLAB_IPYWIDGETS)
    content = tmp_path / "content"  # Colab's working folder, where the Files panel uploads
    content.mkdir()
    shutil.copy(wheel, content / WHEEL)
    lesson = code_cells("02_lesson")
    first = [*lesson[1:5], code_cells("01_explorer")[1]]  # imports, §2, exercise 1, explorer
    assert "STPExplorer(preset=" in first[-1] and "check_second_release(r2)" in first[3]
    (tmp_path / "cells.json").write_text(json.dumps({"install": lesson[0], "first": first}))
    (tmp_path / "driver.py").write_text(DRIVER)
    out = run(str(tmp_path / "driver.py"), str(tmp_path / "cells.json"), cwd=content)
    result = json.loads(out.split("RESULT ", 1)[1])
    assert Path(result["file"]).is_relative_to(venv), result  # the wheel, not this checkout
    assert result["version"] == version()
    assert result["check"].startswith("Correct"), result  # a one-element array, from the wheel
    assert result["ipywidgets"].startswith("7.7."), result  # Colab's, not upgraded
    run("-m", "pip", "check")
