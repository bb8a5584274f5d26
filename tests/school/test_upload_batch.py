"""Issue 9.4 and 10.7: the school uploads the ZIP the kindergarten downloaded (and several .sdcard files); each
package is imported in its own transaction and gets one line that says truthfully what happened to it, in plain
words of the user's language; a hostile ZIP or a failure inside one file never takes the others down (no 500)."""
from __future__ import annotations

import io
import stat
import zipfile

import pytest

from sabidamu.services.transfer import importing as svc
from tests.support.auth import sign_in_with_password
from tests.support.i18n import t
from tests.support.school import upload

from .conftest import audit_actions, counts


def _zip(entries, modes=None) -> bytes:
    """Like sabidamu/jobs/transfer_zip.bundle: packages stored as they are, plus index.txt."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries:
            info = zipfile.ZipInfo(name, date_time=(2026, 12, 4, 10, 0, 0))
            info.create_system = 3
            info.external_attr = (modes or {}).get(name, stat.S_IFREG | 0o644) << 16
            archive.writestr(info, content)
    return buffer.getvalue()


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_the_kindergartens_zip_is_imported_one_line_per_package(app, client, db, ctx, lang):
    sign_in_with_password(client, "schoolhead@example.kz")
    client.post("/lang", data={"lang": lang})
    b = ctx.build
    first, second = b.new_child(name="Дана Серікова"), b.new_child(name="Арман Әлиев")
    bundle = _zip([("card-1.sdcard", b.build(first)), ("card-2.sdcard", b.build(second)),
                   ("index.txt", "Мектеп: School One\n".encode()), ("notes.docx", b"PK..."),
                   ("link.sdcard", b"/etc/passwd")], modes={"link.sdcard": stat.S_IFLNK | 0o777})
    response = upload(client, ctx.school.id, [("cards-for-school-kk.zip", bundle)])
    page = response.get_data(as_text=True)
    assert response.status_code == 422  # two entries were refused; the packages are in
    assert counts(db)["imported_card"] == 2
    assert "cards-for-school-kk.zip › card-1.sdcard" in page and "Дана Серікова" in page and "Арман Әлиев" in page
    assert page.count(t(app, "The card has been imported.", lang)) == 2
    assert t(app, "This file in the ZIP file is not a card package, so it was skipped.", lang) in page
    assert t(app, "The package holds a link, a folder or a device instead of an ordinary file, so it was refused.",
             lang) in page
    assert "index.txt" not in page and "not_regular_file" not in page and "not_a_package" not in page


def test_zip_twice_says_already_imported(client, db, ctx, app):
    sign_in_with_password(client, "schoolteacher@example.kz")
    bundle = _zip([("card-1.sdcard", ctx.build.build())])
    assert upload(client, ctx.school.id, [("a.zip", bundle)]).status_code == 200
    again = upload(client, ctx.school.id, [("a.zip", bundle), ("b.zip", bundle)]).get_data(as_text=True)
    assert again.count(t(app, "This card has already been imported; nothing was changed.")) == 2
    assert counts(db)["imported_card"] == 1


def test_hostile_zips_are_refused_in_plain_words(app, client, db, ctx):
    sign_in_with_password(client, "schoolteacher@example.kz")
    broken = _zip([("card-1.sdcard", ctx.build.build())])[:-30]
    too_many = _zip([(f"card-{i}.sdcard", b"age") for i in range(205)])
    traversal = _zip([("../card.sdcard", b"age")])
    before = counts(db)
    page = upload(client, ctx.school.id, [("broken.zip", broken), ("many.zip", too_many),
                                          ("evil.zip", traversal)]).get_data(as_text=True)
    assert t(app, "This ZIP file is damaged and cannot be opened.") in page
    assert t(app, "The ZIP file holds too many files: at most %(count)s card packages at once.", count=200) in page
    assert t(app, "The ZIP file holds a file with a forbidden name, so it was refused.") in page
    assert counts(db)["imported_card"] == before["imported_card"]
    codes = [d.get("code") for a, d in audit_actions(db) if a == "card.import_rejected"]
    assert codes == ["bundle_not_zip", "bundle_too_many_entries", "bundle_unsafe_path"]


def test_one_failing_file_does_not_take_the_others_down(app, client, db, ctx, monkeypatch):
    """A fault inside the second of three files (injected): the first and the third are imported, each in its own
    transaction; the second's line says it was not imported and nothing of it was saved."""
    sign_in_with_password(client, "schoolteacher@example.kz")
    b = ctx.build
    files = [("a.sdcard", b.build(b.new_child(name="Бірінші"))), ("b.sdcard", b.build(b.new_child(name="Екінші"))),
             ("c.sdcard", b.build(b.new_child(name="Үшінші")))]
    real = svc._store_card
    calls = []

    def store(db_, keyring_, org, opened, actor, role):
        calls.append(opened.manifest["child"]["full_name"])
        card = real(db_, keyring_, org, opened, actor, role)
        if len(calls) == 2:
            raise RuntimeError("disk full")  # after the child and the card were added: all must roll back
        return card

    monkeypatch.setattr(svc, "_store_card", store)
    before = counts(db)
    response = upload(client, ctx.school.id, files)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Бірінші" in page and "Үшінші" in page and "Екінші" not in page
    assert t(app, "This file could not be imported because of an error in the application; nothing of it was "
                  "saved. Try again later or tell the administrator.") in page
    after = counts(db)
    assert after["imported_card"] == before["imported_card"] + 2 and after["child"] == before["child"] + 2
    assert [a for a, _ in audit_actions(db)].count("card.import_failed") == 1


def test_a_race_with_another_upload_of_the_same_package_is_reported_truthfully(db, keyring, ctx, monkeypatch):
    """Two uploads of one package at the same instant: the second passes the 'already imported?' check before the
    first commits, then hits the unique constraint. Simulated by hiding the first import from that check once."""
    from sabidamu.services.transfer import batch as transfer_batch
    data = ctx.build.build()
    first = transfer_batch.import_upload(db, keyring, ctx.school.id, [("a.sdcard", data)], ctx.head)
    assert first[0].result.status == "imported"
    real, calls = svc._already, []

    def blind_once(*args):
        calls.append(1)
        return None if len(calls) == 1 else real(*args)

    monkeypatch.setattr(svc, "_already", blind_once)
    before = counts(db)
    (line,) = transfer_batch.import_upload(db, keyring, ctx.school.id, [("b.sdcard", data)], ctx.head)
    assert (line.result.status, line.result.child_id) == ("already_imported", first[0].result.child_id)
    assert counts(db) == before


def test_the_command_line_imports_the_kindergartens_zip(app, db, ctx, tmp_path):
    import json as _json
    path = tmp_path / "cards.zip"
    path.write_bytes(_zip([("card-1.sdcard", ctx.build.build()), ("index.txt", b"x")]))
    result = app.test_cli_runner().invoke(args=["cards", "import", "--org", str(ctx.school.id), str(path)])
    lines = [_json.loads(x) for x in result.output.splitlines() if x.startswith("{")]
    assert result.exit_code == 0, result.output
    assert [(x["file"], x["status"]) for x in lines] == [(f"{path} › card-1.sdcard", "imported")]
