"""Core pieces behind the desktop map's in-place updates: what an edit changed, the map data patched
with just those assets (it must equal a rebuild), and whether a clicked point is in or near the area."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
import shapely
from test_gui_helpers import sample_master  # noqa: F401  (the real sample project, built once)

from assetmap.core.export.webdata import build_map_data
from assetmap.core.export.webpatch import layer_summary, patch_map_data, read_assets, snapshot
from assetmap.core.project import Project
from assetmap.core.project.changes import Changes, changes_of
from assetmap.core.project.commands import AddAsset, AddPerson, DeleteAsset, UpdateAsset
from assetmap.core.project.extent import DEFAULT_MARGIN_M, AreaIndex, check_point
from assetmap.core.taxonomy import UNCATEGORISED


def semantic(data: dict[str, Any]) -> tuple[dict[str, dict[str, Any]], list[tuple[str, str]], dict[str, int], int]:
    """Map data by meaning, not by position: each asset's fields by name, footprints by asset, counts."""
    fields, kinds, cats = data["assets"]["fields"], data["assets"]["kinds"], data["categories"]
    rows = {}
    for r in data["assets"]["rows"]:
        rec = {fields[i]: v for i, v in enumerate(r) if v is not None}
        rec["category"] = cats[r[2]]["id"]
        if "kind" in rec:
            rec["kind"] = kinds[rec["kind"]]["id"]
        rows[r[0]] = rec
    areas = sorted((data["assets"]["rows"][a["a"]][0], json.dumps(a["g"], sort_keys=True)) for a in data["areas"])
    return rows, areas, {c["id"]: c["count"] for c in cats}, data["meta"]["located"]


@pytest.fixture
def sample(sample_master: Path, tmp_path: Path) -> Path:  # noqa: F811
    dest = tmp_path / "sample.gpkg"
    shutil.copy(sample_master, dest)
    return dest


def test_patched_map_data_equals_a_rebuild_after_every_kind_of_edit(sample: Path) -> None:
    with Project.open(sample) as project:
        data = build_map_data(project, private=True)
        ids = project.assets()["id"].tolist()
        with_area = project.asset_areas()["asset_id"].iloc[0]
        project.update_asset(ids[3], {"name": "Renamed", "category": "economy", "kind": "economy/pub"})
        project.update_asset(ids[4], {"geometry": shapely.Point(378000, 392000)})
        project.update_asset(ids[5], {"geometry": None})  # taken off the map
        record = project.delete_asset(with_area)  # with its footprint
        new_id = project.add_asset({"name": "New meadow", "category": "physical", "kind": "physical/park"},
                                   shapely.Point(377000, 391000), shapely.box(376900, 390900, 377100, 391100))
        change = patch_map_data(project, data, [ids[3], ids[4], ids[5], with_area, new_id])
        assert change is not None
        assert {r[0] for r in change["upsert"]} == {ids[3], ids[4], ids[5], new_id}
        assert change["remove"] == [with_area]
        assert len(change["areas"][new_id]) == 1
        assert semantic(data) == semantic(build_map_data(project, private=True))

        project.restore_asset(record)  # undoing the delete brings the footprint back too
        change = patch_map_data(project, data, [with_area])
        assert change is not None and change["remove"] == [] and change["areas"][with_area]
        assert semantic(data) == semantic(build_map_data(project, private=True))


def test_public_patch_takes_off_an_asset_made_private(sample: Path) -> None:
    with Project.open(sample) as project:
        data = build_map_data(project, private=False)
        asset_id = data["assets"]["rows"][0][0]
        project.update_asset(asset_id, {"visibility": "private"})
        change = patch_map_data(project, data, [asset_id], private=False)
        assert change is not None and change["remove"] == [asset_id] and change["upsert"] == []
        assert semantic(data)[0] == semantic(build_map_data(project, private=False))[0]


def test_a_category_the_map_lacks_needs_a_rebuild(sample: Path) -> None:
    with Project.open(sample) as project:
        data = build_map_data(project, private=True)
        assert UNCATEGORISED not in [c["id"] for c in data["categories"]]
        draft = project.add_asset({"name": "Something to sort", "category": UNCATEGORISED},
                                  shapely.Point(377000, 391000))
        assert patch_map_data(project, data, [draft]) is None


def test_a_snapshot_stays_as_it_was_while_the_data_is_patched(sample: Path) -> None:
    with Project.open(sample) as project:
        data = build_map_data(project, private=True)
        shot = snapshot(data)
        before = json.dumps(shot, sort_keys=True)
        first = data["assets"]["rows"][0][0]
        project.update_asset(first, {"name": "Changed meanwhile"})
        project.delete_asset(data["assets"]["rows"][1][0])
        patch_map_data(project, data, [first, data["assets"]["rows"][1][0]])
        assert json.dumps(shot, sort_keys=True) == before
        assert semantic(data)[0][first]["name"] == "Changed meanwhile"


def test_the_quick_layer_summary_matches_the_built_data(sample: Path) -> None:
    with Project.open(sample) as project:
        project.add_asset({"name": "A draft", "category": UNCATEGORISED}, shapely.Point(377000, 391000))
        quick, built = layer_summary(project), build_map_data(project, private=True)
    assert quick["categories"] == built["categories"]
    assert [h["code"] for h in quick["neighbourhoods"]] == [h["code"] for h in built["neighbourhoods"]]


def test_read_assets_keeps_the_ones_still_there(sample: Path) -> None:
    with Project.open(sample) as project:
        ids = project.assets()["id"].tolist()[:3]
        project.delete_asset(ids[1])
        frame = read_assets(project, [ids[2], ids[1], ids[0]])
        assert frame["id"].tolist() == [ids[2], ids[0]]
        assert list(frame.columns) == list(project.assets().columns)


def test_commands_say_what_they_changed() -> None:
    update = UpdateAsset("a1", {"name": "x"})
    assert changes_of(update) == Changes.of_assets(["a1"])
    add = AddAsset({"name": "x"}, asset_id="a2")
    assert changes_of(add).assets == {"a2"} and changes_of(add).assessments == {"a2"}
    assert changes_of(DeleteAsset("a3")).assets == {"a3"}
    people = changes_of(AddPerson({"display_name": "Sam"}))
    assert people.people and not people.touches_assets

    class SomethingNew:  # a command nobody taught the map about: everything is read again
        text = "?"

    assert changes_of(SomethingNew()) == Changes.everything()
    merged = Changes.of_assets(["a"]) | Changes(gaps=True)
    assert merged.assets == {"a"} and merged.gaps and not merged.all_assets


def squares(crs: int, x0: float, y0: float, side: float) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"code": ["A", "B"], "name": ["West", "East"]},
                            geometry=[shapely.box(x0, y0, x0 + side, y0 + side),
                                      shapely.box(x0 + side, y0, x0 + 2 * side, y0 + side)], crs=crs)


def test_a_point_in_near_or_far_from_the_neighbourhoods(empty_project: Path) -> None:
    with Project.open(empty_project, readonly=True) as project:
        inside = check_point(project, shapely.Point(380500, 390500))
        assert inside.inside and inside.near and inside.nearest == "West"
        near = check_point(project, shapely.Point(382600, 390500))  # 600 m east of East
        assert not near.inside and near.near and near.distance_m == pytest.approx(600)
        far = check_point(project, shapely.Point(382000 + 80_000, 390500))
        assert not far.near and far.distance_m == pytest.approx(80_000)
        assert "80.0 km" in far.describe() and "East" in far.describe()
        assert check_point(project, shapely.Point(382600, 390500), margin_m=500).near is False
    assert DEFAULT_MARGIN_M == 1000


def test_distances_are_in_metres_in_a_crs_measured_in_feet() -> None:
    """EPSG:2263 (New York Long Island) is in US survey feet: the 1 km margin is still 1 km."""
    index = AreaIndex(squares(2263, 980000, 190000, 3000))
    assert index.check(shapely.Point(986000 + 2000, 191000)).near  # 2,000 ft = 610 m
    check = index.check(shapely.Point(986000 + 5000, 191000))  # 5,000 ft = 1,524 m
    assert not check.near and check.distance_m == pytest.approx(1524, abs=1)


def test_no_neighbourhoods_means_no_outside(tmp_path: Path) -> None:
    path = tmp_path / "bare.gpkg"
    Project.create(path, 27700, name="Bare")
    with Project.open(path, readonly=True) as project:
        check = check_point(project, shapely.Point(0, 0))
    assert check.near and check.distance_m is None and "no neighbourhoods" in check.describe()
