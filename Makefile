# YEP: `make demo` runs the demo; `make test` runs every test. Both set everything up first.
VENV      := .venv
BIN       := $(VENV)/bin
PYTHON    ?= python3
STAMP     := $(VENV)/.installed
CSS       := src/yep/web/static/web/yep.css
PO        := $(wildcard src/yep/locale/*/LC_MESSAGES/django.po)
MO        := $(PO:.po=.mo)
# One test process per core (pytest-xdist); each gets its own test database.
PYTEST_ARGS ?= -n auto

.PHONY: install demo test lint messages browser clean

install: $(STAMP) node_modules/.installed $(CSS) $(MO)

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c constraints.txt -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(CSS): node_modules/.installed src/yep/web/scss/yep.scss
	npm run --silent build

%.mo: %.po $(STAMP)
	$(BIN)/pybabel -q compile -i $< -o $@

# Debian's chromium for the browser tests (browsers cannot be downloaded here).
browser:
	@test -x /usr/bin/chromium || { [ "$$(id -u)" = 0 ] && (apt-get update -q && apt-get install -y -q chromium) >/dev/null; } \
	  || echo "chromium is not installed: run 'apt-get install chromium' as root for the browser tests"

demo: install
	$(BIN)/yep demo

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

test: install lint browser
	$(BIN)/python -m pytest $(PYTEST_ARGS); status=$$?; \
	  if [ $$status -eq 5 ]; then echo "pytest collected no tests: that is a failure here"; exit 1; fi; exit $$status

# Refresh the Welsh catalogue after adding strings (needs GNU gettext); then translate the new msgids.
messages: install
	cd src/yep && ../../$(BIN)/yep makemessages -l cy --no-obsolete --no-location

clean:
	rm -rf $(VENV) node_modules $(CSS) $(MO)
