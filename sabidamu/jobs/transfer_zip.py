"""The export job, in the pattern of the group PDF job (group_pdf.py): queue.py runs it in the
background and keeps the ZIP (the .sdcard files + index.txt, which names the children) sealed in the database.

Access and consent were checked in the request that started the job (and are checked again by the service in the
worker, which also writes the audit events and TransferPackage rows, child by child); the head's role in the
organization is checked again at the download.
"""
from __future__ import annotations

import io
import uuid
import zipfile

from .. import access
from ..services import AccessDenied
from ..services.transfer import export as svc
from ..services.transfer.export import INDEX_NAME, index_text
from . import queue as jobs

KIND = "transfer_zip"


def bundle(result) -> bytes:
    """One ZIP with every .sdcard file and index.txt (the packages are encrypted already: stored, not deflated)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for item in result.exported:
            archive.writestr(item.file_name, item.data, compress_type=zipfile.ZIP_STORED)
        archive.writestr(INDEX_NAME, index_text(result), compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def _may_download(db, user, job) -> str:
    if access.org_role(db, user, job.org_id) != "head":
        raise AccessDenied()
    return "head"


@jobs.kind(KIND, may_download=_may_download, mimetype="application/zip")
def _work(db, keyring, user, job, progress):
    target = dict(job.params["target"])
    if target.get("to_org_id"):
        target["to_org_id"] = uuid.UUID(target["to_org_id"])
    result = svc.export_cards(db, keyring, user, jobs.child_ids_of(job), lang=job.params["lang"],
                              progress=progress, **target)
    # index.txt names every child asked for (the refused ones too): all of them are in the file.
    return bundle(result), [c.child_id for c in result.children], {
        "exported": len(result.exported), "refused": len(result.children) - len(result.exported)}


def start_export_job(db, keyring, user, org_id: uuid.UUID, child_ids: list[uuid.UUID], target: dict, lang: str,
                     download_name: str) -> uuid.UUID:
    """`target`: the keyword arguments naming the school (to_org_id, or recipient + school_name + school_bin)."""
    target = {k: (str(v) if isinstance(v, uuid.UUID) else v) for k, v in target.items()}
    job = jobs.start(db, keyring, user, KIND, org_id=org_id, child_ids=child_ids,
                     params={"org_id": str(org_id), "lang": lang, "target": target, "download_name": download_name,
                             "exported": 0, "refused": 0})
    return job.id
