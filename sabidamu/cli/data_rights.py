"""`flask data-rights process`: carry out the deletions whose retention period has ended (run daily from cron)."""
from __future__ import annotations

from flask.cli import AppGroup

from .. import db as dbmod
from . import context
from .context import finish

data_rights_cli = AppGroup("data-rights", help="Parents' requests to delete a child's data.")


@data_rights_cli.command("process")
def data_rights_process():
    """Delete the children's data whose retention period has ended (run daily from cron)."""
    from ..services.data_rights import process_due
    with dbmod.session_scope(context.engine()) as s:
        done = process_due(s, context.keyring())
    finish(0, f"{done} deletion requests carried out")
