# Lift: one entry point for people and CI. `make run` to talk to the bot, `make test` to test it.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV      := .venv
PY        := $(VENV)/bin/python
RASA      := $(VENV)/bin/rasa
LIFT      := $(VENV)/bin/lift
STAMP     := $(VENV)/.stamp-install
SPACY_DIR := var/spacy/lift_catalog
MODEL     := models/current.tar.gz

# Rasa phones home and TensorFlow is chatty; neither helps here (and there is no network).
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export PYTHONDONTWRITEBYTECODE := 1

TRAIN_INPUTS := config.yml $(wildcard domain/*.yml) $(shell find data -name '*.yml' 2>/dev/null)

.PHONY: help install data spacy kb db validate train run run-cluster bench-cluster test test-unit test-integration test-e2e test-stories \
        bench bench-retrieval eval-retrieval bench-tracker bench-entities bench-experiments bench-forecast bench-metrics \
        bench-model-switch bench-canary forecast graph eval-nlu eval-review bench-nlu pg pg-stop clean

help:
	@echo "make run    - set everything up (venv, KB index, spaCy pipeline, model) and start the assistant"
	@echo "make test   - the whole test suite (installs what it needs)"
	@echo "make run-cluster - the same on PostgreSQL + Redis + nginx with 2 Rasa replicas and 2 action servers"
	@echo "other: install data spacy kb db graph forecast validate train eval-nlu eval-review eval-retrieval bench bench-nlu bench-retrieval bench-tracker bench-entities bench-experiments bench-forecast bench-metrics bench-model-switch bench-canary bench-cluster pg pg-stop clean"

install: $(STAMP)

$(STAMP): requirements/lock.txt pyproject.toml
	@PY310=$$(scripts/find_python310.sh) || exit 1; \
	if [ ! -x $(PY) ] || ! $(PY) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))'; then \
	  rm -rf $(VENV); echo "creating $(VENV) with $$PY310"; $$PY310 -m venv $(VENV) || exit 1; fi
	$(PY) -m pip install --disable-pip-version-check -q setuptools==70.3.0
	$(PY) -m pip install --disable-pip-version-check -q -r requirements/lock.txt
	$(PY) -m pip install --disable-pip-version-check -q --no-deps --no-build-isolation -e .
	$(PY) -m pip check
	@touch $@

# Regenerates data/nlu/support.yml and out_of_scope.yml from data/external (committed output).
data: install
	$(PY) scripts/convert_data.py

spacy: install
	@$(PY) scripts/build_spacy_pipeline.py --check --out $(SPACY_DIR) >/dev/null 2>&1 || \
	  $(PY) scripts/build_spacy_pipeline.py --out $(SPACY_DIR)

kb: install
	$(LIFT) kb build

db: install
	$(LIFT) db upgrade

validate: install spacy
	$(RASA) data validate --domain domain --fail-on-warnings

# SpacyNLP's fingerprint is only the model path, so a rebuilt entity pipeline needs --force.
train: install spacy
	@if [ ! -f $(MODEL) ] || [ -n "$$(find $(TRAIN_INPUTS) $(SPACY_DIR)/catalog_version -newer $(MODEL) 2>/dev/null | head -1)" ]; then \
	  force=""; if [ -f $(MODEL) ] && [ $(SPACY_DIR)/catalog_version -nt $(MODEL) ]; then force="--force"; fi; \
	  echo "training ($${force:-incremental})"; \
	  $(RASA) train --domain domain --fixed-model-name current --out models $$force || exit 1; \
	else echo "model up to date: $(MODEL)"; fi

run: install kb spacy graph forecast train
	@scripts/run.sh

# PostgreSQL, Redis, nginx, 2 Rasa replicas + 2 action servers on make run's public ports.
run-cluster: install kb spacy graph forecast train
	@scripts/run.sh cluster

test: install kb spacy graph forecast validate train
	$(PY) scripts/convert_data.py --check
	scripts/test.sh

test-unit: install
	$(PY) -m pytest tests/unit -q

test-stories: install train
	scripts/test_stories.sh

# Turn latency vs a plain Rasa bot (same run); then what metrics and the forecast add per turn.
bench: install kb spacy graph forecast train
	$(PY) scripts/bench_turns.py
	$(PY) scripts/bench_metrics.py
	$(PY) scripts/bench_forecast.py -n 1000

# 20 concurrent shoppers for 60 s: run-cluster vs a plain `rasa init` bot (--soak 600: memory too).
bench-cluster: install kb spacy graph forecast train
	$(PY) scripts/bench_cluster.py

bench-retrieval: install kb
	$(PY) scripts/bench_retrieval.py --hnsw

eval-retrieval: install kb
	$(PY) scripts/eval_retrieval.py

# What the review queue's low-confidence rule catches per LIFT_REVIEW_CONFIDENCE (held-out messages).
eval-review: install spacy train
	$(PY) scripts/eval_review_threshold.py

# Held-out NLU scores of config.yml next to the pre-issue-9 pipeline (trains both; ~10 min).
eval-nlu: install spacy
	$(PY) scripts/eval_nlu.py

bench-nlu: install spacy train
	$(PY) scripts/bench_nlu.py

# Conversion-store overhead, then a 20,000-event conversation's turn latency vs a new one.
bench-tracker: install kb spacy train
	$(PY) scripts/bench_tracker.py
	$(PY) scripts/bench_large_tracker.py

# What the Prometheus instrumentation costs per turn (with vs without, same run).
bench-metrics: install
	$(PY) scripts/bench_metrics.py

# What the quantity/date/name parsers (LiftEntityParsers) cost inside an NLU parse.
bench-entities: install spacy train
	$(PY) scripts/bench_entities.py

# Experiment statistics by simulation (A/A FPR, power, peeking) and per-turn assignment overhead.
bench-experiments: install
	$(PY) scripts/bench_experiments.py

# The purchase-probability model (var/forecast) and the product graph (var/graph).
forecast: install
	@[ -f var/forecast/manifest.json ] && [ var/forecast/manifest.json -nt data/external/online_shoppers_train.csv ] || $(LIFT) forecast train

graph: install
	$(LIFT) graph build

bench-forecast: install forecast
	$(PY) scripts/bench_forecast.py
# Model promote/rollback (PUT /model, no restart) vs restarting Rasa, same run.
bench-model-switch: install kb spacy train
	$(PY) scripts/bench_model_switch.py

# The model canary's extra hop: turns forwarded to the canary Rasa vs. the front's own model, same run.
bench-canary: install kb spacy train
	$(PY) scripts/bench_canary.py

# A throwaway PostgreSQL on 127.0.0.1 (installed from apt when missing); prints its URL.
pg:
	scripts/pg.sh start

pg-stop:
	scripts/pg.sh stop

clean:
	rm -rf models results var/index .rasa test-output
