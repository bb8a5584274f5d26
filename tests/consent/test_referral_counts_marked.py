"""A referral and a specialist's conclusion change the district analytics' referral counts: each marks the receiving
organization's year (the referral's year: "seen" counts there too) for the periodic refresh."""
from __future__ import annotations

from sqlmodel import select

from sabidamu.models.analytics import AnalyticsChange
from sabidamu.services import consent as consent_svc
from sabidamu.services import referrals as svc
from sabidamu.services.analytics.tables import academic_year_at
from tests.support.analytics import forget_marks


def _marks(db):
    db.expire_all()
    return sorted((m.org_id, m.academic_year, m.part) for m in db.exec(select(AnalyticsChange)).all())


def test_a_referral_and_its_conclusion_mark_the_receiving_organization(spec, db, keyring):
    w = spec
    forget_marks(db)
    ref = svc.create_referral(db, keyring, w.users["parentA"], w.children["A"].id,
                              recipient=consent_svc.Recipient(w.orgs["org1"].id, w.users["speech1"].id),
                              reason="r", consent=True, parts=[])
    year = academic_year_at(ref.created_at)
    assert _marks(db) == [(w.orgs["org1"].id, year, "year")]
    forget_marks(db)
    svc.add_conclusion(db, keyring, w.users["speech1"], w.children["A"].id, referral_id=ref.id,
                       conclusion="Жазба / Запись", recommendations="Ұсыныс / Совет")
    assert _marks(db) == [(w.orgs["org1"].id, year, "year")]
