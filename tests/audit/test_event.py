"""Leaf bytes of a v2 event: the fast writer equals the generic canonical encoder, the HMAC detects changes, and
malformed events are refused when written."""
from __future__ import annotations

import datetime as dt
import random
import uuid

import pytest

from sabidamu.audit.chain import AuditFormatError
from sabidamu.audit.event import event_bytes, event_mac, mac_ok, reference_bytes

TEXTS = [None, "", "child.view", "ә ө ү ұ қ ғ ң һ і", 'quote " back \\ slash', "line\nbreak\ttab", "\u2028\u2029",
         "\x00\x1f control", "emoji \U0001F600"]


def _random_event(rng: random.Random) -> dict:
    def text():
        return rng.choice(TEXTS)
    detail = {rng.choice(["page", "fields", "b", "ä", "z"]): rng.choice([1, -2**53 + 1, True, None, "x", ["a", 2],
                                                                         {"k": "v"}]) for _ in range(rng.randrange(4))}
    return {"event_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "at": dt.datetime(2026, 12, 4, tzinfo=dt.UTC) + dt.timedelta(microseconds=rng.getrandbits(40)),
            "action": rng.choice(TEXTS[2:]), "actor_id": rng.choice([None, str(uuid.uuid4())]), "actor_role": text(),
            "org_id": rng.choice([None, str(uuid.uuid4())]), "object_type": text(),
            "object_id": rng.choice([None, str(uuid.uuid4())]), "detail": detail}


def test_fast_bytes_equal_the_canonical_encoder():
    rng = random.Random(13)
    for _ in range(2000):
        event = _random_event(rng)
        assert event_bytes(check=False, **event) == reference_bytes(**event)


def test_mac_detects_any_change():
    rng = random.Random(7)
    event = _random_event(rng)
    key = b"k" * 32
    data = event_bytes(**event)
    mac = event_mac(key, data)
    assert mac_ok(key, data, mac)
    assert not mac_ok(b"j" * 32, data, mac)
    assert not mac_ok(key, event_bytes(**dict(event, action="child.edit")), mac)
    assert not mac_ok(key, data, None)


@pytest.mark.parametrize("change", [
    {"event_id": "not-a-uuid"},
    {"at": dt.datetime(2026, 1, 1)},  # naive
    {"action": ""},
    {"detail": {"x": 0.5}},  # floats have several spellings
    {"detail": {1: "x"}},
    {"actor_id": uuid.uuid4()},  # must be str
])
def test_malformed_events_are_refused(change):
    event = dict(_random_event(random.Random(1)), **change)
    with pytest.raises(AuditFormatError):
        event_bytes(**event)
