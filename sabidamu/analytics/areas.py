"""Regions (ISO 3166-2:KZ codes: 17 regions and 3 cities of republican significance) and the districts the
application knows by code, with their names in Kazakh and Russian (pure).

An organization's `region` column holds a code or, in older rows, the region's name ("Астана"): `region_code`
reads either. Its `district` column holds a district code (or None); a district code the table does not know is
shown as it is.
"""
from __future__ import annotations

REGIONS: dict[str, tuple[str, str]] = {
    "KZ-10": ("Абай облысы", "Абайская область"),
    "KZ-11": ("Ақмола облысы", "Акмолинская область"),
    "KZ-15": ("Ақтөбе облысы", "Актюбинская область"),
    "KZ-19": ("Алматы облысы", "Алматинская область"),
    "KZ-23": ("Атырау облысы", "Атырауская область"),
    "KZ-27": ("Батыс Қазақстан облысы", "Западно-Казахстанская область"),
    "KZ-31": ("Жамбыл облысы", "Жамбылская область"),
    "KZ-33": ("Жетісу облысы", "Жетысуская область"),
    "KZ-35": ("Қарағанды облысы", "Карагандинская область"),
    "KZ-39": ("Қостанай облысы", "Костанайская область"),
    "KZ-43": ("Қызылорда облысы", "Кызылординская область"),
    "KZ-47": ("Маңғыстау облысы", "Мангистауская область"),
    "KZ-55": ("Павлодар облысы", "Павлодарская область"),
    "KZ-59": ("Солтүстік Қазақстан облысы", "Северо-Казахстанская область"),
    "KZ-61": ("Түркістан облысы", "Туркестанская область"),
    "KZ-62": ("Ұлытау облысы", "Улытауская область"),
    "KZ-63": ("Шығыс Қазақстан облысы", "Восточно-Казахстанская область"),
    "KZ-71": ("Астана қаласы", "город Астана"),
    "KZ-75": ("Алматы қаласы", "город Алматы"),
    "KZ-79": ("Шымкент қаласы", "город Шымкент"),
}

# District codes: <region code>-<three letters>.
DISTRICTS: dict[str, tuple[str, str, str]] = {
    "KZ-71-ALM": ("KZ-71", "Алматы ауданы", "район Алматы"),
    "KZ-71-BAI": ("KZ-71", "Байқоңыр ауданы", "район Байконур"),
    "KZ-71-ESL": ("KZ-71", "Есіл ауданы", "район Есиль"),
    "KZ-71-NUR": ("KZ-71", "Нұра ауданы", "район Нура"),
    "KZ-71-SAR": ("KZ-71", "Сарыарқа ауданы", "район Сарыарка"),
    "KZ-75-ALA": ("KZ-75", "Алатау ауданы", "Алатауский район"),
    "KZ-75-ALM": ("KZ-75", "Алмалы ауданы", "Алмалинский район"),
    "KZ-75-AUE": ("KZ-75", "Әуезов ауданы", "Ауэзовский район"),
    "KZ-75-BOS": ("KZ-75", "Бостандық ауданы", "Бостандыкский район"),
    "KZ-75-ZHE": ("KZ-75", "Жетісу ауданы", "Жетысуский район"),
    "KZ-75-MED": ("KZ-75", "Медеу ауданы", "Медеуский район"),
    "KZ-75-NAU": ("KZ-75", "Наурызбай ауданы", "Наурызбайский район"),
    "KZ-75-TUR": ("KZ-75", "Түрксіб ауданы", "Турксибский район"),
}

_ALIASES = {"Астана": "KZ-71", "Нур-Султан": "KZ-71", "Алматы": "KZ-75", "Шымкент": "KZ-79"}


def region_code(value: str | None) -> str | None:
    """The code of a region given by its code (with or without "KZ-"), its name in either language, or None."""
    text = (value or "").strip()
    if not text:
        return None
    upper = text.upper()
    if upper in REGIONS:
        return upper
    if f"KZ-{upper}" in REGIONS:
        return f"KZ-{upper}"
    for code, names in REGIONS.items():
        if text in names:
            return code
    return _ALIASES.get(text)


def region_values(code: str) -> tuple[str, ...]:
    """Every value an organization's `region` column may hold for this region (its code, names and aliases)."""
    return (code, *REGIONS.get(code, ()), *(alias for alias, c in _ALIASES.items() if c == code))


def district_region(code: str) -> str | None:
    entry = DISTRICTS.get(code)
    if entry:
        return entry[0]
    head = code.rsplit("-", 1)[0] if code.count("-") >= 2 else None
    return head if head in REGIONS else None


def region_name(code: str, lang: str) -> str:
    names = REGIONS.get(code)
    return code if names is None else names[0 if lang == "kk" else 1]


def district_name(code: str | None, lang: str) -> str:
    if code is None:
        return ""
    entry = DISTRICTS.get(code)
    return code if entry is None else entry[1 if lang == "kk" else 2]
