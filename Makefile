# Career Guide: `make run` serves the site, `make test` checks it.
SHELL := /bin/bash
.DEFAULT_GOAL := help
.PHONY: help run edge admin test lint format check-migrations setup bench backup restore loadtest mutate

VENV := .venv
PY := $(VENV)/bin/python
# The port `make run` serves on; exported, so SITE_URL (unless set) uses it too.
PORT ?= 8000
export PORT

help:
	@echo "make run    - install, migrate, load starter content once, serve on http://127.0.0.1:$(PORT) (PORT=9000 make run)"
	@echo "make edge   - the production shape: nginx on :$${EDGE_PORT:-8080} in front of $${APP_SERVERS:-2} app servers (docs/DEPLOY.md)"
	@echo "make admin  - migrate, create a superuser for /admin/, set up its authenticator app (2FA)"
	@echo "make test   - lint, migration check and the test suite (DATABASE_URL or SQLite)"
	@echo "make bench  - throughput and render-time benchmark (docs/PERFORMANCE.md)"
	@echo "make loadtest - 64 connections x 30 s: steady, a PostgreSQL restart; then through the edge: an app server killed, an edit (docs/LOADTEST.md)"
	@echo "make backup / make restore FILE=... - database backups (docs/DEPLOY.md)"
	@echo "make mutate - mutation testing of the plan and salary modules (docs/MUTATION.md)"

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
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_starter_content
	$(PY) manage.py collectstatic --noinput -v0
	@echo "Serving on http://127.0.0.1:$(PORT)/  (Ctrl-C stops)"
	@# Exactly one schedule runner beside gunicorn (docs/DEPLOY.md); both stop
	@# together, whichever way `make run` ends.
	trap 'kill $$web $$runner 2>/dev/null; wait' INT TERM; \
	$(PY) manage.py run_schedules & runner=$$!; \
	$(VENV)/bin/gunicorn careerguide.wsgi -c gunicorn.conf.py --bind 127.0.0.1:$(PORT) & web=$$!; \
	wait $$web; status=$$?; kill $$runner 2>/dev/null; wait $$runner; exit $$status

# nginx (deploy/nginx/) on EDGE_PORT in front of APP_SERVERS gunicorns and one
# schedule runner, as production runs them; bin/edge starts and stops them all.
edge: $(VENV)/.installed .secret-key
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_starter_content
	$(PY) manage.py collectstatic --noinput -v0
	$(PY) bin/edge run

admin: $(VENV)/.installed .secret-key
	$(PY) manage.py migrate --noinput
	$(PY) manage.py createsuperuser
	@# Two-factor sign-in: the new superuser's authenticator app, in the terminal.
	$(PY) manage.py enrol_2fa

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

check-migrations: $(VENV)/.installed .secret-key
	$(PY) manage.py makemigrations --check --dry-run

test: $(VENV)/.installed .secret-key lint check-migrations
	$(PY) manage.py collectstatic --noinput -v0
	$(PY) -m pytest

# Throughput and latency as in production (gunicorn, PostgreSQL, Redis, wrk):
# about 3 minutes; see bench/run.py and docs/PERFORMANCE.md.
bench: $(VENV)/.installed .secret-key
	$(PY) bench/run.py

# Back up the database named by DATABASE_URL (SQLite by default) into backups/.
backup: $(VENV)/.installed
	$(PY) bin/db-backup backup backups

# make restore FILE=backups/careerguide-….dump (or .sqlite3)
restore: $(VENV)/.installed
	@test -n "$(FILE)" || { echo "usage: make restore FILE=backups/…"; exit 2; }
	$(PY) bin/db-backup restore "$(FILE)"

# 64 connections for 30 s against gunicorn + PostgreSQL + Redis, then again
# while PostgreSQL restarts; then the same through the nginx edge in front of
# two app servers, with one killed and an edit made on the other; about 4
# minutes, see loadtest/run.py and docs/LOADTEST.md.
loadtest: $(VENV)/.installed .secret-key
	$(PY) loadtest/run.py

# Mutation testing of the four pure plan and salary modules with mutmut (about a
# minute, from scratch each time; config in pyproject.toml, docs/MUTATION.md).
# Not part of `make test`. Prints killed / survived per module and overall.
# The tests run from the copy in mutants/, which has no .secret-key: a throwaway key.
mutate: $(VENV)/.installed
	rm -rf mutants
	SECRET_KEY="$${SECRET_KEY:-test-only-not-secret}" $(VENV)/bin/mutmut run
	@$(VENV)/bin/mutmut results --all true | sort | awk -F': ' ' \
	  { name = $$1; sub(/^ +/, "", name); mod = name; sub(/\.[^.]*$$/, "", mod); \
	    if (!(mod in total)) order[++n] = mod; total[mod]++; all++; \
	    if ($$2 == "killed") { killed[mod]++; k++ } \
	    else if ($$2 == "survived") { survived[mod]++; s++ } else { other[mod]++; o++ } } \
	  END { printf "\n%-24s %7s %9s %6s %8s\n", "module", "killed", "survived", "other", "score"; \
	    for (i = 1; i <= n; i++) { m = order[i]; \
	      printf "%-24s %3d/%-3d %9d %6d %7.1f%%\n", m, killed[m], total[m], survived[m], other[m], \
	        100 * killed[m] / total[m] } \
	    if (all) printf "%-24s %3d/%-3d %9d %6d %7.1f%%\n", "overall", k, all, s, o, 100 * k / all }'
