# hocvuso — two commands: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
export HOCVUSO_DATA_DIR ?= $(CURDIR)/var
PORT ?= 8000

.PHONY: run test lint typecheck pytest pytest-sqlite pytest-postgres e2e install dev \
        messages bench bench-pages bench-psychometrics bench-assessment bench-checkin bench-visits bench-outbox bench-assistant bench-dashboards bench-measurement clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Re-install only when pyproject.toml changes: a second `make run` starts at once.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed
dev: $(VENV)/.installed-dev

## make run: install, migrate + seed (first run prints the admin password), serve.
run: install
	$(BIN)/hocvuso init
	$(BIN)/hocvuso serve --with-worker --port $(PORT)

## make test: lint, types, then the whole suite on SQLite and on PostgreSQL.
test: dev lint typecheck pytest

lint: dev
	$(BIN)/ruff check src tests $(wildcard benchmarks)
	$(BIN)/ruff format --check src tests $(wildcard benchmarks)
	$(BIN)/lint-imports --no-cache

typecheck: dev
	$(BIN)/mypy

pytest: pytest-sqlite pytest-postgres

pytest-sqlite: dev
	scripts/ensure-chromium
	scripts/ensure-poppler
	scripts/ensure-node-tools
	@echo "== pytest on SQLite"
	env -u DATABASE_URL $(BIN)/pytest -p no:cacheprovider

pytest-postgres: dev
	scripts/ensure-poppler
	scripts/ensure-node-tools
	@if $(BIN)/python scripts/pg-reachable "$(PG_URL)"; then \
	  echo "== pytest on PostgreSQL ($(PG_URL))"; \
	  DATABASE_URL="$(PG_URL)" $(BIN)/pytest -p no:cacheprovider; \
	else \
	  echo "== SKIPPED the PostgreSQL pass: no server answers at $(PG_URL)"; \
	fi

e2e: dev
	scripts/ensure-chromium
	scripts/ensure-node-tools
	$(BIN)/pytest -p no:cacheprovider tests/e2e

## make messages: refresh and compile the Vietnamese catalogue.
messages: dev
	cd src/hocvuso && ../../$(BIN)/django-admin makemessages -l vi --no-obsolete --settings=hocvuso.settings
	msgfmt --check -o src/hocvuso/locale/vi/LC_MESSAGES/django.mo src/hocvuso/locale/vi/LC_MESSAGES/django.po

bench-psychometrics: dev
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python benchmarks/psychometrics/run.py

## make bench-measurement: exposure control, classification, key exposure (#14; ~35 min).
bench-measurement: dev
	$(BIN)/python benchmarks/psychometrics/run_measurement.py

bench-assistant: install
	$(BIN)/python benchmarks/assistant.py

bench-pages: install
	$(BIN)/python benchmarks/pages.py

bench-assessment: dev
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python benchmarks/assessment_load.py --db both

## make bench-checkin: 500 check-ins against a real server, SQLite and PostgreSQL.
bench-checkin: dev
	$(BIN)/pip install --quiet "httpx>=0.27"
	$(BIN)/python benchmarks/checkin.py --db both

## make bench-visits: 100 volunteers logging visits, a 1,000-visit offline queue.
bench-visits: dev
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python benchmarks/visits.py --db both

## make bench-outbox: N outbox events to the reference receiver on PostgreSQL,
## with the receiver down 30 s in the middle (OUTBOX_COUNT=100000).
OUTBOX_COUNT ?= 100000
bench-outbox: dev
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python benchmarks/outbox.py --count $(OUTBOX_COUNT) --pg $(PG_URL)

## make bench-dashboards: programs dashboards, full rebuild and incremental refresh
## on PostgreSQL with DASH_LEARNERS synthetic learners (20,000: a few minutes).
DASH_LEARNERS ?= 20000
bench-dashboards: dev
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python benchmarks/dashboards.py --learners $(DASH_LEARNERS) --pg $(PG_URL)

bench: bench-pages bench-psychometrics bench-assessment bench-checkin bench-visits bench-outbox bench-assistant bench-dashboards

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache
