# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint bench install install-dev browser-deps demo clean elasticsearch elasticsearch-down bench-search bench-load bench-assessment

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(VENV)/bin/python
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt $(VENV)/.runtime
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.runtime
install-dev: $(VENV)/.dev

## run: set up, migrate, load the demo once, serve on http://127.0.0.1:8000 (SQLite, database search)
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	$(PY) manage.py search_rebuild --unless-built
	$(PY) manage.py runserver $(HOST):$(PORT)

## demo: migrate and load the demo data without serving
demo: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	$(PY) manage.py search_rebuild --unless-built

# axe-core for the accessibility checks in the browser tests (from the npm registry).
node_modules/axe-core/axe.min.js: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --silent --no-audit --no-fund; \
	else echo "npm not found: accessibility checks will be skipped (CI installs it)"; fi

browser-deps: node_modules/axe-core/axe.min.js

lint: install-dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	PYTHONPATH=site $(VENV)/bin/lint-imports --no-logo --cache-dir .cache/import-linter
	DJANGO_SETTINGS_MODULE=portal.settings.test $(PY) manage.py makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=portal.settings.test $(PY) manage.py check

## elasticsearch: start (or reuse) the local single-node Elasticsearch on ELASTICSEARCH_PORT (9200)
elasticsearch:
	$(PYTHON) scripts/elasticsearch_node.py up

elasticsearch-down:
	$(PYTHON) scripts/elasticsearch_node.py down

## test: set up and run the whole suite (SQLite unless DATABASE_URL is set). Uses $$ELASTICSEARCH_URL
## when set, else starts the local test Elasticsearch when it can; in CI a failure to start it fails.
test: install-dev browser-deps lint
	@es_url="$$ELASTICSEARCH_URL"; \
	if [ -z "$$es_url" ]; then \
	  es_url=$$($(PYTHON) scripts/elasticsearch_node.py up | sed -n 's/^ELASTICSEARCH_URL=//p'); \
	  if [ -z "$$es_url" ]; then \
	    if [ "$$CI" = "true" ]; then echo "CI: Elasticsearch could not be started" >&2; exit 1; fi; \
	    echo "Elasticsearch unavailable: its tests will skip (see make elasticsearch)" >&2; \
	  fi; \
	fi; \
	ELASTICSEARCH_URL="$$es_url" $(PY) -m pytest $(PYTEST_ARGS)

## bench: national-scale benchmarks (see bench/README.md): import and pages, the search, the load
bench: install-dev
	@status=0; $(PY) bench/run.py $(BENCH_ARGS) || status=$$?; \
	$(PY) bench/search_bench.py $(SEARCH_BENCH_ARGS) || status=$$?; \
	$(PY) bench/assessment_bench.py $(ASSESSMENT_BENCH_ARGS) || status=$$?; \
	$(PY) bench/load.py $(BENCH_LOAD_ARGS) || status=$$?; exit $$status

## bench-search: the search benchmark alone (Elasticsearch beside the PostgreSQL fallback)
bench-search: install-dev
	$(PY) bench/search_bench.py $(SEARCH_BENCH_ARGS)

## bench-assessment: launching assessment campaigns in bulk (1,000 contracts; all of 崇左)
bench-assessment: install-dev
	$(PY) bench/assessment_bench.py $(ASSESSMENT_BENCH_ARGS)

## bench-load: gunicorn + PostgreSQL + Redis under wrk, cached and uncached pages against a trivial view
bench-load: install-dev
	$(PY) bench/load.py $(BENCH_LOAD_ARGS)

clean:
	rm -rf var .cache/test-media .pytest_cache
