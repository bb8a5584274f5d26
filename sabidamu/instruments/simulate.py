"""Expected referral rates of an instrument under a documented model of typical development.

This is a MODEL, not a validation: it shows what the scoring rules do to children whose skills arrive at
the ages the sources give, not how the screen performs on real children in Kazakhstan.

Model (docs/screening.md, "Expected false-alarm rate"):

* A skill with ``age75`` (the age by which 75 % of children have it) and ``spread`` (SD, months) is
  attained at T = mu + spread * z, with mu = age75 - 0.674 * spread (so 75 % have it by age75).
* z = 0.5 * g + 0.5 * d + 0.7071 * e: g is the child's general pace, d the pace in the domain, e the
  skill's own noise (all standard normal), so skills of one child are correlated, and z is N(0, 1).
* The parent answers 'yes' from T on, 'sometimes' during the EMERGING_MONTHS (1) months before T, and
  'not yet' before that.  Opportunity items are assumed to have been seen.
* Items without an age (the general questions) are answered without concern: the model says nothing
  about how often parents worry or how often a hearing or vision problem is present.
* A "late" child attains every skill LATE_UNDER_24 (3) months after its age75 (the age the source says
  it is due) in bands starting below 24 months, LATE_FROM_24 (6) months after it from 24 months
  (``late_refer``).  A stricter reading, a typical child (with its own random pace) shifted by the same
  delay, is reported as ``late_shifted_refer``: it is partly inside the typical range.
* Ages are drawn uniformly over each band, from its first to its last day.
"""
from __future__ import annotations

import random
from typing import Any

from .model import Band, Instrument
from .scoring import overall, score_domains

EMERGING_MONTHS = 1.0
LATE_UNDER_24 = 3.0
LATE_FROM_24 = 6.0
DAYS_PER_MONTH = 30.4375


def late_by(band: Band) -> float:
    return LATE_UNDER_24 if band.min_age.months < 24 else LATE_FROM_24


def _answers(band: Band, age: float, delay: float, rng: random.Random, due: bool = False) -> dict[str, str]:
    """One child's answers.  ``due``: every skill is attained exactly ``delay`` months after its age75
    (the "late child" of the targets); otherwise the typical model, shifted by ``delay``."""
    g = rng.gauss(0.0, 1.0)
    pace = {d: rng.gauss(0.0, 1.0) for d in band.items_by_domain}
    answers: dict[str, str] = {}
    for item in band.items:
        if item.age75 is None or item.spread is None:
            answers[item.id] = "not_yet" if item.reverse else "yes"
            continue
        z = 0.5 * g + 0.5 * pace[item.domain] + 0.7071 * rng.gauss(0.0, 1.0)
        if due:
            attained = item.age75 + delay
        else:
            attained = item.age75 - 0.674 * item.spread + item.spread * z + delay
        if age >= attained:
            answer = "yes"
        elif age >= attained - EMERGING_MONTHS:
            answer = "sometimes"
        else:
            answer = "not_yet"
        if item.reverse:
            answer = {"yes": "not_yet", "not_yet": "yes"}.get(answer, answer)
        answers[item.id] = answer
    return answers


def _band_age(band: Band, rng: random.Random) -> float:
    low = band.min_age.months + band.min_age.days / DAYS_PER_MONTH
    high = band.max_age.months + band.max_age.days / DAYS_PER_MONTH - 1 / DAYS_PER_MONTH
    return rng.uniform(low, high)


def _run(instrument: Instrument, band: Band, children: int, delay: float, rng: random.Random,
         due: bool = False) -> tuple[dict[str, int], dict[str, int], int]:
    refer: dict[str, int] = {}
    monitor: dict[str, int] = {}
    any_refer = 0
    for _ in range(children):
        age = _band_age(band, rng)
        results = score_domains(instrument, band, _answers(band, age, delay, rng, due), age_months=age)
        for r in results:
            refer[r.id] = refer.get(r.id, 0) + (r.zone == "refer")
            monitor[r.id] = monitor.get(r.id, 0) + (r.zone == "monitor")
        any_refer += overall(instrument, band, results)[0] == "refer"
    return refer, monitor, any_refer


def simulate(instrument: Instrument, children: int = 1000, seed: int = 20261204) -> dict[str, Any]:
    """Shares (0-1) of 'refer' and 'monitor' per band and domain for typical and late children."""
    rng = random.Random(seed)
    bands: list[dict[str, Any]] = []
    late_bands: list[dict[str, Any]] = []
    any_refer: dict[str, float] = {}
    late_refer: dict[str, float] = {}
    shifted_refer: dict[str, float] = {}
    for band in instrument.bands:
        runs: tuple[tuple[float, bool, list[dict[str, Any]], dict[str, float]], ...] = (
            (0.0, False, bands, any_refer),
            (late_by(band), True, late_bands, late_refer),
            (late_by(band), False, [], shifted_refer),
        )
        for delay, due, rows, totals in runs:
            refer, monitor, overall = _run(instrument, band, children, delay, rng, due)
            for domain_id in instrument.domain_ids_in(band):
                rows.append({"band": band.id, "domain": domain_id,
                             "refer": round(refer[domain_id] / children, 4),
                             "monitor": round(monitor[domain_id] / children, 4)})
            totals[band.id] = round(overall / children, 4)
    return {"instrument": {"id": instrument.id, "version": instrument.version}, "children": children,
            "seed": seed, "bands": bands, "any_refer": any_refer, "late_refer": late_refer,
            "late_bands": late_bands, "late_shifted_refer": shifted_refer}
