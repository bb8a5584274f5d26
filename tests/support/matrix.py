"""The vocabulary of the access matrix (tests/test_access_matrix.py) and the rows each area adds.

An area that adds routes puts its rows in its own module `tests/support/matrix_rows/<area>.py` as
`ROWS = [(method, rule, path template, expected status per role), ...]`, built with `allow` and `everyone`
below; `extra_rows()` gathers them, so areas never edit one shared list at the same time.
"""
from __future__ import annotations

import importlib
import pkgutil

from tests.support import matrix_rows

ROLES = ["anon", "parentA", "parentB", "teacher1", "teacher1b", "head1", "head2", "teacher2", "admin"]
LOGIN = 302  # anonymous users are sent to the sign-in page


def allow(*who, ok=200, other=403):
    """`ok` for the roles named, `other` for the rest, the sign-in page for the anonymous user."""
    return {role: (ok if role in who else (LOGIN if role == "anon" else other)) for role in ROLES}


def everyone(status, anon=LOGIN):
    return {role: (anon if role == "anon" else status) for role in ROLES}


def extra_rows() -> list[tuple]:
    rows: list[tuple] = []
    for info in sorted(pkgutil.iter_modules(matrix_rows.__path__), key=lambda i: i.name):
        rows.extend(importlib.import_module(f"{matrix_rows.__name__}.{info.name}").ROWS)
    return rows
