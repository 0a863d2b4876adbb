"""Builds the project the export tests share: hostile strings, private data, clusters, footprints, gaps.

Imported by tests/test_export_*.py and tests/test_webmap_*.py through ``load_helpers``.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import shapely

from assetmap.core.analysis.counted import public_digest
from assetmap.core.project import Project

HOSTILE = "<img src=x onerror=alert(1)>"
HOSTILE2 = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'
TEMPLATE = "{{ 7*7 }} {% if true %}jinja{% endif %}"
HOOD_HOSTILE = 'West <b onmouseover="window.__pwned=3">side</b>'
# Everything that must never appear in a public export.
PRIVATE_STRINGS = ("Secret Garden Club", "0121 496 0000", "jo@example.org", "Jo Contact", "SECRETNOTE",
                   "PRIVATEASSETNOTE", "Alice Resident", "Bob Resident", "juggling", "07700 900999")
N_CLUSTERED = 40  # economy assets close together, so the page must cluster them


def build(path: Path) -> dict:
    """Write the project; returns the expected counts."""
    squares = gpd.GeoDataFrame(
        {"code": ["E01000001", "E01000002"], "name": [HOOD_HOSTILE, "East"], "population": [1500, 900],
         "imd_decile": [2, 9]},
        geometry=[shapely.box(380000, 390000, 381000, 391000), shapely.box(381000, 390000, 382000, 391000)],
        crs=27700,
    )
    Project.create(path, 27700, name="Export test", neighbourhoods=squares)
    public_located = 0
    with Project.open(path) as p:
        p.add_asset({"name": HOSTILE, "category": "physical", "kind": "physical/community_centre",
                     "description": HOSTILE2, "address": "1 High St", "opening_times": "Mon-Fri 9-5",
                     "accessibility": "step free, hearing loop", "website": "example.org/hall",
                     "phone": "0121 496 0000", "email": "jo@example.org", "contact_name": "Jo Contact",
                     "notes": "SECRETNOTE"}, shapely.Point(380300, 390300))
        # a javascript: website can reach no project: the form, imports and the check of files edited in QGIS
        # all refuse it (tests/test_website_urls.py)
        p.add_asset({"name": TEMPLATE, "category": "culture", "kind": "culture/museum"}, shapely.Point(380700, 390700))
        p.add_asset({"name": "Central Library", "category": "institutions", "kind": "institutions/library",
                     "website": "https://library.example.org"}, shapely.Point(380200, 390800))
        p.add_asset({"name": "Lozells Park", "category": "physical", "kind": "physical/park"},
                    shapely.Point(381500, 390500), shapely.box(381350, 390350, 381650, 390650))
        p.add_asset({"name": "Friends of the Brook", "category": "associations",
                     "kind": "associations/voluntary_group"}, shapely.Point(381800, 390900))
        public_located += 5
        for i in range(N_CLUSTERED):
            p.add_asset({"name": f"Corner Shop {i:02d}", "category": "economy", "kind": "economy/shop",
                         "phone": "07700 900999"}, shapely.Point(381200 + (i % 8) * 6, 390200 + (i // 8) * 6))
        public_located += N_CLUSTERED
        p.add_asset({"name": "Story Walk", "category": "culture", "kind": "culture/local_story"}, None)
        p.add_asset({"name": "Secret Garden Club", "category": "associations", "visibility": "private",
                     "notes": "PRIVATEASSETNOTE"}, shapely.Point(380600, 390400),
                    shapely.box(380550, 390350, 380650, 390450))
        for name, skills, code in (("Alice Resident", "cooking, juggling", "E01000001"),
                                   ("Bob Resident", "cooking", "E01000001"),
                                   ("Cy Resident", "Cooking, gardening", "E01000001"),
                                   ("Di Resident", "gardening", "E01000002")):
            p.add_person({"display_name": name, "skills": skills, "consent": "yes", "consent_on": "2024-01-02",
                          "neighbourhood_code": code})
        rules = [{"id": "meet", "title": "A place to meet <i>nearby</i>", "kinds": ["physical/community_centre"],
                  "distance_m": 800, "target": 0.9, "severity": "high", "source": "assetmap default"},
                 {"id": "green", "title": "Green space", "kinds": ["physical/park"], "distance_m": 300,
                  "target": 1.0, "severity": "medium", "source": "Natural England"}]
        p.set_setting("gap_rules", {"rules": rules})  # the shape the gap analysis stores
        # results as a run with private assets left out stores them, so a public export shows them as they are
        p.set_setting("gap_run", {"options": {"include_private": False, "include_unlocated": False},
                                  "counted": public_digest(p)})  # it counted exactly the public assets
        with p.transaction() as conn:
            for code, name, cov, flags in (
                ("E01000001", HOOD_HOSTILE, {"meet": 0.41, "green": 0.1},
                 [{"rule": "meet", "severity": "high", "message": "Only 41% of West is within 800 m of a place "
                   "to meet; target 90% <script>window.__pwned=4</script>"}]),
                ("E01000002", "East", {"meet": 0.95, "green": 0.7}, []),
            ):
                conn.execute('INSERT INTO gap_results ("code", "result") VALUES (?, ?)', (code, json.dumps(
                    {"code": code, "name": name, "population": 1000, "counts": {"physical": 1}, "coverage": cov,
                     "flags": flags, "priority": 1 if flags else 2})))
    return {"public_located": public_located, "public": public_located + 1, "private_total": public_located + 2,
            "economy": N_CLUSTERED}


def write_maps(project: Path, folder: Path) -> None:
    """The three maps the browser tests open: public (hostile title), offline, and private."""
    from assetmap.core.export import write_webmap

    with Project.open(project, readonly=True) as p:
        write_webmap(p, folder / "public.html", title="<b>Our</b> assets {{ 7*7 }}")
        write_webmap(p, folder / "offline.html", basemap=False)
        write_webmap(p, folder / "private.html", private=True, basemap=False, indicator="green")
