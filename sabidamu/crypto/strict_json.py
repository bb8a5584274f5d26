"""Strict JSON for files that come from outside: what the json module accepts but a card never holds is refused
(deep nesting that exhausts the parser or the code walking the document, duplicate keys that two readers may
resolve differently, NaN/Infinity and numbers that overflow to infinity). Pure: no Flask, no database."""
from __future__ import annotations

import json
from typing import Any

# card.json nests 7 levels deep today; anything far beyond that is an attack on the parser, not a card.
MAX_DEPTH = 24


class HostileJSON(Exception):
    """Valid enough for json.loads, hostile for everything after it."""


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _value in pairs]
    if len(set(keys)) != len(keys):
        raise HostileJSON("duplicate key")
    return dict(pairs)


def _no_constant(name: str) -> Any:
    raise HostileJSON(f"non-standard constant {name}")


def _finite_float(text: str) -> float:
    value = float(text)
    if value != value or value in (float("inf"), float("-inf")):
        raise HostileJSON(f"number {text[:20]} is not finite")
    return value


def depth_exceeds(document: Any, limit: int = MAX_DEPTH) -> bool:
    """Iterative (a recursive walk would itself overflow on the documents it is meant to catch)."""
    stack = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, (dict, list)):
            if depth > limit:
                return True
            stack.extend((child, depth + 1) for child in (value.values() if isinstance(value, dict) else value))
    return False


def loads(raw: bytes, max_depth: int = MAX_DEPTH) -> Any:
    """Raises UnicodeDecodeError / ValueError for text that is not JSON, HostileJSON for hostile JSON."""
    try:
        document = json.loads(raw.decode("utf-8"), object_pairs_hook=_no_duplicate_keys,
                              parse_constant=_no_constant, parse_float=_finite_float)
    except RecursionError:
        raise HostileJSON("nested too deeply for the parser") from None
    if depth_exceeds(document, max_depth):
        raise HostileJSON(f"nested deeper than {max_depth}")
    return document
