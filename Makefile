# Waypoint: `make run` serves a demo on http://127.0.0.1:8000, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint bench migrate demo clean library webforms screenshots messages

# The web tablet's app (webforms/frontend): ODK Web Forms and a Workbox service worker bundled
# into webforms/static/webforms (not in git), rebuilt when its sources or lock file change.
WEBFORMS_BUILD := webforms/static/webforms/manifest.json
WEBFORMS_SOURCES := $(wildcard webforms/frontend/src/* webforms/frontend/public/*) \
	webforms/frontend/package-lock.json webforms/frontend/vite.config.js webforms/frontend/build-sw.mjs

$(WEBFORMS_BUILD): $(WEBFORMS_SOURCES)
	cd webforms/frontend && npm ci --no-audit --no-fund && npm run build

webforms: $(WEBFORMS_BUILD)

# axe-core, for the page tests' accessibility check (tests/pages/test_responsive_pages.py).
AXE := tests/pages/node_modules/axe-core/axe.min.js
$(AXE): tests/pages/package-lock.json
	cd tests/pages && npm ci --no-audit --no-fund
	touch $(AXE)

# The interface's translations (locale/): extract every marked string, then compile. Needs GNU
# gettext (apt-get install gettext); tests/backend/test_translations.py fails on an untranslated one.
MESSAGES_IGNORE := -i '.venv/*' -i 'var/*' -i '*/node_modules/*' -i 'webforms/frontend/*' \
	-i 'tests/*' -i 'bench/*' -i 'deploy/*'
messages: $(STAMP)
	$(BIN)/python manage.py makemessages -l fr -l es -l ar -l uk --no-obsolete $(MESSAGES_IGNORE)
	$(BIN)/python manage.py compilemessages --ignore '.venv' --ignore 'var' --ignore 'node_modules'

screenshots: $(STAMP) $(AXE)
	WAYPOINT_SCREENSHOTS=docs/screenshots $(BIN)/python -m pytest tests/pages/test_responsive_pages.py -p no:cacheprovider -q

$(STAMP): pyproject.toml
	# PyICU (names across scripts in free-text redaction) has no wheel: it builds on Debian's ICU.
	pkg-config --exists icu-i18n 2>/dev/null && command -v g++ >/dev/null || \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libicu-dev pkg-config g++)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

migrate: $(STAMP)
	$(BIN)/python manage.py migrate --no-input

demo: migrate
	$(BIN)/python manage.py demo --base-url http://$(HOST):$(PORT)

run: demo webforms
	$(BIN)/python manage.py collectstatic --no-input -v 0
	@echo "Waypoint on http://$(HOST):$(PORT)/  (API docs: /api/docs/, admin: /admin/)"
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: lint webforms $(AXE)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

bench: $(STAMP)
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	# The rate-limiting proxy and load balancer of deploy/nginx.conf (auth_flood, scale-out).
	command -v nginx >/dev/null || (apt-get update -qq && apt-get install -y -qq nginx-light)
	$(BIN)/python -m bench $(BENCH_ARGS)

library: $(STAMP)
	$(BIN)/python forms/library/build.py

clean:
	rm -rf var .pytest_cache
