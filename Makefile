# Two commands on a fresh machine: `make site` (set up, build the example county's site)
# and `make test` (set up, then format check, lint, types and tests).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# requirements-dev.lock: runtime + test tools (the default); requirements.lock: what building a
# site needs, nothing more (the deploy job: `make site LOCK=requirements.lock`).
LOCK ?= requirements-dev.lock
STAMP := $(VENV)/.installed-$(shell (echo $(LOCK); cat pyproject.toml requirements.lock requirements-dev.lock) | sha256sum | cut -c1-12)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# uv only writes the locks; it lives in .build/lock, never in the project's environment
UV_VERSION := 0.13.9
UV := .build/lock/bin/uv
# NOTE: one lock for every platform, with PyPI's hashes of every file of each pinned version,
# so any fresh machine installs it; 3.11.5 because pymdown-extensions needs it.
UV_COMPILE := $(UV) pip compile pyproject.toml --quiet --generate-hashes --universal \
	--python-version 3.11.5 --no-config --index-url https://pypi.org/simple \
	--custom-compile-command "make lock"

.PHONY: setup browser office site serve check test lint fuzz bench lock clean hooks

setup: $(STAMP)

$(STAMP): pyproject.toml requirements.lock requirements-dev.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@rm -f $(VENV)/.installed-* && touch $@

# Rewrite both locks from pyproject.toml. Versions already pinned stay as they are; to move
# one, run e.g. `make lock UPGRADE="--upgrade-package mkdocs"` and review the diff.
lock:
	@test -x $(UV) || { $(PYTHON) -m venv .build/lock && \
	  .build/lock/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION); }
	$(UV_COMPILE) $(UPGRADE) -o requirements.lock
	$(UV_COMPILE) $(UPGRADE) --extra test -c requirements.lock -o requirements-dev.lock

# Debian's Chromium (Playwright's own browser download cannot work here) and CJK fonts,
# so that browser tests and screenshots see what a villager's phone shows.
browser:
	@if ! command -v chromium >/dev/null || ! fc-list :lang=zh 2>/dev/null | grep -q .; then \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	fi

# LibreOffice's spreadsheet (no GUI), so the test that opens a clerk's workbook in it runs: WPS
# and Excel cannot run here, and it is the nearest real reader (about 20 s to install).
office:
	@if ! command -v soffice >/dev/null; then \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq libreoffice-calc-nogui >/dev/null; \
	fi

check: setup
	$(BIN)/sunlight check

site: setup
	$(BIN)/sunlight build

serve: setup
	$(BIN)/sunlight serve

# zizmor: the workflows' security (injection, permissions, pinned actions, credentials);
# --offline because CI's lint must not depend on GitHub's API (its online audits are skipped).
lint: setup
	$(BIN)/ruff format --check builder tests tools
	$(BIN)/ruff check builder tests tools
	$(BIN)/mypy
	$(BIN)/zizmor --offline .github/workflows/

test: setup browser office lint
	@set +e; $(BIN)/pytest -q -n 2 --dist loadgroup; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests"; fi; exit $$rc

# Release check: the fuzz tests with the "fuzz" Hypothesis profile (tests/conftest.py), 2,000
# examples for each file kind and strategy instead of the suite's dozen, a few minutes on 2 cores.
# The git hooks that keep personal data out of history (README, "For clerks").
hooks: setup
	@dir=$$(git rev-parse --git-path hooks) && mkdir -p "$$dir" && \
	  cp hooks/pre-commit hooks/pre-merge-commit hooks/pre-push hooks/scan-history "$$dir"/ && \
	  echo "已安装到 $$dir / installed into $$dir"

fuzz: setup
	$(BIN)/pytest -q -n 2 tests/test_fuzz.py --hypothesis-profile=fuzz

bench: setup browser
	$(BIN)/python -m tools.bench

clean:
	rm -rf site .site-* .build .pytest_cache
