"""Numbers written in the README and in docstrings come from the package."""

import doctest
import importlib
import re
from pathlib import Path

import pytest

import stpwidget.closed_form
import stpwidget.exercises
import stpwidget.exercises._feedback
import stpwidget.exercises.norse
import stpwidget.exercises.postsynaptic
import stpwidget.exercises.rates
import stpwidget.exercises.synapse
import stpwidget.model
import stpwidget.params
import stpwidget.recordings
import stpwidget.trains

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_kernel_example_runs_and_its_numbers_are_the_kernels():
    text = README.read_text()
    block = next(b for b in re.findall(r"```python\n(.*?)```", text, re.S) if "simulate(" in b)
    namespace: dict = {}
    exec(block, namespace)
    release = namespace["trace"].release
    assert f"per spike: {release[0]:.3f}, {release[1]:.3f}, {release[2]:.3f}" in block
    steady = float(namespace["steady_state"](namespace["p"], 10.0).release)
    assert f"# {steady:.4f}: closed form" in block
    assert namespace["trace"].x.shape[-1] == 10000 and "(..., 10000)" in block


# By import path: stpwidget exports a function `fit` that hides the module of that name.
DOCTESTED = [
    importlib.import_module(name)
    for name in (
        "stpwidget.fit",
        "stpwidget.membrane",
        "stpwidget.mystery",
        "stpwidget.mystery._text",
        "stpwidget.mystery.rig",
        "stpwidget.mystery.scoring",
        "stpwidget.quantal",
    )
] + [
    stpwidget.recordings,
    stpwidget.closed_form,
    stpwidget.exercises,
    stpwidget.exercises._feedback,
    stpwidget.exercises.norse,
    stpwidget.exercises.postsynaptic,
    stpwidget.exercises.rates,
    stpwidget.exercises.synapse,
    stpwidget.model,
    stpwidget.params,
    stpwidget.trains,
]


@pytest.mark.parametrize("module", DOCTESTED, ids=lambda m: m.__name__)
def test_docstring_examples(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
