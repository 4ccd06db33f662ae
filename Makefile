# stepflow: `make run` to try it, `make test` to test it. Python 3.11+ is all it needs.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: install run test check clean

# The venv is (re)built when pyproject.toml changes; the stamp makes `make run` cheap after.
$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "stepflow needs Python 3.11 or newer")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $@

install: $(VENV)/.installed

# Migrate, load the demo machine, create an admin if there is none (its password is printed
# once), then serve on PORT (8000) with the workers and the timer. Ctrl-C stops everything.
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py bootstrap
	exec $(PY) manage.py run_all

test: install
	$(PY) -m pytest tests

check: install
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) var/test-*.sqlite3*
