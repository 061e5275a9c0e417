# Victim Voice. `make help` lists the targets.
SHELL := /bin/bash
VENV := .venv
PYTHON := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1

.DEFAULT_GOAL := help
.PHONY: help install demo test bench lint format clean name-model redaction-eval themes-model themes-eval

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

install: $(STAMP) ## create .venv and install the pinned dependencies (quick when nothing changed)

$(STAMP): pyproject.toml constraints.txt
	@test -x $(PYTHON) || python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[dev]"
	@touch $(STAMP)

demo: install ## generate demo deliveries and run the monthly flow end to end (demo-data/)
	$(VENV)/bin/victim-voice demo

test: install ## run the test suite (two processes, one test file each at a time)
	$(PYTHON) -m pytest -n 2 --dist loadfile

bench: install ## benchmarks (about 16 minutes, not part of make test): monthly run, throughput, memory, metrics, themes
	$(PYTHON) benchmarks/bench_monthly.py
	$(PYTHON) benchmarks/bench_ingest.py
	$(PYTHON) benchmarks/bench_metrics.py
	$(PYTHON) benchmarks/bench_themes.py

name-model: install ## retrain the redactor's name model from ../shared/data/realtext-dev (dev half) and generated comments
	$(PYTHON) -m victim_voice.protection.name_model_training

redaction-eval: install ## the redactor measured on the held-out real text (../shared/data/realtext-dev, test half)
	$(PYTHON) -m victim_voice.protection.redaction_eval --realtext ../shared/data/realtext-dev --split test

themes-model: install ## retrain the comments' sentiment model from the dev part of victim_voice/themes/labelled/
	$(PYTHON) -m victim_voice.themes.training

themes-eval: install ## the comment themes and sentiment measured on the held-out part of the labelled set
	$(PYTHON) -m victim_voice.themes.evaluation

lint: install ## ruff lint and format check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install ## format the code with ruff
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean: ## remove the virtualenv, demo data and caches
	rm -rf $(VENV) demo-data .pytest_cache .ruff_cache build *.egg-info
