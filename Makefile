# `make test` and `make serve` do all set-up themselves: a .venv with the project
# installed in editable mode together with its test extras.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 9000
DATA ?= ./.qiniu-emulator
# pytest-xdist workers: one more than the cores, since many tests spend part of their time
# waiting on a child process, a socket or the disk (JOBS=N sets it, JOBS=0 runs in this
# process). Whole files go to one worker, so a module's fixtures (a server, generated media)
# are made once; they are handed out in collection order, longest first (tests/scheduling.py).
JOBS ?= $(shell $(PYTHON) -c 'import os; print(len(os.sched_getaffinity(0)) + 1 if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1) + 1)')
XDIST = -n $(JOBS) --dist loadfile --no-loadscope-reorder
# A test run starts many Python processes (emulators, the CLI, pytest in a child); without
# cached bytecode each compiles the project's modules again, so the run writes __pycache__
# even where PYTHONDONTWRITEBYTECODE is set.
TEST_ENV := PYTHONDONTWRITEBYTECODE=
# What test-fast leaves out: transcodes (tests/av), the official Node SDK (tests/sdk),
# the browser console, HLS playback and the Docker image. make test runs everything.
FAST_SKIPS := --ignore=tests/av --ignore=tests/sdk --ignore=tests/ui/test_ui_browser.py \
	--ignore=tests/emulator/test_emulator_hls_playback.py --ignore=tests/project/test_docker.py

# Buckets `make serve` creates (space-separated); QINIU_EMULATOR_BUCKETS adds to them.
BUCKETS ?= demo-bucket output-bucket

.PHONY: test test-fast typecheck serve serve-seed venv clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# The type checker runs first: `make test` fails on a type error as on a failing test.
test: typecheck
	$(TEST_ENV) $(PY) -m pytest $(XDIST)

# The inner loop: everything but the slowest families (FAST_SKIPS), stopping at the first failure.
test-fast: $(STAMP)
	$(TEST_ENV) $(PY) -m pytest $(XDIST) -x -q $(FAST_SKIPS)

typecheck: $(STAMP)
	$(PY) -m mypy

serve: $(STAMP)
	$(VENV)/bin/qiniu-emulator serve --host $(HOST) --port $(PORT) --data $(DATA) \
		$(foreach bucket,$(BUCKETS),--bucket $(bucket))

# An emulator ready for the data-processing seed's examples (docs/examples/seed/): its nine
# buckets with the sources the examples read, the watermark logo's URL and its workflow template.
serve-seed: $(STAMP)
	$(PY) -m qiniu_contracts.seed_setup --seed-home $(DATA)-seed --host $(HOST) --port $(PORT) --data $(DATA)

clean:
	rm -rf $(VENV) $(DATA) $(DATA)-seed .pytest_cache
