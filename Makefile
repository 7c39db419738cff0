# Two commands do all the set-up: `make demo` and `make test`. Each creates .venv on its own.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

CHROMIUM ?= /usr/bin/chromium
DEMO_REPORT := cookie-cats-report.html

.PHONY: demo test lint typecheck pytest chromium screenshots bench clean

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/proxymetric analyze examples/cookie-cats/proxymetric.yaml
	@$(BIN)/proxymetric report examples/cookie-cats/proxymetric.yaml -o $(DEMO_REPORT)
	@echo "The whole case on one page: $(CURDIR)/$(DEMO_REPORT)"

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks examples
	$(BIN)/ruff format --check src tests benchmarks examples

typecheck: $(STAMP)
	$(BIN)/mypy

# The browser tests drive Debian's headless Chromium (never a browser download of Playwright's):
# installed here when it is missing and we are root, as in CI; a clear failure otherwise.
chromium:
	@if [ ! -x "$(CHROMIUM)" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian's chromium for the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null || exit 1; \
	    test -x "$(CHROMIUM)" || { echo "error: chromium was installed but is not at $(CHROMIUM): run make with CHROMIUM=/path/to/chromium"; exit 1; }; \
	  else \
	    echo "error: the browser tests need Chromium at $(CHROMIUM): install it as root with 'apt-get install chromium', or run make with CHROMIUM=/path/to/chromium"; \
	    exit 1; \
	  fi; \
	fi

pytest: $(STAMP) chromium
	PROXYMETRIC_CHROMIUM=$(CHROMIUM) $(BIN)/pytest

# Screenshots of the demo report (desktop and phone) for the README and docs/report.md.
screenshots: $(STAMP) chromium
	PROXYMETRIC_CHROMIUM=$(CHROMIUM) $(BIN)/python examples/cookie-cats/screenshots.py

test: lint typecheck pytest

BENCH_STAMP := $(VENV)/.bench-stamp

$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev,bench]'
	@touch $(BENCH_STAMP)

# Benchmarks are not tests: they print figures, recorded in benchmarks/README.md.
bench: $(BENCH_STAMP)
	@for script in benchmarks/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis $(DEMO_REPORT)
