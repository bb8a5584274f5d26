"""A parent's data export as a person makes it: the button (a job starts, 303 to its page), the page says the file
is ready (tests run the queue's tasks at once), the one download."""
from __future__ import annotations


def export_zip(client, child_id):
    """The ZIP download's response after the whole journey; asserts each step."""
    started = client.post(f"/account/children/{child_id}/export")
    assert started.status_code == 303, started.status_code
    page_url = started.headers["Location"]
    assert "/account/exports/" in page_url
    page = client.get(page_url)
    assert page.status_code == 200 and f"{page_url}/download" in page.text, page.text[:2000]
    download = client.get(f"{page_url}/download")
    assert download.status_code == 200 and download.mimetype == "application/zip"
    again = client.get(f"{page_url}/download")
    assert again.status_code == 404  # read once: the sealed result is gone
    return download
