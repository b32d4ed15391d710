# The two commands: `make run` serves the demo site, `make test` runs the whole suite.
# Both bootstrap a fresh machine first (scripts/bootstrap.sh).
SHELL := /bin/bash
PY := .venv/bin/python
export CHROMIUM_PATH ?= /usr/bin/chromium
# Maintenance commands run on the demo machine (no SECRET_KEY and no .env: DEBUG=true gives the
# development key) and in production (the environment or .env supply SECRET_KEY).
MANAGE := $(if $(or $(SECRET_KEY),$(wildcard .env)),,DEBUG=true )$(PY) manage.py

.PHONY: run test bench load lint db db-stop clean serve backup restore-drill pitr-drill

run:
	@scripts/bootstrap.sh run
	@DEBUG=true scripts/run.sh

test:
	@scripts/bootstrap.sh test
	@$(PY) -m pytest $(ARGS)

bench:
	@scripts/bootstrap.sh run
	@DEBUG=true $(PY) manage.py bench

# A bounded load test (at most two minutes) of the production server on 127.0.0.1 with the
# bench database: 50 readers and 10 signers; figures in docs/deployment.md ("Load test").
load:
	@scripts/bootstrap.sh run
	@DEBUG=true $(PY) manage.py load $(ARGS)

# The production server: gunicorn + the task worker, DEBUG off (docs/deployment.md).
serve:
	@scripts/bootstrap.sh run
	@scripts/serve.sh

# One dated, checksummed archive (database + uploaded files) in var/backups/ or DIR=…
backup:
	@scripts/bootstrap.sh run
	@$(MANAGE) backup $(if $(DIR),--dir "$(DIR)")

# Restore the newest backup into a scratch database and folder and compare it with the source.
restore-drill:
	@scripts/bootstrap.sh run
	@$(MANAGE) restore_drill $(if $(DIR),--dir "$(DIR)")

# Point-in-time recovery rehearsed on a throwaway cluster (docs/deployment.md).
pitr-drill:
	@scripts/pitr_drill.sh

lint:
	@scripts/bootstrap.sh test
	@.venv/bin/ruff check .
	@.venv/bin/ruff format --check .
	@.venv/bin/bandit -c pyproject.toml -r . -q

db:
	@scripts/bootstrap.sh run

db-stop:
	@if [ -f var/pgdata/postmaster.pid ]; then \
		pgctl=$$(command -v pg_ctl || ls -1d /usr/lib/postgresql/*/bin/pg_ctl | sort -V | tail -n1); \
		if [ $$(id -u) -eq 0 ]; then runuser -u postgres -- $$pgctl -D var/pgdata stop; \
		else $$pgctl -D var/pgdata stop; fi; \
	fi

clean: db-stop
	rm -rf var .venv
