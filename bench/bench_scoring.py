"""Screenings scored per second on one core, for a 30-item band (5 domains x 6 items).

Run: .venv/bin/python bench/bench_scoring.py [N]
Uses a synthetic instrument (built in memory and validated like a file), so it does not depend on the
content being finished.  Prints screenings/s for score() alone and for score() + to_dict().
"""

from __future__ import annotations

import random
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sabidamu.instruments import age_at, score  # noqa: E402
from sabidamu.instruments.loader import instrument_from_data  # noqa: E402
from sabidamu.instruments.validation import validate_data  # noqa: E402

DOMAINS = ["communication", "gross_motor", "fine_motor", "problem_solving", "personal_social"]
ITEMS_PER_DOMAIN = 6


def text(s: str) -> dict[str, str]:
    return {"kk": f"{s} (kk)", "ru": f"{s} (ru)"}


def synthetic_instrument():
    bands = []
    for index, (low, high) in enumerate([(1, 3), (3, 5), (5, 7), (7, 10), (10, 13)]):
        band_id = f"b{index}"
        bands.append({
            "id": band_id,
            "label": text(band_id),
            "min_age": {"months": low, "days": 0},
            "max_age": {"months": high, "days": 0},
            "items": [
                {"id": f"{band_id}-{d[:3]}-{i}", "domain": d, "text": text("q"), "source": "synthetic",
                 "warning_sign": i == 0}
                for d in DOMAINS for i in range(ITEMS_PER_DOMAIN)
            ],
            "activities": {d: [text("a"), text("b"), text("c")] for d in DOMAINS},
        })
    data = {
        "id": "bench", "version": 1, "title": text("t"), "description": text("d"),
        "answer_scale": {"yes": 10, "sometimes": 5, "not_yet": 0},
        "scoring": {"default": {"monitor_below": 0.75, "refer_below": 0.5}},
        "domains": [{"id": d, "title": text(d), "specialist": "pediatrician"} for d in DOMAINS],
        "bands": bands,
    }
    problems = validate_data(data, "bench.v1.yaml")
    assert not problems, problems
    return instrument_from_data(data, "bench.v1.yaml")


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    instrument = synthetic_instrument()
    age = age_at(date(2024, 1, 15), date(2024, 3, 20))  # band b0
    band = instrument.band_for(age)
    rng = random.Random(7)
    choices = ["yes", "yes", "yes", "sometimes", "not_yet", None]
    answer_sets = [
        {i.id: a for i in band.items if (a := rng.choice(choices)) is not None} for _ in range(200)
    ]
    for label, with_dict in (("score()", False), ("score() + to_dict()", True)):
        start = time.perf_counter()
        for k in range(n):
            result = score(instrument, band, answer_sets[k % len(answer_sets)], age)
            if with_dict:
                result.to_dict()
        elapsed = time.perf_counter() - start
        print(f"{label}: {n / elapsed:,.0f} screenings/s ({len(band.items)} items, n={n})")


if __name__ == "__main__":
    main()
