# Two commands on a fresh machine:
#   make demo   creates .venv, installs vesselscreen, screens the bundled (simulated) Caspian data and
#               writes its HTML report to build/demo-report.html
#   make test   creates .venv, installs with dev extras, runs ruff, mypy, pytest (with every python block
#               of docs/ and README, the example notebooks and, where Chromium is installed, the browser
#               tests), the docs build and the example scripts
# Also: make gallery  re-makes the pictures of docs/gallery.md (needs Chromium)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo test lint typecheck pytest docs examples gallery bench clean

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
	$(BIN)/vesselscreen demo --report build/demo-report.html

test: lint typecheck pytest docs examples

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

pytest: $(VENV)/.installed-dev
	$(BIN)/python -m pytest

docs: $(VENV)/.installed-dev
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --site-dir build/site

examples: $(VENV)/.installed-dev
	@for example in examples/*.py; do \
		echo "running $$example"; \
		$(BIN)/python "$$example" > /dev/null || exit 1; \
	done

gallery: $(VENV)/.installed-dev
	$(BIN)/python tools/make_gallery.py

bench: $(VENV)/.installed-dev
	@for bench in benchmarks/[!_]*.py; do \
		[ -e "$$bench" ] || continue; \
		echo "== $$bench"; $(BIN)/python "$$bench" || exit 1; \
	done

clean:
	rm -rf $(VENV) build .mypy_cache .ruff_cache .pytest_cache .hypothesis
