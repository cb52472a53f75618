"""Shared fixtures: the seed's 10 Hz protocol and the reference numbers of STP_MODEL.md."""

from __future__ import annotations

import os
import tempfile

import pytest

# Keep matplotlib and Jupyter away from the user's home: every cache lives in a temp folder.
_TMP = tempfile.mkdtemp(prefix="stpwidget-tests-")
for _var, _sub in (
    ("MPLCONFIGDIR", "mpl"),
    ("JUPYTER_CONFIG_DIR", "jcfg"),
    ("JUPYTER_DATA_DIR", "jdata"),
    ("JUPYTER_RUNTIME_DIR", "jrun"),
    ("IPYTHONDIR", "ipython"),
):
    os.environ.setdefault(_var, os.path.join(_TMP, _sub))
os.environ.setdefault("JUPYTER_PLATFORM_DIRS", "1")
os.environ.setdefault("MPLBACKEND", "Agg")

from stpwidget import regular_train  # noqa: E402

#: Seed protocol: 10 Hz, 9 spikes at 0.1 ... 0.9 s, 1 s.
SEED_RATE, SEED_SPIKES, SEED_START, SEED_DURATION = 10.0, 9, 0.1, 1.0


@pytest.fixture
def seed_train():
    return regular_train(SEED_RATE, SEED_SPIKES, start=SEED_START)
