# The two commands: `make run` and `make test`. Both set up everything they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.DEFAULT_GOAL := help
.PHONY: help setup run test lint check pytest test-days worker beat bench bench-load system-packages lock lock-upgrade clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Python packages come from requirements.lock: exact versions, every file's hash checked.
# pyproject.toml keeps the ranges; `make lock` turns them into the lock.
$(VENV)/.installed: requirements.lock | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	touch $@

LOCK := $(BIN)/uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 --generate-hashes --quiet -o requirements.lock

lock: $(VENV)/.installed ## re-lock after a change to pyproject.toml (keeps every pin the ranges still allow)
	$(LOCK)

lock-upgrade: $(VENV)/.installed ## move every locked package to the newest version the ranges allow
	$(LOCK) --upgrade

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

# Tests run in parallel, one process per core (pytest-xdist), each with its own test
# database, live server, worker queue and media folder; the ten slowest are listed.
PYTEST_WORKERS ?= auto

pytest: setup ## the test suite only, on the real date (PYTEST_ARGS='--today 2027-04-01' moves the clock)
	$(BIN)/pytest -n $(PYTEST_WORKERS) --durations=10 $(PYTEST_ARGS)

test: setup system-packages lint check pytest ## set up and run every check and test

# The days the calendar rules turn on: the first day of a financial year, the 5th (last
# month's report is drafted), the 10th and 11th (a return is late from the 11th), Mondays
# (weekly reminders: 5 April and 10 May 2027 are both), a leap day, and the contract's last
# day, which is also the last day of a financial year.
DAYS ?= 2027-04-01 2027-04-05 2027-05-10 2027-05-11 2028-02-29 2028-03-31

# Tests frozen on a day of their own (marked time_machine) would only repeat themselves.
test-days: setup ## the date-sensitive tests (marked `dates`) again as if today were each of DAYS
	@set -e; for day in $(DAYS); do \
	  echo "== Date-sensitive tests as if today were $$(date -d $$day '+%A %-d %B %Y')"; \
	  $(BIN)/pytest -n $(PYTEST_WORKERS) -q $(PYTEST_ARGS) --today $$day \
	    -m "dates and not browser and not time_machine"; \
	done

worker: setup ## a Celery worker (needs CELERY_BROKER_URL)
	$(BIN)/celery -A config worker --loglevel=INFO

beat: setup ## the Celery beat scheduler (needs CELERY_BROKER_URL)
	$(BIN)/celery -A config beat --loglevel=INFO

bench: setup ## run the benchmarks in bench/ and print their figures
	@for f in bench/bench_*.py; do [ "$$f" = bench/bench_load.py ] && continue; [ -e "$$f" ] || continue; echo "== $$f"; $(BIN)/python $$f; done

# Locust lives in a virtual environment of its own: it is a client, and its packages
# (gevent and others) must never change the service's locked ones.
.venv-load/.installed: bench/load/requirements.txt
	$(PYTHON) -m venv .venv-load
	.venv-load/bin/pip install --quiet -r bench/load/requirements.txt
	touch $@

bench-load: setup .venv-load/.installed ## load benchmark: 50 users on gunicorn (needs DATABASE_URL with seed_national)
	$(BIN)/python bench/bench_load.py $(LOAD_ARGS)

clean: ## remove the virtual environment, node_modules and built files
	rm -rf $(VENV) .venv-load node_modules static/build staticfiles
