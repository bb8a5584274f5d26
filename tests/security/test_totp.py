"""Staff second factor: TOTP with replay refusal, and one-time recovery codes."""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlparse

import pyotp
import pytest

from sabidamu.totp import (
    RECOVERY_ALPHABET,
    current_step,
    hash_recovery_code,
    match_recovery_code,
    new_recovery_codes,
    new_secret,
    provisioning_uri,
    verify_totp,
)

NOW = datetime(2025, 9, 1, 8, 0, 10, tzinfo=UTC)
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def code_at(when: datetime, secret: str = SECRET) -> str:
    return pyotp.TOTP(secret).at(when)


def test_rfc6238_test_vector():
    # RFC 6238 appendix B: ASCII key "12345678901234567890", SHA-1, T = 59 s -> 94287082 (8 digits);
    # the 6-digit code is its last six digits. Step = 59 // 30 = 1.
    secret = base64.b32encode(b"12345678901234567890").decode()
    at = datetime(1970, 1, 1, 0, 0, 59, tzinfo=UTC)
    assert verify_totp(secret, "287082", None, now=at) == 1


def test_code_at_now_is_accepted_and_returns_the_step():
    step = verify_totp(SECRET, code_at(NOW), None, now=NOW)
    assert step == current_step(NOW) == int(NOW.timestamp()) // 30


def test_same_code_again_is_refused():
    code = code_at(NOW)
    step = verify_totp(SECRET, code, None, now=NOW)
    assert step is not None
    assert verify_totp(SECRET, code, step, now=NOW) is None
    assert verify_totp(SECRET, code, step, now=NOW + timedelta(seconds=15)) is None


def test_code_from_before_the_last_used_step_is_refused():
    previous = code_at(NOW - timedelta(seconds=30))
    assert verify_totp(SECRET, previous, current_step(NOW), now=NOW) is None


def test_next_code_after_a_used_one_is_accepted():
    used = current_step(NOW)
    later = NOW + timedelta(seconds=30)
    assert verify_totp(SECRET, code_at(later), used, now=later) == used + 1


def test_drift_of_one_step_is_accepted_two_is_refused():
    assert verify_totp(SECRET, code_at(NOW - timedelta(seconds=30)), None, now=NOW) == current_step(NOW) - 1
    assert verify_totp(SECRET, code_at(NOW + timedelta(seconds=30)), None, now=NOW) == current_step(NOW) + 1
    assert verify_totp(SECRET, code_at(NOW - timedelta(seconds=60)), None, now=NOW) is None
    assert verify_totp(SECRET, code_at(NOW - timedelta(seconds=60)), None, now=NOW, valid_window=0) is None


def test_code_with_spaces_is_accepted():
    code = code_at(NOW)
    assert verify_totp(SECRET, f"{code[:3]} {code[3:]}", None, now=NOW) == current_step(NOW)
    assert verify_totp(SECRET, f" {code} ", None, now=NOW) == current_step(NOW)


@pytest.mark.parametrize("mangle", [
    lambda c: c[:5] + "a",          # a letter
    lambda c: c[:3] + "-" + c[3:],  # punctuation
    lambda c: c[:5],                # too short
    lambda c: c + "0",              # too long
    lambda c: "".join(chr(0x0660 + int(d)) for d in c),  # Arabic-Indic digits: not ASCII
    lambda c: "",
])
def test_non_digit_or_wrong_length_is_refused(mangle):
    assert verify_totp(SECRET, mangle(code_at(NOW)), None, now=NOW) is None


def test_wrong_code_is_refused():
    wrong = f"{(int(code_at(NOW)) + 1) % 10**6:06d}"
    assert verify_totp(SECRET, wrong, None, now=NOW) is None


def test_naive_now_is_refused():
    with pytest.raises(ValueError):
        verify_totp(SECRET, "123456", None, now=datetime(2025, 9, 1, 8, 0))


def test_new_secret_and_provisioning_uri():
    secret = new_secret()
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    assert new_secret() != secret
    uri = provisioning_uri(secret, "aigerim@example.kz")
    parsed = urlparse(uri)
    assert parsed.scheme == "otpauth" and parsed.netloc == "totp"
    assert "SabiDamu" in parsed.path and "aigerim" in parsed.path
    query = parse_qs(parsed.query)
    assert query["secret"] == [secret] and query["issuer"] == ["SabiDamu"]
    # The URI round-trips to a TOTP that produces the same codes we verify.
    assert verify_totp(secret, pyotp.parse_uri(uri).at(NOW), None, now=NOW) == current_step(NOW)


def test_recovery_codes_shape_and_uniqueness():
    codes = new_recovery_codes()
    assert len(codes) == 10 and len(set(codes)) == 10
    allowed = re.escape(RECOVERY_ALPHABET)
    for code in codes:
        assert re.fullmatch(rf"[{allowed}]{{4}}(-[{allowed}]{{4}}){{3}}", code)
    assert len(new_recovery_codes(3)) == 3


def test_recovery_codes_are_stored_salted():
    code = new_recovery_codes(1)[0]
    first, second = hash_recovery_code(code), hash_recovery_code(code)
    assert first != second  # fresh salt each time
    assert code.replace("-", "") not in first
    assert match_recovery_code(code, [first]) == 0 and match_recovery_code(code, [second]) == 0


def test_recovery_code_matches_once_normalized_and_not_otherwise():
    codes = new_recovery_codes(5)
    hashes = [hash_recovery_code(c) for c in codes]
    target = codes[3]
    assert match_recovery_code(target, hashes) == 3
    assert match_recovery_code(target.upper(), hashes) == 3
    assert match_recovery_code(target.replace("-", ""), hashes) == 3
    assert match_recovery_code(" " + target.replace("-", " ") + " ", hashes) == 3
    # Not otherwise: one changed symbol, a truncated code, junk, a code that was never issued.
    changed = target[:-1] + ("2" if target[-1] != "2" else "3")
    assert match_recovery_code(changed, hashes) is None
    assert match_recovery_code(target[:-1], hashes) is None
    assert match_recovery_code("", hashes) is None
    assert match_recovery_code(new_recovery_codes(1)[0], hashes) is None
    # Once used, the caller blanks the entry: the same code no longer matches.
    hashes[3] = None
    assert match_recovery_code(target, hashes) is None
    assert match_recovery_code(codes[0], hashes) == 0


def test_damaged_stored_hash_never_matches():
    code = new_recovery_codes(1)[0]
    assert match_recovery_code(code, ["garbage", "md5$00$00", ""]) is None
