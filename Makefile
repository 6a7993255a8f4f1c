# The few verbs of the project. `make demo` and `make test` are the two set-up commands.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CORPUS ?= ../shared/corpus/dev.jsonl

.PHONY: install demo services test lint eval format

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
