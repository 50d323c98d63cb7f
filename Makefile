# `make test` and `make serve` do all set-up themselves: a .venv with the project
# installed in editable mode together with its test extras.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 9000
DATA ?= ./.qiniu-emulator

.PHONY: test serve venv clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

test: $(STAMP)
	$(PY) -m pytest

serve: $(STAMP)
	$(VENV)/bin/qiniu-emulator serve --host $(HOST) --port $(PORT) --data $(DATA) \
		--bucket demo-bucket --bucket output-bucket

clean:
	rm -rf $(VENV) $(DATA) .pytest_cache
