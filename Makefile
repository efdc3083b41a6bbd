# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
CLI    := $(BIN)/malstyrning

.PHONY: setup system run test bench lab clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m ipykernel install --sys-prefix --name malstyrning --display-name "Python (malstyrning)" >/dev/null
	touch $(STAMP)

## System packages: Chromium for static chart export (kaleido) and the offline-report check.
system:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installerar Chromium (apt-get) ..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "Chromium saknas. Installera paketet chromium (t.ex. sudo apt-get install chromium) och kör igen."; exit 1; \
	  fi; }

setup: $(STAMP) system

LATEST := 2026-delar

## The main job on the built-in example city: its submissions, ingestion of every
## occasion, and the compiled analysis of the latest one (reports/$(LATEST)/).
## Exit status 1 from ingest/run means "rejected submissions": the example has some on purpose.
run: setup
	$(CLI) demo --all
	$(CLI) ingest --all --quiet || test $$? -eq 1
	$(CLI) run --period $(LATEST) --verbose || test $$? -eq 1

test: setup
	$(BIN)/python -m pytest

## Performance figures (medians; see each script's docstring).
bench: setup
	$(BIN)/python benchmarks/ingest_benchmark.py
	$(BIN)/python benchmarks/aggregate_benchmark.py
	$(BIN)/python benchmarks/run_benchmark.py

## JupyterLab with the project's kernel, for exploring (notebooks/utforska.ipynb).
lab: setup
	$(BIN)/jupyter lab --notebook-dir=notebooks

clean:
	rm -rf data/processed/* data/templates reports/*/ build
