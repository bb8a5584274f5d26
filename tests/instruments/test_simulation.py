"""The referral-rate model (`flask screening simulate`) and the v2 targets, with a fixed seed.

Targets (issue 11): a typical child gets 'refer' in any domain in at most 10 % of screenings and in any
one domain in at most 3 %; a child whose every skill is 3 months late (below 24 months) or 6 months
late (from 24 months) gets 'refer' in at least 80 %.  The model is a model, not a validation
(docs/screening.md, "Expected false-alarm rate")."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from sabidamu.cli.screening import screening_cli
from sabidamu.instruments import load_registry
from sabidamu.instruments.loader import DEFAULT_DIR
from sabidamu.instruments.simulate import simulate

CHILDREN = 600
SEED = 20261204
DEV = load_registry(DEFAULT_DIR).get("sabidamu-dev-screen", 2)
REPORT = simulate(DEV, children=CHILDREN, seed=SEED)
# Bands where no public source gives a milestone age between two CDC checklist ages, so a child late by
# the target amount looks like a typical child of the previous checklist age (docs/screening.md,
# "Where the targets are not met").  strict=True: the test tells when one of them starts to pass.
LATE_TARGET_MISSED = {"m21", "m42", "m54"}


def test_a_typical_child_is_referred_in_at_most_10_percent_overall_and_3_percent_per_domain():
    assert set(REPORT["any_refer"]) == {b.id for b in DEV.bands}
    for band_id, share in REPORT["any_refer"].items():
        assert 0 <= share <= 0.10, band_id
    for row in REPORT["bands"]:
        assert 0 <= row["refer"] <= 0.03, row
        assert 0 <= row["monitor"] <= 1


@pytest.mark.parametrize("band", [b.id for b in DEV.bands])
def test_a_late_child_is_referred_in_at_least_80_percent(band, request):
    if band in LATE_TARGET_MISSED:
        request.applymarker(pytest.mark.xfail(strict=True, reason="no milestone source between CDC ages"))
    assert REPORT["late_refer"][band] >= 0.80


def test_same_seed_same_result_and_shares_are_fractions():
    again = simulate(DEV, children=50, seed=7)
    assert again == simulate(DEV, children=50, seed=7)
    for key in ("any_refer", "late_refer", "late_shifted_refer"):
        assert all(0 <= v <= 1 for v in again[key].values())


def test_cli_json_shape():
    result = CliRunner().invoke(screening_cli, ["simulate", "--instrument", "sabidamu-social-communication",
                                                "--children", "30", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [(r["band"], r["domain"]) for r in data["bands"]] == [
        ("sc2-16", "social_communication"), ("sc2-30", "social_communication")]
    assert set(data["any_refer"]) == set(data["late_refer"]) == {"sc2-16", "sc2-30"}
    table = CliRunner().invoke(screening_cli, ["simulate", "--instrument", "sabidamu-dev-screen",
                                               "--children", "5"])
    assert table.exit_code == 0 and "A MODEL, not a validation" in table.output


def test_cli_refuses_a_bad_count_without_a_traceback():
    result = CliRunner().invoke(screening_cli, ["simulate", "--instrument", "sabidamu-dev-screen",
                                                "--children", "0"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    result = CliRunner().invoke(screening_cli, ["simulate", "--instrument", "no-such"])
    assert result.exit_code == 2 and "error[" in result.output
