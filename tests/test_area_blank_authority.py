"""A boundary file whose local-authority column has gaps (a unit nobody filled in, a cell of spaces): the
authorities it holds are still listed, and the gaps are not offered as an authority."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest

from assetmap.cli import main
from assetmap.core.area.start import file_areas

WARDS = Path(__file__).resolve().parent / "data" / "area" / "gm_ward_generalised.geojson"
CODE, NAME = "local_authority_area_code", "local_authority_area_name"


def _with_gaps(tmp_path: Path, drop: str | None) -> tuple[Path, gpd.GeoDataFrame]:
    wards = gpd.read_file(WARDS)
    if drop:
        wards = wards.drop(columns=[drop])
    kept = CODE if drop == NAME else NAME
    wards[kept] = wards[kept].astype(object)
    wards.loc[3, kept] = None
    wards.loc[40, kept] = "   "
    path = tmp_path / "wards with gaps.geojson"
    wards.to_file(path, driver="GeoJSON")
    return path, wards


@pytest.mark.parametrize("drop", [NAME, CODE])
def test_blank_authority_cells_are_left_out_of_the_areas_a_file_holds(tmp_path: Path, drop: str) -> None:
    path, wards = _with_gaps(tmp_path, drop)
    kept = CODE if drop == NAME else NAME
    filled = wards[kept].dropna().str.strip()
    expected = filled[filled != ""].value_counts().to_dict()
    found = file_areas(path)
    assert found["method"] == "column" and found["units"] == len(wards)
    key = "code" if kept == CODE else "name"
    assert {a[key]: a["units"] for a in found["areas"]} == expected
    assert all(a["name"].strip() for a in found["areas"])
    assert len(expected) == 10 and sum(expected.values()) == len(wards) - 2


def test_an_area_the_file_lacks_is_one_line_even_with_blank_codes(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    path, _ = _with_gaps(tmp_path, NAME)
    project = tmp_path / "a.gpkg"
    assert main(["new", str(project), "--boundaries", str(path), "--area", "Glasgow"]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert "holds no units of 'Glasgow'" in err and "it holds: Bolton, Bury" in err
    assert not project.exists()
