"""`flask screening ...` (bands, score, show, simulate): the screening instruments from the command line.

The scoring and simulation live in the pure package sabidamu.instruments; this module only reads the options and
files and prints. The commands also run without an app (tests, scripts): the instruments folder is the app's
INSTRUMENTS_DIR, else $SABIDAMU_INSTRUMENTS_DIR, else the repository's (context.instruments_dir).

Bad input prints one line ``error[<code>]: <message>`` on stderr, nothing on stdout, and exits 2.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

import click

from ..instruments.age import AgeInfo, age_at
from ..instruments.errors import InstrumentError, InstrumentValidationError, ScreeningInputError
from ..instruments.loader import InstrumentRegistry, load_registry
from ..instruments.model import Band, Instrument, Text
from ..instruments.scoring import score
from ..instruments.simulate import simulate
from .context import instruments_dir

MAX_INPUT_BYTES = 64 * 1024


class CliInputError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _fail(code: str, message: str) -> NoReturn:
    click.echo(f"error[{code}]: {' '.join(str(message).split())}", err=True)
    sys.exit(2)


def _guarded(func: Callable[..., None]) -> Callable[..., None]:
    """Turn every expected error into the one-line stderr message and exit code 2."""

    def wrapper(*args: Any, **kwargs: Any) -> None:
        try:
            func(*args, **kwargs)
        except CliInputError as exc:
            _fail(exc.code, exc.message)
        except ScreeningInputError as exc:
            _fail(exc.code, exc.message)
        except InstrumentValidationError as exc:
            _fail(exc.code, f"{len(exc.errors)} problem(s) in the instruments, first: {exc.errors[0]}")
        except InstrumentError as exc:
            _fail(exc.code, str(exc))

    wrapper.__name__ = func.__name__
    wrapper.__doc__ = func.__doc__
    return wrapper


def _parse_date(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CliInputError("bad_date", f"{option} must be a date YYYY-MM-DD, got {value!r}") from None


def _age(birth: str, on: str, gestational_weeks: int | None) -> AgeInfo:
    birth_date = _parse_date(birth, "--birth-date")
    on_date = _parse_date(on, "--date")
    if birth_date > date.today():
        raise CliInputError("birth_date_in_future", f"the birth date {birth} is in the future")
    return age_at(birth_date, on_date, gestational_weeks)


def _read_json_object(path: str, what: str) -> dict[str, Any]:
    file = Path(path)
    try:
        size = file.stat().st_size
    except OSError:
        raise CliInputError("file_not_found", f"cannot read the {what} file {path!r}") from None
    if size > MAX_INPUT_BYTES:  # checked before reading or parsing
        raise CliInputError(
            "file_too_large", f"the {what} file is {size} bytes; the limit is {MAX_INPUT_BYTES}"
        )
    try:
        data = json.loads(file.read_bytes())
    except (ValueError, UnicodeDecodeError) as exc:
        raise CliInputError("bad_json", f"the {what} file is not valid JSON ({exc})") from None
    except OSError:
        raise CliInputError("file_not_found", f"cannot read the {what} file {path!r}") from None
    if not isinstance(data, dict):
        raise CliInputError(
            f"{what.replace('-', '_')}_not_object",
            f"the {what} file must hold a JSON object of id -> answer, got {type(data).__name__}",
        )
    for key, value in data.items():
        if value is not None and not isinstance(value, str):
            raise CliInputError(
                "bad_answer" if what == "answers" else "bad_follow_up_answer",
                f"the answer for {key!r} must be a string, got {json.dumps(value)}",
            )
    return data


def _registry() -> InstrumentRegistry:
    directory = instruments_dir()
    if not directory.is_dir():
        raise CliInputError("no_instruments_dir", f"instruments directory {str(directory)!r} not found")
    return load_registry(directory)


def _echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _band_summary(band: Band | None) -> dict[str, Any] | None:
    if band is None:
        return None
    return {
        "id": band.id,
        "label": band.label.to_dict(),
        "min_age": band.min_age.to_dict(),
        "max_age": band.max_age.to_dict(),
    }


def _text(text: Text | None, lang: str | None) -> Any:
    if text is None:
        return None
    return text.in_(lang) if lang else text.to_dict()


@click.group("screening")
def screening_cli() -> None:
    """Screening instruments: age bands, scoring, contents."""


@screening_cli.command("bands")
@click.option("--birth-date", required=True, help="YYYY-MM-DD")
@click.option("--date", "on_date", required=True, help="screening date, YYYY-MM-DD")
@click.option("--gestational-weeks", type=int, default=None, help="completed weeks at birth, 22-44")
@click.option("--instrument", "instrument_id", default=None, help="instrument id (default: all)")
@_guarded
def bands_command(birth_date: str, on_date: str, gestational_weeks: int | None,
                  instrument_id: str | None) -> None:
    """The age info and the band each instrument (latest version) uses on that date."""
    age = _age(birth_date, on_date, gestational_weeks)
    registry = _registry()
    instruments = [registry.get(instrument_id)] if instrument_id else list(registry.latest())
    _echo_json({
        "birth_date": age.birth_date.isoformat(),
        "date": age.on_date.isoformat(),
        "age": age.to_dict(),
        "instruments": [
            {"id": i.id, "version": i.version, "band": _band_summary(i.band_for(age))}
            for i in instruments
        ],
    })


@screening_cli.command("score")
@click.option("--instrument", "instrument_id", required=True)
@click.option("--version", type=int, default=None, help="default: latest")
@click.option("--birth-date", required=True, help="YYYY-MM-DD")
@click.option("--date", "on_date", required=True, help="screening date, YYYY-MM-DD")
@click.option("--gestational-weeks", type=int, default=None)
@click.option("--answers", "answers_file", required=True, help="JSON object: item id -> yes|sometimes|not_yet")
@click.option("--follow-ups", "follow_ups_file", default=None, help="JSON object: follow-up id -> yes|no")
@_guarded
def score_command(instrument_id: str, version: int | None, birth_date: str, on_date: str,
                  gestational_weeks: int | None, answers_file: str, follow_ups_file: str | None) -> None:
    """Score a screening and print the result as JSON."""
    age = _age(birth_date, on_date, gestational_weeks)
    answers = _read_json_object(answers_file, "answers")
    follow_ups = _read_json_object(follow_ups_file, "follow-ups") if follow_ups_file else None
    instrument = _registry().get(instrument_id, version)
    band = instrument.band_for(age)
    if band is None:
        used = age.used_age
        raise CliInputError(
            "no_band",
            f"instrument {instrument.id!r} has no band for age {used.months} m {used.days} d ({age.used})",
        )
    _echo_json(score(instrument, band, answers, age, follow_ups).to_dict())


@screening_cli.command("show")
@click.option("--instrument", "instrument_id", required=True)
@click.option("--version", type=int, default=None, help="default: latest")
@click.option("--band", "band_id", default=None, help="only this band")
@click.option("--lang", type=click.Choice(["kk", "ru"]), default=None, help="default: both")
@_guarded
def show_command(instrument_id: str, version: int | None, band_id: str | None, lang: str | None) -> None:
    """The bands, domains and items of an instrument."""
    instrument = _registry().get(instrument_id, version)
    bands = instrument.bands
    if band_id is not None:
        band = instrument.band(band_id)
        if band is None:
            known = ", ".join(b.id for b in instrument.bands)
            raise CliInputError("unknown_band",
                                f"instrument {instrument.id!r} has no band {band_id!r} (known: {known})")
        bands = (band,)
    _echo_json(_show(instrument, bands, lang))


def _show(instrument: Instrument, bands: tuple[Band, ...], lang: str | None) -> dict[str, Any]:
    return {
        "id": instrument.id,
        "version": instrument.version,
        "title": _text(instrument.title, lang),
        "domains": [
            {"id": d.id, "title": _text(d.title, lang), "specialist": d.specialist}
            for d in instrument.domains
        ],
        "bands": [
            {
                **_band_summary(band),  # type: ignore[dict-item]
                "label": _text(band.label, lang),
                "items": [
                    {
                        "id": item.id,
                        "domain": item.domain,
                        "text": _text(item.text, lang),
                        "warning_sign": item.warning_sign,
                        "answers": list(item.answers),
                        **({"how_to_check": _text(item.how_to_check, lang)} if item.how_to_check else {}),
                        **({"specialists": list(item.specialists)} if item.specialists else {}),
                        **({"age75": item.age75, "warning_age": item.warning_age}
                           if item.age75 is not None else {}),
                        **({"reverse": True} if item.reverse else {}),
                        **({"follow_up": [
                            {"id": f.id, "text": _text(f.text, lang), "concern_if": f.concern_if}
                            for f in item.follow_up
                        ]} if item.follow_up else {}),
                    }
                    for item in band.items
                ],
            }
            for band in bands
        ],
    }


@screening_cli.command("simulate")
@click.option("--instrument", "instrument_id", required=True)
@click.option("--version", type=int, default=None, help="default: latest")
@click.option("--children", type=click.IntRange(1, 100_000), default=1000, show_default=True,
              help="simulated children per band (typical, and as many late)")
@click.option("--seed", type=int, default=20261204, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="print JSON instead of a table")
@_guarded
def simulate_command(instrument_id: str, version: int | None, children: int, seed: int, as_json: bool) -> None:
    """Expected share of 'refer' and 'monitor' per band and domain under the model of typical development
    (a model, not a validation: see docs/screening.md)."""
    report = simulate(_registry().get(instrument_id, version), children=children, seed=seed)
    if as_json:
        _echo_json(report)
        return
    click.echo(f"{instrument_id} v{report['instrument']['version']}: {children} typical and {children} late "
               f"children per band, seed {seed}. A MODEL, not a validation.")
    click.echo(f"{'band':6} {'domain':16} {'refer':>6} {'monitor':>8} {'late refer':>11}")
    late = {(r["band"], r["domain"]): r for r in report["late_bands"]}
    for row in report["bands"]:
        click.echo(f"{row['band']:6} {row['domain']:16} {row['refer']:6.1%} {row['monitor']:8.1%} "
                   f"{late[(row['band'], row['domain'])]['refer']:11.1%}")
    click.echo(f"{'band':6} {'any refer':>10} {'late: any refer':>16}")
    for band_id, share in report["any_refer"].items():
        click.echo(f"{band_id:6} {share:10.1%} {report['late_refer'][band_id]:16.1%}")
