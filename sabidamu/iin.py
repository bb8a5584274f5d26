"""Kazakhstan's individual identification number (ЖСН / ИИН) for a natural person.

Layout: YYMMDD (birth date) | C (century and sex) | NNNN (serial) | K (check digit).
C: 1/2 = born 1800s male/female, 3/4 = 1900s, 5/6 = 2000s (odd = male).
Check digit (the official two-pass rule): sum(d_i * w_i) mod 11 with weights 1..11; when that is 10,
again with weights 3,4,5,6,7,8,9,10,11,1,2; when it is 10 again, the number is never issued.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

WEIGHTS_1 = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
WEIGHTS_2 = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)
CENTURY = {"1": 1800, "2": 1800, "3": 1900, "4": 1900, "5": 2000, "6": 2000}


class IINError(ValueError):
    """`code` names the kind of error; the web layer turns it into a sentence in the user's language."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class IIN:
    value: str
    birth_date: dt.date
    sex: str  # "m" or "f"


def check_digit(first11: str) -> int | None:
    digits = [int(c) for c in first11]
    for weights in (WEIGHTS_1, WEIGHTS_2):
        rest = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
        if rest != 10:
            return rest
    return None


def parse_iin(raw: str, birth_date: dt.date | None = None) -> IIN:
    value = (raw or "").strip().replace(" ", "")
    if not value:
        raise IINError("empty")
    if not value.isdigit():
        raise IINError("not_digits")
    if len(value) != 12:
        raise IINError("length")
    century = CENTURY.get(value[6])
    if century is None:
        raise IINError("century_digit")
    try:
        born = dt.date(century + int(value[0:2]), int(value[2:4]), int(value[4:6]))
    except ValueError as exc:
        raise IINError("bad_date") from exc
    if check_digit(value[:11]) != int(value[11]):
        raise IINError("checksum")
    if birth_date is not None and born != birth_date:
        raise IINError("birth_date_mismatch")
    return IIN(value=value, birth_date=born, sex="m" if int(value[6]) % 2 else "f")


def make_iin(birth_date: dt.date, sex: str, serial: int) -> str:
    """Build a valid IIN (demo data and tests); skips serials whose check digit would be 10 twice."""
    century_digit = {1800: 1, 1900: 3, 2000: 5}[birth_date.year // 100 * 100] + (0 if sex == "m" else 1)
    while True:
        first11 = f"{birth_date:%y%m%d}{century_digit}{serial % 10000:04d}"
        digit = check_digit(first11)
        if digit is not None:
            return first11 + str(digit)
        serial += 1
