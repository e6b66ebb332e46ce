# Everything a fresh machine needs (Python 3.11, Node/npm and apt): a venv, npm packages, the JS bundle, Chromium.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
BUNDLE := src/evalviz/rendering/static/evalviz.js
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: demo test bench build lint docs clean

demo: build $(BIN)/.installed
	$(BIN)/evalviz demo

test: build $(BIN)/.installed $(CHROMIUM)
	$(BIN)/python -m pytest

bench: build $(BIN)/.installed $(CHROMIUM)
	@for bench in benchmarks/bench_*.py; do echo "== $$bench"; $(BIN)/python $$bench || exit 1; done

build: node_modules/.package-lock.json $(BUNDLE)

# The docs site, into site/: static, offline (open site/index.html), every example run and its chart drawn live.
docs: build $(BIN)/.installed
	$(BIN)/python -m mkdocs build --strict

lint: $(BIN)/.installed
	$(BIN)/ruff check src tests benchmarks examples docs hatch_build.py

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

$(BUNDLE): node_modules/.package-lock.json $(shell find js -name "*.js" -o -name "*.mjs")
	npm run build

$(BIN)/.installed: pyproject.toml $(BUNDLE)
	[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $@

$(CHROMIUM):
	$(SUDO) apt-get update -q
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q chromium

clean:
	rm -rf $(VENV) node_modules $(BUNDLE) out
