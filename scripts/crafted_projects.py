"""Crafted project files: a small real project, tampered with one thing at a time, then used.

Each variant starts from the same project (public and private assets, people with contact details,
an assessment, stored gap results) and changes one thing the way a stranger's file could: a trigger,
a view, a foreign table, a bad setting, a bad SRS id, junk gap results, a point at infinity. The
commands a user runs next (``assets``, ``export``, ``report``, ``gaps``, ``export`` again) then run
on it, one after the other in one child process per variant (``assetmap.cli.main``, so each
prints exactly what ``python3 -m assetmap`` would). A run fails when it prints a traceback, runs
past ``TIME_LIMIT``, or puts a resident's contact details or a private asset into an output or
onto the terminal.

Run ``python3 scripts/crafted_projects.py`` for the campaign figure (tried / failed);
``tests/test_untrusted_project.py`` runs the same catalogue. ``ASSETMAP_FUZZ_ROOT`` points the
processes at another checkout (to measure the code before a change).
"""

from __future__ import annotations

import json
import math
import os
import shutil
import sqlite3
import struct
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(os.environ.get("ASSETMAP_FUZZ_ROOT") or Path(__file__).resolve().parents[1])  # the code under test
TIME_LIMIT = 60.0
SECRET_PHONE = "0161 496 0999"  # the private refuge's phone: never in a public output
SECRET_CONTACT = "resident.secret@example.org"  # a resident's contact: never in any output
SECRET_NAME = "Safe House Refuge"  # a private asset: never on the public map
# stored results are read before gaps replaces them; the second export shows what a trigger fired by gaps did
COMMANDS = ("assets", "export", "report", "gaps", "export#again")

Tamper = Callable[[sqlite3.Connection], None]


# --- the base project ---------------------------------------------------------------------------


def build_base(path: Path) -> str:
    """Write the project every variant starts from; returns the id of the assessed hall (for ``report``)."""
    sys.path.insert(0, str(ROOT))
    import geopandas as gpd
    import shapely

    from assetmap.core.analysis import run_gaps
    from assetmap.core.assessments import add_assessment
    from assetmap.core.project import Project

    squares = gpd.GeoDataFrame(
        {"code": ["E01000001", "E01000002"], "name": ["West", "East"], "population": [1500, 900],
         "imd_decile": [2, 9]},
        geometry=[shapely.box(380000, 390000, 381000, 391000), shapely.box(381000, 390000, 382000, 391000)],
        crs=27700,
    )
    Project.create(path, 27700, name="Crafted", neighbourhoods=squares)
    assessment = json.loads((ROOT / "tests" / "data" / "assess" / "full.json").read_text(encoding="utf-8"))
    with Project.open(path) as p:
        hall = p.add_asset({"name": "Moss Lane Hall", "kind": "physical/village_hall"}, shapely.Point(380500, 390500))
        p.add_asset({"name": "Victoria Park", "kind": "physical/park"}, shapely.Point(381500, 390500),
                    shapely.box(381400, 390400, 381600, 390600))
        p.add_asset({"name": SECRET_NAME, "kind": "physical/village_hall", "visibility": "private",
                     "phone": SECRET_PHONE}, shapely.Point(381200, 390200))
        p.add_person({"display_name": "Pat", "skills": "cooking", "consent": "yes", "consent_on": "2024-01-01",
                      "neighbourhood_code": "E01000001", "contact": SECRET_CONTACT})
        add_assessment(p, hall, assessment)
        run_gaps(p)
    return hall


# --- the variants -------------------------------------------------------------------------------


def _sql(*statements: str) -> Tamper:
    def tamper(conn: sqlite3.Connection) -> None:
        for statement in statements:
            conn.execute(statement)
    return tamper


def _setting(key: str, raw: str) -> Tamper:
    return _sql(f"INSERT INTO settings (key, value) VALUES ('{key}', '{raw}') "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value")


def _point_blob(x: float, y: float, srs_id: int = 27700) -> bytes:
    """A GeoPackage point blob written by hand (no library would write infinity or NaN)."""
    return b"GP\x00\x01" + struct.pack("<i", srs_id) + struct.pack("<BIdd", 1, 1, x, y)


def _asset_at(x: float, y: float) -> Tamper:
    def tamper(conn: sqlite3.Connection) -> None:
        conn.execute("UPDATE assets SET geom = ? WHERE name = 'Moss Lane Hall'", (_point_blob(x, y),))
    return tamper


def _gap_result(raw: str) -> Tamper:
    def tamper(conn: sqlite3.Connection) -> None:
        conn.execute("UPDATE gap_results SET result = ? WHERE code = 'E01000001'", (raw,))
    return tamper


CONTACTS = "(SELECT group_concat(contact, ', ') FROM people) || ' ' || (SELECT group_concat(phone) FROM assets)"

VARIANTS: dict[str, Tamper] = {
    # triggers, views and tables assetmap did not make
    "trigger_contacts_into_title": _sql(
        "CREATE TRIGGER leak_title AFTER INSERT ON gap_results BEGIN "
        f"UPDATE settings SET value = json_quote({CONTACTS}) WHERE key = 'name'; END"),
    "trigger_private_made_public": _sql(
        "CREATE TRIGGER publish AFTER INSERT ON gap_results BEGIN UPDATE assets SET visibility = 'public'; END"),
    "trigger_recursive_cte": _sql(
        "CREATE TRIGGER spin AFTER INSERT ON gap_results BEGIN UPDATE settings SET value = value WHERE key IN "
        "(WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r) SELECT x FROM r); END"),
    "trigger_contacts_into_description": _sql(
        "CREATE TRIGGER leak_description AFTER INSERT ON gap_results BEGIN "
        f"UPDATE assets SET description = {CONTACTS}; END"),
    "trigger_named_like_gdal_rtree": _sql(
        "CREATE TRIGGER rtree_assets_geom_insert AFTER INSERT ON gap_results BEGIN "
        "UPDATE assets SET visibility = 'public'; END"),
    "trigger_named_like_gdal_feature_count": _sql(
        "CREATE TRIGGER trigger_insert_feature_count_gap_results AFTER INSERT ON gap_results BEGIN "
        f"UPDATE settings SET value = json_quote({CONTACTS}) WHERE key = 'name'; END"),
    "view_of_people": _sql("CREATE VIEW everyone AS SELECT display_name, contact FROM people"),
    "foreign_table": _sql("CREATE TABLE exfil (x TEXT)"),
    "expression_index": _sql("CREATE INDEX slow ON assets (length(zeroblob(50000000)))"),
    # settings
    "taxonomy_additions_not_json": _setting("taxonomy_additions", "not json"),
    "taxonomy_additions_a_number": _setting("taxonomy_additions", "5"),
    "taxonomy_additions_list_of_numbers": _setting("taxonomy_additions", "[1, 2, 3]"),
    "taxonomy_additions_kind_without_label": _setting("taxonomy_additions", '[{"id": "physical/skate_park"}]'),
    "schema_version_text": _setting("schema_version", '"abc"'),
    "schema_version_huge": _setting("schema_version", "1e999"),
    "schema_version_negative": _setting("schema_version", "-1"),
    "schema_version_list": _setting("schema_version", "[2]"),
    "name_an_object": _setting("name", '{"a": 1}'),
    "crs_garbage": _setting("crs", '"garbage"'),
    "gap_rules_a_string": _setting("gap_rules", '"rules"'),
    "gap_run_a_list": _setting("gap_run", "[1]"),
    "criteria_a_number": _setting("assessment_criteria", "7"),
    "figures_a_list": _setting("figures", "[1, 2]"),
    # coordinate systems
    "srs_id_text_in_geometry_columns": _sql(
        "UPDATE gpkg_geometry_columns SET srs_id = 'abc' WHERE table_name = 'assets'"),
    "srs_id_text_in_spatial_ref_sys": _sql(  # a writer that made srs_id a plain column, then a text id in it
        "CREATE TABLE srs_copy AS SELECT * FROM gpkg_spatial_ref_sys", "DROP TABLE gpkg_spatial_ref_sys",
        "ALTER TABLE srs_copy RENAME TO gpkg_spatial_ref_sys",
        "UPDATE gpkg_spatial_ref_sys SET srs_id = 'abc' WHERE srs_id = 27700",
        "UPDATE gpkg_geometry_columns SET srs_id = 'abc' WHERE srs_id = 27700"),
    "srs_id_text_in_contents": _sql("UPDATE gpkg_contents SET srs_id = 'abc' WHERE table_name = 'assets'"),
    "srs_id_unknown": _sql("UPDATE gpkg_geometry_columns SET srs_id = 999999 WHERE table_name = 'assets'"),
    "srs_definition_garbage": _sql("UPDATE gpkg_spatial_ref_sys SET definition = 'garbage' WHERE srs_id = 27700"),
    # stored gap results
    "gap_result_junk_json": _gap_result("{junk"),
    "gap_result_a_list": _gap_result("[1, 2]"),
    "gap_result_wrong_fields": _gap_result('{"code": 5, "counts": "many", "flags": 3, "priority": "high"}'),
    "gap_result_deep_json": _gap_result("[" * 100000 + "]" * 100000),
    # coordinates
    "asset_at_infinity": _asset_at(math.inf, 390500),
    "asset_at_nan": _asset_at(math.nan, math.nan),
    "asset_far_away": _asset_at(1e300, -1e300),
    "neighbourhood_population_infinite": _sql("UPDATE neighbourhoods SET population = 9e999 WHERE code = 'E01000001'"),
}


# --- running ------------------------------------------------------------------------------------

MARK = "@@assetmap-crafted "  # separates the commands' output in one driver process


@dataclass(frozen=True)
class Outcome:
    variant: str
    command: str
    returncode: int | None  # None: the process was killed after TIME_LIMIT (or never got to the command)
    stderr: str
    leaked: str  # what left the project that must not ("" when nothing did)
    outputs: tuple[str, ...]  # files the command wrote
    ran: bool = True  # False: an earlier command hung, so this one never started

    @property
    def traceback(self) -> bool:
        return "Traceback" in self.stderr

    @property
    def hung(self) -> bool:
        return self.returncode is None and self.ran

    @property
    def failed(self) -> bool:
        return self.traceback or self.hung or bool(self.leaked) or not self.ran

    def line(self) -> str:
        why = ("not run" if not self.ran else "hang" if self.hung else "traceback" if self.traceback
               else f"leak: {self.leaked}" if self.leaked else "ok")
        last = self.stderr.strip().splitlines()[-1][:150] if self.stderr.strip() else ""
        return f"{self.variant:<40} {self.command:<7} {why:<10} exit {self.returncode}  {last}"


def make_variant(base: Path, dest: Path, name: str) -> Path:
    """A copy of ``base`` with one tamper applied, through plain SQLite (as a stranger's tool would)."""
    shutil.copy(base, dest)
    conn = sqlite3.connect(dest, isolation_level=None)
    try:
        VARIANTS[name](conn)
    finally:
        conn.close()
    return dest


def argv(command: str, project: Path, out_dir: Path, asset_id: str) -> list[str]:
    return {
        "gaps": ["gaps", str(project), "--json"],
        "assets": ["assets", str(project), "--json"],
        "export": ["export", str(project), "--out", str(out_dir / "map.html")],
        "report": ["report", str(project), asset_id, "--out", str(out_dir / "report.html")],
    }[command.split("#")[0]]


def _leaks(command: str, text: str) -> str:
    found = [s for s in (SECRET_CONTACT, SECRET_PHONE, SECRET_NAME) if s in text]
    if command.startswith("assets"):  # lists every asset, private ones too, for the project's owner
        found = [s for s in found if s == SECRET_CONTACT]
    return ", ".join(found)


def drive(project: Path, work: Path, asset_id: str) -> None:
    """In the child process: run each command as ``assetmap`` would, marking where each one's output starts."""
    import traceback

    from assetmap.cli import main as cli

    for command in COMMANDS:
        for stream in (sys.stdout, sys.stderr):
            print(f"{MARK}{command}", file=stream, flush=True)
        out_dir = work / command.replace("#", "_")
        out_dir.mkdir(parents=True, exist_ok=True)
        try:
            code = cli(argv(command, project, out_dir, asset_id))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        except BaseException:  # what the real process would print before dying
            traceback.print_exc()
            code = 1
        sys.stdout.flush()
        print(f"{MARK}exit {code}", file=sys.stderr, flush=True)


def _split(text: str) -> dict[str, str]:
    parts: dict[str, str] = {}
    current = ""
    for line in text.splitlines(keepends=True):
        if line.startswith(MARK) and not line.startswith(MARK + "exit "):
            current = line[len(MARK):].strip()
            parts[current] = ""
        elif current:
            parts[current] += line
    return parts


def run_variant(base: Path, work: Path, name: str, asset_id: str) -> list[Outcome]:
    """Every command, in the order a user runs them, on one tampered copy, in one ``assetmap`` process.

    Later commands see what earlier ones did (a trigger fired by ``gaps`` shows in the next export)."""
    project = make_variant(base, work / f"{name}.gpkg", name)
    out = work / name
    out.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    try:
        done = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--drive", str(project), str(out),
                               asset_id], capture_output=True, text=True, timeout=TIME_LIMIT * len(COMMANDS),
                              env=env, cwd=str(ROOT))
        stdout, stderr = done.stdout, done.stderr
    except subprocess.TimeoutExpired as exc:
        stdout = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        stderr = exc.stderr.decode() if isinstance(exc.stderr, bytes) else (exc.stderr or "")
    outs, errs = _split(stdout), _split(stderr)
    outcomes = []
    for command in COMMANDS:
        err = errs.get(command, "(not run: the process had stopped)" if command not in errs else "")
        code: int | None = None
        if MARK + "exit " in err:
            err, _, tail = err.partition(MARK + "exit ")
            code = int(tail.split()[0])
        if command == COMMANDS[0] and command not in errs:
            err = stderr[-3000:]  # the process failed before the first command (an import error?)
        folder = out / command.replace("#", "_")
        files = tuple(sorted(str(p) for p in folder.iterdir())) if folder.exists() else ()
        written = "".join(Path(p).read_text(encoding="utf-8", errors="replace") for p in files)
        outcomes.append(Outcome(name, command, code, err, _leaks(command, outs.get(command, "") + err + written),
                                files, command in errs))
    return outcomes


def run_campaign(work: Path, names: Sequence[str] | None = None, *, workers: int = 2) -> list[Outcome]:
    base = work / "base.gpkg"
    asset_id = build_base(base)
    chosen = list(names or VARIANTS)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(lambda n: run_variant(base, work, n, asset_id), chosen))
    return [o for outcomes in results for o in outcomes]


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="assetmap-crafted-") as tmp:
        outcomes = run_campaign(Path(tmp))
    for o in outcomes:
        print(o.line())
    failed = [o for o in outcomes if o.failed]
    print(f"\n{len(VARIANTS)} crafted projects, {len(outcomes)} runs: {len(failed)} failed "
          f"({sum(o.traceback for o in outcomes)} tracebacks, {sum(o.hung for o in outcomes)} hangs, "
          f"{sum(bool(o.leaked) for o in outcomes)} leaks)")
    return 1 if failed else 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--drive"]:
        drive(Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4])
        sys.exit(0)
    sys.exit(main())
