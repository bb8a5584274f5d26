"""PostgreSQL: a paper consent's check against revocations and a revocation committed meanwhile are serialized
(both lock the child's row), so an old form cannot slip in while the guardian is revoking."""
from __future__ import annotations

import datetime as dt
import threading

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from sabidamu.models import Child, Consent
from sabidamu.models.base import utcnow
from sabidamu.services import ServiceError
from sabidamu.services import consent as svc
from tests.conftest import TEST_DB

pytestmark = pytest.mark.skipif(TEST_DB != "postgresql", reason="row locks: PostgreSQL only")


def test_an_old_form_recorded_while_the_guardian_revokes_is_refused(spec, app, db, keyring):
    w = spec
    engine = app.extensions["sabidamu.engine"]
    consent = svc.give(db, keyring, w.users["parentA"], w.children["A"].id, purpose="kindergarten_monitoring",
                       recipient=svc.Recipient(w.orgs["org1"].id), parts=[])
    child_id, consent_id, head_id = w.children["A"].id, consent.id, w.users["head1"].id
    db.rollback()
    revoking = Session(engine)  # the guardian's revocation, holding the child's row lock, not committed yet
    revoking.exec(select(Child.id).where(Child.id == child_id).with_for_update()).first()
    revoking.get(Consent, consent_id).revoked_at = utcnow()
    revoking.flush()
    outcome = {}

    def record():
        with Session(engine) as s:
            try:
                from sabidamu.models import User
                svc.record_paper(s, keyring, s.get(User, head_id), child_id, org_id=w.orgs["org1"].id,
                                 purpose="kindergarten_monitoring", for_me=False, parts=[],
                                 paper_date=dt.date.today() - dt.timedelta(days=3), guardian_name="X")
                outcome["result"] = "recorded"
            except ServiceError as exc:
                outcome["result"] = exc.code

    worker = threading.Thread(target=record)
    worker.start()
    with engine.connect() as watch:  # wait until the recording waits for the child's row lock
        for _ in range(600):
            waiting = watch.execute(sa.text("SELECT count(*) FROM pg_locks WHERE NOT granted")).scalar()
            if waiting or not worker.is_alive():
                break
            worker.join(0.05)
    revoking.commit()
    revoking.close()
    worker.join(30)
    assert outcome["result"] == "paper_before_revocation"
