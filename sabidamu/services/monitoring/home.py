"""Home observations: a guardian's short notes the teacher sees on the grid."""
from __future__ import annotations

import uuid

from sqlmodel import Session, select

from ... import access
from ...crypto.keyring import Keyring
from ...models import Child, User
from ...models.enums import Role
from ...models.monitoring import HomeObservation
from .. import AccessDenied, ServiceError, fetch
from ..audit import record
from ..children import open_child
from .base import MAX_OBSERVATION_CHARS, framework
from .grid import Observation

# -- home observations -----------------------------------------------------------------------------

def add_home_observation(db: Session, keyring: Keyring, user: User, child_id: uuid.UUID, text: str,
                         skill_group: str | None) -> HomeObservation:
    """A guardian's short note about the child at home, optionally tied to a skill group."""
    child = fetch(db, Child, child_id)
    if not access.is_guardian(db, user, child_id):
        raise AccessDenied()
    text = (text or "").strip()
    if not text:
        raise ServiceError("observation_empty", field="text")
    if len(text) > MAX_OBSERVATION_CHARS:
        raise ServiceError("observation_too_long", field="text", max=MAX_OBSERVATION_CHARS)
    if skill_group:
        if skill_group not in framework().skill_group_ids:
            raise ServiceError("unknown_skill_group", field="skill_group")
    else:
        skill_group = None
    row = HomeObservation(id=uuid.uuid4(), child_id=child.id, key_id=child.key_id, author_id=user.id,
                          skill_group=skill_group)
    row.text_ct = keyring.seal(row.key_id, row.__tablename__, row.id, "text", text)
    db.add(row)
    db.flush()
    record(db, user, "home_observation.create", role=Role.PARENT, object_type="home_observation", object_id=row.id,
           detail={"child_id": str(child.id)})
    db.commit()
    return row


def home_observations_of_parent(db: Session, keyring: Keyring, user: User,
                               child_id: uuid.UUID) -> tuple[str, list[Observation]]:
    """The child's name and the notes this guardian wrote (for the form page)."""
    child = fetch(db, Child, child_id)
    if not access.is_guardian(db, user, child_id):
        raise AccessDenied()
    rows = db.exec(select(HomeObservation).where(HomeObservation.child_id == child_id,
                                                 HomeObservation.author_id == user.id)
                   .order_by(HomeObservation.created_at.desc()).limit(20)).all()
    notes = [Observation(id=r.id, child_id=r.child_id, skill_group=r.skill_group,
                         text=keyring.open(r.__tablename__, r.id, "text", r.text_ct) or "", created_at=r.created_at)
             for r in rows]
    return open_child(keyring, child, ("name", "birth_date")).name, notes
