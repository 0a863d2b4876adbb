"""GeoJSON and CSV exports, the shared privacy filter, the map data and the export command."""

from __future__ import annotations

import csv
import importlib.util
import json
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from assetmap.cli import main
from assetmap.core.analysis import GapOptions, run_gaps
from assetmap.core.analysis.public import needs_public_run
from assetmap.core.analysis.run import stored_results
from assetmap.core.errors import AssetmapError
from assetmap.core.export import build_map_data, render_webmap_html, write_csv, write_geojson, write_webmap
from assetmap.core.export.privacy import skill_summaries
from assetmap.core.model import PRIVATE_ASSET_FIELDS
from assetmap.core.project import Project

_spec = importlib.util.spec_from_file_location("export_projects", Path(__file__).parent / "data/export/projects.py")
projects = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(projects)  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    path = tmp_path_factory.mktemp("export") / "p.gpkg"
    return path, projects.build(path)


def test_geojson_is_rfc7946_wgs84_and_public(built: tuple[Path, dict], tmp_path: Path) -> None:
    path, expected = built
    out = tmp_path / "a.geojson"
    with Project.open(path, readonly=True) as p:
        summary = write_geojson(p, out)
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["type"] == "FeatureCollection" and "crs" not in data
    assert summary["assets"] == len(data["features"]) == expected["public"]
    located = [f for f in data["features"] if f["geometry"]]
    assert len(located) == expected["public_located"]
    for f in located:
        lon, lat = f["geometry"]["coordinates"]
        assert -3 < lon < -2 and 53 < lat < 54  # [lon, lat] order, in WGS84 (BNG 380000,390000 is near Manchester)
        assert all(len(repr(c).split(".")[1]) <= 6 for c in (lon, lat))
    unlocated = [f for f in data["features"] if f["geometry"] is None]
    assert [f["properties"]["name"] for f in unlocated] == ["Story Walk"]
    for f in data["features"]:
        assert not PRIVATE_ASSET_FIELDS & set(f["properties"])
        assert f["properties"]["visibility"] == "public"
        assert f["id"] == f["properties"]["id"]
    text = out.read_text(encoding="utf-8")
    for secret in projects.PRIVATE_STRINGS:
        assert secret not in text


def test_geojson_private_has_everything(built: tuple[Path, dict], tmp_path: Path) -> None:
    path, expected = built
    out = tmp_path / "a.geojson"
    with Project.open(path, readonly=True) as p:
        write_geojson(p, out, private=True)
    data = json.loads(out.read_text(encoding="utf-8"))
    assert len(data["features"]) == expected["private_total"]
    hall = next(f for f in data["features"] if f["properties"]["name"] == projects.HOSTILE)
    assert hall["properties"]["phone"] == "0121 496 0000" and hall["properties"]["notes"] == "SECRETNOTE"


def test_csv_lon_lat_and_filter(built: tuple[Path, dict], tmp_path: Path) -> None:
    path, expected = built
    out = tmp_path / "a.csv"
    with Project.open(path, readonly=True) as p:
        write_csv(p, out)
    with open(out, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == expected["public"]
    assert list(rows[0])[-2:] == ["lon", "lat"]
    assert not PRIVATE_ASSET_FIELDS & set(rows[0])
    lib = next(r for r in rows if r["name"] == "Central Library")
    assert -3 < float(lib["lon"]) < -2 and 53 < float(lib["lat"]) < 54
    assert len(lib["lon"].split(".")[1]) <= 6
    story = next(r for r in rows if r["name"] == "Story Walk")
    assert story["lon"] == "" and story["lat"] == ""
    text = out.read_text(encoding="utf-8-sig")
    for secret in projects.PRIVATE_STRINGS:
        assert secret not in text
    with Project.open(path, readonly=True) as p:
        write_csv(p, out, private=True)
    with open(out, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == expected["private_total"] and "phone" in rows[0]
    assert any(r["phone"] == "07700 900999" for r in rows)  # phone numbers are not mangled by the formula guard


def test_csv_neutralises_formulas(empty_project: Path, tmp_path: Path) -> None:
    with Project.open(empty_project) as p:
        p.add_asset({"name": "=HYPERLINK(\"http://evil\",\"x\")", "category": "physical", "description": "-1+2",
                     "address": "+44 (0)121 496 0000"})
        write_csv(p, tmp_path / "a.csv")
    row = next(csv.DictReader(open(tmp_path / "a.csv", encoding="utf-8-sig", newline="")))
    assert row["name"].startswith("'=") and row["description"] == "'-1+2"
    assert row["address"] == "+44 (0)121 496 0000"  # a phone-like value is left alone


def test_skill_counts_below_three_are_suppressed(built: tuple[Path, dict]) -> None:
    path, _ = built
    with Project.open(path, readonly=True) as p:
        public = skill_summaries(p.people(), private=False)
        private = skill_summaries(p.people(), private=True)
    assert public["E01000001"].counts == {"cooking": 3}
    assert public["E01000001"].suppressed == 2 and not public["E01000001"].people
    assert public["E01000002"].counts == {} and public["E01000002"].suppressed == 1
    assert private["E01000001"].counts["juggling"] == 1
    assert {p["name"] for p in private["E01000001"].people} == {"Alice Resident", "Bob Resident", "Cy Resident"}


def test_map_data_is_compact_and_filtered(built: tuple[Path, dict]) -> None:
    path, expected = built
    with Project.open(path, readonly=True) as p:
        data = build_map_data(p)
        assert build_map_data(p, indicator="green")["indicator"] == "green"
        with pytest.raises(AssetmapError, match="choose one of: meet, green"):
            build_map_data(p, indicator="nope")
    assert data["indicator"] == "meet"  # the first rule with results
    assert len(data["assets"]["rows"]) == expected["public"]
    assert data["meta"]["located"] == expected["public_located"]
    assert len(data["areas"]) == 1  # the private asset's footprint stays out
    assert not PRIVATE_ASSET_FIELDS & set(data["assets"]["fields"])
    west = next(h for h in data["neighbourhoods"] if h["code"] == "E01000001")
    assert west["flags"][0]["rule"] == "meet" and west["coverage"]["meet"] == 0.41
    assert west["skills"] == {"counts": {"cooking": 3}, "suppressed": True}  # never how many were left out


def test_page_has_no_cdn_and_no_template_evaluation(built: tuple[Path, dict]) -> None:
    path, _ = built
    with Project.open(path, readonly=True) as p:
        page = render_webmap_html(build_map_data(p), basemap=False)
    for cdn in ("cdn.jsdelivr", "cdnjs", "code.jquery", "bootstrapcdn", "unpkg", "<link rel=\"stylesheet\"", "src=\""):
        assert cdn not in page
    assert "tile.openstreetmap.org" not in page
    assert "{{ 7*7 }}" in page and ">49<" not in page  # user text never goes through folium's Jinja
    assert "<img src=x" not in page and "\\u003cimg src=x onerror=alert(1)\\u003e" in page
    assert "Content-Security-Policy" in page
    assert "Leaflet" in page and "BSD" in page  # licence notice kept


def test_webmap_without_gap_results_has_no_indicator(empty_project: Path, tmp_path: Path) -> None:
    import shapely

    with Project.open(empty_project) as p:
        p.add_asset({"name": "Hall", "category": "physical"}, shapely.Point(380500, 390500))
        summary = write_webmap(p, tmp_path / "m.html", basemap=False)
        with pytest.raises(AssetmapError, match="run `assetmap gaps` first"):
            build_map_data(p, indicator="meet")
    assert summary["indicator"] is None and summary["located"] == 1
    page = (tmp_path / "m.html").read_text(encoding="utf-8")
    assert '"indicator":null' in page


def test_cli_export(built: tuple[Path, dict], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path, expected = built
    assert main(["export", str(path), "--out", str(tmp_path / "m.html"), "--no-basemap", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["assets"] == expected["public"] and out["format"] == "html" and out["private"] is False
    assert main(["export", str(path), "--out", str(tmp_path / "m.txt")]) == 2
    assert main(["export", str(path), "--out", str(tmp_path / "m.csv"), "--indicator", "meet"]) == 2
    assert main(["export", str(path), "--out", str(tmp_path / "m.html"), "--indicator", "nope", "--force"]) == 1
    assert "choose one of" in capsys.readouterr().err
    assert main(["export", str(tmp_path / "missing.gpkg"), "--out", str(tmp_path / "m.csv")]) == 1
    assert main(["export", str(path), "--out", str(tmp_path / "m.geojson"), "--private"]) == 0
    assert "private" in capsys.readouterr().out


def _numbers(obj: object) -> list[float]:
    if isinstance(obj, float):
        return [obj]
    if isinstance(obj, dict):
        return [x for v in obj.values() for x in _numbers(v)]
    if isinstance(obj, (list, tuple)):
        return [x for v in obj for x in _numbers(v)]
    return []


def test_coordinates_have_at_most_six_decimals(built: tuple[Path, dict]) -> None:
    path, _ = built
    with Project.open(path, readonly=True) as p:
        data = build_map_data(p)
    geo = [data["areas"], [h["g"] for h in data["neighbourhoods"]], [r[4:6] for r in data["assets"]["rows"]]]
    numbers = _numbers(geo)
    assert len(numbers) > 50
    assert all(len(repr(x).split(".")[1]) <= 6 for x in numbers if "." in repr(x) and "e" not in repr(x))


def test_ten_thousand_assets_stay_under_5_mb(empty_project: Path, tmp_path: Path) -> None:
    import random

    import shapely

    rng = random.Random(4)
    kinds = [("associations", "associations/voluntary_group"), ("institutions", "institutions/library"),
             ("physical", "physical/community_centre"), ("economy", "economy/shop"), ("culture", "culture/arts_venue")]
    records, points = [], []
    for i in range(10_000):
        cat, kind = kinds[i % 5]
        records.append({"name": f"Community place number {i}", "category": cat, "kind": kind,
                        "description": "A friendly place run by local volunteers, open to everyone.",
                        "address": f"{i % 300 + 1} High Street", "postcode": "B19 1AA",
                        "website": f"https://example.org/{i}", "opening_times": "Mon-Fri 9:00-17:00",
                        "accessibility": "step free", "phone": "0121 496 0000"})
        points.append(shapely.Point(380000 + rng.random() * 2000, 390000 + rng.random() * 1000))
    with Project.open(empty_project) as p:
        p.add_assets(records, points)
        summary = write_webmap(p, tmp_path / "big.html")
    assert summary["located"] == 10_000
    assert summary["bytes"] < 5_000_000, summary["bytes"]
    text = (tmp_path / "big.html").read_text(encoding="utf-8")
    assert text.count("A friendly place run by local volunteers") == 10_000  # each asset once, not per marker
    assert "0121 496 0000" not in text


def _one_neighbourhood_project(tmp_path: Path) -> Path:
    """A project with one 1 km square neighbourhood, code "A", in British National Grid."""
    path = tmp_path / "p.gpkg"
    hoods = gpd.GeoDataFrame({"code": ["A"], "name": ["Alpha"], "population": [10], "imd_decile": [3]},
                             geometry=[shapely.box(380000, 390000, 381000, 391000)], crs=27700)
    Project.create(path, 27700, neighbourhoods=hoods)
    return path


def test_damaged_rule_set_still_exports_shaded_by_results(tmp_path: Path) -> None:
    path = _one_neighbourhood_project(tmp_path)
    with Project.open(path) as p:
        p.add_asset({"name": "Hall", "kind": "physical/village_hall"}, shapely.Point(380500, 390500))
        p.set_setting("gap_rules", ["not", "a", "rule set"])
        with p.transaction() as conn:
            conn.execute("INSERT INTO gap_results (code, result) VALUES ('A', ?)",
                         (json.dumps({"code": "A", "name": "Alpha", "coverage": {"meet": 0.5}, "flags": []}),))
        data = build_map_data(p, private=False)
        write_webmap(p, tmp_path / "map.html", basemap=False)
    assert data["indicator"] == "meet" and data["rules"] == []
    assert (tmp_path / "map.html").stat().st_size > 0


def test_public_neighbourhood_counts_leave_out_private_assets_and_people(tmp_path: Path) -> None:
    path = _one_neighbourhood_project(tmp_path)
    with Project.open(path) as p:
        p.add_asset({"name": "Hall", "kind": "physical/village_hall"}, shapely.Point(380500, 390500))
        p.add_asset({"name": "Hidden club", "kind": "associations/social_club", "visibility": "private"},
                    shapely.Point(380600, 390600))
        p.add_person({"display_name": "Ann", "skills": "baking", "consent": "yes", "consent_on": "2026-01-01",
                      "neighbourhood_code": "A"})
        stored = {"code": "A", "coverage": {}, "flags": [],
                  "counts": {"physical": 1, "associations": 1, "people": 1}}  # as the analysis counts them
        with p.transaction() as conn:
            conn.execute("INSERT INTO gap_results (code, result) VALUES ('A', ?)", (json.dumps(stored),))
        public = build_map_data(p, private=False)["neighbourhoods"][0]
        private = build_map_data(p, private=True)["neighbourhoods"][0]
    assert public["counts"] == {"physical": 1}
    assert private["counts"] == stored["counts"]


def _place_to_meet(data: dict, name: str) -> dict:
    return next(h for h in data["neighbourhoods"] if h["name"] == name)


def test_private_assets_do_not_shape_a_public_maps_shading(empty_project: Path) -> None:
    """A private hall covers West in the team's analysis; the public map must show West as uncovered."""
    with Project.open(empty_project) as p:
        p.add_asset({"name": "Refuge", "kind": "physical/community_centre", "visibility": "private"},
                    shapely.Point(380500, 390500))
        run_gaps(p)
        stored = {r["code"]: r for r in stored_results(p)}
        private = build_map_data(p, private=True, indicator="place_to_meet")
        public = build_map_data(p, private=False, indicator="place_to_meet")
        assert {r["code"]: r for r in stored_results(p)} == stored  # the export wrote nothing back
    assert stored["E01000001"]["coverage"]["place_to_meet"] == 1.0
    assert _place_to_meet(private, "West")["coverage"]["place_to_meet"] == 1.0
    west = _place_to_meet(public, "West")
    assert west["coverage"]["place_to_meet"] == 0.0
    # the only place to meet is private: publicly none is mapped, which is a notice, not a flag on West
    assert not any(f["rule"] == "place_to_meet" for f in west["flags"])
    assert "Refuge" not in json.dumps(public)


def test_public_map_uses_stored_results_when_the_run_left_private_assets_out(empty_project: Path) -> None:
    with Project.open(empty_project) as p:
        p.add_asset({"name": "Refuge", "kind": "physical/community_centre", "visibility": "private"},
                    shapely.Point(380500, 390500))
        run_gaps(p, GapOptions(include_private=False))
        assert not needs_public_run(p)
        # mark the stored result so that a re-run would show: the export must take it as it is
        with p.transaction() as conn:
            row = json.loads(conn.execute("SELECT result FROM gap_results WHERE code = 'E01000001'").fetchone()[0])
            row["coverage"]["place_to_meet"] = 0.42
            conn.execute("UPDATE gap_results SET result = ? WHERE code = 'E01000001'", (json.dumps(row),))
        public = build_map_data(p, private=False, indicator="place_to_meet")
        run_gaps(p)  # now with the private hall counted
        assert needs_public_run(p)
        p.update_asset(str(p.assets()["id"].iloc[0]), {"visibility": "public"})
        assert not needs_public_run(p)  # no private asset is left to hide
    assert _place_to_meet(public, "West")["coverage"]["place_to_meet"] == 0.42
