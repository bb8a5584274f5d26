"""Signed checkpoints: file format, signature checks, and detection of truncation and rewrites."""

from __future__ import annotations

import dataclasses
import json
import os
import stat
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from sabidamu.audit.chain import GENESIS_HASH, AuditRecord, next_hash, verify_chain
from sabidamu.audit.checkpoint import (
    MESSAGE_PREFIX,
    CheckpointError,
    CheckpointSigner,
    append_checkpoint,
    check_against_checkpoints,
    checkpoint_anchors,
    checkpoint_message,
    generate_keypair,
    public_key_from_private,
    read_checkpoints,
)

T0 = datetime(2025, 9, 1, 8, 0, tzinfo=UTC)


def build_chain(n: int, rewrite_seq: int | None = None) -> list[tuple[AuditRecord, bytes]]:
    rows, prev = [], GENESIS_HASH
    for seq in range(1, n + 1):
        record = AuditRecord(seq=seq, event_id=str(uuid.UUID(int=seq)), at=T0 + timedelta(seconds=seq),
                             actor_id="u-1", actor_role="head", org_id="org-1", action="card.view",
                             object_type="card", object_id=f"c-{seq}", detail={})
        if seq == rewrite_seq:
            record = dataclasses.replace(record, actor_id="u-someone-else")
        prev = next_hash(prev, record)
        rows.append((record, prev))
    return rows


@pytest.fixture(scope="module")
def keys():
    private, public = generate_keypair()
    return private, public


@pytest.fixture
def signer(keys):
    return CheckpointSigner(keys[0], "audit-2025")


@pytest.fixture(scope="module")
def chain():
    return build_chain(300)


@pytest.fixture
def checkpoint_file(tmp_path, signer, chain):
    path = tmp_path / "audit-checkpoints.jsonl"
    for seq in (100, 200, 300):
        append_checkpoint(path, signer, seq, chain[seq - 1][1], T0 + timedelta(hours=seq))
    return path


def test_keypair_is_raw_32_bytes(keys):
    private, public = keys
    assert len(private) == 32 and len(public) == 32
    assert public_key_from_private(private) == public


def test_append_creates_0600_file_with_one_json_line_each(checkpoint_file, chain):
    assert stat.S_IMODE(os.stat(checkpoint_file).st_mode) == 0o600
    lines = checkpoint_file.read_text("utf-8").splitlines()
    assert len(lines) == 3
    first = json.loads(lines[0])
    assert set(first) == {"seq", "head_hash", "at", "key_id", "signature"}
    assert first["seq"] == 100
    assert first["head_hash"] == chain[99][1].hex()
    assert first["at"] == "2025-09-05T12:00:00.000000Z"
    assert first["key_id"] == "audit-2025"
    assert len(bytes.fromhex(first["signature"])) == 64


def test_signed_message_is_domain_separated(signer, keys):
    cp = signer.sign(7, bytes(range(32)), T0)
    message = checkpoint_message(7, bytes(range(32)), T0, "audit-2025")
    assert message.startswith(MESSAGE_PREFIX)
    assert message[len(MESSAGE_PREFIX):] == (
        b'{"at":"2025-09-01T08:00:00.000000Z","head_hash":"' + bytes(range(32)).hex().encode()
        + b'","key_id":"audit-2025","seq":7}')
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    Ed25519PublicKey.from_public_bytes(keys[1]).verify(cp.signature, message)  # raises if wrong


def test_read_verifies_signatures(checkpoint_file, keys, chain):
    checkpoints = read_checkpoints(checkpoint_file, {"audit-2025": keys[1]})
    assert [cp.seq for cp in checkpoints] == [100, 200, 300]
    assert [cp.line_no for cp in checkpoints] == [1, 2, 3]
    assert checkpoints[1].head_hash == chain[199][1]
    assert checkpoints[2].at == T0 + timedelta(hours=300)


def _edit_line(path, line_no: int, edit) -> None:
    lines = path.read_text("utf-8").splitlines(keepends=True)
    lines[line_no - 1] = edit(lines[line_no - 1])
    path.write_text("".join(lines), "utf-8")


def _flip_signature_char(line: str) -> str:
    data = json.loads(line)
    sig = data["signature"]
    data["signature"] = ("1" if sig[10] != "1" else "2").join([sig[:10], sig[11:]])
    return json.dumps(data, sort_keys=True, separators=(",", ":")) + "\n"


@pytest.mark.parametrize("edit", [
    lambda line: line.replace('"seq":200', '"seq":199'),
    lambda line: line.replace('"at":"2025-09-09', '"at":"2025-09-08'),
    lambda line: json.dumps({**json.loads(line), "head_hash": "00" * 32},
                            sort_keys=True, separators=(",", ":")) + "\n",
    lambda line: _flip_signature_char(line),
])
def test_tampered_line_is_rejected_with_its_line_number(checkpoint_file, keys, edit):
    _edit_line(checkpoint_file, 2, edit)
    with pytest.raises(CheckpointError, match=r"line 2\b.*signature does not verify"):
        read_checkpoints(checkpoint_file, {"audit-2025": keys[1]})


@pytest.mark.parametrize("garbage", ["not json\n", "{}\n", '{"seq":1}\n', "\n", "[1,2]\n"])
def test_malformed_line_is_rejected_with_its_line_number(checkpoint_file, keys, garbage):
    with open(checkpoint_file, "a", encoding="utf-8") as handle:
        handle.write(garbage)
    with pytest.raises(CheckpointError, match=r"line 4\b"):
        read_checkpoints(checkpoint_file, {"audit-2025": keys[1]})


def test_non_canonical_spelling_is_rejected(checkpoint_file, keys):
    _edit_line(checkpoint_file, 1, lambda line: line.replace(",", ", ", 1))
    with pytest.raises(CheckpointError, match=r"line 1\b.*canonical"):
        read_checkpoints(checkpoint_file, {"audit-2025": keys[1]})


def test_cut_last_line_is_rejected(checkpoint_file, keys):
    data = checkpoint_file.read_bytes()
    checkpoint_file.write_bytes(data[:-10])
    with pytest.raises(CheckpointError, match=r"line 3\b"):
        read_checkpoints(checkpoint_file, {"audit-2025": keys[1]})


def test_unknown_key_id_is_rejected(checkpoint_file, keys):
    with pytest.raises(CheckpointError, match=r"line 1\b.*unknown key id 'audit-2025'"):
        read_checkpoints(checkpoint_file, {"audit-2024": keys[1]})


def test_wrong_public_key_is_rejected(checkpoint_file):
    _, other_public = generate_keypair()
    with pytest.raises(CheckpointError, match=r"line 1\b.*signature"):
        read_checkpoints(checkpoint_file, {"audit-2025": other_public})


def test_rotated_keys_both_verify(checkpoint_file, keys, chain):
    new_private, new_public = generate_keypair()
    append_checkpoint(checkpoint_file, CheckpointSigner(new_private, "audit-2026"), 300,
                      chain[299][1], T0 + timedelta(days=400))
    checkpoints = read_checkpoints(checkpoint_file, {"audit-2025": keys[1], "audit-2026": new_public})
    assert [cp.key_id for cp in checkpoints] == ["audit-2025"] * 3 + ["audit-2026"]


def test_missing_file_is_an_error_not_an_empty_list(tmp_path, keys):
    with pytest.raises(CheckpointError, match="not found"):
        read_checkpoints(tmp_path / "gone.jsonl", {"audit-2025": keys[1]})


def test_intact_chain_matches_checkpoints(checkpoint_file, keys, chain):
    checkpoints = read_checkpoints(checkpoint_file, {"audit-2025": keys[1]})
    assert verify_chain(chain, anchors=checkpoint_anchors(checkpoints)).ok
    stored = {record.seq: h for record, h in chain}
    result = check_against_checkpoints(stored.get, checkpoints)
    assert result.ok and result.checked == 3 and result.head_seq == 300


def test_truncation_is_detected(checkpoint_file, keys, chain):
    checkpoints = read_checkpoints(checkpoint_file, {"audit-2025": keys[1]})
    shorter = chain[:250]  # an insider deleted the 50 newest events
    assert verify_chain(shorter).ok  # invisible without checkpoints
    one_pass = verify_chain(shorter, anchors=checkpoint_anchors(checkpoints))
    assert (one_pass.problem, one_pass.first_bad_seq) == ("truncated", 251)
    stored = {record.seq: h for record, h in shorter}
    result = check_against_checkpoints(stored.get, checkpoints)
    assert (result.ok, result.problem, result.first_bad_seq) == (False, "truncated", 300)
    assert "line 3" in result.message


def test_head_mismatch_after_a_full_rewrite_is_detected(checkpoint_file, keys):
    checkpoints = read_checkpoints(checkpoint_file, {"audit-2025": keys[1]})
    rewritten = build_chain(300, rewrite_seq=150)  # row 150 changed, every later hash recomputed
    assert verify_chain(rewritten).ok  # consistent on its own
    one_pass = verify_chain(rewritten, anchors=checkpoint_anchors(checkpoints))
    assert (one_pass.problem, one_pass.first_bad_seq) == ("changed", 200)
    stored = {record.seq: h for record, h in rewritten}
    result = check_against_checkpoints(stored.get, checkpoints)
    assert (result.problem, result.first_bad_seq) == ("changed", 200)
    assert "seq 200" in result.message and "line 2" in result.message


def test_conflicting_signed_heads_are_refused(checkpoint_file, signer, keys):
    append_checkpoint(checkpoint_file, signer, 200, bytes(32), T0 + timedelta(days=30))
    checkpoints = read_checkpoints(checkpoint_file, {"audit-2025": keys[1]})
    with pytest.raises(CheckpointError, match="seq 200"):
        checkpoint_anchors(checkpoints)


def test_signer_refuses_bad_input(keys, signer):
    with pytest.raises(ValueError):
        CheckpointSigner(keys[0][:31], "audit")
    with pytest.raises(ValueError):
        CheckpointSigner(keys[0], "bad key id with spaces")
    with pytest.raises(ValueError):
        signer.sign(0, GENESIS_HASH, T0)  # nothing to checkpoint in an empty chain
    with pytest.raises(ValueError):
        signer.sign(5, b"short", T0)
