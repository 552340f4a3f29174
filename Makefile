# Two commands on a fresh machine: `make extract` and `make test`. Each sets up .venv if missing.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
CORPUS ?= corpus
OUT ?= output
STAMP := $(VENV)/.installed
# Label Studio (the server of `python -m pipeline annotate`) in a venv of its own: it pins
# pyarrow<25 and numpy<2.3 wheels that this project's pins exclude
LABEL_STUDIO_VERSION := 1.23.2
LS_VENV := .venv-labelstudio
LS_STAMP := $(LS_VENV)/.installed-$(LABEL_STUDIO_VERSION)

.PHONY: setup extract test evaluate train bench schema clean labelstudio label-studio-server

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test,annotate]"
	touch $(STAMP)

setup: $(STAMP)

extract: $(STAMP)
	$(PY) -m pipeline extract $(CORPUS) --out $(OUT)

$(LS_STAMP):
	test -x $(LS_VENV)/bin/python || $(PYTHON) -m venv $(LS_VENV)
	$(LS_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(LS_VENV)/bin/python -m pip install --quiet "label-studio==$(LABEL_STUDIO_VERSION)"
	touch $(LS_STAMP)

labelstudio: $(LS_STAMP)

# a local server for the annotation loop: http://127.0.0.1:8080, data in ~/.local/share/label-studio
label-studio-server: $(LS_STAMP)
	$(LS_VENV)/bin/label-studio start --internal-host 127.0.0.1 --port 8080 --no-browser

test: $(STAMP) $(LS_STAMP)
	LABEL_STUDIO_BIN=$(abspath $(LS_VENV))/bin/label-studio $(PY) -m pytest

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
