# Newsroom: the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
# The bench scripts share the tests' helpers (tests/processes.py, tests/serving/varnish.py).
export PYTHONPATH := $(CURDIR)
PORT ?= 8000

.PHONY: run dev prepare serve test test-fast e2e lock lint check browser vnu varnish bench bench-ingest bench-import bench-stories soak audit clean

# `make run` serves as production does (DEBUG off, the site's own error pages, hashed static
# files from WhiteNoise) but over plain HTTP when it listens on loopback only. Every process
# honcho starts gets the same SITE_URL (honcho gives each its own PORT).
LOOPBACK := $(filter 127.0.0.1 localhost ::1,$(HOST))
SITE_ENV = SITE_URL="$${SITE_URL:-http://$(HOST):$(PORT)}" HOST=$(HOST) PORT=$(PORT) DEMO_FEED=1
RUN_ENV = DEBUG=0 HTTPS=$(if $(LOOPBACK),0,1) SECRET_KEY="$$(cat var/secret-key)" \
	EMAIL_BACKEND="$${EMAIL_BACKEND:-django.core.mail.backends.console.EmailBackend}" $(SITE_ENV)

# Installs come from the lock files (exact versions with their hashes), so every machine
# gets what CI passed; `make lock` re-resolves them from pyproject.toml (see the README).
$(VENV)/.installed: requirements/run.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet --require-hashes --no-deps -r requirements/run.txt
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed requirements/test.txt
	$(PIP) install --quiet --require-hashes --no-deps -r requirements/test.txt
	touch $@

## make lock: re-resolve requirements/run.txt and test.txt from pyproject.toml (the newest
## versions it allows, with hashes, for any platform); commit them once `make test` passes
LOCK = $(VENV)/bin/uv pip compile --quiet --upgrade --generate-hashes --universal --python-version 3.11
lock: $(VENV)/.installed
	$(PIP) install --quiet uv
	$(LOCK) --extra local --output-file requirements/run.txt pyproject.toml
	$(LOCK) --extra local --extra test --output-file requirements/test.txt pyproject.toml

var/secret-key:
	@mkdir -p var
	@$(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > $@

## make prepare: install, migrate the SQLite database under var/, load the demo
prepare: $(VENV)/.installed var/secret-key
	$(RUN_ENV) $(PY) manage.py migrate --noinput
	$(RUN_ENV) $(PY) manage.py collectstatic --noinput --verbosity 0
	$(RUN_ENV) $(PY) manage.py seed_demo
	$(RUN_ENV) $(PY) manage.py create_demo_staff
	$(RUN_ENV) $(PY) manage.py seed_demo_comments

## make run: prepare, then serve on :8000 as production does (gunicorn, a task worker and
## the scheduler, run together by honcho from the Procfile)
run: prepare
	@echo "Serving on http://$(HOST):$(PORT)/ (Ctrl-C stops all three; the data stays in var/)"
	$(RUN_ENV) $(VENV)/bin/honcho -f Procfile start

## make dev: the same with Django's debug server (DEBUG on, reloads on code changes)
dev: prepare
	DEBUG=1 $(SITE_ENV) $(VENV)/bin/honcho -f Procfile.dev start

## make test: install the test extras (and Debian's chromium and varnish, the Nu checker, when
## missing), run everything
# Bytecode is written (__pycache__/, ignored by git) even where the environment asks for none
# (PYTHONDONTWRITEBYTECODE, set on some machines and images): without it every xdist worker
# compiles the project and re-does pytest's assertion rewriting of every test module on
# every run (a worker's start and collection: 10.5 CPU-seconds against 5.0), and every
# server, task worker and manage.py a test starts compiles the project again.
TEST_PY = PYTHONDONTWRITEBYTECODE= $(PY)
test: $(VENV)/.installed-test browser vnu varnish
	$(TEST_PY) -m pytest

## make test-fast: the edit-run loop; everything but the browser tests and the tests that
## start servers (gunicorn, Varnish, workers, S3). `make test` still runs them all.
test-fast: $(VENV)/.installed-test
	$(TEST_PY) -m pytest -m "not browser and not server and not e2e"

# chromium-headless-shell (the same build without the browser's windows) runs the browser
# tests on half the CPU; chromium stays for make e2e and as the fallback.
browser:
	@missing=""; command -v chromium >/dev/null 2>&1 || missing="chromium"; \
	command -v chromium-headless-shell >/dev/null 2>&1 || missing="$$missing chromium-headless-shell"; \
	[ -z "$$missing" ] || { \
	  echo "Installing Debian's$$missing for the browser tests..."; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; }

## The Nu HTML checker for tests/serving/test_valid_html.py: vnu-jar from the npm registry,
## run with Java (Debian's default-jre-headless when missing)
VNU_VERSION := 26.9.27
VNU_JAR := .tools/node_modules/vnu-jar/build/dist/vnu.jar
vnu: $(VNU_JAR)
$(VNU_JAR):
	@missing=""; command -v java >/dev/null 2>&1 || missing="default-jre-headless"; \
	command -v npm >/dev/null 2>&1 || missing="$$missing npm"; \
	[ -z "$$missing" ] || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; }
	npm install --no-save --no-audit --no-fund --prefix .tools vnu-jar@$(VNU_VERSION)

varnish:
	@{ command -v varnishd >/dev/null 2>&1 || [ -x /usr/sbin/varnishd ]; } \
	  && dpkg -s varnish-modules >/dev/null 2>&1 || { \
	  echo "Installing Debian's varnish and varnish-modules for the Varnish tests..."; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq varnish varnish-modules; }

## make e2e: the production stack end to end (tests/e2e/, README "End to end"): a fresh
## PostgreSQL database (needs the server on 127.0.0.1, E2E_POSTGRES_URL), its own
## redis-server, moto's S3, an SMTP server, gunicorn, Varnish with the shipped VCL, the task
## worker and the scheduler on free 127.0.0.1 ports, driven through Varnish by chromium and
## plain HTTP clients. Never part of `make test`.
e2e: $(VENV)/.installed-test browser varnish
	@{ command -v redis-server >/dev/null 2>&1 && command -v psql >/dev/null 2>&1; } || { \
	  echo "Installing Debian's redis-server and postgresql-client for make e2e..."; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq redis-server postgresql-client; }
	$(TEST_PY) -m pytest tests/e2e -m e2e $(E2E_ARGS)

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

check: $(VENV)/.installed-test
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) .tools var/static var/test-static test-artifacts

## make audit: Lighthouse (npm registry, lighthouse@12) on home and article -> docs/quality.md
audit: $(VENV)/.installed-test browser
	$(PY) bench/audit.py

## make bench: seed, serve with gunicorn on PostgreSQL+Redis and SQLite, load with wrk,
## write docs/benchmarks.md (needs wrk, PostgreSQL and Redis on 127.0.0.1; never in make test)
bench: $(VENV)/.installed-test
	@command -v wrk >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get install -y -qq wrk; }
	$(PY) bench/run.py $(BENCH_ARGS)

## make bench-ingest: import a generated 1,000-entry feed from a local server, then poll
## 1,000 sources with two task workers and time the scheduler tick, then poll a 100-entry
## feed with full text on and score extraction on the labelled set (docs/ingestion.md)
bench-ingest: $(VENV)/.installed
	$(PY) bench/ingest_bench.py
	$(PY) bench/schedule_bench.py
	$(PY) bench/fulltext_bench.py
	$(PY) bench/fulltext_quality.py

## make soak: 20 readers over HTTP while Redis and a gunicorn worker are killed; checks no
## comment is lost, no 500 (needs PostgreSQL on 127.0.0.1 and redis-server; SOAK_SECONDS=300)
soak: $(VENV)/.installed
	$(PY) bench/soak.py

## make bench-import: import a generated 100,000-comment WordPress export (time, peak memory)
bench-import: $(VENV)/.installed
	$(PY) bench/import_bench.py $(BENCH_ARGS)

## make bench-stories: grouping precision/recall on the labelled set, CPU per new article
## at 100,000 stored articles, full recompute time (docs/stories.md)
bench-stories: $(VENV)/.installed
	$(PY) bench/stories_bench.py $(BENCH_ARGS)
