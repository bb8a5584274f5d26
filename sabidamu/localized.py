"""A text in both of the platform's languages: instruments, the skill framework and the card use it."""
from __future__ import annotations

from dataclasses import dataclass

# The platform's languages, the one list (Flask-Babel, forms, cards, mail); Kazakh is the default.
LANGS: tuple[str, ...] = ("kk", "ru")
DEFAULT_LANG = "kk"


@dataclass(frozen=True, slots=True)
class Text:
    kk: str
    ru: str

    def in_(self, lang: str) -> str:
        # Only kk and ru exist; any other value is a programming error, not a user's choice,
        # so it fails loudly instead of silently showing Kazakh.
        if lang == "kk":
            return self.kk
        if lang == "ru":
            return self.ru
        raise ValueError(f"unsupported language {lang!r}; expected one of {LANGS}")

    def to_dict(self) -> dict[str, str]:
        return {"kk": self.kk, "ru": self.ru}
