"""A specialist lands on their list of referred children after sign-in and from the home page."""
from __future__ import annotations

from tests.support.auth import AuthActions, sign_in_with_password


def test_specialist_signs_in_and_lands_on_the_referred_children(spec, client):
    answer = sign_in_with_password(client, "psy@example.kz")
    assert answer.status_code == 302
    home = client.get(answer.headers["Location"])
    assert home.status_code == 302 and home.headers["Location"].endswith("/specialist")
    assert client.get("/specialist").status_code == 200


def test_home_sends_a_specialist_to_the_list_and_a_head_to_the_organization(spec, client, db):
    w = spec
    AuthActions(client, db).sign_in(w.users["psy"])
    assert client.get("/").headers["Location"].endswith("/home")
    assert client.get("/home").headers["Location"].endswith("/specialist")
    AuthActions(client, db).sign_in(w.users["head1"])
    assert client.get("/home").headers["Location"].endswith(f"/orgs/{w.orgs['org1'].id}")
