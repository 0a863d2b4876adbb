"""The bundled national pack and finding a local authority in it by the names people use."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import geopandas as gpd
import pytest

from assetmap.cli import main
from assetmap.core.area import national
from assetmap.core.errors import DataError

PACK = Path(__file__).resolve().parents[1] / "resources" / "national"


def read_areas() -> list[dict[str, str]]:
    with open(PACK / "areas.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_pack_is_small_and_holds_every_lsoa_of_england_and_wales() -> None:
    size = sum(p.stat().st_size for p in PACK.rglob("*") if p.is_file())
    assert size < 10_000_000
    rows = read_areas()
    own = [r for r in rows if not r["parts"]]  # one file each; newer unitaries reuse their predecessors' files
    assert ({p.name.removesuffix(".geojson.gz") for p in (PACK / "lsoa").glob("*.geojson.gz")}
            == {r["code"] for r in own})
    # published counts: 32,844 English LSOAs (IoD2019) and 1,909 Welsh ones (2011 census geography)
    assert sum(int(r["lsoas"]) for r in own if r["country"] == "England") == 32_844
    assert sum(int(r["lsoas"]) for r in own if r["country"] == "Wales") == 1_909
    assert len([r for r in own if r["country"] == "Wales"]) == 22
    assert all(r["population"] == "" for r in rows if r["country"] == "Wales")
    # the IoD2019 population denominators for England add up to 54,728,204 (mid-2015)
    assert sum(int(r["population"]) for r in own if r["country"] == "England") == 54_728_204


def test_the_three_lsoas_invalid_as_published_are_valid_in_the_pack() -> None:
    found = {}
    for district, code in (("E06000052", "E01018992"), ("E07000028", "E01019228"), ("E07000113", "E01024572")):
        gdf = gpd.read_file(f"/vsigzip/{PACK / 'lsoa' / district}.geojson.gz")  # Cornwall, Carlisle, Swale
        lsoa = gdf.loc[gdf["code"] == code]
        found[code] = (len(lsoa) == 1 and bool(lsoa.geometry.is_valid.all())
                       and float(lsoa.to_crs(27700).area.iloc[0]) > 0)
    assert found == {"E01018992": True, "E01019228": True, "E01024572": True}


def test_successor_unitaries_add_up_their_predecessors() -> None:
    rows = {r["code"]: r for r in read_areas()}
    north_yorks = rows["E06000065"]
    parts = north_yorks["parts"].split()
    assert len(parts) == 7 and north_yorks["formed"] == "2023"
    assert int(north_yorks["lsoas"]) == sum(int(rows[p]["lsoas"]) for p in parts)
    assert int(north_yorks["population"]) == sum(int(rows[p]["population"]) for p in parts)


@pytest.mark.parametrize("typed, code", [
    ("Bolton", "E08000001"), ("bolton council", "E08000001"), ("BOLTON METROPOLITAN BOROUGH COUNCIL", "E08000001"),
    ("e08000001", "E08000001"), ("City of Bristol", "E06000023"), ("Bristol", "E06000023"),
    ("Brighton & Hove", "E06000043"), ("Kingston upon Hull", "E06000010"), ("Saint Helens", "E08000013"),
    ("Caerdydd", "W06000015"), ("Ynys Môn", "W06000001"), ("The Vale of Glamorgan", "W06000014"),
    ("Shepway", "E07000112"), ("Poole", "E06000058"), ("North Yorkshire", "E06000065"),
])
def test_names_are_matched_forgivingly(typed: str, code: str) -> None:
    assert national.find_authority(typed).code == code


def test_unknown_name_and_code_say_what_is_close() -> None:
    with pytest.raises(DataError, match=r"no local authority called 'Boltn'.*closest: Bolton \(E08000001\)"):
        national.find_authority("Boltn")
    with pytest.raises(DataError, match="E08000099 is not a local authority code"):
        national.find_authority("E08000099")


def test_areas_command_filters_and_prints_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["areas", "bol", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [a["name"] for a in listed] == ["Bolton", "Bolsover"]  # the larger first among names starting "bol"
    assert listed[0] == {"code": "E08000001", "name": "Bolton", "country": "England", "lsoas": 177,
                         "population": 281_828, "aliases": [], "parts": [], "formed": None}
    assert main(["areas", "caerdydd"]) == 0
    out = capsys.readouterr().out
    assert "W06000015" in out and "Cardiff" in out and "Wales" in out
    assert main(["areas", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == len(read_areas())
