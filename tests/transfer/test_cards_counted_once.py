"""The analytics' "cards handed to schools" counts a card once. Found while storing the analytics tables: a card sent
to a school of this installation has two rows (the kindergarten's export row and the school's inbox row), both with
the kindergarten as sender, and the count took both (2 for one card)."""
from __future__ import annotations

import datetime as dt

from sqlmodel import select

from sabidamu.models import TransferPackage
from sabidamu.models.analytics import AnalyticsChange
from sabidamu.monitoring.academic_calendar import academic_year_of
from sabidamu.services.analytics import tables
from tests.support.analytics import forget_marks
from tests.support.transfer import export_on_paper_consent


def test_a_card_handed_to_a_school_here_counts_once(app, db, keyring, handover):
    export_on_paper_consent(app, db, keyring, handover, parts=())
    rows = db.exec(select(TransferPackage).where(TransferPackage.sender_org_id == handover.org.id)).all()
    assert sorted(r.direction for r in rows) == ["export", "inbox"]  # one card, two rows
    year = academic_year_of(dt.date.today())
    counts = tables.card_counts(db, [handover.org.id], year)
    assert counts == {("org", handover.org.id): {"cards": 1}}


def test_a_handed_card_marks_the_kindergartens_year(app, db, keyring, handover):
    forget_marks(db)  # the fixture's own saves marked already
    export_on_paper_consent(app, db, keyring, handover, parts=())
    db.expire_all()
    marks = [(m.org_id, m.academic_year, m.part) for m in db.exec(select(AnalyticsChange)).all()]
    assert marks == [(handover.org.id, academic_year_of(dt.date.today()), "year")]
