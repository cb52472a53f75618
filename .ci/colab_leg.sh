#!/usr/bin/env bash
# The Colab-like leg: a second virtual environment with what Google Colab ships
# (ipywidgets 7.7, no custom widget manager: the explorer's image path), the package and its
# test extra; then both notebooks executed and the image-path widget tests.
# Run by `make colab-test` (which passes the torch pin); runs from any directory.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
TORCH=${TORCH:?"TORCH (the pinned torch requirement) comes from the Makefile: make colab-test"}
VENV=${COLAB_VENV:-.venv-colab}
PY="$VENV/bin/python"
IPYWIDGETS="ipywidgets==7.7.*"

if [ ! -x "$PY" ]; then
  "$PYTHON" -m venv "$VENV"
  "$PY" -m pip install --quiet --upgrade pip
fi
# torch first and pinned: the local CPU wheel (a bare `torch` would pull multi-GB CUDA).
"$PY" -c "import torch" 2>/dev/null || "$PY" -m pip install --quiet "$TORCH"
"$PY" -m pip install --quiet "$IPYWIDGETS"
# The package with its test extra; repeating the pin keeps pip from upgrading ipywidgets.
"$PY" -m pip install --quiet -e ".[test]" "$IPYWIDGETS"

"$PY" - <<'EOF'
import ipywidgets
import torch

assert ipywidgets.__version__.startswith("7.7."), f"ipywidgets {ipywidgets.__version__}"
print(f"colab leg: ipywidgets {ipywidgets.__version__}, torch {torch.__version__}")
EOF

# The image path only: tests that need the ipympl backend are marked `ipympl`.
"$PY" -m pytest tests/test_notebooks.py tests/test_explorer*.py -m "not ipympl" "$@"
