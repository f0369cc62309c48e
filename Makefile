# The two README commands, and a few aliases. Everything runs from a local .venv.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: start test setup lint build clean

$(BIN)/kg: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(BIN)/kg

setup: $(BIN)/kg

## start: set up, build the knowledge graph on the embedded store, print the exposure summary
start: setup
	$(BIN)/kg build

## test: set up and run the whole test suite
test: setup
	$(BIN)/ruff check kg tests scripts
	$(BIN)/mypy
	$(BIN)/pytest

lint: setup
	$(BIN)/ruff check kg tests scripts
	$(BIN)/mypy

build: setup
	$(BIN)/kg build

clean:
	rm -rf build .pytest_cache
