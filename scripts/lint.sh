#!/usr/bin/env bash
# Every static check in one command (`make lint`; `make test` runs it before the tests, so CI does too):
#   1. ruff check   - pyflakes, pycodestyle, bugbear, import order, pyupgrade, simplify, comprehensions, gettext
#                     (lines of at most 120 characters, except in tests; see pyproject.toml [tool.ruff.lint])
#   2. mypy         - strict on the pure core (crypto, audit, instruments, monitoring, iin, localized),
#                     bodies checked in services, annotations only elsewhere (pyproject.toml [tool.mypy]);
#                     outside the core, errors already listed in mypy-baseline.txt are tolerated, new ones fail
#   3. lint-imports - the import contracts: the pure packages know no Flask, database, services or web;
#                     web (and cli) -> services -> access -> models with no import upward; rendering and jobs
#                     import no web module (pyproject.toml [tool.importlinter])
#                     and web does not import the audit writer (services.audit)
#   4. module sizes - no module in sabidamu/ over 450 lines
#      views        - no .commit() under sabidamu/web
#   5. test imports - no test module imports another (shared helpers live in tests/support/)
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
  local known new rc2
  known=$(grep -c ': error:' mypy-baseline.txt || true)
  new=$(echo "$out" | "$BIN/mypy-baseline" filter --hide-stats); rc2=$?
  if [ $rc2 -ne 0 ]; then
    echo "$new" | grep -v '^Found [0-9]* errors\? in'
    echo "mypy: the errors above are new (not in mypy-baseline.txt): fix them"
    return 1
  fi
  echo "mypy: the strict core is clean; elsewhere no error beyond the $known listed in mypy-baseline.txt"
}
run "mypy" mypy_against_baseline
# import-linter keeps a cache under .import_linter_cache; --no-cache keeps the tree clean.
run "import contracts" "$BIN/lint-imports" --no-cache
# Modules stay small enough to read in one sitting.
module_sizes() {
  local long
  long=$(find sabidamu -name '*.py' -print0 | xargs -0 wc -l | awk '$2 != "total" && $1 > 450 {print "  " $2 ": " $1 " lines"}')
  if [ -n "$long" ]; then echo "modules over 450 lines:"; echo "$long"; return 1; fi
}
run "module sizes (at most 450 lines in sabidamu/)" module_sizes
# A view never commits: the service that changes data commits with its audit event.
view_commits() {
  local found
  found=$(grep -rnE '\.commit\(\)' sabidamu/web --include='*.py' || true)
  if [ -n "$found" ]; then echo "views that commit:"; echo "$found"; return 1; fi
}
run "views never commit" view_commits
# Shared test code lives in tests/support/ (or a conftest.py), never in another test module.
test_imports() {
  local found
  found=$(grep -rnE '^[[:space:]]*(from|import)[[:space:]]+tests(\.[A-Za-z_]+)*\.test_' tests --include='*.py' || true)
  if [ -n "$found" ]; then echo "test modules importing other test modules:"; echo "$found"; return 1; fi
}
run "tests import no other test module" test_imports
if [ $status -eq 0 ]; then echo "lint: all checks passed"; fi
exit $status
