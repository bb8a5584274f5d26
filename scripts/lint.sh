#!/usr/bin/env bash
# Every static check in one command (`make lint`; `make test` runs it before the tests, so CI does too):
#   1. ruff check   - pyflakes, pycodestyle, bugbear, import order, pyupgrade, simplify, comprehensions, gettext
#                     (line length 120 on the strict core only; see pyproject.toml [tool.ruff.lint])
#   2. mypy         - strict on the pure core (crypto, audit, instruments, monitoring, iin, localized),
#                     bodies checked in services, annotations only elsewhere (pyproject.toml [tool.mypy]);
#                     outside the core, errors already listed in mypy-baseline.txt are tolerated, new ones fail
#   3. lint-imports - the import contracts: the pure packages know no Flask, database, services or web;
#                     web -> services -> access -> models with no import upward (pyproject.toml [tool.importlinter])
# Configuration lives in pyproject.toml. Every check runs even when an earlier one fails; the exit code is 1 if any failed.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PATHS=(sabidamu tests scripts bench migrations app.py)

status=0
run() {
  local name=$1; shift
  echo "== $name =="
  if ! "$@"; then
    echo "FAILED: $name" >&2
    status=1
  fi
}

run "ruff check" "$BIN/ruff" check --no-cache --output-format concise "${PATHS[@]}"
CORE=(sabidamu/crypto sabidamu/audit sabidamu/instruments sabidamu/monitoring sabidamu/iin.py sabidamu/localized.py)
run "ruff: lines of at most 120 characters in the strict core" \
  "$BIN/ruff" check --no-cache --output-format concise --select E501 "${CORE[@]}"
# mypy's errors outside the strict core that predate the check are listed in mypy-baseline.txt; only new ones fail.
STRICT_CORE='^sabidamu/(crypto/|audit/|instruments/|monitoring/|iin\.py|localized\.py)'
mypy_against_baseline() {
  local out rc
  out=$("$BIN/mypy" --no-color-output 2>&1); rc=$?
  if [ $rc -gt 1 ]; then echo "$out"; return 1; fi  # mypy itself failed (crash, bad configuration)
  if grep -Eq "$STRICT_CORE" mypy-baseline.txt; then
    echo "mypy-baseline.txt lists errors in the strict core; fix them instead:" >&2
    grep -E "$STRICT_CORE" mypy-baseline.txt >&2
    return 1
  fi
  echo "$out" | "$BIN/mypy-baseline" filter --hide-stats
}
run "mypy" mypy_against_baseline
# import-linter keeps a cache under .import_linter_cache; --no-cache keeps the tree clean.
run "import contracts" "$BIN/lint-imports" --no-cache
if [ $status -eq 0 ]; then echo "lint: all checks passed"; fi
exit $status
