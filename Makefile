# The two commands of the README:
#   make run    the whole platform on this machine (web, worker, beat, private redis); Ctrl-C stops it
#   make test   ruff, the import contracts, the exercise bank's self-check, and the whole test suite
# Works on a fresh Debian: missing system packages are installed with apt (scripts/bootstrap.sh).

SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
RUNTIME := $(VENV)/.installed-runtime
DEV := $(VENV)/.installed-dev
# Extra pytest arguments, e.g. make test PYTEST_ARGS="-k sweeper -x"
PYTEST_ARGS ?=

.PHONY: run test lint validate pytest bootstrap clean

run: $(RUNTIME)
	$(PY) scripts/run.py

# All three run even when one fails (CI shows every problem at once); the status is theirs.
test: $(DEV)
	@status=0; \
	$(VENV)/bin/ruff check . || status=1; \
	PYTHONPATH=platform:. $(VENV)/bin/lint-imports --no-cache || status=1; \
	$(PY) -m graders validate --mutants || status=1; \
	$(PY) -m pytest $(PYTEST_ARGS) || status=1; \
	exit $$status

lint: $(DEV)
	$(VENV)/bin/ruff check .

validate: $(DEV)
	$(PY) -m graders validate

pytest: $(DEV)
	$(PY) -m pytest $(PYTEST_ARGS)

bootstrap:
	scripts/bootstrap.sh

# pip runs again only when a requirements file changed (the stamps record the last install).
$(RUNTIME): requirements.txt
	scripts/bootstrap.sh
	$(PY) -m pip install -r requirements.txt
	touch $@

$(DEV): requirements.txt requirements-dev.txt
	scripts/bootstrap.sh --dev
	$(PY) -m pip install -r requirements-dev.txt
	touch $@ $(RUNTIME)

clean:
	rm -rf var/static var/exercise-versions var/celerybeat-schedule*
