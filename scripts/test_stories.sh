#!/usr/bin/env bash
# Test stories through the trained model. `rasa test` exits 0 even when stories fail, so
# --fail-on-prediction-errors is what makes a wrong prediction fail the build.
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2
rm -rf results/stories
.venv/bin/rasa test core --model models/current.tar.gz --stories tests/stories \
  --fail-on-prediction-errors --out results/stories
n=$(grep -c '^- story:' tests/stories/*.yml | awk -F: '{s+=$2} END {print s}')
echo "$n passed, 0 failed: test stories (rasa test --fail-on-prediction-errors)"

# NLU in the loop: the e2e conversations' user messages go through the trained model.
rm -rf results/e2e
.venv/bin/rasa test core --model models/current.tar.gz --stories tests/e2e_stories --e2e \
  --out results/e2e --no-plot >/dev/null
.venv/bin/python scripts/check_e2e.py results/e2e/story_report.json
