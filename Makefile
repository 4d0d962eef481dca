# Two commands on a fresh machine:
#   make demo   creates .venv, installs vesselscreen, screens the bundled (simulated) Caspian data
#   make test   creates .venv, installs with dev extras, runs ruff, mypy, pytest, the docs build and the examples

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo test lint typecheck pytest docs examples bench clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "vesselscreen needs Python >= 3.11; run: make PYTHON=python3.11 ...")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@ $(VENV)/.installed

demo: $(VENV)/.installed
	$(BIN)/vesselscreen demo

test: lint typecheck pytest docs examples

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

pytest: $(VENV)/.installed-dev
	$(BIN)/python -m pytest

docs: $(VENV)/.installed-dev
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet --site-dir build/site

examples: $(VENV)/.installed-dev
	@for example in examples/*.py; do \
		echo "running $$example"; \
		$(BIN)/python "$$example" > /dev/null || exit 1; \
	done

bench: $(VENV)/.installed-dev
	@for bench in benchmarks/[!_]*.py; do \
		[ -e "$$bench" ] || continue; \
		echo "== $$bench"; $(BIN)/python "$$bench" || exit 1; \
	done

clean:
	rm -rf $(VENV) build .mypy_cache .ruff_cache .pytest_cache .hypothesis
