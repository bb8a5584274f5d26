"""`flask instruments validate`: check instrument files against the schema and the rules (exit 1 on any problem)."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from ..instruments.errors import InstrumentValidationError
from ..instruments.loader import instrument_files, instrument_from_data, registry_from
from ..instruments.model import Instrument
from ..instruments.validation import load_and_validate
from .context import instruments_dir


@click.group("instruments")
def instruments_cli() -> None:
    """Instrument files."""


@instruments_cli.command("validate")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
def validate_command(files: tuple[str, ...]) -> None:
    """Validate instrument files (default: every instrument file of the instruments directory)."""
    paths = [Path(f) for f in files] if files else instrument_files(instruments_dir())
    if not paths:
        click.echo(f"error: no instrument files in {instruments_dir()}")
        sys.exit(1)
    failed = False
    loaded: list[Instrument] = []
    for path in paths:
        data, problems = load_and_validate(path)
        if problems:
            failed = True
            for problem in problems:
                click.echo(problem)
        else:
            loaded.append(instrument_from_data(data, path.name))
            click.echo(f"OK {path.name}")
    try:
        registry_from(loaded)
    except InstrumentValidationError as exc:
        failed = True
        for problem in exc.errors:
            click.echo(problem)
    sys.exit(1 if failed else 0)
