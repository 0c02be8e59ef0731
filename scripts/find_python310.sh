#!/usr/bin/env bash
# Prints a Python 3.10 interpreter that actually runs: $PYTHON310, then python3.10 on PATH
# (the pyenv shim exists but fails when the global version is another one), then pyenv's
# versions directory. Exits 1 with a message when there is none.
set -u
ok() { [ -n "$1" ] && "$1" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 10) else 1)' >/dev/null 2>&1; }
for cand in "${PYTHON310:-}" "$(command -v python3.10 2>/dev/null)" \
            $(ls -d "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.10*/bin/python3.10 2>/dev/null | sort -rV); do
  if ok "$cand"; then echo "$cand"; exit 0; fi
done
echo "error: Lift needs Python 3.10 (Rasa 3.6 refuses 3.11+). Install it (e.g. 'pyenv install 3.10') or set PYTHON310=/path/to/python3.10" >&2
exit 1
