"""The group PDF job: the cards of a group rendered as one PDF in the background (queue.py runs it and keeps the
result sealed in the database).

Access to the group was checked and audited (group.pdf) in the request that started the job; each child is
checked again while the cards are assembled, and the group again at the download.
"""
from __future__ import annotations

import uuid

from .. import access
from ..rendering.cards import render_group_pdf
from ..services import cards as cards_svc
from . import queue as jobs

KIND = "group_pdf"


def _may_download(db, user, job) -> str:
    _group, role = cards_svc.group_access(db, user, uuid.UUID(job.params["group_id"]))
    return role


@jobs.kind(KIND, may_download=_may_download, mimetype="application/pdf")
def _work(db, keyring, user, job, progress):
    requested = jobs.child_ids_of(job)
    body = render_group_pdf(cards_svc.group_cards_data(db, keyring, user, requested, job.params["lang"]), progress)
    # The children whose card is in the file: those group_cards_data let through (same check, same session).
    included = [c for c in requested if access.child_view_role(db, user, c, part="card") in cards_svc.CARD_ROLES]
    return body, included, {"cards": len(included)}


def start_group_job(db, keyring, user, group, child_ids: list[uuid.UUID], lang: str, download_name: str) -> uuid.UUID:
    job = jobs.start(db, keyring, user, KIND, org_id=group.org_id, child_ids=child_ids,
                     params={"group_id": str(group.id), "lang": lang, "download_name": download_name})
    return job.id
