# OnRecord: `make run` serves the product with demo data, `make test` runs the tests.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
DATA_DIR := $(or $(ONRECORD_DATA_DIR),var)
STAMP := $(VENV)/.installed
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)

.PHONY: install run test lint format migrations-check clean fuzz client-check bench-smoke

$(STAMP): pyproject.toml
	@echo "Installing OnRecord and its dependencies into $(VENV) (first run, or pyproject.toml changed)…"
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

$(DATA_DIR)/secret-key:
	mkdir -p $(DATA_DIR)
	$(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))' > $@
	chmod 600 $@

run: install $(DATA_DIR)/secret-key
	@echo "Preparing the site: database, migrations, static files, demo statements, search index…"
	DJANGO_SECRET_KEY="$${DJANGO_SECRET_KEY:-$$(cat $(DATA_DIR)/secret-key)}" $(BIN)/python manage.py prepare_demo_site --port $(PORT)
	DJANGO_SECRET_KEY="$${DJANGO_SECRET_KEY:-$$(cat $(DATA_DIR)/secret-key)}" \
		$(BIN)/gunicorn project.wsgi --bind 127.0.0.1:$(PORT) --workers 2 --preload --access-logfile - \
		--config python:project.gunicorn_conf

# The browser tests drive Debian's Chromium; nothing is downloaded at test time.
$(CHROMIUM):
	@echo "Installing Debian's chromium package for the browser tests"
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -qq
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

# axe-core, which the browser tests load into pages to check their accessibility.
AXE := node_modules/axe-core/axe.min.js
$(AXE): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# A font with Chinese, Japanese and Korean characters, so that the screenshots show them.
CJK_FONT := /usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf
$(CJK_FONT):
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -qq
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-droid-fallback

test: install $(CHROMIUM) $(CJK_FONT) $(AXE)
	DJANGO_DEBUG=false DJANGO_SECRET_KEY=test-only-secret $(BIN)/pytest $(PYTEST_ARGS)

# schemathesis against a live server on 127.0.0.1 (see tests/fuzz_api.py and
# tests/schemathesis.toml); FUZZ_EXAMPLES=N examples per operation (default 50)
fuzz: install
	$(BIN)/python -m tests.fuzz_api

# A Python client generated from the OpenAPI schema by openapi-python-client, driven
# against a live server on 127.0.0.1 (see tests/generated_client_check.py)
client-check: install
	$(BIN)/python -m tests.generated_client_check

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrations-check: install
	DJANGO_DEBUG=true $(BIN)/python manage.py makemigrations --check --dry-run

# every benchmark once at a tiny size, on the PostgreSQL server at 127.0.0.1:5432 (or
# DATABASE_URL's): a benchmark broken by a change is seen at once (bench/smoke)
bench-smoke: install
	bench/smoke

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache node_modules
