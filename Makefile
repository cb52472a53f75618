# Two commands do all set-up on a fresh machine: `make lab` and `make test`.
# torch is installed first, pinned: a bare `torch` requirement would pull a multi-GB CUDA build.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
TORCH  ?= torch==2.13.0
PORT   ?= 8888

.PHONY: lab app test colab-test browser lint bench notebooks screenshot dist clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

# Stamps record that an extra is installed for the current pyproject.toml.
$(VENV)/.torch: | $(PY)
	$(PY) -c "import torch" 2>/dev/null || $(PIP) install --quiet "$(TORCH)"
	touch $@

$(VENV)/.%-installed: pyproject.toml $(VENV)/.torch
	$(PIP) install --quiet -e ".[$*]"
	touch $@

# Norse is only the seed's parity reference in the tests: --no-deps, or it drags in CUDA torch.
$(VENV)/.norse: $(VENV)/.torch
	$(PIP) install --quiet --no-deps norse nir nirtorch
	$(PIP) install --quiet h5py
	touch $@

# JupyterLab refuses to run as root unless told.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)

lab: $(VENV)/.lab-installed
	cd notebooks && ../$(VENV)/bin/jupyter lab 01_explorer.ipynb --port=$(PORT) $(ROOT_FLAG)

# The explorer for a class: Voila runs the notebook and shows its widgets, no code.
# The lab extensions of jupytext and Notebook 7 throw errors in Voila's page: off (the same
# list as tools/browser/browserkit.py's VOILA_DENIED_EXTENSIONS, which tests it).
app: $(VENV)/.lab-installed
	$(VENV)/bin/voila notebooks/01_explorer.ipynb --port=$(PORT) \
		--VoilaConfiguration.extension_denylist="['jupyterlab-jupytext', '@jupyter-notebook/lab-extension']"

test: $(VENV)/.test-installed $(VENV)/.norse
	$(PY) -m pytest $(PYTEST_ARGS)

# The Colab-like leg: ipywidgets 7.7 as Colab ships it, its own environment (.venv-colab),
# the notebooks and the image path's widget tests. The same torch pin as above.
colab-test:
	TORCH="$(TORCH)" PYTHON="$(PYTHON)" bash .ci/colab_leg.sh $(PYTEST_ARGS)

# Debian's Chromium for the real-browser tests (never `playwright install`).
browser:
	bash .ci/browser_setup.sh

lint: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Every benchmark (the browser one needs apt's chromium: `make browser`).
BENCHMARKS := bench_kernel bench_widget bench_fit bench_quantal bench_browser bench_page

bench: $(VENV)/.test-installed $(VENV)/.norse
	for name in $(BENCHMARKS); do $(PY) -m benchmarks.$$name || exit 1; done

# The README's screenshot, taken from the real explorer in Chromium (needs apt's chromium).
screenshot: $(VENV)/.test-installed
	$(PY) -m scripts.screenshot

# The README's example page: the explorer as one HTML file that opens with no install.
.PHONY: page
page: $(VENV)/.test-installed
	$(PY) -m stpwidget page docs/example_page.html --preset depressing

# After editing a notebook's .md source: format its code, then refresh the paired .ipynb.
notebooks: $(VENV)/.dev-installed
	$(VENV)/bin/ruff format notebooks/*.md
	$(VENV)/bin/jupytext --sync notebooks/*.md

# The wheel and sdist in dist/ (e.g. to run the lesson from a wheel before the package is on a
# public index: see docs/teaching.md). `build` fetches hatchling into an isolated environment.
dist: $(PY)
	$(PIP) install --quiet build
	rm -rf dist
	$(PY) -m build --outdir dist .

clean:
	rm -rf $(VENV) .venv-colab .pytest_cache .hypothesis build dist
