# The two commands: `make run` (everything local, embedded defaults) and `make test` (the whole suite).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000

.PHONY: run test install migrate seed lint messages clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

migrate: install
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput -v0

seed: migrate
	$(BIN)/python manage.py seed_demo

# SITE_URL (the links in e-mails) follows PORT unless set; honcho passes it to the web and the worker alike.
run: seed
	@echo ""
	@echo "  MRM is starting at http://127.0.0.1:$(PORT)/  (web + Celery worker + beat; Ctrl-C stops all)"
	@echo "  Log in as the director: director@sever.demo, an AM: am@sever.demo, a client: client@sever.demo"
	@echo "  Password for every demo login: demo-pass-2026"
	@echo ""
	DEBUG=$${DEBUG:-1} MRM_PORT=$(PORT) SITE_URL=$${SITE_URL:-http://127.0.0.1:$(PORT)} $(BIN)/honcho start -f Procfile

test: install
	mkdir -p var
	DJANGO_SETTINGS_MODULE=mrm.settings.test $(BIN)/python -m pytest -n $${PYTEST_WORKERS:-2} --dist loadgroup -q $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .

messages: install
	$(BIN)/python manage.py makemessages -l ru --ignore=.venv --ignore=var --no-obsolete
	$(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf var/test.sqlite3* var/test-media
