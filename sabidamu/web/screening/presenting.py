"""Turning a stored screening into plain-language, primitive data for the result page and the PDF.

Both the HTML page and the PDF render from the same dict of strings, numbers and lists, so the PDF
template never sees a model object (see sabidamu.rendering.pdf) and both say the same thing.
"""
from __future__ import annotations

import datetime as dt

from flask import current_app
from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l

from ...instruments import InstrumentError, load_registry
from ...rendering.charts import Series, domain_scores_svg
from ...services import screening as svc
from ...services.screening import ScreeningView
from ..formatting import current_lang, date_on, long_date, number, role_label, tidy_output

ZONE_ORDER = {"refer": 0, "incomplete": 1, "monitor": 2, "on_track": 3}

ZONE_LABELS = {
    "on_track": _l("On track"),
    "monitor": _l("Keep an eye and practise"),
    "refer": _l("Talk to a specialist"),
    "incomplete": _l("Not enough answers"),
}

ZONE_MEANINGS = {
    "on_track": _l("Your child does what most children of this age do. Keep playing and talking together every day."),
    "monitor": _l("Some skills are not there yet. That is common, and practice helps: try the activities below "
                  "and check again on the date shown. If you are worried, talk to your pediatrician."),
    "refer": _l("We recommend showing your child to a specialist. This is not a diagnosis: the specialist will "
                "assess your child and tell you what helps."),
    "incomplete": _l("Too many questions in this area were left open, so no conclusion is drawn."),
}

SPECIALISTS = {
    "speech_therapist": _l("speech therapist"),
    "psychologist": _l("psychologist"),
    "defectologist": _l("defectologist"),
    "pediatrician": _l("pediatrician"),
    "neurologist": _l("neurologist"),
    # Translators: the hearing doctor; kk and ru both say «сурдолог».
    "audiologist": _l("audiologist"),
    "ophthalmologist": _l("ophthalmologist"),
}

SPECIALIST_WHAT = {
    "speech_therapist": _l("speech, understanding and sounds"),
    "psychologist": _l("behaviour, emotions, contact and play with others"),
    "defectologist": _l("thinking, learning and the development of skills as a whole"),
    "pediatrician": _l("health, movement, hearing and vision; can refer you on"),
    "neurologist": _l("a doctor for the brain and nerves: checks muscle tone, movement and lost skills"),
    "audiologist": _l("a doctor who checks hearing with special devices, at any age, even in babies"),
    "ophthalmologist": _l("an eye doctor: checks squint, how the eyes follow and how well the child sees"),
}

# Answer choices, with their meaning in the label itself (shown on every question).
SKILL_CHOICES = (("yes", _l("Yes")), ("sometimes", _l("Sometimes, or only with help")), ("not_yet", _l("Not yet")))
# General questions ("are you worried...", "has your child lost...") are answered yes / not sure / no.
GENERAL_CHOICES = (("yes", _l("Yes")), ("sometimes", _l("Not sure")), ("not_yet", _l("No")))
NO_CHANCE_CHOICE = ("no_chance", _l("Had no chance to see"))

# What every zone means, shown on every result and PDF.
ZONE_GUIDE = (
    ("on_track", _l("the child does what at least three in four children of this age do.")),
    ("monitor", _l("some skills are not there yet: practise at home and screen again on the date given.")),
    ("refer", _l("show the child to the specialist named: something may need a closer look.")),
    ("incomplete", _l("too few answers, or a warning question left open: no conclusion is drawn.")),
)


def answer_choices(item) -> tuple[tuple[str, object], ...]:
    """The choices of one question: skill or general wording, plus "had no chance to see" where offered."""
    choices = GENERAL_CHOICES if item.kind == "general" else SKILL_CHOICES
    return choices + ((NO_CHANCE_CHOICE,) if item.opportunity else ())


def _domain_specialists(d: dict, instrument) -> list[str]:
    """Whom a 'refer' domain sends to: stored per-item routing (v2), else the domain's specialist (v1)."""
    if d["zone"] != "refer":
        return []
    return list(d.get("specialists") or [instrument.domains_by_id[d["id"]].specialist])


def age_span_text(months: int, days: int) -> str:
    m = ngettext("%(num)d month", "%(num)d months", months)
    d = ngettext("%(num)d day", "%(num)d days", days)
    return gettext("%(months)s %(days)s", months=m, days=d) if days else m


def age_used_text(age: dict) -> tuple[str, str]:
    """(the age used, why) from ScreeningResult.to_dict()['age']."""
    used = age["used_age"]
    text = age_span_text(used["months"], used["days"])
    weeks = age.get("gestational_weeks")
    if age["reason"] == "preterm_corrected":
        why = gettext("Corrected age: the child was born at week %(weeks)d, so until 24 months age is counted "
                      "from the expected birth date.", weeks=weeks)
    elif age["reason"] == "preterm_over_24_months":
        why = gettext("Age since birth: the child was born at week %(weeks)d, but from 24 months age is no "
                      "longer corrected for early birth.", weeks=weeks)
    else:
        why = gettext("Age since birth (the child was born at term, or the week of birth is not recorded).")
    return text, why


def score_text(domain: dict, method: str) -> str:
    if domain["score"] is None:
        return gettext("%(answered)d of %(total)d questions answered",
                       answered=domain["answered"], total=domain["item_count"])
    if method == "concern_count":
        return ngettext("%(num)d answer of %(total)d needs a closer look",
                        "%(num)d answers of %(total)d need a closer look",
                        int(domain["score"]), total=domain["max"])
    score = domain["score"]
    shown = number(score, digits=0 if float(score).is_integer() else 1)  # «42,5» in both languages
    return gettext("%(score)s of %(max)s points", score=shown, max=domain["max"])


def percent(domain: dict) -> int | None:
    if domain["score"] is None or not domain["max"]:
        return None
    return round(100 * domain["score"] / domain["max"])


def rescreen_text(rescreen: dict) -> str:
    rule = rescreen["rule"]
    if rescreen.get("date"):
        text = gettext("Screen again on %(date)s.", date=date_on(dt.date.fromisoformat(rescreen["date"])))
        return tidy_output(text)  # Russian long dates end in "г.": one full stop, not two
    if rule == "after_specialist_visit":
        return gettext("Screen again one month after the specialist visit, so that the specialist's advice has "
                       "had time to work.")
    if rule == "after_last_band":
        return gettext("This checklist has no later age for your child; the kindergarten's monitoring takes over.")
    return gettext("Answer the questions left open to get a date for the next check.")


def _reasons(code: str, result: dict, domains: list[dict], view: ScreeningView, lang: str) -> str:
    """Why this specialist: the warning-sign questions routed to them (quoted), else the areas."""
    band = view.band
    quoted = []
    for d in result.get("domains", []):
        for item_id in d.get("warning_signs", []):
            item = band.items_by_id.get(item_id)
            default = view.instrument.domains_by_id[d["id"]].specialist
            if item is not None and code in (item.specialists or (default,)):
                quoted.append(f"«{item.text.in_(lang).rstrip('?')}»")
    if quoted:
        return "; ".join(quoted)
    areas = [d["title"] for d in domains if code in d["specialists"]]
    if not areas and result.get("several_areas"):
        flagged = ", ".join(d["title"] for d in domains if d["zone"] in ("monitor", "refer"))
        return gettext("several areas at once (%(areas)s)", areas=flagged)
    return ", ".join(areas)


def result_context(view: ScreeningView, lang: str) -> dict:
    """Everything the result page and the PDF show, as primitive data."""
    result = view.result or {}
    instrument, band = view.instrument, view.band
    domains = []
    for d in result.get("domains", []):
        title = instrument.domains_by_id[d["id"]].title.in_(lang)
        domains.append({
            "id": d["id"], "title": title, "zone": d["zone"], "zone_label": str(ZONE_LABELS[d["zone"]]),
            "meaning": str(ZONE_MEANINGS[d["zone"]]), "score_text": score_text(d, result["method"]),
            "percent": percent(d), "specialist": str(SPECIALISTS.get(d["specialist"], d["specialist"])),
            "warning": bool(d["warning_signs"]), "doubt": bool(d.get("warning_doubts")),
            "specialists": _domain_specialists(d, instrument),
        })
    # Most important first: areas to see a specialist about, then to practise, then the rest.
    ranked = sorted(domains, key=lambda d: (ZONE_ORDER[d["zone"]], d["percent"] if d["percent"] is not None else 0))
    activities = [{"title": d["title"], "zone": d["zone"], "zone_label": d["zone_label"],
                   "steps": [t.in_(lang) for t in band.activities_for(d["id"])]} for d in ranked]
    specialists = []
    for code in result.get("specialists", []):
        specialists.append({
            "label": str(SPECIALISTS.get(code, code)), "what": str(SPECIALIST_WHAT.get(code, "")),
            "domains": _reasons(code, result, domains, view, lang),
        })
    age = result.get("age") or {}
    used_text, used_why = age_used_text(age) if age else ("", "")
    child = view.child
    return {
        "lang": lang,
        "child_name": child.name if child else "",
        "birth_date": long_date(child.birth_date) if child else "",
        "screening_date": long_date(view.screening_date),
        "screening_date_iso": view.screening_date.isoformat(),
        "instrument_title": instrument.title.in_(lang),
        "instrument_description": instrument.description.in_(lang),
        "instrument_version": instrument.version,
        "instrument_ref": f"{instrument.id} v{instrument.version}",
        "band_label": band.label.in_(lang),
        "age_used": used_text,
        "age_used_why": used_why,
        "zone": result.get("zone", "incomplete"),
        "zone_label": str(ZONE_LABELS[result.get("zone", "incomplete")]),
        "domains": domains,
        "activities": activities,
        "specialists": specialists,
        "rescreen": rescreen_text(result["rescreen"]) if result else "",
        "answered_by": view.answered_by_name,
        "answered_by_role": role_label(view.answered_by_role),
        "method": result.get("method", ""),
        "several_areas": bool(result.get("several_areas")),
        "zone_guide": [{"zone": z, "label": str(ZONE_LABELS[z]), "meaning": str(m)} for z, m in ZONE_GUIDE],
        # The honesty notes every result carries (both languages go through the catalogue).
        "not_validated": gettext("This checklist has not yet been validated on children in Kazakhstan: its cut-offs "
                                 "come from international milestone ages and a model, not from a study here."),
    }


def history_chart(views: list[ScreeningView], lang: str) -> str:
    """Inline SVG of each points-scored domain's percent of maximum by the age used, in months."""
    series: dict[str, list[tuple[float, float]]] = {}
    labels: dict[str, str] = {}
    for view in views:
        result = view.result or {}
        if result.get("method") != "points":
            continue  # a count of concerns is not a score on the same scale
        used = result["age"]["used_age"]
        age = used["months"] + max(used["days"], 0) / 30.4
        for d in result["domains"]:
            p = percent(d)
            items = view.band.items_by_domain.get(d["id"], ())
            if p is None or (items and all(i.kind == "general" for i in items)):
                continue  # the general questions (worry, hearing...) are not a developmental score
            key = f"{view.instrument.id}:{d['id']}"
            labels[key] = view.instrument.domains_by_id[d["id"]].title.in_(lang)
            series.setdefault(key, []).append((round(age, 2), float(p)))
    if not series:
        return ""
    return domain_scores_svg(
        [Series(labels[k], tuple(v)) for k, v in series.items()],
        title=gettext("Scores by area, percent of the maximum, by age in months"),
        x_label=gettext("Age, months"), y_label=gettext("Percent of the maximum"))


def chart_rows(views: list[ScreeningView], lang: str) -> list[dict]:
    """The chart's numbers as table rows (for screen readers and for checking)."""
    rows = []
    for view in views:
        result = view.result or {}
        used = result.get("age", {}).get("used_age", {"months": 0, "days": 0})
        rows.append({
            "id": str(view.id), "date": long_date(view.screening_date),
            "age": age_span_text(used["months"], used["days"]),
            "instrument": view.instrument.title.in_(lang), "version": view.instrument.version,
            "zone_label": str(ZONE_LABELS[result.get("zone", "incomplete")]), "zone": result.get("zone", "incomplete"),
            "cells": [{"title": view.instrument.domains_by_id[d["id"]].title.in_(lang),
                       "text": score_text(d, result["method"]), "percent": percent(d),
                       "zone_label": str(ZONE_LABELS[d["zone"]])} for d in result.get("domains", [])],
            "answered_by": view.answered_by_name, "answered_by_role": role_label(view.answered_by_role),
        })
    return rows


def child_summary(db, keyring, child, role: str) -> dict | None:
    """For the parent's dashboard and the child page: checklists due now and the latest result.

    The caller has already checked access to `child` (a decrypted ChildView). A broken instruments folder
    hides the summary (and is logged) instead of breaking the child's page."""
    lang = current_lang()
    try:
        registry = load_registry(current_app.config["INSTRUMENTS_DIR"])
        due = [{"title": d.instrument.title.in_(lang), "band": d.band.label.in_(lang),
                "in_progress_id": d.in_progress_id, "completed_id": d.completed_id}
               for d in svc.due_for_child(db, registry, child)]
        latest = svc.latest_completed(db, keyring, registry, child.id, role)
    except InstrumentError:
        current_app.logger.exception("screening instruments could not be loaded")
        return None
    latest_ctx = None
    if latest is not None:
        result = latest.result or {}
        latest_ctx = {"id": latest.id, "title": latest.instrument.title.in_(lang),
                      "date": long_date(latest.screening_date),
                      "zone": result.get("zone", "incomplete"),
                      "zone_label": str(ZONE_LABELS[result.get("zone", "incomplete")])}
    return {"due": due, "latest": latest_ctx}
