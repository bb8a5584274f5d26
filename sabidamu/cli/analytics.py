"""`flask analytics export` (the protected table of a region or district, as on the department's page) and
`flask analytics add-department` (a department login, as the platform admin's page makes it)."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from .. import db as dbmod
from . import context
from .context import finish

analytics_cli = AppGroup("analytics", help="District and region analytics (counts only, small numbers hidden).")


def _titles():
    from ..instruments import load_registry
    titles = {}
    for instrument in load_registry(context.instruments_dir()).all():
        for domain in instrument.domains:
            titles.setdefault(domain.id, domain.title)
    return titles


@analytics_cli.command("export")
@click.option("--region", required=True, help="Region code, e.g. KZ-75 (or its name).")
@click.option("--district", default=None, help="District code, e.g. KZ-75-ALA: its organizations' rows.")
@click.option("--year", type=click.IntRange(2000, 2100), required=True, help="Academic year (2026 = 2026-2027).")
@click.option("--stage", type=click.Choice(["start", "intermediate", "final"]), default="start", show_default=True)
@click.option("--lang", type=click.Choice(["kk", "ru"]), default="kk", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="The CSV file to write.")
def export(region, district, year, stage, lang, out):
    """Write the table of the department's page (CSV, UTF-8 with BOM) and print it."""
    from ..monitoring import load_framework
    from ..services import ServiceError
    from ..services.analytics import files
    from ..services.analytics.departments import check_area
    from ..services.analytics.pages import suppressed_table
    try:
        region, district = check_area(region, district)
    except ServiceError as exc:
        finish(2, f"error: {exc.code.replace('_', ' ')}: {district if exc.code == 'unknown_district' else region}")
    stage_name = load_framework().stage(stage).in_(lang)
    with dbmod.session_scope(context.engine()) as s:
        report = suppressed_table(s, region=region, district=district, year=year, stage=stage, lang=lang,
                                  domain_titles=_titles())
        body = files.to_csv(report, stage_name)
        lines = files.rows(report, stage_name)
    out.write_bytes(body)
    for line in lines:
        click.echo(" | ".join(line))
    finish(0, f"written: {out}")


@analytics_cli.command("refresh")
@click.option("--all", "everything", is_flag=True,
              help="Work out every part of the year again, not only the changed ones (after a deploy that changed "
                   "the counting or the protection).")
@click.option("--year", type=click.IntRange(2000, 2100), default=None, help="With --all: the academic year "
              "(default: the current one).")
@click.option("--region", "regions", multiple=True, help="With --all: only these regions (codes or names).")
def refresh(everything, year, regions):
    """Work out the stored district analytics again, as the queue does every few minutes."""
    import datetime as dt

    from ..analytics.areas import region_code
    from ..monitoring.academic_calendar import academic_year_of
    from ..services.analytics import snapshots
    codes = []
    for value in regions:
        code = region_code(value)
        if code is None:
            finish(2, f"error: unknown region: {value}")
        codes.append(code)
    if (year or codes) and not everything:
        finish(2, "error: --year and --region go with --all")
    with dbmod.session_scope(context.engine()) as s:
        if everything:
            result = snapshots.refresh_all(s, year or academic_year_of(dt.date.today()), codes or None)
        else:
            result = snapshots.refresh_changed(s)
    done, failed = result.parts, result.failed
    for region, part_year, part in done:
        click.echo(f"{region} {part_year} {part}")
    finish(1 if failed else 0, f"worked out: {len(done)} parts" + (f", failed: {len(failed)}" if failed else ""))


@analytics_cli.command("add-department")
@click.option("--region", required=True)
@click.option("--district", default=None)
@click.option("--name", "full_name", required=True, help="The department and the person.")
@click.option("--login", required=True, help="E-mail or phone.")
@click.password_option()
def add_department(region, district, full_name, login, password):
    """A login of a district or regional education department (counts only, never a child)."""
    from ..services import ServiceError
    from ..services.analytics.departments import create_department
    with dbmod.session_scope(context.engine()) as s:
        try:
            create_department(s, None, region=region, district=district, full_name=full_name, login=login,
                              password=password)
        except ServiceError as exc:
            finish(2, f"error: {exc.code.replace('_', ' ')}")
    finish(0, f"department login created: {login}")
