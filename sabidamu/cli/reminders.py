"""`flask reminders send [--now ISO]`: write and mail the reminders due now (the task queue runs the same hourly)."""
from __future__ import annotations

import datetime as dt

import click
from flask import current_app
from flask.cli import AppGroup

from .context import finish

reminders_cli = AppGroup("reminders", help="Reminders by e-mail and in-app notice.")


@reminders_cli.command("send")
@click.option("--now", "now", default=None, help="The moment to act as if it were (ISO 8601, e.g. 2026-10-25 or "
                                                  "2026-10-25T09:00+05:00); default: now.")
def reminders_send(now):
    """Write every reminder due now (each occasion once) and mail those not mailed yet."""
    from ..jobs.reminders import run_reminders
    moment = None
    if now:
        try:
            moment = dt.datetime.fromisoformat(now)
        except ValueError:
            raise click.BadParameter(f"not an ISO 8601 date or time: {now!r}", param_hint="--now") from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.timezone(dt.timedelta(hours=5)))  # a plain date is Kazakhstan's
    made = run_reminders(current_app._get_current_object(), moment)
    finish(0, f"{made} reminders written")
