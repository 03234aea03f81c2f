# Golden Thread: two commands on a fresh machine (Python 3.11 and make).
#   make run    set up, migrate SQLite, load the demo council, start the app and its PDF worker
#   make test   set up (and install Chromium if missing), run the whole test suite
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
# what make installs: the development lock (runtime, test and dev tools, every package pinned
# with its hashes), generated from pyproject.toml by `make lock`; production installs the
# runtime lock, requirements.txt (docs/deployment.md)
LOCK := requirements-dev.txt
# pip itself, pinned with its hashes (make lock copies it from the lock): installed first, because
# the pip a new venv starts with (23.2 on Python 3.11) refuses a hashed lock in which a package
# asks for another's extra (weasyprint needs fonttools[woff]) once a newer release of that package
# is published ("all requirements must have their versions pinned with ==")
PIP_LOCK := requirements-pip.txt
STAMP := $(VENV)/.installed-$(shell cat $(PIP_LOCK) $(LOCK) | cksum | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000
# the address links in PDFs and emails point to: where the app is served (set it when people
# reach it by another name, e.g. make run HOST=0.0.0.0 SITE_URL=http://plans.local:8000)
# (given to the app by the run recipe only: exported for every target, it reached the tests)
SITE_URL ?= http://$(HOST):$(PORT)

# the suite runs on this many processes (pytest-xdist; auto: one per CPU), a module's tests
# together in one of them (--dist loadscope), so a module's fixtures are set up once
# (decision 0011, "The suite in parallel"); TEST_WORKERS=0 runs everything in one process
TEST_WORKERS ?= auto
# djhtml indents these
TEMPLATE_DIRS := templates $(wildcard */templates)

.PHONY: run test test-only test-services lint types templates lock security fixture benchmark benchmark-returns catalogues messages

# --require-hashes: nothing is installed that the locks do not name with its hash; the locked pip
# replaces the venv's own before anything else is installed
$(STAMP): $(PIP_LOCK) $(LOCK)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r $(PIP_LOCK)
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	rm -f $(VENV)/.installed-* && touch $@

run: $(STAMP) catalogues
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo --url $(SITE_URL)/
# the server, and beside it the worker that produces PDFs; Ctrl+C stops both and ends quietly
	SITE_URL=$(SITE_URL) scripts/run.sh $(HOST):$(PORT)

# what the tests start besides Python: Debian's chromium (browser tests) and redis-server
# (the shared cache's tests), installed when missing
test-services:
	@missing=""; test -x /usr/bin/chromium || missing="chromium"; \
	  command -v redis-server >/dev/null || missing="$$missing redis-server"; \
	  [ -z "$$missing" ] || { \
	  echo "Installing Debian's$$missing for the tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq $$missing >/dev/null; }

test: $(STAMP) test-services test-only

# the 15 slowest tests are listed at the end: the suite is kept under 10 minutes
test-only:
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadscope --durations=15 $(PYTEST_ARGS)

lint: $(STAMP) types
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/djhtml --check $(TEMPLATE_DIRS)

# the Welsh catalogues Django reads (.mo), built from the .po files in git when those are newer
# (config/catalogues.py: polib, no gettext needed; the test suite builds them too)
catalogues: $(STAMP)
	$(BIN)/python -m config.catalogues

# after changing text in the code or templates: gather every marked string into the catalogues
# (gettext's xgettext, as Django's makemessages needs), then translate the new entries in each
# <app>/locale/cy/LC_MESSAGES/django.po (tests/test_translations.py fails on any left empty)
MESSAGE_ARGS := --locale cy --no-location --no-wrap --ignore=.venv --ignore=node_modules --ignore=tests \
	--ignore=benchmarks --ignore=demo --ignore=docs --ignore=fixtures --ignore=frontend --ignore=scripts \
	--ignore=static --ignore=staticfiles --ignore=media
messages: $(STAMP)
	$(BIN)/python manage.py makemessages $(MESSAGE_ARGS)
	$(BIN)/python -m config.catalogues

# mypy with django-stubs on every app's services, selectors and access modules (the files
# pyproject.toml's [tool.mypy] names)
types: $(STAMP)
	$(BIN)/mypy

# re-indent the templates (make lint checks them)
templates: $(STAMP)
	$(BIN)/djhtml $(TEMPLATE_DIRS)

# regenerate both locks from pyproject.toml after changing a dependency there; existing pins
# are kept unless pyproject.toml rules them out (make lock LOCK_ARGS="--upgrade-package NAME"
# moves one package on, LOCK_ARGS=--upgrade every one)
PIP_COMPILE = $(BIN)/pip-compile --quiet --strip-extras --allow-unsafe --generate-hashes \
	--no-emit-index-url --no-emit-find-links $(LOCK_ARGS)
lock: $(STAMP)
	$(PIP_COMPILE) --output-file requirements.txt pyproject.toml
	$(PIP_COMPILE) --extra test --extra dev --output-file requirements-dev.txt pyproject.toml
	{ echo "# pip, pinned with its hashes: installed before either lock (copied from requirements-dev.txt by make lock)"; \
	  awk '/^pip==/ {p = 1; print; next} p && /^ +--hash/ {print; next} p {exit}' requirements-dev.txt; } > $(PIP_LOCK)

# bandit, medium and high findings only: exits nonzero on any not reviewed (docs/security.md)
security: $(STAMP)
	$(BIN)/bandit -c pyproject.toml -r config audit partners planning monitoring public api demo benchmarks scripts -ll

fixture: $(STAMP)
	$(BIN)/python manage.py build_demo_fixture --output fixtures/demo_council.json

benchmark: $(STAMP)
	$(BIN)/python -m benchmarks

# 500 returns submitted at once through the views, on PostgreSQL (docs/performance.md). Starts
# no server: BENCHMARK_DATABASE_URL names a running one and a role with CREATEDB (default: the
# local golden_thread one); a throwaway database is created there and dropped at the end.
benchmark-returns: $(STAMP)
	BENCHMARK_DATABASE_URL="$${BENCHMARK_DATABASE_URL:-postgres://golden_thread:golden_thread@127.0.0.1:5432/golden_thread}" \
	  $(BIN)/python -m benchmarks.returns_burst

# The large council (manage.py generate_council) under a bounded load through gunicorn, on
# PostgreSQL (docs/performance.md): officers editing items, partners submitting returns (some
# twice), members reading scorecards; checks nothing was lost or duplicated. A throwaway database
# on BENCHMARK_DATABASE_URL, as benchmark-returns; LOAD_SCALE=small for a quick run.
.PHONY: load-test
load-test: $(STAMP)
	BENCHMARK_DATABASE_URL="$${BENCHMARK_DATABASE_URL:-postgres://golden_thread:golden_thread@127.0.0.1:5432/golden_thread}" \
	  $(BIN)/python -m benchmarks.load_test

# The same, as the public meets it (issue 16): anonymous readers of the published plans while
# one officer edits (each edit makes every public page fresh again); LOAD_READERS to change how many
.PHONY: load-test-public
load-test-public: $(STAMP)
	BENCHMARK_DATABASE_URL="$${BENCHMARK_DATABASE_URL:-postgres://golden_thread:golden_thread@127.0.0.1:5432/golden_thread}" \
	  LOAD_READERS="$${LOAD_READERS:-24}" LOAD_OFFICERS="$${LOAD_OFFICERS:-1}" LOAD_PARTNERS="$${LOAD_PARTNERS:-0}" \
	  LOAD_MEMBERS="$${LOAD_MEMBERS:-0}" $(BIN)/python -m benchmarks.load_test
