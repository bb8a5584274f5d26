"""Regenerate the .sdcard test vectors in this folder (run by hand, never by the tests).

    cd /work/main && .venv/bin/python tests/crypto/vectors/make_vectors.py

Keys are made once and kept: if age_identity.txt / minisign_secret.hex exist they are reused, so
regenerating only changes sample.sdcard (age encryption is randomized) and whatever input changed.
The keys are test keys, published on purpose; never use them for real data.
"""

from __future__ import annotations

import json
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from sabidamu.crypto import agekeys, minisign, package  # noqa: E402

PACKAGE_ID = uuid.UUID("5d0c6a3e-8f1b-4c2a-9e47-1b2c3d4e5f60")
CREATED_AT = datetime(2026, 5, 29, 9, 30, 0, tzinfo=UTC)
SENDER_ORG_ID = "0b7e3c8a-2f4d-4e61-9a15-6c2d8e9f0a11"
RECIPIENT_ORG_ID = "7f1a2b3c-4d5e-4f60-8a71-92b3c4d5e6f7"
SIGNED_MESSAGE = "SabiDamu minisign test vector: Балдырған / Балдырган\n".encode()
SIGNED_MESSAGE_COMMENT = "sabidamu test vector"


def minimal_pdf(text: str) -> bytes:
    """A one-page PDF with one line of ASCII text, byte-exact and dependency-free."""
    stream = f"BT /F1 14 Tf 72 770 Td ({text}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def keys() -> tuple[str, minisign.SecretKey]:
    identity_file = HERE / "age_identity.txt"
    secret_file = HERE / "minisign_secret.hex"
    if identity_file.exists():
        identity = next(
            line.strip() for line in identity_file.read_text().splitlines() if line.startswith("AGE-")
        )
    else:
        identity = agekeys.generate_identity().identity
    if secret_file.exists():
        secret = minisign.SecretKey.from_bytes(bytes.fromhex(secret_file.read_text().strip()))
    else:
        secret, _ = minisign.generate_keypair()
    return identity, secret


def main() -> None:
    identity, secret = keys()
    recipient = agekeys.recipient_of(identity)
    public = secret.public_key()
    # age-keygen's file layout, so `age -d -i age_identity.txt` reads it.
    (HERE / "age_identity.txt").write_text(
        f"# created: 2026-05-29T09:00:00Z\n# public key: {recipient}\n{identity}\n"
    )
    (HERE / "age_recipient.txt").write_text(recipient + "\n")
    (HERE / "minisign_secret.hex").write_text(secret.to_bytes().hex() + "\n")
    (HERE / "minisign.pub").write_text(public.to_file_text())

    # Ed25519 is deterministic, so this signature is a fixed vector for our signer.
    (HERE / "message.txt").write_bytes(SIGNED_MESSAGE)
    (HERE / "message.txt.minisig").write_text(minisign.sign(secret, SIGNED_MESSAGE, SIGNED_MESSAGE_COMMENT))

    card = json.loads((HERE / "card.json").read_text(encoding="utf-8"))
    card_pdf = minimal_pdf("SabiDamu test vector: individual development card")
    (HERE / "card.pdf").write_bytes(card_pdf)
    sender = package.SenderInfo(
        org_id=SENDER_ORG_ID, name=card["organization"]["name_kk"], bin=card["organization"]["bin"],
        signing_secret=secret,
    )
    child = package.ChildInfo(**card["child"])
    data = package.build_package(
        card=card, card_pdf=card_pdf, sender=sender, recipient_org_id=RECIPIENT_ORG_ID,
        recipient=recipient, child=child, created_at=CREATED_AT, package_id=PACKAGE_ID,
    )
    (HERE / "sample.sdcard").write_bytes(data)
    opened = package.open_package(
        data, identities=[identity], resolve_sender_key=lambda manifest: public.to_file_text()
    )
    (HERE / "expected_manifest.json").write_text(
        json.dumps(opened.manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    print("wrote vectors; sender key", public.fingerprint, "recipient", recipient)


if __name__ == "__main__":
    main()
