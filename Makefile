# parindex: `make run` starts the product on http://127.0.0.1:8000, `make test` checks everything.
#
# The virtual environment is built from uv.lock only (never an unpinned resolve), by a pinned uv
# bootstrapped into .tools/. Tests never touch var/: each pytest pass gets its own temporary
# PARINDEX_VAR_DIR. Extra pytest arguments: make test-sqlite PYTEST_ARGS="tests/orgs -x".

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
# Steps of `make test` run in the order written, even under `make -j`.
.NOTPARALLEL:
.DELETE_ON_ERROR:

UV_VERSION := 0.13.8
# python3.11 (pyenv on our machines); otherwise python3 if it is 3.11.
PYTHON := $(shell \
	if python3.11 -c 'import sys' >/dev/null 2>&1; then echo python3.11; \
	elif python3 -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' >/dev/null 2>&1; \
	then echo python3; fi)

TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
VENV_STAMP := $(VENV)/.synced
BIN := $(VENV)/bin
PARINDEX := $(BIN)/parindex

PG_BIN ?= /usr/lib/postgresql/15/bin
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Code that is type-checked, when it exists.
TYPED_DIRS := $(wildcard parindex tests bench scripts)

PYTEST_ARGS ?=
# Browser tests run in the SQLite pass only (each costs a table flush more on PostgreSQL);
# PG_MARKERS= (empty) runs them on PostgreSQL too.
PG_MARKERS ?= not browser
# Settings read this at import: plain static storage (no collectstatic manifest needed).
# tests/conftest.py enforces the same, for a bare `.venv/bin/pytest` too.
TEST_ENV := PARINDEX_PLAIN_STATIC=1

.PHONY: help install run test system-deps lint format typecheck test-sqlite test-pg messages clean \
	bench-dossiers bench-surveys

help:
	@echo "make run          install, migrate, load the demo province, serve on http://127.0.0.1:8000"
	@echo "make test         lint, typecheck, pytest on SQLite, pytest on PostgreSQL 15"
	@echo "make install      build .venv from uv.lock"
	@echo "make lint         ruff check and ruff format --check"
	@echo "make format       ruff format and ruff check --fix"
	@echo "make typecheck    mypy $(TYPED_DIRS)"
	@echo "make test-sqlite  pytest on SQLite, browser tests included (PYTEST_ARGS=...)"
	@echo "make test-pg      pytest on a temporary PostgreSQL 15 cluster, without browser tests"
	@echo "make messages     update and compile the Vietnamese translations"
	@echo "make bench-dossiers  the dossier KPI benchmark (installs pandas and polars, 10M dossiers)"
	@echo "make bench-surveys  the survey indices of a million responses against pandas (installs pandas)"
	@echo "make clean        remove .venv, .tools and caches (var/ is kept)"

# --- environment ----------------------------------------------------------------------------

$(UV):
	@test -n "$(PYTHON)" || { echo "Python 3.11 not found (tried python3.11 and python3)" >&2; exit 1; }
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --disable-pip-version-check --quiet uv==$(UV_VERSION)

# Redone whenever the project or the lock file changes; --frozen: exactly what uv.lock says.
$(VENV_STAMP): pyproject.toml uv.lock | $(UV)
	@test -n "$(PYTHON)" || { echo "Python 3.11 not found (tried python3.11 and python3)" >&2; exit 1; }
	@test "$$($(UV) --version | cut -d' ' -f2)" = "$(UV_VERSION)" || \
		$(TOOLS)/bin/pip install --disable-pip-version-check --quiet uv==$(UV_VERSION)
	UV_PYTHON_DOWNLOADS=never UV_PROJECT_ENVIRONMENT=$(CURDIR)/$(VENV) \
		$(UV) sync --frozen --python $(PYTHON)
	touch $@

install: $(VENV_STAMP)

# Debian's Chromium for the browser tests and PostgreSQL 15 server binaries for the second pass.
system-deps:
	@missing=""; \
	[ -x $(CHROMIUM) ] || missing="$$missing chromium"; \
	[ -x $(PG_BIN)/initdb ] || missing="$$missing postgresql"; \
	if [ -n "$$missing" ]; then \
		echo "Installing$$missing"; \
		$(SUDO) apt-get update; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y $$missing; \
	fi

# --- the two README commands ----------------------------------------------------------------

run: $(VENV_STAMP)
	$(PARINDEX) migrate
	$(PARINDEX) demo --if-empty
	$(PARINDEX) serve

test: system-deps $(VENV_STAMP)
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory typecheck
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-pg

# --- steps ----------------------------------------------------------------------------------

lint: $(VENV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV_STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: $(VENV_STAMP)
	PARINDEX_SECRET_KEY=typecheck-only $(BIN)/mypy $(TYPED_DIRS)

test-sqlite: $(VENV_STAMP)
	@var=$$(mktemp -d); trap 'rm -rf "$$var"' EXIT; \
	echo "pytest on SQLite (PARINDEX_VAR_DIR=$$var)"; \
	env -u DATABASE_URL $(TEST_ENV) PARINDEX_VAR_DIR="$$var" $(BIN)/pytest $(PYTEST_ARGS)

test-pg: $(VENV_STAMP)
	@var=$$(mktemp -d); trap 'rm -rf "$$var"' EXIT; \
	echo "pytest on PostgreSQL 15 (PARINDEX_VAR_DIR=$$var)"; \
	env $(TEST_ENV) PARINDEX_VAR_DIR="$$var" PARINDEX_PG_BIN=$(PG_BIN) \
		$(BIN)/python scripts/pgcluster.py run -- $(BIN)/pytest -m "$(PG_MARKERS)" $(PYTEST_ARGS)

# The bench group (pandas, polars) only here: `make install` and the tests never need it.
bench-dossiers: $(VENV_STAMP)
	UV_PYTHON_DOWNLOADS=never UV_PROJECT_ENVIRONMENT=$(CURDIR)/$(VENV) \
		$(UV) sync --frozen --python $(PYTHON) --group bench
	$(BIN)/python -m bench.dossiers_kpis $(BENCH_ARGS)

messages: $(VENV_STAMP)
	$(PARINDEX) makemessages -l vi --ignore=.venv --ignore=.tools --ignore=var
	$(PARINDEX) compilemessages --ignore=.venv --ignore=.tools

# The survey benchmark's baseline needs pandas, from the `bench` dependency group (pyproject.toml);
# the product and `make test` do not. SQLite only: DATABASE_URL is ignored.
bench-surveys: $(VENV_STAMP)
	UV_PYTHON_DOWNLOADS=never UV_PROJECT_ENVIRONMENT=$(CURDIR)/$(VENV) \
		$(UV) sync --frozen --group bench --python $(PYTHON)
	env -u DATABASE_URL $(BIN)/python -m bench.surveys $(BENCH_ARGS)

clean:
	rm -rf $(VENV) $(TOOLS) .mypy_cache .ruff_cache .pytest_cache test-results
	find $(wildcard parindex tests bench scripts) -name __pycache__ -type d -prune -exec rm -rf {} +
