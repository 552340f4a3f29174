# Two commands on a fresh machine: `make extract` and `make test`. Each sets up .venv if missing.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
CORPUS ?= corpus
OUT ?= output
STAMP := $(VENV)/.installed

.PHONY: setup extract test evaluate train bench schema clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

setup: $(STAMP)

extract: $(STAMP)
	$(PY) -m pipeline extract $(CORPUS) --out $(OUT)

test: $(STAMP)
	$(PY) -m pytest

evaluate: $(STAMP)
	$(PY) -m pipeline evaluate --report $(OUT)/evaluation.json

train: $(STAMP)
	$(PY) -m pipeline train

bench: $(STAMP)
	$(PY) -m pip install --quiet -e ".[test,dask,bench]"
	$(PY) -m pipeline.evaluation.bench --notices 200

schema: $(STAMP)
	$(PY) -m pipeline schema

clean:
	rm -rf $(OUT) .pytest_cache
