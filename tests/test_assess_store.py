"""Assessments in the GeoPackage: round trip, history newest first and never overwritten, the asset's
ACV fields kept in step, undo, and projects written before the table existed."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
from test_assess_helpers import add_hall, full_assessment, hall, open_hall  # noqa: F401 (fixtures)

from assetmap.core.assessments import (
    AddAssessment,
    add_assessment,
    assessment_summaries,
    assessments_for,
    get_assessment,
    latest_assessments,
)
from assetmap.core.errors import AssetmapError, ValidationError
from assetmap.core.project import Project


def test_round_trip_through_the_geopackage(hall) -> None:  # noqa: F811
    path, asset_id = hall
    with Project.open(path) as project:
        added = add_assessment(project, asset_id, full_assessment())
    with Project.open(path, readonly=True) as project:
        stored = get_assessment(project, added["id"])
    assert stored == added
    assert stored["score"] == 76.0
    assert stored["building"]["groups_using"] == ["Scouts", "Lunch club", "Yoga for all"]
    assert stored["condition"]["roof"] == "poor"
    assert stored["tenure"] == {"type": "lease", "lease_years": 30.0}
    assert stored["organisation"]["legal_form"] == "CIO"
    assert stored["acv"]["sale_notice_on"] == "2024-02-29" and stored["acv"]["community_bid_requested"] is True
    assert stored["risks"] == ["Roof replacement needs external funding", "Reliance on a small group of volunteers"]
    assert stored["notes"] == "Site visit on 2024-02-20."


def test_table_is_a_standard_geopackage_layer(hall) -> None:  # noqa: F811
    path, asset_id = hall
    with Project.open(path) as project:
        add_assessment(project, asset_id, full_assessment())
    assert "assessments" in [name for name, _ in pyogrio.list_layers(path)]
    table = gpd.read_file(path, layer="assessments")
    assert list(table["asset_id"]) == [asset_id]
    assert table["score"].iloc[0] == 76.0 and table["organisation_name"].iloc[0] == "Friends of Elm Road Hall"


def test_several_assessments_newest_first_and_none_overwritten(hall) -> None:  # noqa: F811
    path, asset_id = hall
    with Project.open(path) as project:
        old = add_assessment(project, asset_id, {**full_assessment(), "date": "2023-01-10",
                                                 "recommendation": "do_not_transfer", "reasons": "No business plan"})
        first_same_day = add_assessment(project, asset_id, {**full_assessment(), "assessor": "A"})
        second_same_day = add_assessment(project, asset_id, {**full_assessment(), "assessor": "B"})
        backdated = add_assessment(project, asset_id, {**full_assessment(), "date": "2023-06-01"})
    with Project.open(path, readonly=True) as project:
        history = assessments_for(project, asset_id)
        assert [a["id"] for a in history] == [second_same_day["id"], first_same_day["id"], backdated["id"], old["id"]]
        assert get_assessment(project, old["id"]) == old
        assert len({a["id"] for a in history}) == 4
        assert [a["id"] for a in latest_assessments(project)] == [second_same_day["id"]]


def test_failed_validation_writes_nothing(open_hall) -> None:  # noqa: F811
    project, asset_id = open_hall
    with pytest.raises(ValidationError):
        add_assessment(project, asset_id, {**full_assessment(), "condition": {"roof": "leaky"}})
    assert project.count("assessments") == 0
    assert project.asset(asset_id)["acv_status"] is None


def test_unknown_asset_is_refused(open_hall) -> None:  # noqa: F811
    project, _ = open_hall
    with pytest.raises(AssetmapError, match="No asset with id nope"):
        add_assessment(project, "nope", full_assessment())


def test_asset_acv_fields_follow_the_newest_assessment(open_hall) -> None:  # noqa: F811
    project, asset_id = open_hall
    add_assessment(project, asset_id, full_assessment())
    asset = project.asset(asset_id)
    assert ((asset["acv_status"], asset["acv_listed_on"], asset["acv_expires_on"])
            == ("listed", "2020-01-20", "2025-01-20"))
    # a backdated assessment does not turn the clock back on the asset
    add_assessment(project, asset_id, {**full_assessment(), "date": "2019-12-05",
                                       "acv": {"status": "nominated", "nominated_on": "2019-12-01"}})
    assert project.asset(asset_id)["acv_status"] == "listed"
    # an assessment without ACV data leaves the asset alone
    add_assessment(project, asset_id, {**full_assessment(), "date": "2024-06-01", "acv": None})
    assert project.asset(asset_id)["acv_status"] == "listed"


def test_unsuccessful_nominations_are_kept(open_hall) -> None:  # noqa: F811
    project, asset_id = open_hall
    failed = add_assessment(project, asset_id, {**full_assessment(), "date": "2024-05-01",
                                                "acv": {"status": "unsuccessful", "nominated_on": "2024-03-01",
                                                        "decision_on": "2024-04-20"}})
    assert project.asset(asset_id)["acv_status"] == "unsuccessful"
    assert project.asset(asset_id)["acv_listed_on"] is None
    assert get_assessment(project, failed["id"])["acv"]["status"] == "unsuccessful"
    summary = assessment_summaries(project)[0]
    assert summary["acv"]["status"] == "unsuccessful" and summary["acv"]["decision_due"] == "2024-04-26"
    assert summary["acv"]["listing_ends"] is None


def test_summary_falls_back_to_the_asset_fields(empty_project: Path) -> None:
    asset_id = add_hall(empty_project, acv_status="listed", acv_listed_on="2021-03-31")
    with Project.open(empty_project) as project:
        add_assessment(project, asset_id, {**full_assessment(), "acv": None})
        acv = assessment_summaries(project)[0]["acv"]
    assert acv["status"] == "listed" and acv["listing_ends"] == "2026-03-31" and acv["sale_notice_on"] is None


def test_add_assessment_command_undo_and_redo(open_hall) -> None:  # noqa: F811
    project, asset_id = open_hall
    command = AddAssessment(asset_id, full_assessment())
    command.apply(project)
    first_id = command.assessment_id
    assert project.asset(asset_id)["acv_status"] == "listed"
    command.revert(project)
    assert project.count("assessments") == 0
    assert project.asset(asset_id)["acv_status"] is None and project.asset(asset_id)["acv_expires_on"] is None
    command.apply(project)
    assert [a["id"] for a in assessments_for(project, asset_id)] == [first_id]
    assert project.asset(asset_id)["acv_status"] == "listed"


def test_project_from_before_the_table(hall) -> None:  # noqa: F811
    path, asset_id = hall
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE assessments")
    conn.execute("DELETE FROM gpkg_contents WHERE table_name='assessments'")
    conn.commit()
    conn.close()
    with Project.open(path, readonly=True) as project:
        assert assessments_for(project, asset_id) == [] and assessment_summaries(project) == []
    with Project.open(path) as project:  # opening for editing adds the table
        add_assessment(project, asset_id, full_assessment())
        assert len(assessments_for(project, asset_id)) == 1


def test_summaries_leave_out_deleted_assets_but_keep_their_assessments(open_hall) -> None:  # noqa: F811
    from assetmap.core.assessments import assessment_summaries

    project, asset_id = open_hall
    add_assessment(project, asset_id, full_assessment())
    project.delete_asset(asset_id)
    assert assessment_summaries(project) == []
    kept = assessment_summaries(project, include_deleted=True)
    assert len(kept) == 1 and kept[0]["name"] is None
    assert len(assessments_for(project, asset_id)) == 1
