import datetime as dt

import pytest

from sabidamu.iin import IINError, check_digit, make_iin, parse_iin


def test_valid_iin_parses_birth_date_and_sex():
    iin = make_iin(dt.date(2020, 10, 5), "f", 123)
    parsed = parse_iin(iin, dt.date(2020, 10, 5))
    assert parsed.birth_date == dt.date(2020, 10, 5)
    assert parsed.sex == "f"
    assert iin[6] == "6"


def test_check_digit_computed_by_hand():
    # 2 0 1 0 0 5 6 0 1 2 3 with weights 1..11: 2+0+3+0+0+30+42+0+9+20+33 = 139; 139 mod 11 = 7
    assert check_digit("20100560123") == 7
    assert parse_iin("201005601237").birth_date == dt.date(2020, 10, 5)


def test_second_pass_used_when_first_gives_ten():
    # Find an 11-digit prefix whose first pass gives 10 and check the second-pass weights are applied.
    for serial in range(10000):
        prefix = f"2010055{serial:04d}"
        first = sum(int(d) * w for d, w in zip(prefix, range(1, 12), strict=True)) % 11
        if first == 10:
            second = sum(int(d) * w for d, w in zip(prefix, (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2), strict=True)) % 11
            assert check_digit(prefix) == (None if second == 10 else second)
            return
    pytest.fail("no prefix with first pass 10 found")


@pytest.mark.parametrize("raw,code", [
    ("", "empty"), ("12345678901a", "not_digits"), ("12345", "length"), ("2010057" + "00000", "century_digit"),
    ("201305500001", "bad_date"), ("201005500001", "checksum"),
])
def test_each_error_has_its_code(raw, code):
    if code == "checksum":
        good = make_iin(dt.date(2020, 10, 5), "m", 1)
        raw = good[:11] + str((int(good[11]) + 1) % 10)
    with pytest.raises(IINError) as exc:
        parse_iin(raw)
    assert exc.value.code == code


def test_birth_date_mismatch():
    iin = make_iin(dt.date(2020, 10, 5), "m", 5)
    with pytest.raises(IINError) as exc:
        parse_iin(iin, dt.date(2020, 10, 6))
    assert exc.value.code == "birth_date_mismatch"


def test_century_digits():
    assert parse_iin(make_iin(dt.date(1985, 1, 2), "m", 9)).birth_date.year == 1985
    assert parse_iin(make_iin(dt.date(2001, 1, 2), "f", 9)).sex == "f"
