# The few commands people type. `make run` and `make test` are the README's two commands.
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_LOGIN ?= demo:netlead-demo

.PHONY: install run test worker beat lint format bench clean

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

# Embedded default: SQLite file, Celery tasks inline, demo program loaded; periodic work
# (surveys closing at their deadline, sweeps) runs from a timer inside the server process.
run: install
	DEBUG=true $(PY) manage.py migrate --noinput
	DEBUG=true $(PY) manage.py seed_demo --skip-existing --login $(DEMO_LOGIN)
	DEBUG=true $(PY) manage.py compute_metrics --program northwind-fellows --wait
	@echo ""
	@echo "  netlead is running at http://$(HOST):$(PORT)/"
	@echo "  sign in as $(firstword $(subst :, ,$(DEMO_LOGIN))) / $(lastword $(subst :, ,$(DEMO_LOGIN)))"
	@echo ""
	DEBUG=true $(PY) manage.py run_embedded $(HOST):$(PORT)

test: install
	$(VENV)/bin/pytest

# A Celery worker for a real deployment (needs REDIS_URL and DATABASE_URL).
worker: install
	OMP_NUM_THREADS=1 $(VENV)/bin/celery -A netlead worker --loglevel=INFO

# The periodic scheduler for a real deployment (one per deployment, beside the workers).
beat: install
	$(VENV)/bin/celery -A netlead beat --loglevel=INFO

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-logo

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: install
	$(PY) bench/metrics.py

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
