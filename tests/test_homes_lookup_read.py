"""Homes read for coverage: ``homes.read_lookup`` reads exactly what ``postcodes.load_lookups`` reads (it is a
faster reader of the same files), and homes kept on disk between runs are read again when a file changes."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pytest
from pyproj import CRS

from assetmap.core.analysis import homes
from assetmap.core.errors import DataError
from assetmap.core.io.postcodes import PostcodeLookup, load_lookups

BNG = CRS.from_epsg(27700)

# Code-Point Open rows with what real and damaged files hold: quality 90 (0, 0), a repeated postcode (the later
# row wins), lower case and odd spacing, a short row, a coordinate that is not a number, decimals, a blank line,
# a postcode with a tab and one with a non-ASCII letter, NaN and an empty postcode cell.
CODEPOINT = (
    '"M1 1AD",10,383849,398594,"E92000001","E19000001","E18000002","","E08000003","E05011361"\n'
    '"M1 1AE",10,384756,398553,"E92000001","E19000001","E18000002","","E08000003","E05011376"\n'
    '"M1 1AF",90,0,0,"E92000001","","","","",""\n'
    '"m1  1ag",10,384359.5,398229.25,"E92000001","","","","",""\n'
    '"M1 1AD",10,383850,398595,"E92000001","","","","",""\n'
    '"M1 1AH",10\n'
    '"M1 1AJ",10,east,398229,"E92000001","","","","",""\n'
    '\n'
    '"M1\t1AL",10,384000,398000,"E92000001","","","","",""\n'
    '"M1 1ÄN",10,384001,398001,"E92000001","","","","",""\n'
    '"M1 1AP",10,nan,398002,"E92000001","","","","",""\n'
    '"",10,384003,398003,"E92000001","","","","",""\n'
    '"M2 1AA",10,1_000,-5,"E92000001","","","","",""\n'
)
CLEAN = "".join(f'"SK{i // 4000 + 1} {i // 400 % 10}{chr(65 + i // 20 % 20)}{chr(65 + i % 20)}",10,'
                f'{380000 + i},{390000 + i % 977},"E92000001","","","","",""\n' for i in range(45_000))
ONS = "pcds,oseast1m,osnrth1m,lat,long\nWA14 1AA,376000,388000,53.39,-2.35\nWA14 1AB,,,,\nM1 1AD,383851,398596,,\n"
WGS = "postcode,latitude,longitude\nOL1 1AA,53.5409,-2.1114\nM1 1AE,53.4794,-2.2453\n"


def _same(a: PostcodeLookup, b: PostcodeLookup) -> None:
    assert [(k, repr(v)) for k, v in a.points.items()] == [(k, repr(v)) for k, v in b.points.items()]  # NaN too
    assert (a.crs, a.source, a.parts, a.overlap) == (b.crs, b.source, b.parts, b.overlap)


@pytest.fixture
def lookups(tmp_path: Path) -> dict[str, Path]:
    folder = tmp_path / "codepoint" / "Data" / "CSV"
    folder.mkdir(parents=True)
    (folder / "m.csv").write_text(CODEPOINT, encoding="utf-8")
    (folder / "sk.csv").write_text(CLEAN, encoding="utf-8")
    (folder / "readme.txt").write_text("not read", encoding="utf-8")
    (tmp_path / "bom.csv").write_bytes(b"\xef\xbb\xbf" + CODEPOINT.encode("utf-8") + b'"M3 1AA",10,38\xff1,1,"x"\n')
    (tmp_path / "ons.csv").write_text(ONS, encoding="utf-8")
    (tmp_path / "wgs.csv").write_text(WGS, encoding="utf-8")
    with zipfile.ZipFile(tmp_path / "codepoint.zip", "w") as zf:
        zf.writestr("Data/CSV/m.csv", CODEPOINT)
        zf.writestr("Data/CSV/sk.csv", CLEAN[:5000])
    return {"folder": tmp_path / "codepoint", "bom": tmp_path / "bom.csv", "ons": tmp_path / "ons.csv",
            "wgs": tmp_path / "wgs.csv", "zip": tmp_path / "codepoint.zip"}


@pytest.mark.parametrize("names", [["folder"], ["bom"], ["ons"], ["wgs"], ["zip"], ["folder", "ons"],
                                   ["ons", "bom"], ["folder", "wgs", "zip"], ["wgs", "folder"]])
def test_read_lookup_reads_what_load_lookups_reads(lookups: dict[str, Path], names: list[str]) -> None:
    paths = [lookups[n] for n in names]
    _same(homes.read_lookup(paths), load_lookups(paths))


def test_read_lookup_fails_as_load_lookups_does(tmp_path: Path) -> None:
    junk = tmp_path / "junk.csv"
    junk.write_text("this is,not,a postcode lookup\n1,2,3\n", encoding="utf-8")
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    (mixed / "a.csv").write_text(CODEPOINT, encoding="utf-8")
    (mixed / "b.csv").write_text(WGS, encoding="utf-8")
    for path in (junk, mixed, tmp_path / "gone.csv"):
        with pytest.raises(DataError) as ours:
            homes.read_lookup([path])
        with pytest.raises(DataError) as theirs:
            load_lookups([path])
        assert str(ours.value) == str(theirs.value)


class _Project:
    """What ``project_homes`` asks of a project."""

    def __init__(self, paths: list[Path]) -> None:
        self.crs = BNG
        self.paths = [str(p) for p in paths]

    def get_setting(self, key: str, default: object = None) -> object:
        return self.paths if key == "postcode_lookups" else default


def _xy(people: homes.PopulationPoints | None) -> np.ndarray:
    assert people is not None
    return np.column_stack([np.array([p.x for p in people.points]), np.array([p.y for p in people.points])])


def test_homes_are_kept_between_runs_and_read_again_when_a_file_changes(
        lookups: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv("ASSETMAP_CACHE_DIR", str(cache))
    project = _Project([lookups["folder"]])
    first, notes = homes.project_homes(project)
    assert notes == [] and first is not None
    expected = homes.homes_from_lookup(load_lookups([lookups["folder"]]), BNG)
    assert np.array_equal(_xy(first), _xy(expected)) and first.note == expected.note
    assert len(list(cache.glob("homes-*.npy"))) == 1

    homes._cache.clear()  # as a new process: from the file kept on disk, without reading the lookup
    monkeypatch.setattr(homes, "read_lookup", lambda *a, **k: pytest.fail("the lookup was read again"))
    again, _ = homes.project_homes(project)
    assert again is not None and np.array_equal(_xy(again), _xy(first)) and again.note == first.note
    monkeypatch.undo()
    monkeypatch.setenv("ASSETMAP_CACHE_DIR", str(cache))

    homes._cache.clear()  # a file inside the folder changes (the folder's own time does not): read again
    csv_file = lookups["folder"] / "Data" / "CSV" / "m.csv"
    csv_file.write_text(CODEPOINT.replace("384756,398553", "383000,398000"), encoding="utf-8")
    changed, _ = homes.project_homes(project)
    assert changed is not None and [383000.0, 398000.0] in _xy(changed).tolist()
    assert [383000.0, 398000.0] not in _xy(first).tolist()

    homes._cache.clear()  # a file added to the folder: read again
    (lookups["folder"] / "Data" / "CSV" / "ol.csv").write_text('"OL1 1AA",10,392000,405000,"E92000001"\n')
    added, _ = homes.project_homes(project)
    assert added is not None and len(added.points) == len(changed.points) + 1


def test_a_damaged_kept_file_or_an_unwritable_cache_is_no_matter(
        lookups: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv("ASSETMAP_CACHE_DIR", str(cache))
    project = _Project([lookups["bom"]])
    first, _ = homes.project_homes(project)
    for kept in cache.glob("homes-*.npy"):
        kept.write_bytes(b"not numpy")
    homes._cache.clear()
    again, _ = homes.project_homes(project)
    assert again is not None and first is not None and np.array_equal(_xy(again), _xy(first))
    blocked = tmp_path / "a file"
    blocked.write_text("")
    monkeypatch.setenv("ASSETMAP_CACHE_DIR", str(blocked / "cache"))  # cannot be made: nothing kept, no failure
    homes._cache.clear()
    third, _ = homes.project_homes(project)
    assert third is not None and np.array_equal(_xy(third), _xy(first))
    monkeypatch.setenv("ASSETMAP_CACHE_DIR", "")  # empty: nothing is kept anywhere
    assert homes.cache_dir() is None
