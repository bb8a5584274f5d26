"""The card's handover through the API: export a .sdcard to a school's key, import it as the school's client;
the same checks as the web (consent for that school, scope, organization, the package's own checks)."""
from __future__ import annotations

import base64

import pytest
from sqlmodel import select

from sabidamu.models import ImportedCard
from sabidamu.services import consent as consent_svc
from sabidamu.services.api.clients import create_client
from tests.factories import add_member, make_org, make_user
from tests.support.audit import audit_events


@pytest.fixture
def handover(app, client, db, keyring, world):
    world.orgs["org1"].bin, world.orgs["org2"].bin = "990140001111", "990140002222"
    school = make_org(db, keyring, "School 45", kind="school")
    school.bin = "990140005555"
    add_member(db, make_user(db, "schoolhead@example.kz"), school, "head")
    db.commit()

    def token(org, scopes):
        made = create_client(db, None, org.id, scopes, "Regional system")
        db.commit()
        basic = base64.b64encode(f"{made.client.id}:{made.secret}".encode()).decode()
        r = client.post("/api/v1/oauth/token", data={"grant_type": "client_credentials"},
                        headers={"Authorization": f"Basic {basic}"})
        assert r.status_code == 200, r.get_data(as_text=True)
        return r.json["access_token"]

    def post(path, tok, lang="kk", **kw):
        return client.post(path, headers={"Authorization": f"Bearer {tok}", "Accept-Language": lang}, **kw)

    def consent():
        consent_svc.give(db, keyring, world.users["parentA"], world.children["A"].id, purpose="school_transfer",
                         recipient=consent_svc.Recipient(school.id), parts=[])
        db.commit()

    return school, token, post, consent


def test_export_without_consent_is_refused_in_the_clients_language(world, handover):
    school, token, post, _consent = handover
    tok = token(world.orgs["org1"], ["transfer:write"])
    path = f"/api/v1/children/{world.children['A'].id}/sdcard"
    r = post(path, tok, lang="ru", json={"to_org_id": str(school.id)})
    assert r.status_code == 422 and r.mimetype == "application/problem+json"
    assert r.json["reason"] == "export_no_consent"
    assert r.json["detail"] == "Нет согласия родителя на передачу карты в эту школу."
    r = post(path, tok, lang="kk", json={"to_org_id": str(school.id)})
    assert r.json["reason"] == "export_no_consent" and r.headers["Content-Language"] == "kk"
    assert r.json["detail"] != "Нет согласия родителя на передачу карты в эту школу."


def test_export_then_import_as_the_school(db, world, handover):
    school, token, post, consent = handover
    consent()
    r = post(f"/api/v1/children/{world.children['A'].id}/sdcard", token(world.orgs["org1"], ["transfer:write"]),
             json={"to_org_id": str(school.id)})
    assert r.status_code == 200, r.get_data(as_text=True)
    assert r.mimetype == "application/vnd.sabidamu.sdcard" and r.headers["Cache-Control"] == "no-store"
    package, package_id = r.data, r.headers["X-Package-Id"]
    school_token = token(school, ["transfer:write"])
    r = post("/api/v1/imports", school_token, data=package, content_type="application/vnd.sabidamu.sdcard")
    assert r.status_code == 200, r.get_data(as_text=True)
    [line] = r.json["results"]
    assert (line["status"], line["package_id"], line["child_id"]) == ("imported", package_id,
                                                                      str(world.children["A"].id))
    assert db.exec(select(ImportedCard).where(ImportedCard.child_id == world.children["A"].id)).first() is not None
    again = post("/api/v1/imports", school_token, data=package, content_type="application/vnd.sabidamu.sdcard")
    assert again.json["results"][0]["status"] == "already_imported"
    export, = audit_events(db, "api.export")
    imports = audit_events(db, "api.import")
    assert export.actor_role == "api_client" and export.object_id == world.children["A"].id
    assert [e.actor_role for e in imports] == ["api_client", "api_client"]
    assert imports[0].detail["client_id"] != export.detail["client_id"]


def test_tampered_package_is_rejected_like_the_web_import(world, handover):
    school, token, post, consent = handover
    consent()
    package = post(f"/api/v1/children/{world.children['A'].id}/sdcard",
                   token(world.orgs["org1"], ["transfer:write"]), json={"to_org_id": str(school.id)}).data
    broken = package[:-10] + bytes(10)
    r = post("/api/v1/imports", token(school, ["transfer:write"]), data=broken,
             content_type="application/vnd.sabidamu.sdcard")
    assert r.status_code == 200
    assert r.json["results"][0]["status"] == "rejected" and r.json["results"][0]["code"]


def test_scope_organization_and_kind_are_checked(world, handover):
    school, token, post, consent = handover
    consent()
    child_path = f"/api/v1/children/{world.children['A'].id}/sdcard"
    body = {"to_org_id": str(school.id)}
    assert post(child_path, token(world.orgs["org1"], ["cards:read"]), json=body).status_code == 403
    assert post(child_path, token(world.orgs["org2"], ["transfer:write"]), json=body).status_code == 403
    # A kindergarten's client cannot import; a school's client without the scope neither.
    kg = post("/api/v1/imports", token(world.orgs["org1"], ["transfer:write"]), data=b"x",
              content_type="application/vnd.sabidamu.sdcard")
    assert kg.status_code == 403 and kg.mimetype == "application/problem+json"
    assert post("/api/v1/imports", token(school, ["roster:read"]), data=b"x").status_code == 403
    empty = post("/api/v1/imports", token(school, ["transfer:write"]), data=b"")
    assert empty.status_code == 422 and empty.json["reason"] == "no_files"


def test_export_body_must_be_json(world, handover):
    school, token, post, _consent = handover
    tok = token(world.orgs["org1"], ["transfer:write"])
    path = f"/api/v1/children/{world.children['A'].id}/sdcard"
    assert post(path, tok, data="to_org_id=1").status_code == 415
    r = post(path, tok, json={"to_org_id": "not-a-uuid"})
    assert r.status_code == 422 and r.mimetype == "application/problem+json"


def test_the_handover_is_in_the_openapi_document_and_the_page(client):
    document = client.get("/api/v1/openapi.json").json
    assert document["paths"]["/api/v1/children/{child_id}/sdcard"]["post"]["security"] == [
        {"oauth2": ["transfer:write"]}]
    assert "ImportResults" in document["components"]["schemas"]
    page = client.get("/api/v1/docs", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert "/api/v1/imports" in page


def test_a_group_exports_zip_is_imported_package_by_package(world, handover):
    import io
    import zipfile
    school, token, post, consent = handover
    consent()
    package = post(f"/api/v1/children/{world.children['A'].id}/sdcard",
                   token(world.orgs["org1"], ["transfer:write"]), json={"to_org_id": str(school.id)}).data
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("Aliya-A_card.sdcard", package)
        archive.writestr("index.txt", "who is in which file")
    r = post("/api/v1/imports", token(school, ["transfer:write"]), data=buffer.getvalue(),
             content_type="application/zip")
    assert r.status_code == 200, r.get_data(as_text=True)
    by_file = {line["file"]: line["status"] for line in r.json["results"]}
    assert by_file == {"upload.zip › Aliya-A_card.sdcard": "imported"}  # the index is read by people only


def test_export_to_a_key_the_school_gave_opens_with_that_key_only(db, keyring, world, handover):
    from sabidamu.crypto import agekeys
    from sabidamu.crypto.package import PackageError, open_package
    from sabidamu.models import TransferPackage
    from sabidamu.services.transfer import keys as transfer_keys
    school, token, post, consent = handover
    consent()
    pair = agekeys.generate_identity()
    tok = token(world.orgs["org1"], ["transfer:write"])
    path = f"/api/v1/children/{world.children['A'].id}/sdcard"
    bad = post(path, tok, lang="ru", json={"recipient": "age1nonsense", "school_name": "Школа 45",
                                           "school_bin": "990140005555"})
    assert bad.status_code == 422 and bad.json["reason"] == "bad_recipient"
    r = post(path, tok, json={"recipient": pair.recipient, "school_name": "Школа 45", "school_bin": "990140005555"})
    assert r.status_code == 200, r.get_data(as_text=True)

    def sender_key(manifest):
        found = transfer_keys.sender_public_key(db, manifest["sender"]["signing_key_fingerprint"])
        return found[1] if found else None
    opened = open_package(r.data, identities=[pair.identity], resolve_sender_key=sender_key)
    assert opened.card["child"]["full_name"] == "Әлия Ахметова"
    with pytest.raises(PackageError):
        open_package(r.data, identities=[agekeys.generate_identity().identity], resolve_sender_key=sender_key)
    # An uploaded key: nothing lands in the school's inbox.
    assert db.exec(select(TransferPackage).where(TransferPackage.direction == "inbox")).all() == []
