"""Helpers of the screening tests (importable: tests.support.screening)."""
from __future__ import annotations

import datetime as dt

from sabidamu.instruments import add_months_clamped
from tests.factories import make_child

DEV = "test-dev-screen"
SC = "test-social-communication"
DEV_COM = [f"m04-com-{i}" for i in range(1, 6)]
DEV_GM = [f"m04-gm-{i}" for i in range(1, 6)]


def born_months_ago(months: int, days: int = 10, today: dt.date | None = None) -> dt.date:
    """A birth date giving the age `months` m `days` d today (the engine's calendar rule)."""
    today = today or dt.date.today()
    return add_months_clamped(today, -months) - dt.timedelta(days=days)


def baby(db, keyring, name="Әлихан Сәрсенов", months=4, **kw):
    """A child aged `months` m 10 d today (4 months: the fixture dev screen's band m04)."""
    child = make_child(db, keyring, name, birth=born_months_ago(months), **kw)
    db.commit()
    return child


def answers_form(version, answers: dict, action="next", stage="answers", **extra) -> dict:
    data = {"version": str(version), "stage": stage, "action": action}
    data.update({f"a-{k}": v for k, v in answers.items()})
    data.update(extra)
    return data
