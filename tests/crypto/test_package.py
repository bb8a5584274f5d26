""".sdcard packages: real `age` / `minisign` interoperability both ways, one test per error code,
the check order, and the stored test vector. No mocks: every package here is really encrypted."""

from __future__ import annotations

import base64
import copy
import hashlib
import io
import json
import os
import shutil
import subprocess
import uuid
import warnings
import zipfile
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pyrage
import pytest

from sabidamu.crypto import agekeys, minisign, package, package_format
from sabidamu.crypto.package import ChildInfo, Limits, PackageError, SenderInfo

VECTORS = Path(__file__).parent / "vectors"
SAMPLE_CARD: dict = json.loads((VECTORS / "card.json").read_text(encoding="utf-8"))
SAMPLE_PDF: bytes = (VECTORS / "card.pdf").read_bytes()
SENDER_ORG = "0b7e3c8a-2f4d-4e61-9a15-6c2d8e9f0a11"
RECIPIENT_ORG = "7f1a2b3c-4d5e-4f60-8a71-92b3c4d5e6f7"
CREATED = datetime(2026, 5, 29, 14, 30, 5, tzinfo=timezone(timedelta(hours=5)))


def require_tool(name: str) -> str:
    """Path of a command-line tool; skip loudly when missing, but fail under CI."""
    path = shutil.which(name)
    if path is None:
        reason = (
            f"!!! REAL-TOOL TEST NOT RUN: '{name}' is not installed "
            "(Debian packages 'age' and 'minisign' provide age, age-keygen, minisign) !!!"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return path


def run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL
    )


class Keys:
    def __init__(self) -> None:
        pair = agekeys.generate_identity()
        self.identity, self.recipient = pair.identity, pair.recipient
        self.secret, self.public = minisign.generate_keypair()
        self.sender = SenderInfo(
            org_id=SENDER_ORG, name="№ 12 «Балдырған» балабақшасы", bin="120340012345", signing_secret=self.secret
        )

    def resolver(self, manifest: dict) -> str:
        return self.public.to_file_text()


@pytest.fixture(scope="module")
def keys() -> Keys:
    return Keys()


def child_of(card: dict) -> ChildInfo:
    return ChildInfo(**card["child"])


def build(keys: Keys, **overrides) -> bytes:
    arguments = {
        "card": SAMPLE_CARD, "card_pdf": SAMPLE_PDF, "sender": keys.sender, "recipient_org_id": RECIPIENT_ORG,
        "recipient": keys.recipient, "child": child_of(SAMPLE_CARD), "created_at": CREATED,
    }
    arguments.update(overrides)
    return package.build_package(**arguments)


def open_with(keys: Keys, data: bytes, limits: Limits = Limits(), resolver=None) -> package.OpenedPackage:
    return package.open_package(
        data, identities=[keys.identity], resolve_sender_key=resolver or keys.resolver, limits=limits
    )


def error_of(keys: Keys, data: bytes, **kwargs) -> PackageError:
    with pytest.raises(PackageError) as caught:
        open_with(keys, data, **kwargs)
    error = caught.value
    assert error.code in package_format.ERROR_CODES and error.message == package_format.ERROR_MESSAGES[error.code]
    return error


def zip_of(entries: list[tuple[str, bytes]], compress: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate names we write on purpose
        with zipfile.ZipFile(buffer, "w") as archive:
            for name, content in entries:
                info = zipfile.ZipInfo(name, date_time=(2026, 5, 29, 9, 30, 0))
                info.compress_type = compress
                archive.writestr(info, content)
    return buffer.getvalue()


def seal(keys: Keys, archive: bytes) -> bytes:
    return pyrage.encrypt(archive, [agekeys.parse_recipient(keys.recipient)])


def signed_entries(
    keys: Keys,
    card_json: bytes | None = None,
    card_pdf: bytes = SAMPLE_PDF,
    edit_manifest=None,
    manifest_bytes: bytes | None = None,
) -> list[tuple[str, bytes]]:
    """The four entries of a package whose parts a test controls, signed with the sender key."""
    if card_json is None:
        card_json = json.dumps(SAMPLE_CARD, ensure_ascii=False).encode()
    manifest = package.build_manifest(
        card_json=card_json, card_pdf=card_pdf, sender=keys.sender, recipient_org_id=RECIPIENT_ORG,
        recipient=keys.recipient, child=child_of(SAMPLE_CARD), created_at=CREATED, package_id=uuid.uuid4(),
    )
    if edit_manifest:
        edit_manifest(manifest)
    if manifest_bytes is None:
        manifest_bytes = json.dumps(manifest, ensure_ascii=False).encode()
    signature = minisign.sign(keys.secret, manifest_bytes, "test").encode()
    return [
        ("manifest.json", manifest_bytes), ("card.json", card_json), ("card.pdf", card_pdf),
        ("manifest.json.minisig", signature),
    ]


def header_length(data: bytes) -> int:
    """Bytes of the age header, up to and including the MAC line."""
    mac_line = data.index(b"\n--- ")
    return data.index(b"\n", mac_line + 1) + 1


# ------------------------------------------------------------------------- build and open

def test_build_then_open_round_trip(keys: Keys) -> None:
    package_id = uuid.uuid4()
    data = build(keys, package_id=package_id)
    assert data.startswith(b"age-encryption.org/v1\n")
    assert SAMPLE_CARD["child"]["full_name"].encode() not in data  # encrypted, not just zipped
    opened = open_with(keys, data)
    assert opened.card == SAMPLE_CARD and opened.card_pdf == SAMPLE_PDF
    assert opened.sender_fingerprint == keys.public.fingerprint
    assert opened.addressed_to_us
    manifest = opened.manifest
    assert manifest["format"] == "sdcard" and manifest["format_version"] == 1
    assert manifest["package_id"] == str(package_id)
    assert manifest["created_at"] == "2026-05-29T09:30:05Z"  # +05:00 converted to UTC with Z
    assert manifest["sender"] == {
        "org_id": SENDER_ORG, "name": keys.sender.name, "bin": "120340012345",
        "signing_key_fingerprint": keys.public.fingerprint,
    }
    assert manifest["recipient"] == {"org_id": RECIPIENT_ORG, "age_recipient": keys.recipient}
    assert manifest["child"] == SAMPLE_CARD["child"]
    pdf_entry = next(f for f in manifest["files"] if f["name"] == "card.pdf")
    assert pdf_entry == {"name": "card.pdf", "sha256": hashlib.sha256(SAMPLE_PDF).hexdigest(), "size": len(SAMPLE_PDF)}
    assert str(package_id) in opened.trusted_comment and keys.sender.name in opened.trusted_comment


def test_archive_is_deterministic_with_fixed_entry_order(keys: Keys) -> None:
    arguments = {
        "card": SAMPLE_CARD, "card_pdf": SAMPLE_PDF, "sender": keys.sender, "recipient_org_id": None,
        "recipient": keys.recipient, "child": child_of(SAMPLE_CARD), "created_at": CREATED,
        "package_id": uuid.UUID("11111111-2222-4333-8444-555555555555"),
    }
    first, second = package.build_archive(**arguments), package.build_archive(**arguments)
    assert first == second
    decrypted = pyrage.decrypt(package.build_package(**arguments), [agekeys.parse_identity(keys.identity)])
    assert decrypted == first
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert archive.namelist() == ["manifest.json", "card.json", "card.pdf", "manifest.json.minisig"]
        assert {info.date_time for info in archive.infolist()} == {(2026, 5, 29, 9, 30, 4)}  # DOS: 2 s steps
        assert json.loads(archive.read("manifest.json"))["recipient"]["org_id"] is None


def test_build_rejects_bad_inputs(keys: Keys) -> None:
    broken = copy.deepcopy(SAMPLE_CARD)
    broken["years"][0]["final_levels"]["physical"] = 4
    with pytest.raises(PackageError) as caught:
        build(keys, card=broken)
    assert caught.value.code == "bad_card" and "final_levels" in caught.value.detail
    with pytest.raises(PackageError) as caught:
        build(keys, child=ChildInfo("990101300123", "Басқа бала", date(2019, 1, 1)))
    assert caught.value.code == "bad_card"
    with pytest.raises(agekeys.AgeKeyError):
        build(keys, recipient=keys.identity)
    with pytest.raises(ValueError):
        build(keys, created_at=datetime(2026, 5, 29, 9, 30))  # naive time: ambiguous


def test_error_codes_constant_lists_every_code_with_a_message() -> None:
    expected = {
        "too_large", "not_age", "wrong_recipient", "truncated", "corrupt", "not_zip", "too_many_entries",
        "unsafe_path", "zip_bomb", "unexpected_entry", "missing_entry", "bad_manifest",
        "unknown_format_version", "unknown_sender", "bad_signature", "hash_mismatch", "bad_card",
        "not_regular_file", "unsafe_json", "sender_not_verified",
    }
    assert set(package_format.ERROR_CODES) == expected
    assert all(package_format.ERROR_MESSAGES[code].endswith(".") for code in package_format.ERROR_CODES)


# ---------------------------------------------------------------------------- age keys

def test_age_keys_generate_parse_and_fingerprint() -> None:
    pair = agekeys.generate_identity()
    assert pair.identity.startswith("AGE-SECRET-KEY-1") and pair.recipient.startswith("age1")
    assert agekeys.recipient_of(pair.identity) == pair.recipient
    assert pair.identity not in repr(pair)
    assert agekeys.normalize_recipient(f"  {pair.recipient}\n") == pair.recipient
    code = agekeys.recipient_fingerprint(pair.recipient)
    digest = hashlib.sha256(pair.recipient.encode()).hexdigest()[:16].upper()
    assert code == " ".join(digest[i : i + 4] for i in range(0, 16, 4))
    for bad, hint in [
        ("", "empty"), (pair.identity, "secret"), ("age2" + pair.recipient[4:], "age1"),
        (pair.recipient[:-1], "62"), (pair.recipient[:-1] + ("q" if pair.recipient[-1] != "q" else "p"), "checksum"),
    ]:
        with pytest.raises(agekeys.AgeKeyError, match=hint):
            agekeys.parse_recipient(bad)
    with pytest.raises(agekeys.AgeKeyError):
        agekeys.parse_identity("AGE-SECRET-KEY-1NOTAKEY")


def test_age_keygen_identity_is_understood(tmp_path: Path) -> None:
    keygen = require_tool("age-keygen")
    assert run(keygen, "-o", tmp_path / "id.txt").returncode == 0
    identity = next(line for line in (tmp_path / "id.txt").read_text().splitlines() if line.startswith("AGE-"))
    shown = run(keygen, "-y", tmp_path / "id.txt").stdout.strip()
    assert agekeys.recipient_of(identity) == shown


# ------------------------------------------------------------------- real tools, both ways

def test_real_age_and_minisign_open_our_package(tmp_path: Path, keys: Keys) -> None:
    age, tool = require_tool("age"), require_tool("minisign")
    package_id = uuid.uuid4()
    (tmp_path / "child.sdcard").write_bytes(build(keys, package_id=package_id))
    (tmp_path / "school.key").write_text(f"# public key: {keys.recipient}\n{keys.identity}\n")
    (tmp_path / "sender.pub").write_text(keys.public.to_file_text())

    decrypted = run(age, "-d", "-i", tmp_path / "school.key", "-o", tmp_path / "child.zip", tmp_path / "child.sdcard")
    assert decrypted.returncode == 0, decrypted.stderr
    out = tmp_path / "out"
    with zipfile.ZipFile(tmp_path / "child.zip") as archive:
        archive.extractall(out)
    assert sorted(p.name for p in out.iterdir()) == ["card.json", "card.pdf", "manifest.json", "manifest.json.minisig"]

    by_line = run(tool, "-Vm", "manifest.json", "-P", keys.public.to_base64(), cwd=out)
    assert by_line.returncode == 0, by_line.stderr
    assert f"sdcard package {package_id}" in by_line.stdout
    by_file = run(tool, "-Vm", "manifest.json", "-p", tmp_path / "sender.pub", cwd=out)
    assert by_file.returncode == 0, by_file.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    for entry in manifest["files"]:
        content = (out / entry["name"]).read_bytes()
        assert hashlib.sha256(content).hexdigest() == entry["sha256"] and len(content) == entry["size"]

    (out / "manifest.json").write_text((out / "manifest.json").read_text().replace("Әлиева", "Әлиев"))
    assert run(tool, "-Vm", "manifest.json", "-p", tmp_path / "sender.pub", cwd=out).returncode != 0


def test_package_made_with_real_age_and_minisign_opens(tmp_path: Path, keys: Keys) -> None:
    age, keygen, tool = require_tool("age"), require_tool("age-keygen"), require_tool("minisign")
    assert run(keygen, "-o", tmp_path / "school.key").returncode == 0
    school_recipient = run(keygen, "-y", tmp_path / "school.key").stdout.strip()
    school_identity = next(
        line for line in (tmp_path / "school.key").read_text().splitlines() if line.startswith("AGE-SECRET-KEY-")
    )
    made = run(tool, "-G", "-W", "-p", tmp_path / "kg.pub", "-s", tmp_path / "kg.key")
    assert made.returncode == 0, made.stderr
    kg_public = minisign.parse_public_key((tmp_path / "kg.pub").read_text())

    work = tmp_path / "pkg"
    work.mkdir()
    card_json = json.dumps(SAMPLE_CARD, ensure_ascii=False, indent=1).encode()
    (work / "card.json").write_bytes(card_json)
    (work / "card.pdf").write_bytes(SAMPLE_PDF)
    manifest = package.build_manifest(
        card_json=card_json, card_pdf=SAMPLE_PDF, sender=keys.sender, recipient_org_id=None,
        recipient=school_recipient, child=child_of(SAMPLE_CARD), created_at=CREATED, package_id=uuid.uuid4(),
    )
    manifest["sender"]["signing_key_fingerprint"] = kg_public.fingerprint
    (work / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    signed = run(tool, "-S", "-s", tmp_path / "kg.key", "-m", "manifest.json", "-t", "signed by hand", cwd=work)
    assert signed.returncode == 0, signed.stderr
    names = ["manifest.json", "card.json", "card.pdf", "manifest.json.minisig"]
    (tmp_path / "pkg.zip").write_bytes(zip_of([(n, (work / n).read_bytes()) for n in names]))

    seen_manifests = []

    def resolve(claimed: dict) -> str:
        seen_manifests.append(claimed)
        return (tmp_path / "kg.pub").read_text()

    for armor in ([], ["-a"]):
        target = tmp_path / f"pkg{len(armor)}.sdcard"
        encrypted = run(age, *armor, "-r", school_recipient, "-o", target, tmp_path / "pkg.zip")
        assert encrypted.returncode == 0, encrypted.stderr
        opened = package.open_package(target.read_bytes(), identities=[school_identity], resolve_sender_key=resolve)
        assert opened.card == SAMPLE_CARD and opened.card_pdf == SAMPLE_PDF
        assert opened.sender_fingerprint == kg_public.fingerprint
        assert opened.trusted_comment == "signed by hand"
    assert seen_manifests[0]["package_id"] == manifest["package_id"]


# --------------------------------------------------------------------- a. size and shape

def test_too_large_is_refused_before_any_cryptography(keys: Keys) -> None:
    assert error_of(keys, b"x" * (20 * 1024 * 1024 + 1)).code == "too_large"
    data = build(keys)
    assert error_of(keys, data, limits=Limits(max_package_bytes=len(data) - 1)).code == "too_large"


@pytest.mark.parametrize("data", [b"", b"PK\x03\x04 a plain zip", b"age-encryption.org/v2\n"])
def test_not_age(keys: Keys, data: bytes) -> None:
    assert error_of(keys, data).code == "not_age"


# ---------------------------------------------------------------------------- b. decrypt

def test_wrong_recipient(keys: Keys) -> None:
    data = build(keys)
    other = agekeys.generate_identity()
    with pytest.raises(PackageError) as caught:
        package.open_package(data, identities=[other.identity], resolve_sender_key=keys.resolver)
    assert caught.value.code == "wrong_recipient"
    # Any one fitting identity is enough (a school keeps its previous key after rotating).
    opened = package.open_package(data, identities=[other.identity, keys.identity], resolve_sender_key=keys.resolver)
    assert opened.card == SAMPLE_CARD


def test_tampered_ciphertext_byte_is_corrupt(keys: Keys) -> None:
    data = bytearray(build(keys))
    data[-20] ^= 0x01  # inside the encrypted payload
    assert error_of(keys, bytes(data)).code == "corrupt"
    data = bytearray(build(keys))
    data[header_length(bytes(data)) - 5] ^= 0x01  # inside the header MAC
    assert error_of(keys, bytes(data)).code == "corrupt"


def test_truncated_file(keys: Keys) -> None:
    data = build(keys)
    assert error_of(keys, data[:60]).code == "truncated"  # cut inside the header
    assert error_of(keys, data[: header_length(data) + 10]).code == "truncated"  # cut inside the nonce
    assert error_of(keys, data[: header_length(data) + 16 + 8]).code == "truncated"  # shorter than one tag
    # A larger package cut just past a 64 KiB chunk boundary: an impossible payload length.
    big = build(keys, card_pdf=os.urandom(100_000))
    cut = header_length(big) + 16 + (64 * 1024 + 16) + 8
    assert error_of(keys, big[:cut]).code == "truncated"


def test_cut_inside_a_chunk_cannot_be_told_from_damage(keys: Keys) -> None:
    # Authenticated encryption only says "not intact": documented as 'corrupt'.
    data = build(keys)
    assert error_of(keys, data[: len(data) - 100]).code == "corrupt"


# ------------------------------------------------------------------------------- c. ZIP

def test_not_zip(keys: Keys) -> None:
    assert error_of(keys, seal(keys, b"this is not a zip archive")).code == "not_zip"


def test_too_many_entries(keys: Keys) -> None:
    entries = signed_entries(keys) + [(f"extra{i}.txt", b"x") for i in range(13)]
    assert error_of(keys, seal(keys, zip_of(entries))).code == "too_many_entries"


@pytest.mark.parametrize(
    "bad_name",
    ["../card.json", "/etc/card.json", "a/../../card.json", "sub\\card.json", "C:card.json", "folder/"],
)
def test_unsafe_paths(keys: Keys, bad_name: str) -> None:
    entries = signed_entries(keys) + [(bad_name, b"x")]
    assert error_of(keys, seal(keys, zip_of(entries))).code == "unsafe_path"


def test_duplicate_entry_is_unsafe(keys: Keys) -> None:
    entries = signed_entries(keys)
    entries.append(("card.pdf", b"%PDF-1.4 a second card.pdf that would shadow the first"))
    assert error_of(keys, seal(keys, zip_of(entries))).code == "unsafe_path"


def test_zip_bomb_by_compression_ratio(keys: Keys) -> None:
    entries = signed_entries(keys, card_pdf=bytes(40 * 1024 * 1024))  # 40 MiB of zeros -> ~40 KiB
    data = seal(keys, zip_of(entries))
    assert len(data) < 100 * 1024
    error = error_of(keys, data)
    assert error.code == "zip_bomb" and "ratio" in error.detail


def test_zip_bomb_by_declared_total(keys: Keys) -> None:
    entries = signed_entries(keys, card_pdf=os.urandom(30_000))
    error = error_of(keys, seal(keys, zip_of(entries)), limits=Limits(max_total_uncompressed=20_000))
    assert error.code == "zip_bomb" and "declared" in error.detail


def _lie_about_size(archive: bytes, name: str, declared: int) -> bytes:
    """Rewrite an entry's uncompressed size in both the local and the central header."""
    patched = bytearray(archive)
    encoded = name.encode()
    # (signature, offset of the uncompressed size, of the name length, of the name)
    for signature, size_at, name_length_at, name_at in ((b"PK\x03\x04", 22, 26, 30), (b"PK\x01\x02", 24, 28, 46)):
        start = 0
        while (start := patched.find(signature, start)) >= 0:
            name_length = int.from_bytes(patched[start + name_length_at : start + name_length_at + 2], "little")
            if patched[start + name_at : start + name_at + name_length] == encoded:
                patched[start + size_at : start + size_at + 4] = declared.to_bytes(4, "little")
            start += 4
    return bytes(patched)


def test_zip_bomb_when_header_understates_the_size(keys: Keys) -> None:
    entries = signed_entries(keys, card_pdf=os.urandom(5000))
    lying = _lie_about_size(zip_of(entries), "card.pdf", 100)
    with zipfile.ZipFile(io.BytesIO(lying)) as archive:
        assert archive.getinfo("card.pdf").file_size == 100  # the header really lies
    error = error_of(keys, seal(keys, lying))
    assert error.code == "zip_bomb" and "declared" in error.detail


def test_zip_bomb_actual_size_is_bounded_while_reading(keys: Keys) -> None:
    entries = signed_entries(keys, card_pdf=bytes(2 * 1024 * 1024))
    lying = _lie_about_size(zip_of(entries), "card.pdf", 100)
    error = error_of(keys, seal(keys, lying), limits=Limits(max_total_uncompressed=200_000))
    assert error.code == "zip_bomb" and "limit" in error.detail


def test_unexpected_entry(keys: Keys) -> None:
    entries = signed_entries(keys) + [("notes.txt", b"hello")]
    assert error_of(keys, seal(keys, zip_of(entries))).code == "unexpected_entry"


def test_missing_entry(keys: Keys) -> None:
    entries = [e for e in signed_entries(keys) if e[0] != "card.pdf"]
    error = error_of(keys, seal(keys, zip_of(entries)))
    assert error.code == "missing_entry" and error.detail == "card.pdf"


# -------------------------------------------------------------------------- d. manifest

def test_unknown_format_version(keys: Keys) -> None:
    entries = signed_entries(keys, edit_manifest=lambda m: m.update(format_version=2))
    assert error_of(keys, seal(keys, zip_of(entries))).code == "unknown_format_version"


@pytest.mark.parametrize(
    "entries_kwargs",
    [
        {"manifest_bytes": b"{not json"},
        {"edit_manifest": lambda m: m.update(format="zip")},
        {"edit_manifest": lambda m: m.pop("child")},
        {"edit_manifest": lambda m: m.update(format_version="1")},
    ],
)
def test_bad_manifest(keys: Keys, entries_kwargs: dict) -> None:
    assert error_of(keys, seal(keys, zip_of(signed_entries(keys, **entries_kwargs)))).code == "bad_manifest"


# ------------------------------------------------------------------- e. sender signature

def test_unknown_sender_carries_the_claimed_fingerprint(keys: Keys) -> None:
    error = error_of(keys, build(keys), resolver=lambda manifest: None)
    assert error.code == "unknown_sender"
    assert error.fingerprint == keys.public.fingerprint
    assert error.manifest["sender"]["name"] == keys.sender.name


def test_bad_signature_when_manifest_changed_after_signing(keys: Keys) -> None:
    entries = signed_entries(keys)
    manifest = json.loads(entries[0][1])
    manifest["child"]["full_name"] = "Басқа бала"
    entries[0] = ("manifest.json", json.dumps(manifest, ensure_ascii=False).encode())
    error = error_of(keys, seal(keys, zip_of(entries)))
    assert error.code == "bad_signature" and "bad_signature" in error.detail


def test_bad_signature_with_a_different_trusted_key(keys: Keys) -> None:
    _, stranger = minisign.generate_keypair()
    error = error_of(keys, build(keys), resolver=lambda manifest: stranger.to_base64())
    assert error.code == "bad_signature" and "wrong_key_id" in error.detail


def test_bad_signature_when_manifest_names_another_key(keys: Keys) -> None:
    _, stranger = minisign.generate_keypair()

    def claim_stranger(manifest: dict) -> None:
        manifest["sender"]["signing_key_fingerprint"] = stranger.fingerprint

    entries = signed_entries(keys, edit_manifest=claim_stranger)
    assert error_of(keys, seal(keys, zip_of(entries))).code == "bad_signature"


def test_bad_signature_when_signature_file_is_garbage(keys: Keys) -> None:
    entries = signed_entries(keys)
    entries[3] = ("manifest.json.minisig", b"untrusted comment: x\nnot a signature\n")
    assert error_of(keys, seal(keys, zip_of(entries))).code == "bad_signature"


# ---------------------------------------------------------------------- f. file hashes

def test_hash_mismatch(keys: Keys) -> None:
    entries = signed_entries(keys)
    altered_pdf = SAMPLE_PDF.replace(b"SabiDamu", b"SabiDamX")
    entries[2] = ("card.pdf", altered_pdf)  # same size, other content
    error = error_of(keys, seal(keys, zip_of(entries)))
    assert error.code == "hash_mismatch" and "sha256" in error.detail
    entries[2] = ("card.pdf", SAMPLE_PDF + b"\n")
    error = error_of(keys, seal(keys, zip_of(entries)))
    assert error.code == "hash_mismatch" and "size" in error.detail


# -------------------------------------------------------------------------- g. the card

def test_bad_card_against_schema(keys: Keys) -> None:
    card = copy.deepcopy(SAMPLE_CARD)
    card["years"][0]["stages"]["final"]["entries"][0]["measures"] = "ә" * 2001
    entries = signed_entries(keys, card_json=json.dumps(card).encode())
    error = error_of(keys, seal(keys, zip_of(entries)))
    assert error.code == "bad_card" and "measures" in error.detail


def test_bad_card_for_another_child(keys: Keys) -> None:
    card = copy.deepcopy(SAMPLE_CARD)
    card["child"]["iin"] = "200101500999"
    entries = signed_entries(keys, card_json=json.dumps(card).encode())
    error = error_of(keys, seal(keys, zip_of(entries)))
    assert error.code == "bad_card" and "IIN" in error.detail


def test_bad_card_not_json(keys: Keys) -> None:
    entries = signed_entries(keys, card_json=b"\xff\xfe not json")
    assert error_of(keys, seal(keys, zip_of(entries))).code == "bad_card"


def test_card_optional_sections_may_be_omitted(keys: Keys) -> None:
    card = {k: v for k, v in SAMPLE_CARD.items() if k not in ("specialist_conclusions", "home_observations")}
    assert package.validate_card(card) == []
    assert open_with(keys, build(keys, card=card)).card == card


# ------------------------------------------------------------------------- check order

def test_signature_is_checked_before_hashes_and_card(keys: Keys) -> None:
    entries = signed_entries(keys, card_json=b"{}")
    entries[2] = ("card.pdf", b"other pdf")
    data = seal(keys, zip_of(entries))
    assert error_of(keys, data, resolver=lambda manifest: None).code == "unknown_sender"
    _, stranger = minisign.generate_keypair()
    assert error_of(keys, data, resolver=lambda manifest: stranger.to_base64()).code == "bad_signature"
    assert error_of(keys, data).code == "hash_mismatch"


def test_zip_checks_come_before_manifest(keys: Keys) -> None:
    entries = signed_entries(keys, manifest_bytes=b"{not json") + [("../evil", b"x")]
    assert error_of(keys, seal(keys, zip_of(entries))).code == "unsafe_path"


# ------------------------------------------------------------------------------ vectors

def vector_identity() -> str:
    return next(line for line in (VECTORS / "age_identity.txt").read_text().splitlines() if line.startswith("AGE-"))


def test_vector_package_opens_to_the_expected_manifest() -> None:
    identity = vector_identity()
    assert agekeys.recipient_of(identity) == (VECTORS / "age_recipient.txt").read_text().strip()
    public_text = (VECTORS / "minisign.pub").read_text()
    opened = package.open_package(
        (VECTORS / "sample.sdcard").read_bytes(), identities=[identity], resolve_sender_key=lambda m: public_text
    )
    assert opened.manifest == json.loads((VECTORS / "expected_manifest.json").read_text(encoding="utf-8"))
    assert opened.card == SAMPLE_CARD and opened.card_pdf == SAMPLE_PDF
    assert opened.sender_fingerprint == minisign.parse_public_key(public_text).fingerprint
    assert opened.addressed_to_us


def test_vector_package_opens_with_the_real_tools(tmp_path: Path) -> None:
    age, tool = require_tool("age"), require_tool("minisign")
    result = run(age, "-d", "-i", VECTORS / "age_identity.txt", "-o", tmp_path / "p.zip", VECTORS / "sample.sdcard")
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(tmp_path / "p.zip") as archive:
        archive.extractall(tmp_path)
    verified = run(tool, "-Vm", tmp_path / "manifest.json", "-p", VECTORS / "minisign.pub")
    assert verified.returncode == 0, verified.stderr
    expected = json.loads((VECTORS / "expected_manifest.json").read_text(encoding="utf-8"))
    assert json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8")) == expected
    assert base64.b64decode((VECTORS / "minisign.pub").read_text().splitlines()[1])[:2] == b"Ed"
