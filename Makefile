# Two commands on a fresh machine: `make site` (set up, build the example county's site)
# and `make test` (set up, then format check, lint, types and tests).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml requirements.lock | sha256sum | cut -c1-12)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: setup browser site serve check test lint bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@rm -f $(VENV)/.installed-* && touch $@

# Debian's Chromium (Playwright's own browser download cannot work here) and CJK fonts,
# so that browser tests and screenshots see what a villager's phone shows.
browser:
	@if ! command -v chromium >/dev/null || ! fc-list :lang=zh 2>/dev/null | grep -q .; then \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	fi

check: setup
	$(BIN)/sunlight check

site: setup
	$(BIN)/sunlight build

serve: setup
	$(BIN)/sunlight serve

lint: setup
	$(BIN)/ruff format --check builder tests tools
	$(BIN)/ruff check builder tests tools
	$(BIN)/mypy

test: setup browser lint
	@set +e; $(BIN)/pytest -q -n 2; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests"; fi; exit $$rc

bench: setup
	$(BIN)/python -m tools.bench

clean:
	rm -rf site .build .pytest_cache
