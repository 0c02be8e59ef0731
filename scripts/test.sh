#!/usr/bin/env bash
# The whole suite after `make` has installed, built the KB and spaCy pipeline, validated and
# trained: pytest (unit, integration on SQLite + real PostgreSQL, end-to-end over REST and in
# headless Chromium), then the test stories through the trained model.
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2 HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 \
       SQLALCHEMY_SILENCE_UBER_WARNING=1
mkdir -p test-output
scripts/install_browser.sh
scripts/test_stories.sh
.venv/bin/python -m pytest tests/unit tests/integration tests/e2e -q -rfEs \
  --junitxml=test-output/junit.xml
