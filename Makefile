# affect-mockserver. `make serve` runs the emulators, `make test` runs every check.
# Both bootstrap their own virtual environments on a fresh machine with Python 3.11.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# What `make serve` needs: the package and its runtime dependencies only (no SDKs, no tools).
SERVE_STAMP := $(VENV)/.installed-serve
# Client SDK versions that conflict with the main environment get their own venvs,
# .venv-hume-<name> with the pin SDK_PIN_<name>.
SDK_VENVS := $(addprefix .venv-hume-,legacy 012 078)
SDK_PIN_legacy := hume[stream]==0.4.2
SDK_PIN_012 := hume==0.12.1
SDK_PIN_078 := hume==0.7.8
PYTEST_ARGS ?=
ARGS ?=

.PHONY: help venv serve test test-fast soak fuzz-atheris lint types format fixtures protos schemas readme bench golden screenshots clean conformance-deep

help:
	@echo "make serve   - run the emulators until Ctrl-C (ARGS='--seed 7 ...' to pass flags)"
	@echo "make test    - lint, type-check and run the whole test suite"
	@echo "make conformance-deep - the contract kit's server checks, deep profile, both vendors"
	@echo "make soak    - the long reliability run (~30 min): 10,000 connections per listener, long fuzzing"
	@echo "make lint | types | format | protos | fixtures | bench | screenshots | clean"

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@ $(SERVE_STAMP)

$(SERVE_STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -e .
	touch $@

venv: $(STAMP)

.venv-hume-%/.installed:
	$(PYTHON) -m venv .venv-hume-$*
	.venv-hume-$*/bin/python -m pip install --quiet "$(SDK_PIN_$*)"
	touch $@

serve: $(SERVE_STAMP)
	$(BIN)/mockserver serve $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check mockserver contract_tests examples scripts benchmarks
	$(BIN)/ruff format --check mockserver contract_tests examples scripts benchmarks
	$(BIN)/lint-imports

types: $(STAMP)
	$(BIN)/mypy

test: lint types $(SDK_VENVS:%=%/.installed)
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

test-fast: $(STAMP)
	$(BIN)/python -m pytest -x -q $(PYTEST_ARGS)

# The long form of the reliability suite (docs/reliability.md): churn of 10,000 connections per
# listener, the fuzzers with the Hypothesis "soak" profile (5,000 examples each), the
# concurrent journal count at scale, a flood of 16 MB frames. Bounded: every test has a
# timeout; about half an hour on two cores. Prints what it measured.
SOAK_TIMEOUT ?= 3600
soak: $(STAMP)
	MOCKSERVER_SOAK=1 HYPOTHESIS_PROFILE=soak $(BIN)/python -m pytest mockserver/tests/reliability \
		-q -s --timeout=$(SOAK_TIMEOUT) $(PYTEST_ARGS)

# The optional atheris harness (pip install atheris; skipped when absent).
FUZZ_RUNS ?= 100000
fuzz-atheris: $(STAMP)
	$(BIN)/python mockserver/tests/reliability/atheris_harness.py -atheris_runs=$(FUZZ_RUNS)

format: $(STAMP)
	$(BIN)/ruff check --fix mockserver contract_tests examples scripts benchmarks
	$(BIN)/ruff format mockserver contract_tests examples scripts benchmarks

# The contract kit's server checks against the emulator with the deep profile (many more
# examples; minutes). `make test` runs the default profile.
conformance-deep: $(STAMP)
	$(BIN)/mockserver conformance hume --profile deep
	$(BIN)/mockserver conformance behavioral --profile deep

# Measure start-up, latency and throughput (never asserted in tests; see docs/performance.md).
bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py $(ARGS)

# Regenerate the schemas generated from code: faults, scenarios, journal redaction
# (test_schemas.py fails when one is stale).
schemas: $(STAMP)
	$(BIN)/python scripts/gen_schemas.py

# Rewrite README.md's configuration table from the settings (test_docs.py fails when stale).
readme: $(STAMP)
	$(BIN)/python scripts/update_readme.py

# Regenerate mockserver/_generated/ from protos/ (test_protos.py fails when it is stale).
protos: $(STAMP)
	$(BIN)/python scripts/gen_protos.py

# Regenerate docs/images/dashboard.png and report.png (needs Debian's chromium:
# apt-get install chromium; Playwright drives it, `playwright install` is never needed).
screenshots: $(STAMP)
	$(BIN)/python scripts/screenshots.py --out docs/images

# Rebuild the committed media fixtures (needs Debian's espeak-ng: apt-get install espeak-ng).
fixtures:
	$(PYTHON) -m venv .venv-fixtures
	.venv-fixtures/bin/python -m pip install --quiet av numpy Pillow scikit-image
	.venv-fixtures/bin/python scripts/make_fixtures.py

clean:
	rm -rf $(VENV) $(SDK_VENVS) .venv-fixtures .pytest_cache .mypy_cache .ruff_cache

# Rebuild the golden transcripts (mockserver/tests/golden/) after an intended behaviour change.
golden: $(STAMP)
	$(BIN)/python scripts/make_golden.py
