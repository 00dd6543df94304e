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
	EMAIL_URL=smtp+tls://mailer@smtp.example.com:587 CACHE_URL=rediscache://127.0.0.1:6379/0

.PHONY: install run test check clean-db

$(INSTALLED): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(INSTALLED)

run: $(INSTALLED)
	$(WITH_DB) sh -c '$(MANAGE) migrate --noinput && $(MANAGE) seed_demo && \
		$(MANAGE) runserver 127.0.0.1:8000'

test: $(INSTALLED)
	scripts/require-redis
	$(WITH_DB) $(BIN)/pytest $(PYTEST_ARGS)

check: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(WITH_DB) sh -c '$(MANAGE) makemigrations --check --dry-run && \
		$(MANAGE) lintmigrations --no-cache --sql-analyser postgresql --warnings-as-errors \
			--ignore-initial-migrations && \
		$(MANAGE) spectacular --validate --fail-on-warn --file /dev/null'
	$(DEPLOY_CHECK_ENV) $(BIN)/python manage.py check --deploy --fail-level WARNING

clean-db:
	scripts/localdb stop
	rm -rf .pgdata
