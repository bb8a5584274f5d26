"""Helpers of the school-side tests (tests/school): uploading .sdcard files or a ZIP through the import page."""
from __future__ import annotations

import io


def upload(client, org_id, files):
    """Posts (name, bytes) pairs to the school's import page as one multipart upload."""
    data = {"files": [(io.BytesIO(content), name) for name, content in files]}
    return client.post(f"/orgs/{org_id}/school/import", data=data, content_type="multipart/form-data")
