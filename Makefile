# affect-mockserver. `make serve` runs the emulators, `make test` runs every check.
# Both bootstrap their own virtual environments on a fresh machine with Python 3.11.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Client SDK versions that conflict with the main environment get their own venvs.
LEGACY_VENV := .venv-hume-legacy
LEGACY_STAMP := $(LEGACY_VENV)/.installed
HUME012_VENV := .venv-hume-012
HUME012_STAMP := $(HUME012_VENV)/.installed
HUME078_VENV := .venv-hume-078
HUME078_STAMP := $(HUME078_VENV)/.installed
PYTEST_ARGS ?=
ARGS ?=

.PHONY: help venv serve test test-fast lint types format fixtures protos bench clean

help:
	@echo "make serve   - run the emulators until Ctrl-C (ARGS='--seed 7 ...' to pass flags)"
	@echo "make test    - lint, type-check and run the whole test suite"
	@echo "make lint | types | format | protos | fixtures | bench | clean"

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

venv: $(STAMP)

$(LEGACY_STAMP):
	$(PYTHON) -m venv $(LEGACY_VENV)
	$(LEGACY_VENV)/bin/python -m pip install --quiet "hume[stream]==0.4.2"
	touch $@

$(HUME012_STAMP):
	$(PYTHON) -m venv $(HUME012_VENV)
	$(HUME012_VENV)/bin/python -m pip install --quiet "hume==0.12.1"
	touch $@

$(HUME078_STAMP):
	$(PYTHON) -m venv $(HUME078_VENV)
	$(HUME078_VENV)/bin/python -m pip install --quiet "hume==0.7.8"
	touch $@

serve: $(STAMP)
	$(BIN)/mockserver serve $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check mockserver contract_tests scripts benchmarks
	$(BIN)/ruff format --check mockserver contract_tests scripts benchmarks

types: $(STAMP)
	$(BIN)/mypy

test: lint types $(LEGACY_STAMP) $(HUME012_STAMP) $(HUME078_STAMP)
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

test-fast: $(STAMP)
	$(BIN)/python -m pytest -x -q $(PYTEST_ARGS)

format: $(STAMP)
	$(BIN)/ruff check --fix mockserver contract_tests scripts benchmarks
	$(BIN)/ruff format mockserver contract_tests scripts benchmarks

# Measure start-up, latency and throughput (never asserted in tests; see docs/performance.md).
bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py $(ARGS)

# Regenerate mockserver/_generated/ from protos/ (test_protos.py fails when it is stale).
protos: $(STAMP)
	$(BIN)/python scripts/gen_protos.py

# Rebuild the committed media fixtures (needs Debian's espeak-ng: apt-get install espeak-ng).
fixtures:
	$(PYTHON) -m venv .venv-fixtures
	.venv-fixtures/bin/python -m pip install --quiet av numpy Pillow scikit-image
	.venv-fixtures/bin/python scripts/make_fixtures.py

clean:
	rm -rf $(VENV) $(LEGACY_VENV) $(HUME012_VENV) $(HUME078_VENV) .venv-fixtures .pytest_cache .mypy_cache .ruff_cache
