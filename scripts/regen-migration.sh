#!/usr/bin/env bash
# Development helper: rebuild the not-yet-released migration 0002 from the models (autogenerate), then
# check it. Use only while 0002 has not been applied anywhere that matters.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
rm -f migrations/versions/0002_*.py
SABIDAMU_INSTANCE_DIR="$tmp" .venv/bin/flask --app app db upgrade >/dev/null
SABIDAMU_INSTANCE_DIR="$tmp" .venv/bin/alembic revision --rev-id 0002 --autogenerate -m "screening, monitoring, consent, security, transfer" | tail -1
rm -rf "$tmp"
.venv/bin/python -m pytest -q tests/test_migrations.py | tail -1
