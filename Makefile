# photodose: two commands set up and use a fresh machine.
#   make run   - create .venv, install, run the main job on its embedded defaults
#   make test  - same set-up, then ruff, mypy and the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Two stamps: `make run` needs the program and its runtime dependencies only; lint, typecheck
# and the tests add the [dev] tools (pytest, hypothesis, mypy, ruff, iadpython, numba-cuda, …).
RUNTIME_STAMP := $(VENV)/.installed-runtime
STAMP := $(VENV)/.installed-dev

.PHONY: run test venv lint typecheck pytest bench clean fuzz browser pg docs docs-serve screenshots

# The HTML report's browser tests drive Debian's Chromium through Playwright (no browser download).
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(RUNTIME_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $(RUNTIME_STAMP)

# MediaPipe face landmarks for the photo tests: 0.10.21 is the last wheel with its face models inside
# (offline); its metadata pins numpy<2 although it runs on numpy 2, so it goes in without its
# dependencies (the ones it uses are in the [photos] extra; docs/photos.md). pip then reports the
# unmet numpy<2, jax, opencv-contrib-python, sounddevice and sentencepiece requirements: expected.
MEDIAPIPE := mediapipe==0.10.21

$(STAMP): pyproject.toml $(RUNTIME_STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m pip install --quiet --no-deps '$(MEDIAPIPE)'
	touch $(STAMP)

venv: $(STAMP)

run: $(RUNTIME_STAMP)
	$(BIN)/photodose evaluate higherdose-face-mask --html report.html

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

browser:
	@test -x $(CHROMIUM) || { $(SUDO) apt-get update && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y chromium; }
	@test -x $(CHROMIUM) || { echo "chromium is missing at $(CHROMIUM): install it (apt-get install chromium); the report's browser tests need it"; exit 1; }

# The journal tests run against SQLite and a real PostgreSQL (Debian's package, started on
# loopback in a temp dir by scripts/postgres.sh; in CI its tests fail, never skip, without it).
pg:
	@scripts/postgres.sh start >/dev/null

pytest: $(STAMP) browser pg
	PHOTODOSE_TEST_PG_URL=$$(scripts/postgres.sh url) $(BIN)/pytest -n 2 -q

test: browser lint typecheck pytest docs

# The docs' screenshots (docs/img/web_*.png, report_*.png): the browser tests, writing into docs/img
# (a plain test run writes them to build/screenshots and leaves the tree clean). Look at them.
screenshots: $(STAMP) browser
	PHOTODOSE_SCREENSHOT_DIR=docs/img $(BIN)/pytest -q -p no:xdist tests/test_web_browser.py tests/test_report_browser.py

# The documentation site (mkdocs.yml) into site/: offline, --strict (a broken link, a missing
# reference or an example that fails to run fails the build). The gallery's output is removed
# first so that every examples/gallery/*.py script runs (mkdocs-gallery skips unchanged ones).
docs: $(STAMP)
	rm -rf docs/generated
	NO_MKDOCS_2_WARNING=1 MPLBACKEND=Agg $(BIN)/mkdocs build --strict --quiet

docs-serve: $(STAMP)
	NO_MKDOCS_2_WARNING=1 MPLBACKEND=Agg $(BIN)/mkdocs serve

# The long property-based fuzz run of every command (>10 000 cases: 10 500 in 7 min 17 s on the shared 2-core VM, 2026-11-30);
# `make test` runs its fast, derandomised subset.
fuzz: $(STAMP)
	PHOTODOSE_FUZZ=long $(BIN)/pytest tests/test_fuzz_cli.py -p no:xdist -q

bench: $(STAMP)
	$(BIN)/python benchmarks/transport.py

clean:
	rm -rf $(VENV) build *.egg-info
