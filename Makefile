# One-command set-up for a fresh machine: `make run` (the app) and `make test` (every test).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
export FLASK_APP := wsgi.py

.PHONY: setup run db test test-sqlite test-postgres bench translations clean

$(BIN)/activate: requirements.txt requirements-dev.txt constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt -c constraints.txt
	touch $(BIN)/activate

setup: $(BIN)/activate

db: setup
	$(BIN)/flask db upgrade
	$(BIN)/flask users ensure-admin
	$(BIN)/flask demo load --if-empty

# The web server and one planning worker beside it (the embedded SQLite job queue in instance/jobs.db);
# Ctrl-C stops both.
run: db
	@echo "Serving on http://127.0.0.1:$(PORT) with a planning worker  (stop with Ctrl-C)"
	$(BIN)/flask jobs worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/gunicorn --bind 127.0.0.1:$(PORT) --workers 2 --threads 4 --timeout 120 wsgi:app

# Everything on SQLite, then the database tests again on PostgreSQL when it answers.
test: setup
	$(MAKE) test-sqlite
	@if $(BIN)/python -c "import psycopg,sys; psycopg.connect('host=127.0.0.1 port=5432 user=postgres dbname=test', connect_timeout=3).close()" 2>/dev/null; then \
		$(MAKE) test-postgres; \
	else \
		echo "PostgreSQL at 127.0.0.1:5432 not reachable: PostgreSQL tests NOT run"; \
	fi

test-sqlite: setup
	$(BIN)/pytest

test-postgres: setup
	TEST_DATABASE_URL=$(PG_URL) $(BIN)/pytest tests/app -m "not browser and not worker"

bench: setup
	$(BIN)/python -m bench.planner_bench
	$(BIN)/python -m bench.roster_bench
	$(BIN)/python -m bench.live_planning_bench
	$(BIN)/python -m bench.meal_roster_bench
	$(BIN)/python -m bench.daily_report_bench

translations: setup
	$(BIN)/pybabel extract -F babel.cfg -k _l -o quarantine/translations/messages.pot .
	$(BIN)/pybabel update -i quarantine/translations/messages.pot -d quarantine/translations
	$(BIN)/pybabel compile -d quarantine/translations

clean:
	rm -rf $(VENV) .pytest_cache
