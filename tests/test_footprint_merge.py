"""Footprints that are one site (assetmap issue 12, point 5): touching (or within 5 m) with the same name, or the
same site in two files, are one green space for the size test and one asset for the counts. Real GeoPackage
projects and real imports; coverage is of the area (no postcode lookup)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import shapely

from assetmap.core.analysis import GapOptions, run_gaps
from assetmap.core.analysis.footprints import components, normalised_name, site_groups, site_names
from assetmap.core.imports.pipeline import ImportOptions, import_file
from assetmap.core.project import Project

X0, Y0 = 380000, 390000  # the fixture's West square is X0..X0+1000, Y0..Y0+1000
RULE = "green_space_2ha_300m"
HALF_A = shapely.box(X0 + 100, Y0 + 100, X0 + 220, Y0 + 200)  # 120 m x 100 m: 1.2 ha
HALF_B = shapely.box(X0 + 220, Y0 + 100, X0 + 340, Y0 + 200)  # 1.2 ha, sharing HALF_A's east edge


def _add(path: Path, kind: str, area: shapely.Geometry, name: str, **values: Any) -> str:
    with Project.open(path) as project:
        return project.add_asset({"name": name, "category": kind.split("/")[0], "kind": kind, "visibility": "public",
                                  **values}, area.representative_point(), area)


def _run(path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    with Project.open(path) as project:
        result = run_gaps(project, GapOptions(homes=False))
    return next(r for r in result.neighbourhoods if r["name"] == "West"), result.meta


def test_two_touching_halves_with_one_name_are_one_2_ha_park_and_one_asset(empty_project: Path) -> None:
    _add(empty_project, "physical/park", HALF_A, "Moss Park")
    _add(empty_project, "physical/park", HALF_B, "MOSS PARK.")  # case and punctuation aside, the same name
    west, meta = _run(empty_project)
    assert west["coverage"][RULE] > 0.2  # 2.4 ha together: it qualifies
    assert west["counts"]["physical"] == 1 and west["kinds"] == {"physical/park": 1}
    assert meta["assets_counted"] == 1
    assert meta["footprint_sites"]["sites_merged"] == 1 and meta["footprint_sites"]["assets_merged"] == 1
    assert meta["footprint_sites"]["sized_together"][RULE] == 1


def test_a_gap_of_3_m_still_joins_them(empty_project: Path) -> None:
    _add(empty_project, "physical/park", HALF_A, "Moss Park")
    _add(empty_project, "physical/playing_field", shapely.box(X0 + 223, Y0 + 100, X0 + 343, Y0 + 200), "Moss Park")
    west, _ = _run(empty_project)
    assert west["coverage"][RULE] > 0.2  # a park and its playing field, one green space for the size test
    assert west["counts"]["physical"] == 2  # but a park and a playing field for the counts


def test_two_different_names_50_m_apart_are_two_small_ones(empty_project: Path) -> None:
    _add(empty_project, "physical/park", HALF_A, "Moss Park")
    _add(empty_project, "physical/park", shapely.box(X0 + 270, Y0 + 100, X0 + 390, Y0 + 200), "Ashton Park")
    west, meta = _run(empty_project)
    assert west["coverage"][RULE] == 0.0  # 1.2 ha each: neither is 2 ha
    assert west["counts"]["physical"] == 2 and meta["footprint_sites"]["assets_merged"] == 0


def test_one_name_50_m_apart_or_a_name_that_only_says_the_kind_is_not_one_site(empty_project: Path,
                                                                               tmp_path: Path) -> None:
    _add(empty_project, "physical/park", HALF_A, "Moss Park")
    _add(empty_project, "physical/park", shapely.box(X0 + 270, Y0 + 100, X0 + 390, Y0 + 200), "Moss Park")
    assert _run(empty_project)[0]["coverage"][RULE] == 0.0
    generic = tmp_path / "generic.gpkg"
    with Project.open(empty_project, readonly=True) as project:
        Project.create(generic, 27700, neighbourhoods=project.neighbourhoods())
    _add(generic, "physical/playing_field", HALF_A, "Playing field")  # as an import names unnamed rows
    _add(generic, "physical/playing_field", HALF_B, "Playing field")
    west, _ = _run(generic)
    assert west["coverage"][RULE] == 0.0 and west["counts"]["physical"] == 2


def _geojson(path: Path, name: str, ring: shapely.Polygon, extra: dict[str, Any]) -> Path:
    feature = {"type": "Feature", "properties": {"name": name, **extra},
               "geometry": shapely.geometry.mapping(ring)}
    path.write_text(json.dumps({"type": "FeatureCollection", "crs": {"type": "name", "properties": {
        "name": "urn:ogc:def:crs:EPSG::27700"}}, "features": [feature]}))
    return path


def test_the_same_allotment_in_two_files_counts_once(empty_project: Path, tmp_path: Path) -> None:
    council = _geojson(tmp_path / "council_allotments.geojson", "Eaton Road",
                       shapely.box(X0 + 400, Y0 + 400, X0 + 460, Y0 + 450), {"site_ref": "A1"})
    os_greenspace = _geojson(tmp_path / "greenspace.geojson", "Allotments",  # drawn a little differently
                             shapely.box(X0 + 402, Y0 + 398, X0 + 465, Y0 + 452), {"id": "GS9"})
    playground = shapely.box(X0 + 440, Y0 + 430, X0 + 455, Y0 + 445)  # a different kind inside it stays apart
    with Project.open(empty_project) as project:
        for path in (council, os_greenspace):
            report = import_file(project, path, ImportOptions(kind="physical/allotment"))
            assert report.imported == 1  # far enough apart that the import does not see a duplicate
        assert len(project.asset_areas()) == 2
    _add(empty_project, "physical/playground", playground, "Eaton Road play area")
    west, meta = _run(empty_project)
    assert west["kinds"] == {"physical/allotment": 1, "physical/playground": 1}
    assert meta["footprint_sites"]["assets_merged"] == 1


def test_components_match_a_plain_union_find() -> None:
    rng = np.random.default_rng(3)
    for n, m in ((1, 0), (10, 4), (500, 300), (2000, 2500)):
        a, b = rng.integers(0, n, m), rng.integers(0, n, m)
        parent = list(range(n))

        def root(x: int) -> int:
            while parent[x] != x:
                x = parent[x]
            return x
        for x, y in zip(a.tolist(), b.tolist()):
            rx, ry = root(x), root(y)
            parent[max(rx, ry)] = min(rx, ry)
        expected = [min(i for i in range(n) if root(i) == root(j)) for j in range(n)] if n <= 500 else None
        got = components(n, a, b)
        if expected is not None:
            assert got.tolist() == expected
        else:  # same partition, labelled by its smallest node
            roots = np.array([root(i) for i in range(n)])
            assert all(len(set(got[roots == r])) == 1 for r in set(roots.tolist()))
            assert all(got[i] <= i for i in range(n))


def test_names_are_compared_without_case_or_punctuation() -> None:
    assert normalised_name("St. Mary’s  Park") == normalised_name("st marys park") == "st marys park"
    assert normalised_name("The Park") != normalised_name("Park")  # "the" and "park" stay
    assert site_names(["Playing field", "Park or public garden", "Moss Park", None]).tolist() == ["", "", "moss park",
                                                                                                 ""]


def test_many_footprints_are_grouped_quickly() -> None:
    """The national benchmark has tens of thousands of footprints: grouping them is a few vectorised queries."""
    rng = np.random.default_rng(1)
    n = 40_000
    xy = rng.uniform(0, 400_000, (n, 2))
    polys = shapely.buffer(shapely.points(xy), rng.uniform(20, 150, n), quad_segs=4)
    names = np.array([f"site {i % 5000}" for i in range(n)], dtype=object)
    polys[1] = shapely.buffer(shapely.Point(xy[0]), 10, quad_segs=4)  # inside footprint 0: the same site
    started = time.perf_counter()
    labels = site_groups(polys, names)
    assert time.perf_counter() - started < 10  # about 0.2 s on the 2-core CI machine
    assert labels[1] == 0


@pytest.mark.parametrize("kinds", [None, np.array(["physical/park", "physical/nature_reserve"], dtype=object)])
def test_one_site_in_two_kinds_only_when_each_is_mostly_the_other(kinds: np.ndarray | None) -> None:
    park = shapely.box(0, 0, 100, 100)
    reserve = shapely.box(2, 0, 100, 98)  # the same site mapped twice: one site in every sense
    unnamed = np.array(["", ""], dtype=object)
    assert site_groups(np.array([park, reserve], dtype=object), unnamed, kinds).tolist() == [0, 0]
    pond = shapely.box(10, 10, 30, 30)  # inside the park, far smaller: the same site only for a rule's size test
    joined = site_groups(np.array([park, pond], dtype=object), unnamed, kinds).tolist()
    assert joined == ([0, 0] if kinds is None else [0, 1])
