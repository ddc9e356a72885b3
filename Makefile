# Assistente do SEI da SESAU/AL. Two commands matter: `make run`, `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

VENV      := .venv
PY        := $(VENV)/bin/python
RASA      := $(VENV)/bin/rasa
SPACY_DIR := build/spacy-pt
MODEL     := models/sei.tar.gz
STAMP     := $(VENV)/.installed

export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export PYTHONDONTWRITEBYTECODE := 1

TRAIN_INPUTS := config.yml domain.yml $(wildcard data/*.yml) \
                bot/text.py bot/rasa/components.py bot/rasa/ortografia.py \
                $(SPACY_DIR)/meta.json

.PHONY: help setup system-deps lint train run run-prod test test-fast pytest validate stories \
        eval nlu-cv screenshots lock clean

help:
	@echo "make run    prepara o ambiente, treina se preciso e inicia o assistente"
	@echo "make test   prepara o ambiente e roda todos os testes e o gate de qualidade"
	@echo "make test-fast  só os testes rápidos (sem Rasa nem navegador), < 1 min"
	@echo "make lint   ruff (lint e formato), mypy e contratos de import (lint-imports)"
	@echo "make screenshots  refaz as imagens do README (docs/img)"
	@echo "make eval   avalia a NLU no conjunto separado (relatório em results/eval)"
	@echo "make nlu-cv  peso da mistura e limiares por validação cruzada (results/cv, ~15 min)"
	@echo "make run-prod  perfil de produção: 2 réplicas do Rasa, PostgreSQL e Redis"

$(STAMP): requirements.txt pyproject.toml
	@py=$$(scripts/find-python310) || exit 1; \
	  [ -x $(PY) ] || { echo "Criando $(VENV) com $$py"; "$$py" -m venv $(VENV); }
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	@touch $@

$(SPACY_DIR)/meta.json: $(STAMP) bot/rasa/spacy_pt.py bot/text.py data/nlu.yml
	$(PY) -m bot.rasa.spacy_pt $(SPACY_DIR) --nlu data/nlu.yml

setup: $(STAMP) $(SPACY_DIR)/meta.json

# Debian packages the tests use (LibreOffice); needs root, else a warning
system-deps:
	@if [ "$$(id -u)" = 0 ]; then bash .ci/install-system-deps; \
	 else echo "aviso: sem root, pacotes do sistema não instalados (.ci/install-system-deps)"; fi

$(MODEL): $(TRAIN_INPUTS) | setup
	$(RASA) train --fixed-model-name sei --out models

train: setup $(MODEL)

run: train
	$(PY) -m bot.ops.launcher

# Production profile: 2 Rasa replicas (5005, 5006) sharing conversations in
# PostgreSQL (SEI_POSTGRES_URL) and locks in Redis (SEI_REDIS_URL); requests
# in PostgreSQL too. Put a load balancer in front of the replicas (README).
run-prod: train
	SEI_PERFIL=producao $(PY) -m bot.ops.launcher

# Lint, format, types and import contracts (config in pyproject.toml)
lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

# The e2e tests start the launcher (the trained model) or a browser
pytest: train
	$(PY) -m pytest

# The inner loop: no Rasa, no browser, no slow checks (markers in pyproject.toml)
test-fast: setup
	$(PY) -m pytest -m "not e2e and not slow"

validate: setup
	$(RASA) data validate

stories: train
	$(RASA) test core --model $(MODEL) --stories tests/data \
	  --fail-on-prediction-errors --out results/stories

eval: train
	$(PY) -m bot.rasa.nlu_eval --model $(MODEL) --train data/nlu.yml \
	  --test tests/data/nlu_heldout.yml --hard tests/data/nlu_dificeis.yml \
	  --hard tests/data/nlu_dificeis_2.yml --hard tests/data/nlu_dificeis_3.yml \
	  --out results/eval

test: system-deps setup lint train pytest validate stories eval

# Blend weight and thresholds chosen on the training data (5 folds), never on
# the held-out files; suggests changes to config.yml, writes none
nlu-cv: setup
	$(PY) -m bot.rasa.nlu_cv --config config.yml --nlu data/nlu.yml \
	  --validacao docs/experimentos/nlu-fronteira-2026-12-03.yml --out results/cv

# The README images (docs/img): the only place that writes them
screenshots: train setup
	$(PY) scripts/screenshots.py
	$(PY) scripts/screenshots_painel.py

lock:
	$(PY) -m pip install --quiet -r requirements.in
	( head -2 requirements.txt; $(PY) -m pip freeze --all | grep -v -E '^(pip)==|^-e |@ file' ) > requirements.txt.new
	mv requirements.txt.new requirements.txt

clean:
	rm -rf $(VENV) build models results .rasa

# Benchmarks (not part of `make test`, except the smoke run): bench/bench.mk
-include bench/bench.mk
