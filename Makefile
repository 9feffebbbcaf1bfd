# One command per job. The first target that needs Python builds .venv from
# pyproject.toml; nothing has to be installed by hand.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export PYTHONPATH := $(CURDIR)

.PHONY: help venv git-filter test lint data unit notebooks browser lab app report site bench snapshots datapackage clean

help:
	@echo "make lab         open JupyterLab on the start notebook (the main job)"
	@echo "make test        lint, data checks, unit tests, notebook runs, browser tests"
	@echo "make report      run every notebook headlessly into offline HTML reports (reports/)"
	@echo "make site        build site/: every notebook's page, a front door and a figure finder (open site/index.html)"
	@echo "make app         serve the explorers as Voila apps on localhost (code hidden)"
	@echo "make bench       run the benchmarks in benchmarks/"
	@echo "make snapshots   accept deliberate changes to chart and figure snapshots"
	@echo "make datapackage regenerate data/datapackage.json from data/dictionary.yaml"

# Two `make` at once in a fresh clone: the second found .venv/bin/python before the first had
# installed pip ("No module named pip"). The build runs under a lock (flock, util-linux; without it,
# unlocked as before); whoever waited finds the stamp fresh and stops. A venv left without pip by
# an interrupted build is completed by running `python -m venv` on it again.
LOCK := $(shell command -v flock >/dev/null 2>&1 && echo "flock $(VENV)/.lock")

$(STAMP): pyproject.toml
	@mkdir -p $(VENV)
	$(LOCK) sh -ec '\
	  if [ -f $(STAMP) ] && [ $(STAMP) -nt pyproject.toml ]; then echo "$(VENV) is ready (built by another make)"; exit 0; fi; \
	  $(PY) -m pip --version >/dev/null 2>&1 || $(PYTHON) -m venv $(VENV); \
	  $(PY) -m pip install --quiet --upgrade pip; \
	  $(PY) -m pip install --quiet -e ".[test]"; \
	  $(MAKE) --no-print-directory git-filter; \
	  touch $(STAMP)'

venv: $(STAMP)

# Outputs never reach a commit: git passes every notebook through nbstripout (named in .gitattributes)
# before it compares or stages it, so running a notebook in JupyterLab leaves `git status` clean.
# --keep-id: our cell ids are committed, stable names. The notebooks' language_info is committed as
# ipykernel reports it, so JupyterLab has nothing to update on opening them (tests/test_notebook_git.py).
git-filter:
	@if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
	  git config filter.nbstripout.clean '"$(abspath $(PY))" -m nbstripout --keep-id' && \
	  git config filter.nbstripout.smudge cat && \
	  git config filter.nbstripout.required true && \
	  git config diff.ipynb.textconv '"$(abspath $(PY))" -m nbstripout --keep-id -t'; \
	fi

# Import contracts: [tool.importlinter] in pyproject.toml. Not `python -m importlinter.cli`: that
# module has no __main__ block, so it exits 0 without checking anything.
lint: $(STAMP)
	$(PY) -m ruff check helpers tests benchmarks
	$(PY) -m ruff format --check helpers tests benchmarks
	$(VENV)/bin/lint-imports --no-cache --no-logo

data: $(STAMP)
	$(PY) -m helpers.data.check

# Two test processes (pytest-xdist; a file's tests stay together, so module fixtures run once);
# notebook tests run on one warm kernel per process (tests/notebook_runs.py).
TEST_JOBS ?= 2
XDIST := -n $(TEST_JOBS) --dist loadfile

test: $(STAMP) git-filter
	$(MAKE) lint
	$(MAKE) data
	$(PY) -m pytest -q -p no:cacheprovider $(XDIST)

unit: $(STAMP)
	$(PY) -m pytest -q -m "not notebooks and not browser"

notebooks: $(STAMP)
	$(PY) -m pytest -q -m notebooks $(XDIST)

browser: $(STAMP)
	$(PY) -m pytest -q -m browser

# No news feed, no update check: the suite never reaches the network at run time.
LAB_OFFLINE := --LabApp.news_url=None --LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate

# Containers and Binder-like images run as root, where Jupyter refuses to start without --allow-root.
ROOT_FLAG := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)
# JupyterLab's "Get notified about Jupyter news?" prompt comes from the announcements setting, not
# from news_url: turn it off in the environment's settings overrides.
LAB_OVERRIDES := $(VENV)/share/jupyter/lab/settings/overrides.json

$(LAB_OVERRIDES): $(STAMP)
	mkdir -p $(dir $@)
	printf '%s\n' '{"@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": false}}' > $@

lab: $(STAMP) git-filter $(LAB_OVERRIDES)
	$(VENV)/bin/jupyter lab $(LAB_OFFLINE) $(ROOT_FLAG) notebooks/00_start_here.ipynb

# Voila as web apps (helpers/run/app.py): one preheated kernel per notebook waits for a visitor, a
# closed tab shuts its kernel down, a kernel with no page connected for 30 s ends, at most
# APP_MAX_KERNELS visitors at once (one more gets an "all explorers are in use" page), idle ones are
# culled after 10 minutes, and kernels use IPC sockets.
APP_MAX_KERNELS ?= 8
app: $(STAMP)
	$(PY) -m helpers.run.app --CappedKernelManager.max_kernels=$(APP_MAX_KERNELS)

report: $(STAMP)
	@$(PY) -m helpers.report --all

# site/ is a folder, hence .PHONY: make would otherwise call an existing site up to date.
site: $(STAMP)
	@$(PY) -m helpers.run.site --out site

bench: $(STAMP)
	for f in benchmarks/bench_*.py; do echo "== $$f"; $(PY) $$f || exit 1; done

snapshots: $(STAMP)
	$(PY) -m pytest -q --update-snapshots -m "not browser"

datapackage: $(STAMP)
	$(PY) -m helpers.data.dictionary

clean:
	rm -rf $(VENV) reports .pytest_cache
