# The two commands: `make run` and `make test`. Both set up everything they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.DEFAULT_GOAL := help
.PHONY: help setup run test lint check pytest worker beat bench system-packages clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet ".[dev]"
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

static/build/app.css: static/scss/app.scss node_modules/.installed
	npx sass --pkg-importer=node --style=compressed --quiet-deps --no-source-map $< $@

setup: $(VENV)/.installed node_modules/.installed static/build/app.css ## install Python and npm dependencies, build the CSS

# Debian packages: Chromium for the browser tests, Pango and fonts for WeasyPrint's PDFs.
SYSTEM_PACKAGES := chromium libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation2

system-packages: ## install Chromium and WeasyPrint's libraries from Debian (needs root and apt-get)
	@if command -v chromium >/dev/null 2>&1 && ldconfig -p | grep -q libpangoft2; then \
	  echo "System packages present."; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_PACKAGES) >/dev/null) \
	  || echo "Could not install $(SYSTEM_PACKAGES): browser tests are skipped (outside CI) and PDFs fail"; \
	else echo "No root: install $(SYSTEM_PACKAGES) yourself for browser tests and PDFs"; fi

run: setup system-packages ## set up, load reference and demo data, serve on http://127.0.0.1:8000
	$(MANAGE) migrate --noinput
	$(MANAGE) load_reference
	$(MANAGE) seed_demo
	$(MANAGE) runserver $(HOST):$(PORT)

lint: setup ## ruff
	$(BIN)/ruff check .

check: setup ## Django system checks and missing migrations
	$(MANAGE) check --fail-level WARNING
	$(MANAGE) makemigrations --check --dry-run

pytest: setup ## the test suite only
	$(BIN)/pytest $(PYTEST_ARGS)

test: setup system-packages lint check pytest ## set up and run every check and test

worker: setup ## a Celery worker (needs CELERY_BROKER_URL)
	$(BIN)/celery -A config worker --loglevel=INFO

beat: setup ## the Celery beat scheduler (needs CELERY_BROKER_URL)
	$(BIN)/celery -A config beat --loglevel=INFO

bench: setup ## run the benchmarks in bench/ and print their figures
	@for f in bench/bench_*.py; do [ -e "$$f" ] || continue; echo "== $$f"; $(BIN)/python $$f; done

clean: ## remove the virtual environment, node_modules and built files
	rm -rf $(VENV) node_modules static/build staticfiles
