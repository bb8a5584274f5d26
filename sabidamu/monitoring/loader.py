"""Loading and validating the skill framework file (schema + semantic checks).

The framework is content, not code: methodologists edit the YAML. Every problem is reported as
"<file>: <where>: <reason>" so the person editing it knows what to fix without reading Python.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator

from .academic_calendar import STAGE_IDS, MonthDay, StageWindows, Window
from .errors import MonitoringError
from .model import AgeGroup, Framework, Level, Localized, Period, Skill, SkillGroup, Source, Stage

# A parsed YAML mapping, and the callback a check reports a problem through (where, reason).
Node = dict[str, Any]
Report = Callable[[str, str], None]

FRAMEWORK_DIR = Path(__file__).resolve().parents[2] / "screening_instruments" / "monitoring"
DEFAULT_PATH = FRAMEWORK_DIR / "framework.v1.yaml"
SCHEMA_PATH = FRAMEWORK_DIR / "framework.schema.json"

MAX_FILE_BYTES = 2_000_000  # checked before parsing: a framework is ~100 kB
MIN_SKILLS_PER_CELL = 6
MAX_SKILLS_PER_CELL = 8

# The names below are those of the individual development card and the glossary. They are
# fixed here, not only in the YAML, so an edit of the content cannot silently rename them.
EXPECTED_AGE_GROUPS: dict[str, tuple[str, str, int, int]] = {
    "early": ("ерте жас тобы", "группа раннего возраста", 1, 2),
    "junior": ("кіші топ", "младшая группа", 2, 3),
    "middle": ("ортаңғы топ", "средняя группа", 3, 4),
    "senior": ("ересек топ", "старшая группа", 4, 5),
    "preschool": ("мектепалды топ / сынып (мектепке даярлық тобы)", "предшкольная группа / класс", 5, 6),
}
EXPECTED_SKILL_GROUPS: dict[str, tuple[str, str]] = {
    "physical": ("Физикалық қасиеттерді дамыту", "Развитие физических качеств"),
    "communicative": ("Коммуникативтік дағдыларды дамыту", "Развитие коммуникативных навыков"),
    "cognitive": ("Танымдық және зияткерлік дағдыларды дамыту",
                  "Развитие познавательных и интеллектуальных навыков"),
    "creative": ("Шығармашылық дағдыларын, зерттеу іс-әрекетін дамыту",
                 "Развитие творческих навыков, исследовательской деятельности"),
    "social_emotional": ("Әлеуметтік-эмоционалды дағдыларды қалыптастыру",
                         "Формирование социально-эмоциональных навыков"),
}
# value: (name kk, name ru, short kk, short ru)
EXPECTED_LEVELS: dict[int, tuple[str, str, str, str]] = {
    3: ("III деңгей – жоғары", "III уровень – высокий", "жоғары", "высокий"),
    2: ("II – орташа", "II – средний", "орташа", "средний"),
    1: ("I – төмен", "I – низкий", "төмен", "низкий"),
}
EXPECTED_STAGES: dict[str, tuple[str, str]] = {
    "start": ("бастапқы бақылау", "стартовый мониторинг"),
    "intermediate": ("аралық бақылау", "промежуточный мониторинг"),
    "final": ("қорытынды бақылау", "итоговый мониторинг"),
}

# A Latin "i" typed for the Kazakh "і" looks identical on screen but breaks search, sorting
# and hyphenation; Kazakh letters in Russian text are the mirror mistake.
_LATIN = re.compile(r"[A-Za-z]")
_ROMAN_NUMERAL = re.compile(r"\b[IVX]+\b")  # "III деңгей": the one legitimate Latin
_KAZAKH_ONLY = re.compile(r"[ӘәҒғҚқҢңӨөҰұҮүҺһІі]")


class FrameworkError(MonitoringError):
    """The framework file is missing or invalid; `problems` lists every reason."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("invalid_framework", "; ".join(problems))
        self.problems = problems


# ---------------------------------------------------------------------------- public API


def validate_framework(path: str | Path | None = None) -> list[str]:
    """Every problem of the framework file at `path` (default: the shipped v1); [] if valid."""
    path = Path(path) if path is not None else DEFAULT_PATH
    data, problems = _read(path)
    if problems:
        return problems
    problems = _schema_problems(path, data)
    if problems:  # semantic checks assume the structure is right
        return problems
    return _semantic_problems(path, data)


def load_framework(path: str | Path | None = None) -> Framework:
    """The validated framework (cached per file path). Raises FrameworkError if invalid."""
    path = Path(path) if path is not None else DEFAULT_PATH
    return _load_cached(str(path.resolve()))


@lru_cache(maxsize=8)
def _load_cached(resolved_path: str) -> Framework:
    path = Path(resolved_path)
    problems = validate_framework(path)
    if problems:
        raise FrameworkError(problems)
    data, _ = _read(path)
    return _build(data)


# ---------------------------------------------------------------------------- reading


def _read(path: Path) -> tuple[Any, list[str]]:
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return None, [f"{path}: file not found"]
    except OSError as exc:
        return None, [f"{path}: cannot read: {exc.strerror}"]
    if size > MAX_FILE_BYTES:
        return None, [f"{path}: file is {size} bytes, more than the limit of {MAX_FILE_BYTES}"]
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        return None, [f"{path}: not UTF-8 text"]
    except yaml.YAMLError as exc:
        return None, [f"{path}: not valid YAML: {exc}"]
    if not isinstance(data, dict):
        return None, [f"{path}: the top level must be a mapping"]
    return data, []


@lru_cache(maxsize=1)
def _schema_validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _schema_problems(path: Path, data: Any) -> list[str]:
    errors = sorted(_schema_validator().iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    return [f"{path}: {_where(e.absolute_path)}: {e.message}" for e in errors]


def _where(parts: Iterable[object]) -> str:
    return "/".join(str(p) for p in parts) or "(top level)"


# ---------------------------------------------------------------------------- semantic checks


def _semantic_problems(path: Path, data: Node) -> list[str]:
    problems: list[str] = []

    def report(where: str, reason: str) -> None:
        problems.append(f"{path}: {where}: {reason}")

    _check_named_list(data["age_groups"], "age_groups", report,
                      {k: v[:2] for k, v in EXPECTED_AGE_GROUPS.items()})
    for i, group in enumerate(data["age_groups"]):
        expected = EXPECTED_AGE_GROUPS.get(group["id"])
        ages = group["age_years"]
        if expected and (ages["from"], ages["to"]) != expected[2:]:
            report(f"age_groups/{i}/age_years", f"expected {expected[2]}-{expected[3]} years for "
                   f"{group['id']}, found {ages['from']}-{ages['to']}")
    _check_named_list(data["skill_groups"], "skill_groups", report, EXPECTED_SKILL_GROUPS)
    for kind in ("age_groups", "skill_groups"):
        _check_unique([g["prefix"] for g in data[kind]], f"{kind} (prefix)", report)
    _check_unique([s["id"] for s in data["sources"]], "sources", report)
    _check_levels(data["levels"], report)
    _check_stages(data["stages"], report)
    _check_skills(data, report)
    for where, lang, text in _localized_texts(data):
        _check_letters(where, lang, text, report)
    return problems


def _check_unique(ids: list[Any], where: str, report: Report) -> bool:
    seen: set[Any] = set()
    ok = True
    for item_id in ids:
        if item_id in seen:
            report(where, f"duplicate id {item_id!r}")
            ok = False
        seen.add(item_id)
    return ok


def _check_named_list(items: list[Node], where: str, report: Report, expected: Mapping[str, tuple[str, ...]]) -> None:
    ids = [item["id"] for item in items]
    if not _check_unique(ids, where, report):
        return
    if ids != list(expected):
        report(where, f"expected ids {list(expected)} in this order, found {ids}")
    for i, item in enumerate(items):
        names = expected.get(item["id"])
        if names and (item["name"]["kk"], item["name"]["ru"]) != names[:2]:
            report(f"{where}/{i}/name", f"{item['id']} must be named exactly "
                   f"{names[0]!r} / {names[1]!r}")


def _check_levels(levels: list[Node], report: Report) -> None:
    values = [level["value"] for level in levels]
    if not _check_unique(values, "levels", report):
        return
    if values != [3, 2, 1]:
        report("levels", f"expected levels in the order [3, 2, 1], found {values}")
    for i, level in enumerate(levels):
        expected = EXPECTED_LEVELS[level["value"]]
        found = (level["name"]["kk"], level["name"]["ru"], level["short"]["kk"], level["short"]["ru"])
        if found != expected:
            report(f"levels/{i}", f"level {level['value']} must be named exactly {expected}, found {found}")


def _check_stages(stages: list[Node], report: Report) -> None:
    _check_named_list(stages, "stages", report, EXPECTED_STAGES)
    windows: dict[str, Window] = {}
    for i, stage in enumerate(stages):
        for key in ("default_window", "corrective"):
            period = stage[key]
            try:
                window = Window(period["from"], period["to"])
            except MonitoringError as exc:
                report(f"stages/{i}/{key}", str(exc))
                continue
            if key == "default_window":
                windows[stage["id"]] = window
    if set(windows) == set(STAGE_IDS) and len(stages) == len(STAGE_IDS):
        try:
            StageWindows(**windows)
        except MonitoringError as exc:
            report("stages", str(exc))


def _check_skills(data: Node, report: Report) -> None:
    prefixes = {
        "age": {g["id"]: g["prefix"] for g in data["age_groups"]},
        "skill": {g["id"]: g["prefix"] for g in data["skill_groups"]},
    }
    skills = data["skills"]
    for missing in [a for a in prefixes["age"] if a not in skills]:
        report("skills", f"no skills for age group {missing!r}")
    seen_ids: set[str] = set()
    for age_id, cells in skills.items():
        if age_id not in prefixes["age"]:
            report(f"skills/{age_id}", f"unknown age group {age_id!r}")
            continue
        for missing in [g for g in prefixes["skill"] if g not in cells]:
            report(f"skills/{age_id}", f"no skills for skill group {missing!r}")
        for group_id, items in cells.items():
            where = f"skills/{age_id}/{group_id}"
            if group_id not in prefixes["skill"]:
                report(where, f"unknown skill group {group_id!r}")
                continue
            if not MIN_SKILLS_PER_CELL <= len(items) <= MAX_SKILLS_PER_CELL:
                report(where, f"{len(items)} skills; expected {MIN_SKILLS_PER_CELL} to "
                       f"{MAX_SKILLS_PER_CELL}")
            for n, skill in enumerate(items, start=1):
                expected_id = f"{prefixes['age'][age_id]}-{prefixes['skill'][group_id]}-{n}"
                if skill["id"] in seen_ids:
                    report(f"{where}/{n - 1}", f"duplicate skill id {skill['id']!r}")
                elif skill["id"] != expected_id:
                    report(f"{where}/{n - 1}", f"skill id {skill['id']!r} should be {expected_id!r} "
                           "(ids are numbered from 1 in order)")
                seen_ids.add(skill["id"])


def _localized_texts(node: Any, where: str = "") -> Iterator[tuple[str, str, str]]:
    """Every (location, lang, text) of a mapping holding both kk and ru strings."""
    if isinstance(node, dict):
        if isinstance(node.get("kk"), str) and isinstance(node.get("ru"), str):
            yield f"{where}/kk".lstrip("/"), "kk", node["kk"]
            yield f"{where}/ru".lstrip("/"), "ru", node["ru"]
        for key, value in node.items():
            yield from _localized_texts(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _localized_texts(value, f"{where}/{i}")


def _check_letters(where: str, lang: str, text: str, report: Report) -> None:
    if text != text.strip() or "  " in text:
        report(where, "extra spaces at the ends or inside the text")
    latin = _LATIN.search(_ROMAN_NUMERAL.sub("", text))
    if latin:
        report(where, f"Latin letter {latin.group()!r} in {lang} text (use Cyrillic, e.g. Kazakh і)")
    if lang == "ru":
        kazakh = _KAZAKH_ONLY.search(text)
        if kazakh:
            report(where, f"Kazakh letter {kazakh.group()!r} in Russian text")


# ---------------------------------------------------------------------------- building


def _loc(node: Node) -> Localized:
    return Localized(kk=node["kk"], ru=node["ru"])


def _period(node: Node) -> Period:
    return Period(MonthDay.parse(node["from"]), MonthDay.parse(node["to"]), _loc(node["label"]))


def _build(data: Node) -> Framework:
    skills = []
    for age_id, cells in data["skills"].items():
        for group_id, items in cells.items():
            for n, item in enumerate(items, start=1):
                skills.append(Skill(
                    id=item["id"], age_group_id=age_id, skill_group_id=group_id, number=n,
                    text=Localized(item["kk"], item["ru"]),
                    observe=_loc(item["observe"]) if "observe" in item else None,
                    source=item["source"],
                ))
    return Framework(
        id=data["id"],
        version=data["version"],
        title=_loc(data["title"]),
        sources=tuple(Source(s["id"], _loc(s)) for s in data["sources"]),
        levels=tuple(Level(lv["value"], _loc(lv["name"]), _loc(lv["short"]), _loc(lv["description"]))
                     for lv in data["levels"]),
        not_observed=_loc(data["not_observed"]["name"]),
        not_observed_description=_loc(data["not_observed"]["description"]),
        stages=tuple(Stage(st["id"], _loc(st["name"]), _period(st["default_window"]),
                           _period(st["corrective"])) for st in data["stages"]),
        age_groups=tuple(AgeGroup(g["id"], g["prefix"], _loc(g["name"]), g["age_years"]["from"],
                                  g["age_years"]["to"]) for g in data["age_groups"]),
        skill_groups=tuple(SkillGroup(g["id"], g["prefix"], _loc(g["name"])) for g in data["skill_groups"]),
        all_skills=tuple(skills),
    )
