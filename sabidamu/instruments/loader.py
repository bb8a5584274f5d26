"""Loading instrument files into an InstrumentRegistry.

Parsing and validating the dev screen takes tens of milliseconds, so parsed instruments are cached
per file (keyed by path, size and modification time): a request that asks for the registry again
costs one directory listing and a few ``stat`` calls.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .age import AgeSpan
from .errors import InstrumentValidationError, UnknownInstrument, UnknownVersion
from .model import (
    AnswerScale,
    Band,
    ConcernCountScoring,
    Domain,
    FollowUp,
    Instrument,
    Item,
    PointsScoring,
    Text,
    Thresholds,
)
from .validation import load_and_validate

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "screening_instruments"  # the repository's instruments

# Folders beside the instruments that hold other things (parts being assembled, the kindergarten
# monitoring framework, the JSON Schema).  Only *.yaml files directly in the directory are read, so
# these are never instruments; the names are kept here to say so explicitly.
NOT_INSTRUMENT_DIRS = frozenset({"_parts", "monitoring", "schema"})

_cache: dict[Path, tuple[tuple[int, int], Instrument]] = {}
_cache_lock = threading.Lock()


def _text(raw: dict[str, str]) -> Text:
    return Text(kk=raw["kk"], ru=raw["ru"])


def _age(raw: dict[str, int]) -> AgeSpan:
    return AgeSpan(raw["months"], raw["days"])


def _thresholds(raw: dict[str, float]) -> Thresholds:
    return Thresholds(monitor_below=float(raw["monitor_below"]), refer_below=float(raw["refer_below"]))


def _item(raw: dict[str, Any]) -> Item:
    return Item(
        id=raw["id"],
        domain=raw["domain"],
        text=_text(raw["text"]),
        source=raw["source"],
        warning_sign=bool(raw.get("warning_sign", False)),
        how_to_check=_text(raw["how_to_check"]) if "how_to_check" in raw else None,
        follow_up=tuple(
            FollowUp(id=f["id"], text=_text(f["text"]), concern_if=f["concern_if"])
            for f in raw.get("follow_up", [])
        ),
        skill=raw.get("skill"),
        kind=raw.get("kind", "skill"),
        reverse=bool(raw.get("reverse", False)),
        opportunity=bool(raw.get("opportunity", False)),
        specialists=tuple(raw.get("specialists", ())),
        age75=_float(raw.get("age75")),
        spread=_float(raw.get("spread")),
        warning_age=_float(raw.get("warning_age")),
    )


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def instrument_from_data(data: dict[str, Any], file_name: str = "") -> Instrument:
    """Build an Instrument from a document that passed validation."""
    scoring_raw = data["scoring"]
    if scoring_raw.get("method") == "concern_count":
        scoring: PointsScoring | ConcernCountScoring = ConcernCountScoring(
            monitor_at=scoring_raw["monitor_at"], refer_at=scoring_raw["refer_at"],
            warning_signs=scoring_raw.get("warning_signs", "legacy"),
        )
    else:
        scoring = PointsScoring(
            default=_thresholds(scoring_raw["default"]),
            by_domain={d: _thresholds(t) for d, t in scoring_raw.get("by_domain", {}).items()},
            warning_signs=scoring_raw.get("warning_signs", "legacy"),
            several_areas=scoring_raw.get("several_areas"),
        )
    return Instrument(
        id=data["id"],
        version=data["version"],
        title=_text(data["title"]),
        description=_text(data["description"]),
        answer_scale=AnswerScale(**data["answer_scale"]),
        scoring=scoring,
        domains=tuple(
            Domain(id=d["id"], title=_text(d["title"]), specialist=d["specialist"])
            for d in data["domains"]
        ),
        bands=tuple(
            Band(
                id=b["id"],
                label=_text(b["label"]),
                min_age=_age(b["min_age"]),
                max_age=_age(b["max_age"]),
                items=tuple(_item(i) for i in b["items"]),
                activities={d: tuple(_text(t) for t in texts) for d, texts in b["activities"].items()},
                thresholds={d: _thresholds(t) for d, t in b.get("thresholds", {}).items()},
            )
            for b in data["bands"]
        ),
        file_name=file_name,
    )


def load_instrument(path: str | Path) -> Instrument:
    """Load one instrument file (cached); raises InstrumentValidationError with every problem."""
    path = Path(path).resolve()
    stat = path.stat()
    stamp = (stat.st_size, stat.st_mtime_ns)
    cached = _cache.get(path)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    data, problems = load_and_validate(path)
    if problems:
        raise InstrumentValidationError(problems)
    instrument = instrument_from_data(data, path.name)
    with _cache_lock:
        _cache[path] = (stamp, instrument)
    return instrument


def instrument_files(directory: str | Path) -> list[Path]:
    """The instrument files of a directory: ``*.yaml`` directly in it, sorted by name."""
    directory = Path(directory)
    return sorted(p for p in directory.glob("*.yaml") if p.is_file())


@dataclass(frozen=True)
class InstrumentRegistry:
    """Every instrument version of a directory, by id then version."""

    instruments: tuple[Instrument, ...]

    def __post_init__(self) -> None:
        by_id: dict[str, dict[int, Instrument]] = {}
        for instrument in self.instruments:
            by_id.setdefault(instrument.id, {})[instrument.version] = instrument
        object.__setattr__(self, "_by_id", by_id)

    def get(self, instrument_id: str, version: int | None = None) -> Instrument:
        """One version of an instrument; the latest when ``version`` is None."""
        versions: dict[int, Instrument] | None = self._by_id.get(instrument_id)  # type: ignore[attr-defined]
        if not versions:
            known = ", ".join(sorted(self._by_id)) or "none"  # type: ignore[attr-defined]
            raise UnknownInstrument(f"unknown instrument {instrument_id!r} (known: {known})")
        if version is None:
            return versions[max(versions)]
        if version not in versions:
            known = ", ".join(str(v) for v in sorted(versions))
            raise UnknownVersion(
                f"instrument {instrument_id!r} has no version {version} (known versions: {known})"
            )
        return versions[version]

    def all(self) -> tuple[Instrument, ...]:
        """Every loaded instrument version, sorted by id then version."""
        return self.instruments

    def latest(self) -> tuple[Instrument, ...]:
        """The latest version of each instrument, sorted by id."""
        return tuple(self.get(i) for i in sorted(self._by_id))  # type: ignore[attr-defined]

    def ids(self) -> tuple[str, ...]:
        return tuple(sorted(self._by_id))  # type: ignore[attr-defined]


def registry_from(instruments: Iterable[Instrument]) -> InstrumentRegistry:
    ordered = sorted(instruments, key=lambda i: i.key)
    seen: dict[tuple[str, int], str] = {}
    problems = []
    for instrument in ordered:
        if instrument.key in seen:
            problems.append(
                f"{instrument.file_name}: $: instrument {instrument.id!r} version {instrument.version} "
                f"is also defined in {seen[instrument.key]}"
            )
        seen[instrument.key] = instrument.file_name
    if problems:
        raise InstrumentValidationError(problems)
    return InstrumentRegistry(tuple(ordered))


def load_registry(directory: str | Path) -> InstrumentRegistry:
    """Load every instrument file of ``directory``; raises InstrumentValidationError on any problem.

    A broken file is an error, never silently skipped: a parent must not get a screening that
    quietly lacks an instrument or a version that stored screenings refer to.
    """
    instruments: list[Instrument] = []
    problems: list[str] = []
    for path in instrument_files(directory):
        try:
            instruments.append(load_instrument(path))
        except InstrumentValidationError as exc:
            problems.extend(exc.errors)
    if problems:
        raise InstrumentValidationError(problems)
    return registry_from(instruments)
