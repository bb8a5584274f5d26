"""The reminders' one entry point: `run_reminders(app) -> int`, run hourly by the task queue (jobs/tasks.py) and by
`flask reminders send`. It writes every reminder due today (Kazakhstan's date), each occasion once, then mails the
ones not mailed yet. The logic is in services/reminders.py."""
from __future__ import annotations

import datetime as dt

from ..models.base import KAZAKHSTAN_TIME
from ..services import reminders


def run_reminders(app, now: dt.datetime | None = None) -> int:
    """Writes and mails the reminders due at `now` (default: the current time); returns how many were written."""
    from ..db import session_scope
    moment = now or dt.datetime.now(dt.UTC)
    today = (moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)).astimezone(KAZAKHSTAN_TIME).date()
    keyring = app.extensions["sabidamu.keyring"]
    with app.app_context(), session_scope(app.extensions["sabidamu.engine"]) as db:
        made = reminders.collect(db, keyring, today)
        reminders.mail_pending(db, keyring, app.config["SETTINGS"])
    return made
