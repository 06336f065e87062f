# Career Guide: `make run` serves the site, `make test` checks it.
SHELL := /bin/bash
.DEFAULT_GOAL := help
.PHONY: help run test lint format check-migrations setup bench backup restore loadtest

VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# SECRET_KEY from the environment if set, else the local generated one.
WITH_KEY = export SECRET_KEY="$${SECRET_KEY:-$$(cat .secret-key)}";

help:
	@echo "make run    - install, migrate, load starter content once, serve on http://127.0.0.1:$(PORT)"
	@echo "make test   - lint, migration check and the test suite (DATABASE_URL or SQLite)"
	@echo "make bench  - throughput and render-time benchmark (docs/PERFORMANCE.md)"
	@echo "make loadtest - 64 connections x 30 s, steady and with a PostgreSQL restart"
	@echo "make backup / make restore FILE=... - database backups (docs/DEPLOY.md)"

$(VENV)/.installed: pyproject.toml bin/find-python
	@set -e; \
	if [ -x $(PY) ] && ! $(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))'; then \
	  echo "Removing $(VENV): it was built with an older Python."; rm -rf $(VENV); fi; \
	if [ ! -x $(PY) ]; then \
	  python="$${PYTHON:-$$(bin/find-python)}"; \
	  echo "Creating $(VENV) with $$python ($$($$python --version))"; \
	  "$$python" -m venv $(VENV); fi
	$(PY) -m pip install -q --disable-pip-version-check -e '.[dev]'
	@touch $@

setup: $(VENV)/.installed

.secret-key:
	@if [ -z "$$SECRET_KEY" ]; then \
	  umask 077; $(PY) -c 'import secrets; print(secrets.token_urlsafe(50))' > $@; \
	  echo "Generated a local SECRET_KEY into .secret-key (git ignores it). Production must set SECRET_KEY."; \
	fi

run: $(VENV)/.installed .secret-key
	$(WITH_KEY) $(PY) manage.py migrate --noinput
	$(WITH_KEY) $(PY) manage.py load_starter_content
	$(WITH_KEY) $(PY) manage.py collectstatic --noinput -v0
	@echo "Serving on http://127.0.0.1:$(PORT)/  (Ctrl-C stops)"
	$(WITH_KEY) exec $(VENV)/bin/gunicorn careerguide.wsgi -c gunicorn.conf.py --bind 127.0.0.1:$(PORT)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

check-migrations: $(VENV)/.installed .secret-key
	$(WITH_KEY) $(PY) manage.py makemigrations --check --dry-run

test: $(VENV)/.installed .secret-key lint check-migrations
	$(WITH_KEY) $(PY) manage.py collectstatic --noinput -v0
	$(WITH_KEY) $(PY) -m pytest

# Throughput and latency as in production (gunicorn, PostgreSQL, Redis, wrk):
# about 3 minutes; see bench/run.py and docs/PERFORMANCE.md.
bench: $(VENV)/.installed .secret-key
	$(WITH_KEY) $(PY) bench/run.py

# Back up the database named by DATABASE_URL (SQLite by default) into backups/.
backup: $(VENV)/.installed
	$(PY) bin/db-backup backup backups

# make restore FILE=backups/careerguide-….dump (or .sqlite3)
restore: $(VENV)/.installed
	@test -n "$(FILE)" || { echo "usage: make restore FILE=backups/…"; exit 2; }
	$(PY) bin/db-backup restore "$(FILE)"

# 64 connections for 30 s against gunicorn + PostgreSQL + Redis, then again
# while PostgreSQL restarts; see loadtest/run.py and docs/LOADTEST.md.
loadtest: $(VENV)/.installed .secret-key
	$(WITH_KEY) $(PY) loadtest/run.py
