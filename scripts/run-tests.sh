#!/usr/bin/env bash
# Runs the whole suite on SQLite, then the database tests (less the browser ones) on PostgreSQL (always under CI=true; otherwise when
# a server answers on 127.0.0.1:5432). pytest's exit 5 (nothing collected) counts as a failure: a suite
# that runs no test has proven nothing.
set -uo pipefail
cd "$(dirname "$0")/.."
PYTEST=".venv/bin/python -m pytest"
export SABIDAMU_SCREENSHOT_DIR="${SABIDAMU_SCREENSHOT_DIR:-build/screenshots}"

status=0
echo "== tests on SQLite =="
SABIDAMU_TEST_DB=sqlite $PYTEST "$@"
rc=$?
[ $rc -eq 5 ] && echo "pytest collected no tests on SQLite" >&2
[ $rc -ne 0 ] && status=1

pg_up=0
.venv/bin/python - <<'PY' && pg_up=1
import socket, sys
s = socket.socket(); s.settimeout(2)
sys.exit(0 if s.connect_ex(("127.0.0.1", 5432)) == 0 else 1)
PY
if [ "${CI:-}" = "true" ] || [ $pg_up -eq 1 ]; then
  echo "== database tests on PostgreSQL =="
  SABIDAMU_TEST_DB=postgresql $PYTEST -m "db and not browser" "$@"
  rc=$?
  [ $rc -eq 5 ] && echo "pytest collected no database tests on PostgreSQL" >&2
  [ $rc -ne 0 ] && status=1
else
  echo "NOTE: PostgreSQL is not reachable on 127.0.0.1:5432; the PostgreSQL pass was skipped (it is required under CI)."
fi
exit $status
