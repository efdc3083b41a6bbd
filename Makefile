# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
CLI    := $(BIN)/malstyrning

.PHONY: setup run test bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

## The main job on the built-in example city.
run: setup
	$(CLI) demo --all
	$(CLI) ingest --all || test $$? -eq 1  # 1: some example files are rejected on purpose

test: setup
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/python benchmarks/ingest_benchmark.py

clean:
	rm -rf data/processed/* data/templates reports/*/ build
