# The two commands: `make run` and `make test`. Both set up everything they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.DEFAULT_GOAL := help
.PHONY: help setup run test lint check pytest worker beat bench chromium clean

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

chromium: ## install Debian's Chromium for the browser tests (needs root and apt-get)
	@if command -v chromium >/dev/null 2>&1; then echo "Chromium: $$(command -v chromium)"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || echo "Chromium could not be installed: browser tests will be skipped (outside CI)"; \
	else echo "No Chromium and no root: browser tests will be skipped (outside CI)"; fi

run: setup ## set up, load reference and demo data, serve on http://127.0.0.1:8000
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

test: setup chromium lint check pytest ## set up and run every check and test

worker: setup ## a Celery worker (needs CELERY_BROKER_URL)
	$(BIN)/celery -A config worker --loglevel=INFO

beat: setup ## the Celery beat scheduler (needs CELERY_BROKER_URL)
	$(BIN)/celery -A config beat --loglevel=INFO

bench: setup ## run the benchmarks in bench/ and print their figures
	@for f in bench/bench_*.py; do [ -e "$$f" ] || continue; echo "== $$f"; $(BIN)/python $$f; done

clean: ## remove the virtual environment, node_modules and built files
	rm -rf $(VENV) node_modules static/build staticfiles
