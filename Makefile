# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
CLI    := $(BIN)/malstyrning
## uv (setup and `make lock`) lives in its own venv under build/, not in $(VENV).
UV_VERSION := 0.13.9
UV         := build/uv-$(UV_VERSION)/bin/uv

## Python caches compiled modules (__pycache__, git-ignored) also where the environment turns
## that off (PYTHONDONTWRITEBYTECODE, as on our build machines): otherwise every process
## compiles the package again, and pytest rewrites every test file in every worker.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: setup system run test test-quick bench lab lock clean

## Exact versions from requirements.lock (every file checked against its hash), then the
## project itself, editable and without dependencies (it has no hash). `make lock` remakes the
## lock. uv, which makes the lock, installs it too: in 16 s where pip took 40 (both compile the
## modules to bytecode), a fresh clone's `make test` waits for it.
$(STAMP): pyproject.toml requirements.lock | $(UV)
	$(PYTHON) -m venv $(VENV)
	$(UV) pip install --quiet --python $(BIN)/python --require-hashes --compile-bytecode -r requirements.lock
	$(UV) pip install --quiet --python $(BIN)/python --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name malstyrning --display-name "Python (malstyrning)" >/dev/null
	touch $(STAMP)

## System packages: Chromium for static chart export (kaleido) and the offline-report check;
## LibreOffice (headless, Writer and Calc) for the council document's PDF and the board
## workbooks' print check, with Swedish hyphenation (hyphen-sv) and Liberation Sans (Arial's
## widths, which the document's table columns are measured in); poppler-utils (pdftotext,
## pdftoppm) for the tests that read PDFs.
system:
	@missing=""; \
	command -v chromium  >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v soffice   >/dev/null 2>&1 || missing="$$missing libreoffice-writer-nogui libreoffice-calc-nogui"; \
	test -f /usr/share/hyphen/hyph_sv_SE.dic || missing="$$missing hyphen-sv"; \
	fc-list 2>/dev/null | grep -q "Liberation Sans" || missing="$$missing fonts-liberation2"; \
	command -v pdftotext >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installerar systempaket (apt-get):$$missing ..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  else \
	    echo "Systempaket saknas:$$missing. Installera dem (t.ex. sudo apt-get install$$missing) och kör igen."; exit 1; \
	  fi; \
	fi

setup: $(STAMP) system

LATEST := 2026-ar
PLANNING := 2027-budget

## The main job on the built-in example city, which stands at the turn of two mandate periods:
## its submissions for every occasion of 2023–2026 up to the period end and the boards' budgets
## for 2027 on the new goals (2027–2030), ingestion of every occasion, the office's planning
## overview of the new goals (reports/$(PLANNING)/planeringsoversikt.xlsx), and last the compiled
## analysis of the period end, with the whole-period analysis (reports/$(LATEST)/).
## Exit status 1 from ingest/run means "rejected submissions": the example has some on purpose.
run: setup
	$(CLI) demo --all
	$(CLI) ingest --all --quiet || test $$? -eq 1
	$(CLI) planering --period $(PLANNING)
	$(CLI) run --period $(LATEST) --verbose || test $$? -eq 1

## One worker per core (pytest-xdist), each test file in one worker so that its module
## fixtures are built once, the longest files first (tests/conftest.py, LONGEST_FIRST): on
## 2 cores a fresh clone's `make test` took about 6 min where the serial suite took 15.5 (README).
WORKERS := -n auto --dist loadfile --no-loadscope-reorder

## Every test, as CI runs them.
test: setup
	$(BIN)/python -m pytest $(WORKERS)

## The loop while coding: every test but those marked slow (a browser, LibreOffice,
## JupyterLab or a full report), and a few examples of each property (make test runs them all).
test-quick: setup
	$(BIN)/python -m pytest $(WORKERS) -m "not slow" --hypothesis-profile=quick

## Performance figures (medians; see each script's docstring).
bench: setup
	$(BIN)/python benchmarks/ingest_benchmark.py
	$(BIN)/python benchmarks/aggregate_benchmark.py
	$(BIN)/python benchmarks/run_benchmark.py
	$(BIN)/python benchmarks/explore_benchmark.py

## JupyterLab with the project's kernel, for exploring (notebooks/utforska.ipynb).
## (notebooks/.jupyterlab/overrides.json: JupyterLab asks nothing on first start, fetches no news.)
lab: setup
	$(BIN)/jupyter lab --notebook-dir=notebooks --LabApp.app_settings_dir=notebooks/.jupyterlab

## requirements.lock from pyproject.toml (dependencies and the dev extra), with hashes, for
## CPython 3.11+ on any platform. Keeps the current pins where pyproject's ranges allow;
## `make lock UPGRADE=--upgrade` (or UPGRADE='--upgrade-package pandas') moves them.
UPGRADE    ?=
define LOCK_HEADER
# Exact versions, with hashes, that `make setup` installs (with uv; pip does the same with
#   pip install --require-hashes -r requirements.lock && pip install --no-deps -e .)
# Made from pyproject.toml (dependencies + the dev extra) by uv for CPython >= 3.11 on any
# platform (lines with a `;` marker apply only where it holds). Do not edit by hand:
# after changing pyproject.toml run `make lock` (keeps current pins where the ranges allow);
# to move pins, `make lock UPGRADE=--upgrade` or `make lock UPGRADE='--upgrade-package NAME'`.
# tests/test_environment.py checks every pyproject dependency is pinned here within its range.
endef
export LOCK_HEADER

$(UV):
	$(PYTHON) -m venv build/uv-$(UV_VERSION)
	build/uv-$(UV_VERSION)/bin/python -m pip install --quiet 'uv==$(UV_VERSION)'

lock: $(UV)
	$(UV) pip compile pyproject.toml --extra dev --universal --python-version 3.11 \
	  --generate-hashes --no-header --quiet $(UPGRADE) -o requirements.lock
	{ printf '%s\n' "$$LOCK_HEADER"; cat requirements.lock; } > requirements.lock.tmp
	mv requirements.lock.tmp requirements.lock

## reports/<period> are links to hidden version folders beside them (.<period>.<id>).
clean:
	rm -rf data/processed/* data/templates data/.malstyrning.lock reports/* reports/.[0-9]* build
