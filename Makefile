# mtr-analysis — run `make help` for the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
REVIEW ?= mid-term
COUNTRIES ?= all
RAW ?= data/snapshot
DEMO_RAW ?= data/raw/demo
SNAPSHOT_FROM ?= ../shared/data/real
DATA ?= data/processed
OUT ?= outputs
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

.DEFAULT_GOAL := help
.PHONY: help setup browser demo build report demo-report snapshot test lint format docs lab clean

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is needed (set PYTHON=...)")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP) browser ## Create .venv, install pinned dependencies, the package and the test browser

# The browser test (tests/test_browser.py) drives Debian's Chromium through its ChromeDriver.
# Both come from the distribution's registry, never downloaded at run time; installed only
# when missing, with sudo only when not root, and a package-list refresh only if needed.
CHROMIUM := /usr/bin/chromium
CHROMEDRIVER := /usr/bin/chromedriver
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

browser: ## Install Debian's chromium and chromium-driver if missing (for the browser test)
	@if [ ! -x $(CHROMIUM) ] || [ ! -x $(CHROMEDRIVER) ]; then \
		export DEBIAN_FRONTEND=noninteractive; \
		$(SUDO) apt-get install -y chromium chromium-driver \
		|| { $(SUDO) apt-get update && \
		     $(SUDO) apt-get install -y chromium chromium-driver; }; \
	fi

demo: $(STAMP) ## Generate the synthetic demo inputs under data/raw/demo if missing
	@test -f $(DEMO_RAW)/.complete || $(BIN)/mtr demo --out $(DEMO_RAW)

build: $(STAMP) ## Build the tidy store (data/processed) from RAW (default: the public-data snapshot)
	$(BIN)/mtr build --raw $(RAW) --out $(DATA) --allow-rejects

report: build ## Set up, build and run every report for REVIEW from RAW (default: real public data)
	$(BIN)/mtr run --data $(DATA) --review $(REVIEW) --countries $(COUNTRIES) --jobs $(JOBS) --out $(OUT)

demo-report: demo ## The same from the synthetic demo (shows the national-workbook path)
	$(MAKE) report RAW=$(DEMO_RAW)

# SNAPSHOT_FROM: ../shared/data/real, or a folder written by `mtr fetch` when online.
snapshot: $(STAMP) ## Refresh data/snapshot (public data, member states only) from SNAPSHOT_FROM
	$(BIN)/mtr snapshot --from $(SNAPSHOT_FROM) --out data/snapshot

test: $(STAMP) browser ## Set up and run the whole test suite (browser test included)
	$(BIN)/python -m pytest -q

lint: $(STAMP) ## Check style (ruff) and the import contracts (lint-imports)
	$(BIN)/ruff check src tests benchmarks docs
	$(BIN)/ruff format --check src tests benchmarks docs
	$(BIN)/lint-imports --no-logo

format: $(STAMP) ## Format code with ruff
	$(BIN)/ruff format src tests benchmarks docs
	$(BIN)/ruff check --fix src tests benchmarks docs

docs: $(STAMP) ## Build the API reference into site/ (mkdocs --strict: any warning fails)
	$(BIN)/mkdocs build --strict --site-dir site

# explore.ipynb's widgets: ipywidgets 8 installs jupyterlab_widgets, a prebuilt JupyterLab 4
# extension, so nothing is built or installed here.
lab: $(STAMP) ## Open JupyterLab on the project environment
	$(BIN)/jupyter lab notebooks/

clean: ## Remove generated data and outputs (keeps .venv)
	rm -rf data/raw/demo data/processed/* outputs/*
	touch data/processed/.gitkeep outputs/.gitkeep
