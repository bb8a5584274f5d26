"""Generate sabidamu-dev-screen.v2.yaml from the skill catalogue (skills.yaml) by rule.

Run from the repository root:  .venv/bin/python screening_instruments/_generator/generate.py
The output is committed; tests/instruments/test_v2_generation.py checks that it is up to date and that
the rules below hold for every band.  The rules (docs/screening.md, "How v2 is built"):

* Bands: 3 months wide from 2 to 24 months (the first one 2), 3 months from 24 to 36, 6 months from 36
  to 72.
* Ordinary items of a band [start, end): the DUE_AT_START most recent skills due by its first day
  (age75 <= start) and up to DUE_IN_BAND skills falling due during it (start < age75 <= end).  Scoring
  counts an item only from its age75 on (sabidamu/instruments/scoring.py, "due items"), so a child on
  the band's last day is measured against everything due by then, and a child on its first day is not
  measured against what is not due yet.
* A warning sign is a key skill whose 99th-percentile age (warning_age) is before the band's start
  (warning_age < start); it stays a warning sign for WARNING_PERSIST months after that age (6 below
  24 months, 12 from 24).  A warning sign is never opportunity-dependent.
* Gross-motor items of bands ending by 12 months route to a pediatrician and a neurologist first.
* Every band also asks the general questions (worry, hearing, vision, loss of skills, feeding/sleep),
  all warning signs with their own routing.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = ROOT / "sabidamu-dev-screen.v2.yaml"
V1 = ROOT / "sabidamu-dev-screen.v1.yaml"

BANDS = [(2, 4), (4, 6), (6, 9), (9, 12), (12, 15), (15, 18), (18, 21), (21, 24), (24, 27), (27, 30),
         (30, 33), (33, 36), (36, 42), (42, 48), (48, 54), (54, 60), (60, 66), (66, 72)]
DOMAINS = ["communication", "gross_motor", "fine_motor", "problem_solving", "personal_social"]
DUE_AT_START = 5  # most recent skills due by the band's first day
DUE_IN_BAND = 4  # skills falling due during the band (count from their 75 % age on)
# Calibration of each band's cut-offs under the model of sabidamu/instruments/simulate.py (typical
# children): 'refer' below the score that at most REFER_SHARE of them fall under, 'monitor' below the
# score that at most MONITOR_SHARE fall under.  Like ASQ-style cut-offs set from a norm sample, but the
# "sample" here is the model, not real children: none of these cut-offs is calibrated on data.
REFER_SHARE = 0.015
MONITOR_SHARE = 0.15
CALIBRATION_CHILDREN = 4000
CALIBRATION_SEED = 2026
EARLY_MOTOR_ROUTE = ["pediatrician", "neurologist"]


# One term per concept in each language (docs/screening.md, "Glossary"): texts reused from v1 said
# кубик/текше, табақ/тәрелке, машинка/машина, книга/книжка; v2 says текше, тәрелке, машина, книжка.
GLOSSARY = {
    "kk": [(r"\bкубиктерден\b", "текшелерден"), (r"\bкубикті\b", "текшені"), (r"\bкубик\b", "текше"),
           (r"\bтабаққа\b", "тәрелкеге"), (r"\bтарелкамен\b", "тәрелкемен"), (r"\bтарелка\b", "тәрелке"), (r"\bкітапшасын\b", "кітабын")],
    "ru": [(r"\bмашинкой\b", "машиной"), (r"\bмашинку\b", "машину"), (r"\bкниг\b", "книжек"),
           (r"\bкниге\b", "книжке"), (r"\bкниги\b", "книжки"), (r"\bкнигу\b", "книжку")],
}


def normalise(node):
    """Apply GLOSSARY to every {kk, ru} text of a document."""
    if isinstance(node, dict):
        if set(node) == {"kk", "ru"} and all(isinstance(v, str) for v in node.values()):
            out = {}
            for lang, text in node.items():
                for pattern, term in GLOSSARY[lang]:
                    text = re.sub(pattern, term, text)
                out[lang] = text
            return out
        return {k: normalise(v) for k, v in node.items()}
    if isinstance(node, list):
        return [normalise(v) for v in node]
    return node


def warning_persist(start: int) -> int:
    return 6 if start < 24 else 12


def ru_months(low: int, high: int) -> str:
    n = high % 100
    if 11 <= n <= 14 or n % 10 in (0, 5, 6, 7, 8, 9):
        word = "месяцев"
    elif n % 10 == 1:
        word = "месяц"
    else:
        word = "месяца"
    return f"{low}–{high} {word}"


def is_warning(skill: dict, start: int) -> bool:
    return bool(skill.get("key")) and not skill.get("opportunity") and \
        skill["warning_age"] < start <= skill["warning_age"] + warning_persist(start)


def band_items(skills: list[dict], domain: str, start: int, end: int) -> list[tuple[dict, bool]]:
    own = [s for s in skills if s["domain"] == domain]
    warnings = [s for s in own if is_warning(s, start)]
    candidates = [s for s in own if s not in warnings and not (s.get("key") and s["warning_age"] < start)]
    recent_first = lambda s: (-s["age75"], not s.get("key"), s["id"])  # noqa: E731  (key skills first)
    due_at_start = sorted((s for s in candidates if s["age75"] <= start), key=recent_first)[:DUE_AT_START]
    due_in_band = sorted((s for s in candidates if start < s["age75"] <= end), key=recent_first)[:DUE_IN_BAND]
    chosen = [(s, True) for s in warnings] + [(s, False) for s in due_at_start + due_in_band]
    return sorted(chosen, key=lambda pair: (pair[0]["age75"], pair[0]["id"]))


def item(band_id: str, skill: dict, warning: bool, end: int, general: bool = False) -> dict:
    out = {"id": f"{band_id}-{skill['id']}", "skill": skill["id"],
           "domain": "general" if general else skill["domain"], "text": skill["text"]}
    if skill.get("how_to_check"):
        out["how_to_check"] = skill["how_to_check"]
    out["warning_sign"] = warning
    out["source"] = skill["source"]
    if general:
        out["kind"] = "general"
        if skill.get("reverse"):
            out["reverse"] = True
    if skill.get("opportunity"):
        out["opportunity"] = True
    routes = skill.get("specialists")
    if not routes and skill.get("domain") == "gross_motor" and end <= 12:
        routes = EARLY_MOTOR_ROUTE
    if routes:
        out["specialists"] = list(routes)
    for key in ("age75", "spread", "warning_age"):
        if key in skill:
            out[key] = skill[key]
    return out


def v1_activities(start: int) -> dict:
    v1 = yaml.load(V1.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    for band in v1["bands"]:
        if int(band["min_age"]["months"]) <= start < int(band["max_age"]["months"]):
            return band["activities"]
    raise SystemExit(f"no v1 activities for {start} months")


def build() -> dict:
    catalogue = yaml.safe_load((HERE / "skills.yaml").read_text(encoding="utf-8"))
    header = yaml.safe_load((HERE / "instrument_head.yaml").read_text(encoding="utf-8"))
    skills, general = catalogue["skills"], catalogue["general"]
    bands = []
    for start, end in BANDS:
        band_id = f"m{start:02d}"
        items = []
        for domain in DOMAINS:
            chosen = band_items(skills, domain, start, end)
            if len(chosen) < 5:
                raise SystemExit(f"band {band_id} domain {domain}: only {len(chosen)} skills")
            items += [item(band_id, s, w, end) for s, w in chosen]
        items += [item(band_id, g, True, end, general=True) for g in general]
        activities = dict(v1_activities(start))
        activities["general"] = header["general_activities"]
        bands.append({
            "id": band_id,
            "label": {"kk": f"{start}–{end} ай", "ru": ru_months(start, end)},
            "min_age": {"months": start, "days": 0},
            "max_age": {"months": end, "days": 0},
            "items": items,
            "thresholds": {},
            "activities": {d: activities[d] for d in DOMAINS + ["general"]},
        })
    doc = {k: v for k, v in header.items() if k != "general_activities"}
    doc["bands"] = bands
    return doc


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(str, lambda d, s: d.represent_scalar("tag:yaml.org,2002:str", s,
                                                            style="'" if s in ("yes", "no") else None))

HEADER = """# GENERATED by screening_instruments/_generator/generate.py from _generator/skills.yaml - do not edit.
# SabiDamu developmental screen, version 2: 2-72 months, 18 age bands, five skill domains and the
# general questions. Items rest on public milestone facts (CDC/AAP 2022, WHO MGRS 2006, ГОСО ДВО 2022),
# cited per item in `source`; nothing is copied from copyrighted instruments. Rules: docs/screening.md.
"""


def _cut(fractions: list[float], share: float, n_items: int) -> float:
    """The largest half-step cut-off t with at most ``share`` of ``fractions`` below it."""
    fractions = sorted(fractions)
    best = 0.5 / (2 * n_items)
    for j in range(1, 2 * n_items + 1):
        t = (j - 0.5) / (2 * n_items)
        below = sum(1 for f in fractions if f < t)
        if below / len(fractions) <= share:
            best = t
    return round(best, 4)


def calibrate(doc: dict) -> None:
    """Add each band's thresholds, from the model's typical children (fixed seed: reproducible)."""
    import random

    sys.path.insert(0, str(ROOT.parent))
    from sabidamu.instruments.loader import instrument_from_data
    from sabidamu.instruments.scoring import DUE_MARGIN
    from sabidamu.instruments.simulate import _answers, _band_age

    instrument = instrument_from_data(doc)
    rng = random.Random(CALIBRATION_SEED)
    top = instrument.answer_scale.top
    for raw, band in zip(doc["bands"], instrument.bands):
        fractions: dict[str, list[float]] = {d: [] for d in DOMAINS}
        for _ in range(CALIBRATION_CHILDREN):
            age = _band_age(band, rng)
            answers = _answers(band, age, 0.0, rng)
            for domain in DOMAINS:
                items = [i for i in band.items_by_domain[domain] if i.age75 is None or i.age75 <= age + DUE_MARGIN]
                total = sum(instrument.answer_scale.points(answers[i.id]) for i in items)
                fractions[domain].append(total / (len(items) * top))
        raw["thresholds"] = {}
        for domain in DOMAINS:
            n = 12  # cut-offs on a 1/24 grid: due item counts vary with the age
            refer = _cut(fractions[domain], REFER_SHARE, n)
            monitor = max(_cut(fractions[domain], MONITOR_SHARE, n), refer)
            raw["thresholds"][domain] = {"monitor_below": monitor, "refer_below": refer}


def render() -> str:
    doc = normalise(build())
    calibrate(doc)
    return HEADER + yaml.dump(doc, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=120)


if __name__ == "__main__":
    text = render()
    if "--check" in sys.argv:
        sys.exit(0 if OUT.read_text(encoding="utf-8") == text else 1)
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT.parent)}")
