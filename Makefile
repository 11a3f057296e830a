# Khabar's two commands: `make run` (the pipeline on sample articles) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
SHARED := ../shared

.PHONY: install kafka run test test-quick quality bench stop clean

install: $(INSTALLED)  ## create .venv and install Khabar with its test tools

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

kafka: install  ## fetch Kafka's jars (first time) and start the local broker
	$(BIN)/khabar kafka up

run: kafka  ## start the worker, publish samples/, print enriched articles until Ctrl-C
	deploy/run-local.sh

test: kafka  ## unit and integration tests against the real broker
	$(BIN)/python -m pytest

test-quick: kafka  ## the same without the tests marked slow (CI runs everything)
	$(BIN)/python -m pytest -m "not slow"

quality: install  ## enrichment quality on ../shared's dev sets (skipped without ../shared)
	deploy/quality.sh $(SHARED)

bench: install  ## offline and end-to-end figures (local broker started if needed); ../shared's Fars articles, else generated ones
	$(BIN)/khabar bench $(SHARED)/data/fars-news $(BENCH_ARGS)

stop:  ## stop the local broker
	$(BIN)/khabar kafka down

clean: stop
	rm -rf $(VENV) .state
