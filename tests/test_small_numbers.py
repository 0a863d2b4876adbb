"""Small numbers stay hidden everywhere public (issue 11, point 2).

The hostile-case generator: copies of one project that differ only in having 0, 1 or 2 residents
registered in one neighbourhood ("Hilltop"), in two settings (other residents elsewhere, or none at all,
which changes the "nor anywhere else" wording of the People flag). Every public artefact is made from
each copy through the real CLI and compared byte for byte: the web map data, the exported page's data,
GeoJSON and CSV, ``gaps --out`` and ``gaps --json`` (default and ``--public-only``, before and after a
stored public-only run) and ``report --public``. Only run timestamps are taken out, as they legitimately
differ between two runs.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pytest
import shapely

from assetmap.cli import main
from assetmap.core.analysis import run_gaps
from assetmap.core.analysis.small_numbers import SMALL_COUNT_THRESHOLD, has_small_counts, hide_small_counts
from assetmap.core.export.privacy import skill_summaries
from assetmap.core.export.webdata import build_map_data
from assetmap.core.project import Project

HOODS = (("E01000101", "Northfield", 1200, 1), ("E01000102", "Riverside", 900, 3),
         ("E01000103", "Hilltop", 800, 5), ("E01000104", "Parkside", 1000, 8))
HILLTOP = "E01000103"
TODAY = "2024-03-05"
STAMP = "2024-01-02T10:00:00+00:00"  # fixed ids and times: the copies differ only in their residents
ASSETS = (("Northfield Centre", "physical/community_centre", (380500, 390500), {}),
          ("Riverside Park", "physical/park", (381500, 390500), {}),
          ("Quiet Refuge", "physical/community_centre", (381600, 390400), {"visibility": "private"}),
          ("Hilltop Hall", "physical/village_hall", (382500, 390500), {}),
          ("Hilltop Repair Cafe", "associations/repair_cafe", (382400, 390600), {}),
          ("Parkside Library", "institutions/library", (383500, 390500), {}))


def _person(name: str, code: str, skills: str) -> dict[str, Any]:
    return {"display_name": name, "skills": skills, "consent": "yes", "consent_on": "2024-01-02",
            "neighbourhood_code": code, "contact": f"{name.lower()}@example.org"}


def make_project(path: Path, hilltop_people: int, *, others: bool) -> tuple[Path, str]:
    """Four 1 km squares with a few assets (one private); ``hilltop_people`` residents in Hilltop and,
    with ``others``, three in Parkside. Returns the path and the id of Hilltop's hall (for the report)."""
    hoods = gpd.GeoDataFrame(
        {"code": [h[0] for h in HOODS], "name": [h[1] for h in HOODS], "population": [h[2] for h in HOODS],
         "imd_decile": [h[3] for h in HOODS]},
        geometry=[shapely.box(380000 + 1000 * i, 390000, 381000 + 1000 * i, 391000) for i in range(len(HOODS))],
        crs=27700)
    Project.create(path, 27700, name="Small numbers", neighbourhoods=hoods, settings={"created_at": STAMP})
    with Project.open(path) as p:
        for n, (name, kind, xy, extra) in enumerate(ASSETS):
            area = shapely.box(xy[0] - 200, xy[1] - 200, xy[0] + 200, xy[1] + 200) if kind == "physical/park" else None
            p.add_asset({"id": f"asset-{n}", "name": name, "kind": kind, "created_at": STAMP, "updated_at": STAMP,
                         **extra}, shapely.Point(*xy), area)
        if others:
            for name in ("Ann", "Bea", "Cal"):
                p.add_person(_person(name, "E01000104", "cooking, gardening"))
        for i in range(hilltop_people):
            p.add_person(_person(f"Hilltop{i}", HILLTOP, "gardening, cooking" if i == 0 else "knitting"))
    return path, "asset-3"


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    capsys.readouterr()
    assert main(args) == 0, capsys.readouterr().err
    return capsys.readouterr().out


def _no_run_time(text: str) -> bytes:
    """gaps --json without its run timestamp (two runs are seconds apart): everything else must match."""
    data = json.loads(text)
    data["run"].pop("run_at", None)
    return json.dumps(data, sort_keys=True).encode()


def _map_data(path: Path) -> bytes:
    with Project.open(path, readonly=True) as p:
        data = build_map_data(p)
    data["meta"].pop("exported")  # today's date
    return json.dumps(data, sort_keys=True).encode()


def _page_data(page: Path) -> bytes:
    """The JSON block an exported page draws from, without its export date."""
    text = page.read_text(encoding="utf-8")
    found = re.search(r'<script type="application/json" id="assetmap-data">(.*?)</script>', text, re.S)
    assert found, "the exported page embeds its data"
    data = json.loads(found.group(1))
    data["meta"].pop("exported")
    return json.dumps(data, sort_keys=True).encode()


def public_outputs(path: Path, hall: str, out: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, bytes]:
    """Every public artefact of one project, by name, as bytes to compare."""
    out.mkdir()
    o: dict[str, bytes] = {}
    o["gaps --json"] = _no_run_time(_run(["gaps", str(path), "--json"], capsys))
    _run(["gaps", str(path), "--out", str(out / "gaps.csv")], capsys)
    o["gaps --out"] = (out / "gaps.csv").read_bytes()
    o["gaps summary"] = _run(["gaps", str(path)], capsys).encode()
    o["map data (team's run stored)"] = _map_data(path)
    _run(["export", str(path), "--out", str(out / "map.html"), "--no-basemap"], capsys)
    o["export .html data"] = _page_data(out / "map.html")
    _run(["export", str(path), "--out", str(out / "assets.csv")], capsys)
    o["export .csv"] = (out / "assets.csv").read_bytes()
    _run(["export", str(path), "--out", str(out / "assets.geojson")], capsys)
    o["export .geojson"] = (out / "assets.geojson").read_bytes()
    _run(["report", str(path), hall, "--out", str(out / "report.html"), "--public", "--today", TODAY], capsys)
    o["report --public"] = (out / "report.html").read_bytes()
    o["gaps --json --public-only"] = _no_run_time(_run(["gaps", str(path), "--json", "--public-only"], capsys))
    _run(["gaps", str(path), "--public-only", "--out", str(out / "gaps_public.csv")], capsys)
    o["gaps --out --public-only"] = (out / "gaps_public.csv").read_bytes()
    o["map data (public-only run stored)"] = _map_data(path)
    _run(["export", str(path), "--out", str(out / "map2.html"), "--no-basemap"], capsys)
    o["export .html data (public-only run stored)"] = _page_data(out / "map2.html")
    return o


OUTPUTS = 12  # public artefacts compared per setting (see public_outputs)


def differing_outputs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    """The campaign: for each setting, the public outputs that are not identical across 0, 1 and 2."""
    differing = []
    for others in (True, False):
        seen: dict[int, dict[str, bytes]] = {}
        for n in (0, 1, 2):
            folder = tmp_path / f"others{int(others)}_{n}"
            folder.mkdir()
            path, hall = make_project(folder / "project.gpkg", n, others=others)
            seen[n] = public_outputs(path, hall, folder / "out", capsys)
            assert len(seen[n]) == OUTPUTS
        for name in seen[0]:
            if not seen[0][name] == seen[1][name] == seen[2][name]:
                differing.append(f"{name} ({'with' if others else 'no'} other residents)")
    return differing


def test_zero_one_and_two_residents_give_identical_public_outputs(tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    differing = differing_outputs(tmp_path, capsys)
    assert differing == [], f"{len(differing)} of {2 * OUTPUTS} public outputs differ: {differing}"


def test_team_outputs_keep_the_exact_numbers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--private (gaps), --private (export) and the internal report keep the exact counts for the team."""
    path, hall = make_project(tmp_path / "p.gpkg", 2, others=True)
    team = json.loads(_run(["gaps", str(path), "--json", "--private"], capsys))
    public = json.loads(_run(["gaps", str(path), "--json"], capsys))
    by_code = {r["code"]: r for r in team["neighbourhoods"]}
    assert by_code[HILLTOP]["counts"]["people"] == 2
    assert {r["code"]: r for r in public["neighbourhoods"]}[HILLTOP]["counts"]["people"] == 0
    assert {r["code"]: r for r in public["neighbourhoods"]}["E01000104"]["counts"]["people"] == 3  # at the threshold
    assert not any("People" in f["message"] for f in by_code[HILLTOP]["flags"])
    assert any("People" in f["message"] for f in {r["code"]: r for r in public["neighbourhoods"]}[HILLTOP]["flags"])
    with Project.open(path, readonly=True) as p:
        private_map = build_map_data(p, private=True)
        public_map = build_map_data(p)
    hilltop = next(h for h in private_map["neighbourhoods"] if h["code"] == HILLTOP)
    assert hilltop["counts"]["people"] == 2 and hilltop["skills"]["counts"] == {"gardening": 1, "cooking": 1,
                                                                                "knitting": 1}
    assert not any(h["code"] == HILLTOP and "skills" in h for h in public_map["neighbourhoods"])
    _run(["report", str(path), hall, "--out", str(tmp_path / "r.html"), "--today", TODAY], capsys)
    assert "people 2" in (tmp_path / "r.html").read_text(encoding="utf-8")


def test_public_skills_never_say_how_many_were_left_out(tmp_path: Path) -> None:
    path, _ = make_project(tmp_path / "p.gpkg", 2, others=True)
    with Project.open(path, readonly=True) as p:
        public = skill_summaries(p.people(), private=False)
        private = skill_summaries(p.people(), private=True)
    assert not public[HILLTOP].published  # no skill of Hilltop's reaches the threshold: the map does not list it
    assert public[HILLTOP].as_dict() == {"counts": {}, "suppressed": True}  # never how many were left out
    assert public["E01000104"].as_dict() == {"counts": {"cooking": 3, "gardening": 3}, "suppressed": True}
    assert private[HILLTOP].as_dict()["suppressed"] == 0 and len(private[HILLTOP].people) == 2


def test_small_counts_are_hidden_and_found() -> None:
    assert SMALL_COUNT_THRESHOLD == 3
    assert hide_small_counts(np.array([0, 1, 2, 3, 40])).tolist() == [0, 0, 0, 3, 40]
    assert has_small_counts([{"counts": {"people": 0}}, {"counts": {"people": 2}}])
    assert not has_small_counts([{"counts": {"people": 0}}, {"counts": {"people": 3}}, {"counts": "junk"}, {}])


def test_a_run_that_counted_small_numbers_is_not_reused_for_the_public_map(tmp_path: Path) -> None:
    """The stored team run (exact counts) must never reach a public map, even with no private asset left."""
    path, _ = make_project(tmp_path / "p.gpkg", 1, others=False)
    with Project.open(path) as p:
        for asset_id in p.assets().query("visibility == 'private'")["id"]:
            p.delete_asset(asset_id)
        run_gaps(p)
        stored = next(h for h in build_map_data(p, private=True)["neighbourhoods"] if h["code"] == HILLTOP)
        stored_all = build_map_data(p, private=True)["neighbourhoods"]
        public_all = build_map_data(p)["neighbourhoods"]
    assert not any("People" in f["message"] for f in stored["flags"])  # Hilltop has someone, exactly counted
    assert any("People" in f["message"] for h in stored_all for f in h["flags"])  # the others have nobody
    # publicly Hilltop's one resident is nobody, so people are mapped nowhere: a notice, never a flag anywhere
    assert all("message" not in f for h in public_all for f in h["flags"])  # a public map words them for residents
    assert not any("\u201cPeople\u201d" in text for h in public_all for text in h["resident"]["missing"])
