# The few verbs of the project. `make demo` and `make test` are the two set-up commands.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CORPUS ?= ../shared/corpus/dev.jsonl

.PHONY: install demo stack services test lint eval format bench-scale bench-quick bench-stages

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

demo: install
	$(BIN)/fincoach demo

services:
	bash scripts/ensure-services.sh

# The whole service on this machine with the Gmail emulator and a synced user (README).
stack: install services
	$(BIN)/fincoach stack

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

# The corpus lives outside the repository; when it is beside the checkout, its accuracy
# thresholds are part of the test run.
eval: install
	@if [ -f $(CORPUS) ]; then $(BIN)/fincoach eval $(CORPUS) --check; \
	else echo "no corpus at $(CORPUS): extraction evaluation not run"; fi

test: install services lint
	$(BIN)/pytest
	$(MAKE) eval

format: install
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

# Benchmarks (bench/RESULTS.md). The scale run starts its own emulator, database, Redis database,
# workers and API; USERS x EMAILS mailboxes, checked against the generator afterwards.
USERS ?= 1000
EMAILS ?= 1500
BENCH_ENV := PYTHONPATH=src:bench

bench-scale: install services
	$(BENCH_ENV) $(BIN)/python bench/bench_scale.py --users $(USERS) --emails $(EMAILS) \
		--json bench/results/scale-$(USERS)x$(EMAILS).json

bench-quick: install services
	$(BENCH_ENV) $(BIN)/python bench/bench_scale.py --users 30 --emails 1500 --sample 30 \
		--timeout 150 --json bench/results/quick.json

bench-stages: install services
	$(BENCH_ENV) $(BIN)/python bench/bench_stages.py
