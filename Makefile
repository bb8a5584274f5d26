# SabiDamu: two commands from a fresh clone.
#   make run   - set up and serve the app with demo data on SQLite at http://127.0.0.1:5000 (and its task queue's consumer)
#   make test  - set up, run the static checks (make lint), then every test (SQLite; under CI, or when PostgreSQL answers, again on PostgreSQL)
#   make lint  - only the static checks: ruff, mypy, import contracts (scripts/lint.sh)
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
FLASK := $(VENV)/bin/flask --app app
HOST ?= 127.0.0.1
PORT ?= 5000
# Debian packages the tests need: a real browser, the age and minisign tools, PDF tools, fonts with Kazakh letters,
# HarfBuzz's subsetter (WeasyPrint warns without it, and the tests turn warnings into errors).
DEBIAN_PACKAGES := chromium age minisign poppler-utils zbar-tools fonts-dejavu-core fonts-noto-core libpango-1.0-0 libpangoft2-1.0-0 \
  libharfbuzz-subset0 wrk

.PHONY: run test lint mypy-baseline setup dev-setup system-deps translations migrate demo test-sqlite test-postgres bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.deps-run: requirements.txt | $(PY)
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.deps-dev: requirements-dev.txt requirements.txt $(VENV)/.deps-run
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

setup: $(VENV)/.deps-run translations

dev-setup: $(VENV)/.deps-dev system-deps translations

# As root, install what is missing; otherwise say what the tests will skip.
system-deps:
	@missing=""; for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = "0" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  (apt-get update -qq || true) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	else \
	  echo "NOTE: not root, Debian packages missing:$$missing - tests that need them will SKIP (under CI=true they fail)."; \
	fi

translations: $(VENV)/.deps-run
	@$(FLASK) translate compile >/dev/null

migrate: setup
	$(FLASK) db upgrade
	@# Accounts made before identities were sealed are moved into the sealed columns (online, resumable).
	@$(FLASK) accounts seal >/dev/null

demo: migrate
	$(FLASK) demo

# The queue's consumer (background tasks, the audit sequencer) runs beside the server and stops with it.
run: demo
	@$(FLASK) queue consume & consumer=$$!; \
	trap 'kill $$consumer 2>/dev/null; wait $$consumer 2>/dev/null' EXIT INT TERM; \
	$(VENV)/bin/flask --app app run --host $(HOST) --port $(PORT)

lint: $(VENV)/.deps-dev
	@bash scripts/lint.sh

# After fixing type errors outside the strict core: rewrite mypy-baseline.txt to what mypy still reports.
mypy-baseline: $(VENV)/.deps-dev
	-$(VENV)/bin/mypy --no-color-output | $(VENV)/bin/mypy-baseline sync

test: dev-setup
	@bash scripts/lint.sh
	@bash scripts/run-tests.sh

bench: dev-setup
	$(PY) bench/bench_foundation.py

clean:
	rm -rf $(VENV) build .pytest_cache
