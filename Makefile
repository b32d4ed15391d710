# The two commands: `make run` serves the demo site, `make test` runs the whole suite.
# Both bootstrap a fresh machine first (scripts/bootstrap.sh).
SHELL := /bin/bash
PY := .venv/bin/python
export CHROMIUM_PATH ?= /usr/bin/chromium

.PHONY: run test bench lint db db-stop clean

run:
	@scripts/bootstrap.sh run
	@DEBUG=true scripts/run.sh

test:
	@scripts/bootstrap.sh test
	@$(PY) -m pytest $(ARGS)

bench:
	@scripts/bootstrap.sh run
	@DEBUG=true $(PY) manage.py bench

lint:
	@scripts/bootstrap.sh run
	@.venv/bin/ruff check .
	@.venv/bin/ruff format --check .

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
