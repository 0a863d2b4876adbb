"""`assetmap new --area`: a project for any local authority from the bundled LSOAs, one authority's units out
of a wider boundary file, and figures by overlap for boundaries that come without them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from assetmap.cli import main
from assetmap.core.project import Project

REPO = Path(__file__).resolve().parents[1]
PACK = REPO / "resources" / "national" / "lsoa"
WARDS = Path(__file__).resolve().parent / "data" / "area" / "gm_ward_generalised.geojson"
TRAFFORD = REPO / "sample_data" / "boundaries"
# IMD 2019: the highest LSOA rank in each decile (32,844 English LSOAs, ranked 1 = most deprived)
DECILE_UPPER = [3284, 6568, 9853, 13137, 16422, 19706, 22990, 26275, 29559, 32844]


def pack_file(code: str) -> gpd.GeoDataFrame:
    """An authority's LSOAs read straight from the pack with GDAL (not through assetmap's loader)."""
    return gpd.read_file(f"/vsigzip/{PACK / code}.geojson.gz")


def hoods(path: Path) -> gpd.GeoDataFrame:
    return gpd.read_file(path, layer="neighbourhoods")


def new(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    code = main(["new", *map(str, args)])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_metropolitan_borough_gets_its_lsoas_with_population_and_imd(tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    project = tmp_path / "bolton.gpkg"
    code, out, _ = new(capsys, project, "--area", "Bolton", "--json")
    assert code == 0
    summary = json.loads(out)
    got = hoods(project)
    assert len(got) == summary["neighbourhoods"] == 177  # Bolton had 177 LSOAs in 2011
    assert got["population"].sum() == summary["population_total"] == 281_828  # IoD2019 mid-2015 denominators
    assert got["imd_decile"].value_counts()[1] == 42  # Bolton LSOAs in England's most deprived tenth
    row = got.set_index("code").loc["E01004766"]  # as published in IoD2019 File 1
    assert ((row["name"], row["imd_rank"], row["imd_decile"], row["local_authority"])
            == ("Bolton 005A", 7694, 3, "Bolton"))
    expected = pack_file("E08000001").set_index("code")
    joined = got.set_index("code").join(expected, suffixes=("", "_pack"))
    assert (joined["population"] == joined["population_pack"]).all()
    assert (joined["imd_rank"] == joined["imd_rank_pack"]).all() and (joined["name"] == joined["name_pack"]).all()
    assert 135e6 < got.to_crs(27700).area.sum() < 145e6  # Bolton is about 140 km²
    assert got.crs.to_epsg() == 27700
    with Project.open(project, readonly=True) as p:
        figures = p.get_setting("figures")
        assert p.get_setting("area")["code"] == "E08000001" and p.name == "Bolton"
    assert figures["population"]["method"] == figures["imd"]["method"] == "as published"
    assert "mid-2015" in figures["population"]["basis"] and "File 6" in figures["population"]["source"]
    assert summary["figures"] == figures


def test_district_by_its_former_name_prints_where_figures_came_from(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    project = tmp_path / "fh.gpkg"
    code, out, _ = new(capsys, project, "--area", "shepway")  # Folkestone and Hythe was Shepway until 2018
    assert code == 0
    assert "with 67 neighbourhoods: the 2011 LSOAs of Folkestone and Hythe (E07000112)" in out
    assert "population in all: 109,838" in out
    assert "population (as published): IoD2019 population denominators, mid-2015" in out
    assert "IMD (as published): Index of Multiple Deprivation 2019 rank" in out
    got = hoods(project)
    assert len(got) == len(pack_file("E07000112")) == 67
    assert got["name"].str.startswith("Shepway ").all()  # named as ONS named them in 2011


def test_welsh_authority_has_no_population_or_imd_and_says_why(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    project = tmp_path / "cardiff.gpkg"
    code, out, _ = new(capsys, project, "--area", "W06000015")
    assert code == 0
    assert "with 214 neighbourhoods: the 2011 LSOAs of Cardiff (W06000015)" in out
    assert "population and IMD: none, in Wales" in out and out.count("in Wales") == 1  # said once, not twice
    got = hoods(project)
    assert len(got) == 214 and got["code"].str.startswith("W01").all()
    assert got["population"].isna().all() and got["imd_decile"].isna().all() and got["imd_rank"].isna().all()
    assert (got["local_authority"] == "Cardiff").all()
    with Project.open(project, readonly=True) as p:
        figures = p.get_setting("figures")
    assert figures["population"]["method"] == "absent" and "English statistics" in figures["population"]["reason"]
    assert figures["imd"]["method"] == "absent"


def test_unknown_area_fails_in_one_line_with_the_closest_names(tmp_path: Path) -> None:
    project = tmp_path / "x.gpkg"
    run = subprocess.run([sys.executable, "-m", "assetmap", "new", str(project), "--area", "Boltn"],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 1
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in run.stderr
    assert "no local authority called 'Boltn'" in lines[0] and "Bolton (E08000001)" in lines[0]
    assert not project.exists()


def test_usage_mistakes_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert new(capsys, tmp_path / "a.gpkg", "--area", "Bolton", "--crs", "EPSG:27700")[0] == 2
    assert new(capsys, tmp_path / "a.gpkg", "--area-field", "lad", "--area", "Bolton")[0] == 2
    assert new(capsys, tmp_path / "a.gpkg", "--boundaries", WARDS, "--area-field", "lad")[0] == 2
    assert not (tmp_path / "a.gpkg").exists()


def test_region_ward_file_keeps_one_boroughs_wards(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = gpd.read_file(WARDS)
    bolton = set(source.loc[source["local_authority_area_name"] == "Bolton", "area_code"])
    for i, area in enumerate(("Bolton", "E08000001", "bolton council")):
        project = tmp_path / f"w{i}.gpkg"
        code, out, _ = new(capsys, project, "--boundaries", WARDS, "--area", area, "--json")
        assert code == 0
        summary = json.loads(out)
        assert summary["selection"]["method"] == "column" and summary["selection"]["kept"] == 20
        assert summary["selection"]["of"] == 215
        got = hoods(project)
        assert set(got["code"]) == bolton and len(got) == 20  # Bolton has 20 wards (2023)
        assert (got["local_authority"] == "Bolton").all()


def test_file_without_an_authority_column_is_cut_by_area(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = gpd.read_file(WARDS)
    bare = tmp_path / "wards_bare.gpkg"
    source[["area_code", "area_name", "geometry"]].to_file(bare)
    project = tmp_path / "w.gpkg"
    code, out, _ = new(capsys, project, "--boundaries", bare, "--area", "Bolton")
    assert code == 0
    assert "kept the 20 of 215 units" in out.lower() and "mostly" in out
    got = hoods(project)
    assert set(got["code"]) == set(source.loc[source["local_authority_area_code"] == "E08000001", "area_code"])
    code, out, _ = new(capsys, tmp_path / "t.gpkg", "--boundaries", TRAFFORD / "trafford_ward_2023.geojson",
                       "--area", "Trafford")
    assert code == 0 and "with 21 neighbourhoods" in out


def test_area_the_file_does_not_hold_is_explained(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = new(capsys, tmp_path / "a.gpkg", "--boundaries", WARDS, "--area", "Leeds")
    assert code == 1 and "none of its 215 units lies mostly inside Leeds (E08000035)" in err
    assert "it holds Bolton, Bury, Manchester" in err
    code, _, err = new(capsys, tmp_path / "a.gpkg", "--boundaries", WARDS, "--area", "Glasgow")
    assert code == 1 and "holds no units of 'Glasgow'" in err and "Wigan" in err
    assert not (tmp_path / "a.gpkg").exists()


def overlay_figures(units: gpd.GeoDataFrame) -> pd.DataFrame:
    """The expected figures, worked out with a plain geopandas overlay of the pack's LSOAs."""
    box = tuple(units.to_crs(4326).total_bounds)
    parts = [gpd.read_file(f"/vsigzip/{p}", bbox=box) for p in sorted(PACK.glob("*.geojson.gz"))]
    lsoas = pd.concat([p for p in parts if len(p)], ignore_index=True).to_crs(units.crs)
    lsoas["lsoa_area"] = lsoas.area
    pieces = gpd.overlay(units[["code", "geometry"]], lsoas.rename(columns={"code": "lsoa"}), how="intersection",
                         keep_geom_type=True)
    pieces["people"] = pieces["population"] * pieces.area / pieces["lsoa_area"]
    pieces["ranked"] = pieces["people"] * pieces["imd_rank"]
    sums = pieces.groupby("code")[["people", "ranked"]].sum()
    sums["rank"] = sums["ranked"] / sums["people"]
    sums["decile"] = [int(np.searchsorted(DECILE_UPPER, r) + 1) for r in sums["rank"]]
    return sums


def test_overlap_figures_match_a_geopandas_overlay(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = tmp_path / "w.gpkg"
    code, out, _ = new(capsys, project, "--boundaries", WARDS, "--area", "Bolton", "--json")
    assert code == 0
    got = hoods(project).set_index("code")
    expected = overlay_figures(hoods(project))
    assert set(expected.index) == set(got.index)
    for ward, row in expected.iterrows():
        assert abs(got.at[ward, "population"] - row["people"]) <= 0.5 + 1e-6, ward
        assert got.at[ward, "imd_rank"] == pytest.approx(row["rank"], abs=0.051), ward
        assert got.at[ward, "imd_decile"] == row["decile"], ward
    # the wards share out Bolton's population, give or take the slivers where the generalised outlines differ
    assert got["population"].sum() == pytest.approx(281_828, rel=0.005)
    figures = json.loads(out)["figures"]
    assert figures["population"]["method"] == figures["imd"]["method"] == "area-weighted from LSOAs"
    assert "average rank" in figures["imd"]["measure"] and "no IMD score" in figures["imd"]["measure"]


def test_units_in_wales_and_scotland_get_no_figures_with_a_reason(tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    def square(lon: float, lat: float) -> shapely.Polygon:
        return shapely.box(lon - 0.01, lat - 0.006, lon + 0.01, lat + 0.006)

    units = gpd.GeoDataFrame({"ref": ["B1", "C1", "E1"], "label": ["Bolton centre", "Cardiff centre", "Edinburgh"]},
                             geometry=[square(-2.43, 53.578), square(-3.18, 51.48), square(-3.19, 55.95)], crs=4326)
    source = tmp_path / "places.geojson"
    units.to_file(source)
    project = tmp_path / "p.gpkg"
    code, out, _ = new(capsys, project, "--boundaries", source, "--code-field", "ref", "--name-field", "label")
    assert code == 0
    assert "1 of 3 neighbourhoods have no bundled population or IMD: in Wales" in out
    assert "1 of 3 neighbourhoods have no bundled population or IMD: outside England and Wales" in out
    got = hoods(project).set_index("code")
    assert got.at["B1", "population"] > 0 and got.at["B1", "local_authority"] == "Bolton"
    assert pd.isna(got.at["C1", "population"]) and pd.isna(got.at["E1", "imd_decile"])
    expected = overlay_figures(hoods(project).loc[lambda g: g["code"] == "B1"])
    assert abs(got.at["B1", "population"] - expected.at["B1", "people"]) <= 0.5 + 1e-6
    with Project.open(project, readonly=True) as p:
        figures = p.get_setting("figures")
    assert figures["population"]["missing"] == 2 and "in Wales" in figures["population"]["missing_reason"]


def test_2021_lsoas_take_figures_by_code_where_unchanged(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = tmp_path / "t.gpkg"
    code, out, _ = new(capsys, project, "--boundaries", TRAFFORD / "trafford_lsoa_2021.geojson", "--json")
    assert code == 0
    figures = json.loads(out)["figures"]
    got = hoods(project).set_index("code")
    pack = pack_file("E08000009").set_index("code")  # Trafford's 2011 LSOAs
    same = sorted(set(got.index) & set(pack.index))
    assert figures["population"]["method"].startswith(f"joined by 2011 LSOA code for {len(same)} unchanged LSOAs")
    assert (got.loc[same, "population"] == pack.loc[same, "population"]).all()
    assert (got.loc[same, "imd_decile"] == pack.loc[same, "imd_decile"]).all()
    new_codes = sorted(set(got.index) - set(pack.index))
    assert new_codes and got.loc[new_codes, "population"].gt(0).all()  # the split ones, by overlap


def test_a_map_shared_from_an_area_project_credits_its_figures(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    """The IMD and population came from MHCLG and the boundaries from ONS: the exported map says so (OGL asks)."""
    project = tmp_path / "rutland.gpkg"
    assert new(capsys, project, "--area", "Rutland")[0] == 0
    assert main(["export", str(project), "--out", str(tmp_path / "map.html")]) == 0
    page = (tmp_path / "map.html").read_text(encoding="utf-8")
    assert "MHCLG English Indices of Deprivation 2019" in page
    assert "Contains National Statistics and OS data © Crown copyright and database right" in page
