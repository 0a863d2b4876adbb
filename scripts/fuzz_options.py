"""Hostile JSON for ``assess --from`` and ``criteria --set``: each case must be one clean refusal.

Run ``python3 scripts/fuzz_options.py`` for the campaign figure (tried / failed). Each case runs as
a real ``python3 -m assetmap`` process under a memory cap and a time limit; a case fails when it
prints a traceback, exits other than 1, prints more than one line or a line longer than
``MAX_LINE`` characters, runs out of memory or out of time. ``tests/test_option_input.py`` uses
the same catalogue.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(os.environ.get("ASSETMAP_FUZZ_ROOT") or Path(__file__).resolve().parents[1])  # the code under test
MEMORY_CAP = 3 * 1024**3  # bytes of address space: far above a clean run, far below "read /dev/zero"
TIME_LIMIT = 60.0
MAX_LINE = 1000

SCORES = {"community_benefit": 5, "organisational_capacity": 4, "financial_sustainability": 3,
          "condition_liabilities": 2, "local_priorities": 4}
ASSESSMENT: dict[str, Any] = {"date": "2024-03-04", "assessor": "Sam Patel", "scores": SCORES,
                              "recommendation": "transfer"}


def criteria(*weights: Any, **extra: Any) -> dict[str, Any]:
    """A criteria document with one criterion per weight."""
    items = [{"id": f"c{i}", "title": f"Criterion {i}", "weight": w} for i, w in enumerate(weights)]
    return {"title": "Fuzzed", "criteria": items, **extra}


def nested(depth: int, leaf: str = "1") -> str:
    return "[" * depth + leaf + "]" * depth


@dataclass(frozen=True)
class Case:
    name: str
    command: str  # "assess" or "criteria"
    body: str | bytes | None  # the file's content; None: ``source`` is used as it is
    source: str | None = None


def _assess(name: str, data: Any) -> Case:
    return Case(name, "assess", data if isinstance(data, (str, bytes)) else json.dumps(data))


def _criteria(name: str, data: Any) -> Case:
    return Case(name, "criteria", data if isinstance(data, (str, bytes)) else json.dumps(data))


def cases() -> list[Case]:
    """The catalogue: sizes, nesting, numbers JSON allows but a score cannot be, and weights out of bounds."""
    huge_int = "9" * 5000
    return [
        Case("assess /dev/zero", "assess", None, "/dev/zero"),
        Case("criteria /dev/zero", "criteria", None, "/dev/zero"),
        _assess("2 MB of valid JSON", {**ASSESSMENT, "notes": "x" * 2_000_000}),
        _assess("100,000 nested lists", nested(100_000)),
        _assess("50,000 nested objects", '{"a":' * 50_000 + "1" + "}" * 50_000),
        _assess("nesting 30 deep in notes", {**ASSESSMENT, "notes": json.loads(nested(30))}),
        _criteria("100,000 nested lists", nested(100_000)),
        _criteria("nesting 25 deep in a criterion", criteria(10, question=json.loads(nested(25)))),
        _assess("a 5,000-digit integer score", json.dumps(ASSESSMENT).replace('"local_priorities": 4',
                                                                             f'"local_priorities": {huge_int}')),
        _criteria("a 5,000-digit integer weight", json.dumps(criteria(1)).replace('"weight": 1',
                                                                               f'"weight": {huge_int}')),
        _assess("score NaN", json.dumps(ASSESSMENT).replace('"local_priorities": 4', '"local_priorities": NaN')),
        _assess("score Infinity", json.dumps(ASSESSMENT).replace('"local_priorities": 4',
                                                                 '"local_priorities": Infinity')),
        _assess("score 1e400", json.dumps(ASSESSMENT).replace('"local_priorities": 4', '"local_priorities": 1e400')),
        _assess("score 1e308", {**ASSESSMENT, "scores": {**SCORES, "local_priorities": 1e308}}),
        _assess("score -1", {**ASSESSMENT, "scores": {**SCORES, "local_priorities": -1}}),
        _assess("score 6", {**ASSESSMENT, "scores": {**SCORES, "local_priorities": 6}}),
        _assess("a lone surrogate in assessor", json.dumps(ASSESSMENT).replace("Sam Patel", "Sam \\ud800 Patel")),
        _assess("NUL in assessor", {**ASSESSMENT, "assessor": "Sam\u0000Patel"}),
        _assess("50,000 unknown keys", {**ASSESSMENT, **{f"key{i}": i for i in range(50_000)}}),
        _assess("year_built 1e308", {**ASSESSMENT, "building": {"year_built": 1e308}}),
        _assess("lease of 1e308 years", {**ASSESSMENT, "tenure": {"type": "lease", "lease_years": 1e308}}),
        _assess("market value 1e308", {**ASSESSMENT, "market_value": 1e308}),
        _assess("random bytes", bytes(range(256)) * 40),
        _assess("UTF-16", json.dumps(ASSESSMENT).encode("utf-16")),
        _assess("empty file", ""),
        _assess("a top-level list", [ASSESSMENT]),
        _criteria("weight 1e308", criteria(1e308, 1e308, 10)),
        _criteria("weight NaN", json.dumps(criteria(1, 2)).replace('"weight": 2', '"weight": NaN')),
        _criteria("weight Infinity", json.dumps(criteria(1, 2)).replace('"weight": 2', '"weight": Infinity')),
        _criteria("weight -5", criteria(10, -5)),
        _criteria("weight 0", criteria(10, 0)),
        _criteria("weight as text", criteria("ten")),
        _criteria("10,000 criteria", criteria(*([1] * 10_000))),
        _criteria("2 MB of valid JSON", criteria(10, question="x" * 2_000_000)),
        _criteria("a title of 100,000 characters", {"criteria": [{"id": "a", "title": "T" * 100_000, "weight": 1}]}),
        _criteria("an id of 10,000 characters", {"criteria": [{"id": "a" * 10_000, "title": "T", "weight": 1}]}),
        _criteria("criteria as an object", {"title": "x", "criteria": {"a": 1}}),
    ]


def make_project(folder: Path) -> tuple[Path, str]:
    """A real project with one hall to assess: (path, asset id)."""
    import geopandas as gpd
    import shapely

    from assetmap.core.project import Project

    squares = gpd.GeoDataFrame({"code": ["E01000001"], "name": ["West"], "population": [1500]},
                               geometry=[shapely.box(380000, 390000, 381000, 391000)], crs=27700)
    path = folder / "fuzz.gpkg"
    Project.create(path, 27700, name="Fuzz", neighbourhoods=squares)
    with Project.open(path) as project:
        asset_id = project.add_asset({"name": "Elm Road Hall", "category": "physical",
                                      "kind": "physical/community_centre"}, shapely.Point(380400, 390600))
    return path, asset_id


def source_of(case: Case, folder: Path) -> str:
    """The path the command is given: the case's file, written into ``folder``."""
    if case.body is None:
        assert case.source is not None
        return case.source
    path = folder / (case.name.replace(" ", "_").replace("/", "_") + ".json")
    if isinstance(case.body, bytes):
        path.write_bytes(case.body)
    else:
        path.write_text(case.body, encoding="utf-8", errors="surrogatepass")
    return str(path)


def argv_of(case: Case, project: Path, asset_id: str, source: str) -> list[str]:
    if case.command == "assess":
        return ["assess", str(project), asset_id, "--from", source]
    return ["criteria", str(project), "--set", source]


@dataclass(frozen=True)
class Outcome:
    returncode: int
    stderr: str
    seconds: float

    def problem(self) -> str | None:
        """Why this is not one clean refusal (None when it is)."""
        lines = self.stderr.strip("\n").split("\n") if self.stderr.strip() else []
        if self.returncode in (-9, None) or self.seconds >= TIME_LIMIT:
            return "ran out of time"
        if "Traceback" in self.stderr or "MemoryError" in self.stderr:
            return "traceback: " + (lines[-1][:120] if lines else "")
        if self.returncode == 0:
            return "accepted"
        if self.returncode != 1:
            return f"exit {self.returncode}: " + (lines[-1][:120] if lines else "")
        if len(lines) != 1:
            return f"{len(lines)} lines on stderr"
        if len(lines[0]) > MAX_LINE:
            return f"a {len(lines[0])}-character line"
        return None


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def run_case(case: Case, project: Path, asset_id: str, folder: Path) -> Outcome:
    """One case as a real process (memory-capped, time-limited), on its own copy of ``project``."""
    copy = folder / f"case_{abs(hash(case.name))}.gpkg"
    shutil.copy(project, copy)
    argv = [sys.executable, "-m", "assetmap", *argv_of(case, copy, asset_id, source_of(case, folder))]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_CACHE_HOME": str(folder / "cache"),
           "XDG_STATE_HOME": str(folder / "state")}
    start = time.monotonic()
    try:
        done = subprocess.run(argv, capture_output=True, text=True, errors="replace", timeout=TIME_LIMIT,
                              preexec_fn=_limit_memory, env=env, cwd=folder)
    except subprocess.TimeoutExpired as exc:
        err = exc.stderr.decode(errors="replace") if isinstance(exc.stderr, bytes) else (exc.stderr or "")
        return Outcome(-9, err, TIME_LIMIT)
    return Outcome(done.returncode, done.stderr, time.monotonic() - start)


def campaign(report: Callable[[str], None] = print) -> tuple[int, list[tuple[str, str]]]:
    """Run every case against a fresh project: (tried, [(case, problem)])."""
    failed: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        project, asset_id = make_project(folder)
        for case in cases():
            problem = run_case(case, project, asset_id, folder).problem()
            report(f"{'FAIL' if problem else 'ok  '} {case.command} {case.name}" + (f": {problem}" if problem else ""))
            if problem:
                failed.append((case.name, problem))
    return len(cases()), failed


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    tried, failures = campaign()
    print(f"tried {tried}, failed {len(failures)}")
