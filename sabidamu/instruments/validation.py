"""Reading and validating instrument files: YAML -> JSON Schema -> semantic checks.

Every problem is one line ``<file>: <json path>: <reason>``, e.g.
``sabidamu-dev-screen.v1.yaml: bands[3].items[2].text.ru: '' is too short``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

SCHEMA_PATH = (
    Path(__file__).resolve().parents[2] / "screening_instruments" / "schema" / "instrument.schema.json"
)
MIN_ITEMS_PER_DOMAIN = 5
MIN_ACTIVITIES_PER_DOMAIN = 3
FILE_NAME = re.compile(r"^(?P<id>[a-z0-9-]+)\.v(?P<version>[0-9]+)\.yaml$")


# --- YAML ------------------------------------------------------------------------------------------

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class StrictLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Safe YAML with YAML 1.2 booleans and no duplicate keys.

    PyYAML follows YAML 1.1, where ``yes``/``no``/``on``/``off`` are booleans: the agreed format uses
    ``yes:`` as an answer key and ``concern_if: no``, so only ``true``/``false`` may be booleans here.
    Duplicate keys would silently drop content, so they are an error.
    """


StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}
StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|false)$"), list("tf")
)


def _construct_mapping(loader: Any, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    mapping: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in mapping:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        mapping[key] = loader.construct_object(value_node, deep=True)
    return mapping


StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def read_yaml(path: Path) -> Any:
    with open(path, "rb") as handle:
        return yaml.load(handle, Loader=StrictLoader)  # noqa: S506 - StrictLoader is a SafeLoader


# --- JSON Schema -----------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def json_path(parts: Iterable[Any]) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "$"


def _reason(error: jsonschema.ValidationError) -> str:
    # Plainer words than jsonschema's for the two checks authors hit most.
    if error.validator == "minLength" and error.instance == "":
        return "'' is too short"
    if error.validator == "pattern" and error.validator_value == "\\S":
        return f"{error.instance!r} is blank"
    return error.message


def _leaf_errors(errors: Iterable[jsonschema.ValidationError]) -> Iterable[jsonschema.ValidationError]:
    for error in errors:
        if error.context:  # combinators: report the specific failures underneath
            yield from _leaf_errors(error.context)
        else:
            yield error


def schema_errors(data: Any) -> list[tuple[str, str]]:
    """(json path, reason) for each schema violation, sorted by path, without duplicates."""
    found: dict[tuple[str, str], None] = {}
    errors = sorted(
        _validator().iter_errors(data),
        key=lambda e: [(0, p, "") if isinstance(p, int) else (1, 0, str(p)) for p in e.absolute_path],
    )
    for error in _leaf_errors(errors):
        if error.validator == "pattern" and error.instance == "":
            continue  # the minLength error already says it
        found[(json_path(error.absolute_path), _reason(error))] = None
    return list(found)


# --- semantic checks -------------------------------------------------------------------------------


def _age_key(age: dict[str, int]) -> tuple[int, int]:
    return (age["months"], age["days"])


def _fmt_age(age: tuple[int, int]) -> str:
    return f"{age[0]} m {age[1]} d"


def semantic_errors(data: dict[str, Any], file_name: str | None = None) -> list[tuple[str, str]]:
    """Rules the schema cannot express.  Call only on schema-valid data."""
    errors: list[tuple[str, str]] = []

    if file_name is not None:
        expected = f"{data['id']}.v{data['version']}.yaml"
        if file_name != expected:
            errors.append(("$", f"file name {file_name!r} does not match its content ({expected!r})"))

    scale = data["answer_scale"]
    if not scale["yes"] >= scale["sometimes"] >= scale["not_yet"] or scale["yes"] == scale["not_yet"]:
        errors.append(("answer_scale", "points must satisfy yes >= sometimes >= not_yet and yes > not_yet"))

    domain_ids: list[str] = []
    for index, domain in enumerate(data["domains"]):
        if domain["id"] in domain_ids:
            errors.append((f"domains[{index}].id", f"duplicate domain id {domain['id']!r}"))
        domain_ids.append(domain["id"])
    declared = set(domain_ids)

    scoring = data["scoring"]
    concern_count = scoring.get("method") == "concern_count"
    if concern_count:
        if scoring["monitor_at"] > scoring["refer_at"]:
            errors.append(("scoring", "monitor_at must not be greater than refer_at"))
    else:
        for where, thresholds in [("scoring.default", scoring["default"])] + [
            (f"scoring.by_domain.{d}", t) for d, t in scoring.get("by_domain", {}).items()
        ]:
            if thresholds["refer_below"] > thresholds["monitor_below"]:
                errors.append((where, "refer_below must not be greater than monitor_below"))
        for domain_id in scoring.get("by_domain", {}):
            if domain_id not in declared:
                errors.append((f"scoring.by_domain.{domain_id}", f"domain {domain_id!r} is not declared"))

    seen_ids: dict[str, str] = {}  # item and follow-up ids share one namespace
    seen_bands: set[str] = set()
    previous_max: tuple[int, int] | None = None
    for b, band in enumerate(data["bands"]):
        where = f"bands[{b}]"
        if band["id"] in seen_bands:
            errors.append((f"{where}.id", f"duplicate band id {band['id']!r}"))
        seen_bands.add(band["id"])
        low, high = _age_key(band["min_age"]), _age_key(band["max_age"])
        if low >= high:
            errors.append((where, f"min_age {_fmt_age(low)} must be below max_age {_fmt_age(high)}"))
        if previous_max is not None and low < previous_max:
            errors.append(
                (f"{where}.min_age", f"{_fmt_age(low)} overlaps or precedes the previous band "
                                     f"(which ends at {_fmt_age(previous_max)}); bands must be sorted "
                                     "and must not overlap")
            )
        previous_max = high if previous_max is None else max(previous_max, high)

        per_domain = dict.fromkeys(domain_ids, 0)
        for i, item in enumerate(band["items"]):
            item_where = f"{where}.items[{i}]"
            if item["id"] in seen_ids:
                errors.append((f"{item_where}.id", f"duplicate id {item['id']!r} (also at {seen_ids[item['id']]})"))
            seen_ids.setdefault(item["id"], f"{item_where}.id")
            if item["domain"] not in declared:
                errors.append((f"{item_where}.domain", f"domain {item['domain']!r} is not declared"))
            else:
                per_domain[item["domain"]] += 1
            errors.extend(_item_rules(item, item_where, low))
            for f, follow_up in enumerate(item.get("follow_up", [])):
                f_where = f"{item_where}.follow_up[{f}]"
                if not concern_count:
                    errors.append((f_where, "follow-up questions are allowed only with scoring method concern_count"))
                if follow_up["id"] in seen_ids:
                    first = seen_ids[follow_up["id"]]
                    errors.append((f"{f_where}.id", f"duplicate id {follow_up['id']!r} (also at {first})"))
                seen_ids.setdefault(follow_up["id"], f"{f_where}.id")
        for domain_id, count in per_domain.items():
            if count < MIN_ITEMS_PER_DOMAIN:
                errors.append(
                    (f"{where}.items",
                     f"domain {domain_id!r} has {count} items; at least {MIN_ITEMS_PER_DOMAIN} are required")
                )
        for domain_id, thresholds in band.get("thresholds", {}).items():
            if domain_id not in declared:
                errors.append((f"{where}.thresholds.{domain_id}", f"domain {domain_id!r} is not declared"))
            elif thresholds["refer_below"] > thresholds["monitor_below"]:
                errors.append((f"{where}.thresholds.{domain_id}", "refer_below must not be greater than monitor_below"))
        activities = band["activities"]
        for domain_id in activities:
            if domain_id not in declared:
                errors.append((f"{where}.activities.{domain_id}", f"domain {domain_id!r} is not declared"))
        for domain_id in domain_ids:
            count = len(activities.get(domain_id, []))
            if count < MIN_ACTIVITIES_PER_DOMAIN:
                errors.append(
                    (f"{where}.activities",
                     f"domain {domain_id!r} has {count} activities; at least {MIN_ACTIVITIES_PER_DOMAIN} are required")
                )
    return errors


def _item_rules(item: dict[str, Any], where: str, band_start: tuple[int, int]) -> list[tuple[str, str]]:
    """v2 item rules: a warning sign can be neither skipped for lack of opportunity nor asked before
    its 99th-percentile age; ages are ordered."""
    errors: list[tuple[str, str]] = []
    if item.get("opportunity") and item.get("warning_sign"):
        errors.append((where, "a warning sign cannot offer 'had no chance to see' (it must be answered)"))
    start = band_start[0] + band_start[1] / 30.4375
    warning_age = item.get("warning_age")
    if item.get("warning_sign") and warning_age is not None and not warning_age < start:
        errors.append((where, f"warning sign before its 99th-percentile age ({warning_age} months); "
                              f"the band starts at {_fmt_age(band_start)}"))
    age75 = item.get("age75")
    if age75 is not None and warning_age is not None and age75 > warning_age:
        errors.append((where, "age75 must not be after warning_age"))
    if (age75 is None) != (item.get("spread") is None):
        errors.append((where, "age75 and spread go together"))
    return errors


# --- whole file --------------------------------------------------------------------------------------


def validate_data(data: Any, file_name: str) -> list[str]:
    """All problems of an already parsed document, as ``<file>: <path>: <reason>`` lines."""
    problems = schema_errors(data)
    if not problems:
        problems = semantic_errors(data, file_name)
    return [f"{file_name}: {path}: {reason}" for path, reason in problems]


def load_and_validate(path: Path) -> tuple[Any, list[str]]:
    """Parse and validate one file; returns (data, problems).  data is None when unreadable."""
    name = path.name
    if not FILE_NAME.match(name):
        return None, [f"{name}: $: file name must be <id>.v<version>.yaml"]
    try:
        data = read_yaml(path)
    except OSError as exc:
        return None, [f"{name}: $: cannot read file ({exc.strerror or exc})"]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "$"
        problem = getattr(exc, "problem", None) or str(exc)
        return None, [f"{name}: {where}: invalid YAML ({problem})"]
    return data, validate_data(data, name)


def validate_file(path: str | Path) -> list[str]:
    """Problems of one instrument file; empty when it is valid."""
    return load_and_validate(Path(path))[1]
