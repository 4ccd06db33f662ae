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

# The browser bundle (static/dist/stepflow.js, .css): `npm ci` when the lock file changes,
# `npm run build` when the browser code changes (the Python side never needs Node).
BUNDLE := static/dist/stepflow.js
NODE_MODULES := node_modules/.package-lock.json
UI_SOURCES := package.json static/build.mjs $(shell find static/src -type f 2>/dev/null)

$(NODE_MODULES): package-lock.json
	@command -v npm >/dev/null || { echo "stepflow's browser code needs Node.js 20+ and npm" >&2; exit 1; }
	npm ci --no-audit --no-fund
	@touch $@

$(BUNDLE): $(NODE_MODULES) $(UI_SOURCES)
	npm run build
	@touch $@

install: $(VENV)/.installed $(BUNDLE)

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
