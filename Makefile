# The two commands: `make run` (serve with demo data) and `make test` (the whole suite).
# Both create the virtual environment and install what they need; both use the project-local
# PostgreSQL (scripts/localdb) unless DATABASE_URL names a server.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
WITH_DB := scripts/localdb run --
MANAGE := $(BIN)/python manage.py
PYTEST_ARGS ?=

# Values for `check --deploy` only: they make the production settings load; nothing connects.
DEPLOY_CHECK_ENV := DJANGO_SETTINGS_MODULE=config.settings.production \
	SECRET_KEY=deploy-check-$(shell $(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(48))') \
	ALLOWED_HOSTS=studio.example.com DATABASE_URL=postgres://studio@db.invalid/studio \
	EMAIL_URL=smtp+tls://mailer@smtp.example.com:587 CACHE_URL=rediscache://127.0.0.1:6379/0 \
	CELERY_BROKER_URL=redis://127.0.0.1:6379/1

# `make docs` writes docs/reference/ from the models and the rule ids; `make check` fails when the
# committed files are stale. It reads the app registry and source files only: the settings need
# a DATABASE_URL to load, and nothing connects to it.
DOCS_ENV := DJANGO_SETTINGS_MODULE=config.settings.test DATABASE_URL=postgres://studio@db.invalid/studio

# `make bench`: the benchmark of docs/spec/PERFORMANCE.md. Seeds (once) a tenth and the full data
# set into two PostgreSQL data directories of their own, benchmarks the tenth, then the full set
# against it (the growth rows). BENCH_SCALE shrinks both for a quick look.
BENCH_SCALE ?= 1
BENCH_ARGS ?=
BENCH_TENTH := $(shell $(PYTHON) -c 'print($(BENCH_SCALE) / 10)')

.PHONY: install run test check docs clean-db bench bench-http clean-bench manage shell

$(INSTALLED): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(INSTALLED)

# Tasks (mail) run eagerly inside the request: CELERY_BROKER_URL is unset, so no worker is needed.
run: $(INSTALLED)
	$(WITH_DB) sh -c '$(MANAGE) migrate --noinput && $(MANAGE) seed_demo && \
		$(MANAGE) runserver 127.0.0.1:8000'

# `make manage ARGS="createsuperuser"`: any manage.py command against the local database (or
# DATABASE_URL); `make shell` opens Django's shell there.
manage: $(INSTALLED)
	$(WITH_DB) $(MANAGE) $(ARGS)

shell: $(INSTALLED)
	$(WITH_DB) $(MANAGE) shell

test: $(INSTALLED)
	scripts/require-redis
	scripts/require-wrk
	scripts/require-pgbouncer
	scripts/require-chromium
	$(WITH_DB) $(BIN)/pytest $(PYTEST_ARGS)

check: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(WITH_DB) sh -c '$(MANAGE) makemigrations --check --dry-run && \
		$(MANAGE) lintmigrations --no-cache --sql-analyser postgresql --warnings-as-errors \
			--ignore-initial-migrations && \
		$(MANAGE) spectacular --validate --fail-on-warn --file /dev/null'
	$(DEPLOY_CHECK_ENV) $(BIN)/python manage.py check --deploy --fail-level WARNING
	$(DOCS_ENV) $(MANAGE) docs_reference --check

docs: $(INSTALLED)
	$(DOCS_ENV) $(MANAGE) docs_reference

bench: $(INSTALLED)
	scripts/require-redis
	LOCALDB_DIR=$(CURDIR)/.pgbench-tenth $(WITH_DB) sh -c '$(MANAGE) migrate --noinput -v0 && \
		$(MANAGE) seed_large --if-empty --scale $(BENCH_TENTH) && \
		$(MANAGE) benchmark --gate queries --output bench-results-tenth.json $(BENCH_ARGS)'
	LOCALDB_DIR=$(CURDIR)/.pgbench $(WITH_DB) sh -c '$(MANAGE) migrate --noinput -v0 && \
		$(MANAGE) seed_large --if-empty --scale $(BENCH_SCALE) && \
		$(MANAGE) benchmark --baseline bench-results-tenth.json --output bench-results.json \
			$(BENCH_ARGS)'

# `make bench-http`: W1, W2 and W2-empty over loopback HTTP on the full data set (seeded once, as by
# `make bench`): the project under gunicorn.conf.py against the raw WSGI floor, driven by wrk.
bench-http: $(INSTALLED)
	scripts/require-redis
	scripts/require-wrk
	LOCALDB_DIR=$(CURDIR)/.pgbench $(WITH_DB) sh -c '$(MANAGE) migrate --noinput -v0 && \
		$(MANAGE) seed_large --if-empty --scale $(BENCH_SCALE) && \
		$(MANAGE) benchmark --http --output bench-results-http.json $(BENCH_ARGS)'

clean-bench:
	LOCALDB_DIR=$(CURDIR)/.pgbench scripts/localdb stop
	LOCALDB_DIR=$(CURDIR)/.pgbench-tenth scripts/localdb stop
	rm -rf .pgbench .pgbench-tenth

clean-db:
	scripts/localdb stop
	rm -rf .pgdata
