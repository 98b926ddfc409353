# Intrathecal pump assistant. `make run` sets everything up and starts it;
# `make test` runs the whole suite. See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 3
export PYTHONHASHSEED := 0
export MPLSETUPCFG := $(CURDIR)/requirements/mplsetup.cfg
SPACY_DIR := models/spacy/en_pump
MINILM_ONNX := models/minilm/all-minilm-l6-v2.onnx
PIP_INSTALL := $(BIN)/pip install --disable-pip-version-check --ignore-requires-python -c requirements/constraints.txt

.PHONY: help setup spacy train validate lint run shell test test-stories test-nlu pytest test-services bench load bench-scaleout audit screenshots check-deploy bundle check-bundle purge clean

help: ## list the targets and what they do
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --disable-pip-version-check -q "pip==24.0" wheel "setuptools<70"

$(VENV)/.installed: $(BIN)/python requirements/*.txt pyproject.toml
	./scripts/system-packages.sh
	$(PIP_INSTALL) -r requirements/base-py311.txt
	$(PIP_INSTALL) -r requirements/dev.txt
	$(BIN)/pip install --disable-pip-version-check --no-deps -r requirements/no-deps.txt
	$(BIN)/pip install --disable-pip-version-check --no-deps -e .
	touch $@

setup: $(VENV)/.installed ## virtualenv with the pinned dependencies

spacy: setup ## build the project's spaCy pipeline and the sentence encoder's ONNX graph (only when their sources changed)
	$(BIN)/python -m pump_assistant.nlp.build $(SPACY_DIR)
	$(BIN)/python -m pump_assistant.nlp.onnx_minilm $(MINILM_ONNX)

train: spacy ## train the Rasa model (Rasa skips training when data and config are unchanged)
	$(BIN)/rasa train --fixed-model-name pump-assistant --out models

validate: spacy ## rasa data validate
	$(BIN)/rasa data validate --fail-on-warnings

LINT_PATHS := pump_assistant actions webservice bench scripts

lint: setup ## ruff (lint, format check) and mypy on the code outside tests/: pump_assistant/, actions/, webservice/, bench/, scripts/ (settings in pyproject.toml)
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/ruff format --check $(LINT_PATHS)
	$(BIN)/mypy

run: train ## set up, train if needed, start Rasa :5005, the action server :5055 and the web service :8000 (on 127.0.0.1)
	$(BIN)/python -m pump_assistant.devstack

shell: train ## chat in the terminal (starts the action server in the background)
	$(BIN)/python -m pump_assistant.devstack --shell

test-stories: train ## conversation tests (test stories)
	$(BIN)/rasa test core --stories tests/stories --model models/pump-assistant.tar.gz --fail-on-prediction-errors --out results/stories

pytest: train ## unit, action and held-out evaluation tests
	$(BIN)/python -m pytest -q -m "not services"

test: validate train test-stories pytest ## the whole suite: validate, train, test stories, pytest

test-services: train ## scale-out and fault tests on the real PostgreSQL, Redis and RabbitMQ on loopback
	$(BIN)/python -m pytest -q -m services

bench: train ## benchmark: triage and topics on the blind sets, then side by side with a stock `rasa init` bot (QUICK=1: short loads, no training runs)
	$(BIN)/python bench/triage_bench.py
	$(BIN)/python bench/run_bench.py $(if $(QUICK),--quick) $(BENCH_ARGS)

load: train ## load test: 50 then 200 concurrent conversations for 60 s each, and one 300-turn conversation
	$(BIN)/python bench/load_test.py --start --conversations 50 --seconds 60 --json
	$(BIN)/python bench/load_test.py --start --conversations 200 --seconds 60 --json
	$(BIN)/python bench/load_test.py --start --long-conversation 300 --json

bench-scaleout: train ## scale-out profile on the loopback PostgreSQL, Redis, RabbitMQ: 50 conversations on 1, then 2 Rasa instances, 60 s each, events checked in PostgreSQL (SCALEOUT_ARGS="--seconds 40")
	$(BIN)/python bench/scale_out_bench.py --json $(SCALEOUT_ARGS)

screenshots: train ## docs/screenshots/widget.png and desk.png, taken in headless Chromium from the real stack
	$(BIN)/python scripts/screenshots.py

audit: ## dependency audit (pip-audit) against the pinned set; decisions in docs/dependency-audit.md
	$(PYTHON) scripts/audit.py

check-deploy: ## check deploy/systemd units (systemd-analyze verify, security) and the nginx site (nginx -t); installs Debian's systemd/nginx if missing
	./scripts/check_deploy_files.sh

bundle: train ## release bundle dist/pump-assistant-<version>.tar.gz: model, spaCy pipeline, content, rules, migrations, code, runtime requirements, ./start.sh
	./scripts/make_bundle.sh

check-bundle: bundle ## unpack the bundle in a temp folder, fresh venv from requirements/runtime.txt, start it on free loopback ports, ask a question and an emergency
	./scripts/check_bundle.sh

purge: setup ## delete resolved tickets, conversation records and transcripts, audit entries older than DAYS (default RETENTION_DAYS or 365; DRY_RUN=1 only counts)
	$(BIN)/python -m pump_assistant.retention $(if $(DAYS),--days $(DAYS)) $(if $(DRY_RUN),--dry-run)

clean: ## remove results/, .pytest_cache and var/test-* (keeps .venv, the models and var/ data)
	rm -rf results .pytest_cache var/test-*
