"""Run the gap analysis on a project (or on plain data), and store and read its results.

``analyse`` works on data frames so the benchmark and tests can call it without a project;
``run_gaps`` reads a project, copies the default rules into it on the first run, analyses, and
stores one JSON object per neighbourhood in ``gap_results`` (and the run's options in the
setting ``gap_run``) in one transaction, so the map and exports can show the last results.
What is stored is the team's view, with exact numbers of residents; ``GapResult.published``
is the same run as public outputs show it (see ``small_numbers``), and the stored run records
which assets it counted (``counted``) so a public map can tell whether it may reuse it.
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

try:  # a declared dependency; without it (an old install) the standard json module serves
    import orjson
except ImportError:  # pragma: no cover
    orjson = None  # type: ignore[assignment]

from assetmap.core.analysis.counted import digest
from assetmap.core.analysis.coverage import (
    PlacedPeople,
    Targets,
    area_share,
    count_within,
    people_share,
    qualifying_targets,
)
from assetmap.core.analysis.edge import ProjectEdge, caveat_text, interior_share
from assetmap.core.analysis.flags import (
    Flag,
    coverage_flag,
    density_flags,
    missing_category_flags,
    needing_attention,
    priorities,
    size_factors,
)
from assetmap.core.analysis.frame import PreparedNeighbourhoods
from assetmap.core.analysis.green_access import green_space_notes
from assetmap.core.analysis.homes import HOMES, basis_notes, project_homes
from assetmap.core.analysis.measures import count_assets, per_thousand
from assetmap.core.analysis.notices import mapped_kinds, notices_for, rule_notice
from assetmap.core.analysis.population import PopulationPoints
from assetmap.core.analysis.rules import RULES_SETTING, RuleSet, ensure_project_rules, project_rules
from assetmap.core.analysis.small_numbers import hide_small_counts
from assetmap.core.area.no_overlap import ALLOW_SETTING
from assetmap.core.model import now_iso
from assetmap.core.progress import Progress, ensure_progress
from assetmap.core.taxonomy import CATEGORY_IDS, UNCATEGORISED, Taxonomy, default_taxonomy

RUN_SETTING = "gap_run"
DISTANCE_NOTE = ("straight-line (as the crow flies) from the edge of an asset's footprint, or its point, "
                 "so real walks along streets are longer")


@dataclass(frozen=True)
class GapOptions:
    """What to count: defaults are located assets only, private ones included (results stay in the project)."""

    include_unlocated: bool = False
    include_private: bool = True
    population: PopulationPoints | None = None  # residents (``population``) or homes (``homes``): coverage of them
    homes: bool = True  # without population points, ``run_gaps`` takes homes from the project's postcode lookup
    allow_overlap: bool = False  # the project was made with --allow-overlap: count an asset in each unit holding it

    def describe(self) -> dict[str, Any]:
        given = self.population if self.population is not None and self.population.basis != HOMES else None
        homes = self.population if self.population is not None and self.population.basis == HOMES else None
        return {"include_unlocated": self.include_unlocated, "include_private": self.include_private,
                "population_points": given.source if given else None, "homes": homes.source if homes else None}


@dataclass
class GapResult:
    """The rules used, one result object per neighbourhood (in project order), and run details."""

    rules: RuleSet
    neighbourhoods: list[dict[str, Any]]
    meta: dict[str, Any] = field(default_factory=dict)
    counted: str = ""  # digest of the ids of the assets this run counted (see ``counted``); stored, never printed
    public_view: GapResult | None = field(default=None, repr=False, compare=False)  # None: the same as this one

    def published(self) -> GapResult:
        """The run as every public output shows it: a neighbourhood with fewer than 3 registered residents
        gets the counts, flags, gap score and rank it would get with none (the team's view keeps them)."""
        return self.public_view or self

    def to_json(self) -> dict[str, Any]:
        """The ``gaps --json`` document (DESIGN section 6, plus ``distances`` and ``run``)."""
        return {"rules": [r.public() for r in self.rules.rules], "distances": DISTANCE_NOTE,
                "run": self.meta, "neighbourhoods": self.neighbourhoods}

    def ranked(self) -> list[dict[str, Any]]:
        """Neighbourhoods in priority order (rank 1 first)."""
        return sorted(self.neighbourhoods, key=lambda r: (r["priority"] is None, r["priority"] or 0))

    @property
    def notices(self) -> list[str]:
        """Project-level notices (data mapped nowhere yet), shown once rather than as a flag everywhere."""
        return [str(n) for n in self.meta.get("notices") or []]


class _Stages:
    """Maps each stage's own progress onto one bar of 1,000 steps."""

    TOTAL = 1000

    def __init__(self, progress: Progress, weights: list[tuple[str, float]]) -> None:
        self.progress = progress
        total = sum(w for _, w in weights)
        self.start: dict[str, float] = {}
        self.span: dict[str, float] = {}
        acc = 0.0
        for name, w in weights:
            self.start[name], self.span[name] = acc, w / total
            acc += w / total

    def tick(self, stage: str, message: str) -> Callable[[int, int], None]:
        def report(done: int, total: int) -> None:
            frac = self.start[stage] + self.span[stage] * (done / total if total else 1.0)
            self.progress.update(int(frac * self.TOTAL), self.TOTAL, message)
        return report


def _clean(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) else round(float(value), 4)
    if isinstance(value, np.integer):
        return int(value)
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value


def _values(array: np.ndarray) -> list[Any]:
    """Rounded plain floats with None for NaN, for JSON (vectorised: this runs for every neighbourhood)."""
    rounded = np.round(np.asarray(array, dtype=float), 4).astype(object)
    rounded[np.isnan(rounded.astype(float))] = None
    values: list[Any] = rounded.tolist()
    return values


def analyse(neighbourhoods: gpd.GeoDataFrame, assets: gpd.GeoDataFrame, asset_areas: gpd.GeoDataFrame,
            people: pd.DataFrame, rules: RuleSet, *, options: GapOptions | None = None,
            taxonomy: Taxonomy | None = None, progress: Progress | None = None) -> GapResult:
    """Measures, flags and priorities for every neighbourhood under ``rules``."""
    options = options or GapOptions()
    progress = ensure_progress(progress)
    taxonomy = taxonomy or default_taxonomy()
    coverage_rules = rules.by_type("coverage")
    weights: list[tuple[str, float]] = [("prepare", 1.0)] + [(r.id, 4.0) for r in coverage_rules] + [("rest", 1.0)]
    stages = _Stages(progress, weights)
    stages.tick("prepare", "Reading the neighbourhoods")(0, 1)
    if not options.include_private and len(assets):
        assets = assets[assets["visibility"] != "private"]
    to_sort = int((assets["category"] == UNCATEGORISED).sum()) if len(assets) else 0
    if to_sort:  # drafts an import could not sort are no evidence of anything yet: not counted anywhere
        assets = assets[assets["category"] != UNCATEGORISED]
    nb_geoms = neighbourhoods.geometry.to_numpy()
    codes = neighbourhoods["code"].astype(str).tolist()
    names = neighbourhoods["name"].astype(str).tolist()
    n = len(codes)
    population = pd.to_numeric(neighbourhoods["population"], errors="coerce").to_numpy(dtype=float)
    counts = count_assets(neighbourhoods, assets, people, include_unlocated=options.include_unlocated,
                          allow_overlap=options.allow_overlap, asset_areas=asset_areas, taxonomy=taxonomy)
    footprints = dict(zip(asset_areas["asset_id"], asset_areas.geometry)) if len(asset_areas) else {}
    footprint_area = dict(zip(asset_areas["asset_id"], asset_areas["area_m2"])) if len(asset_areas) else {}
    prep = PreparedNeighbourhoods.of(nb_geoms)
    stages.tick("prepare", "Counting assets")(1, 1)

    people = options.population  # homes (postcode centres) or residents (population points); None: by area
    placed = PlacedPeople.of(nb_geoms, people.points, people.values) if people is not None else None
    people_basis = people.basis if people is not None else "area"
    area_cov: dict[str, np.ndarray] = {}
    pop_cov: dict[str, np.ndarray] = {}
    unsized: dict[str, int] = {}
    left_out: dict[str, int] = {}  # grounds not open to the public, per rule (see green_access)
    joined: dict[str, int] = {}  # footprints sized together with another of the same site, per rule
    rule_targets: dict[str, Targets] = {}
    for rule in coverage_rules:
        targets = qualifying_targets(rule, assets, footprints, footprint_area, taxonomy=taxonomy)
        unsized[rule.id] = targets.unsized
        left_out[rule.id], joined[rule.id] = targets.grounds_left_out, targets.merged
        rule_targets[rule.id] = targets
        area_cov[rule.id] = area_share(prep, targets, float(rule.distance_m or 0),
                                       stages.tick(rule.id, f"Coverage: {rule.title}"))
        if placed is not None:
            pop_cov[rule.id] = people_share(placed, targets, float(rule.distance_m or 0))
    present_kinds = frozenset(str(k) for k in assets["kind"].dropna()) if len(assets) else frozenset()
    unmapped_rules = {r.id for r in rules.rules if r.type in ("coverage", "density") and r.kinds
                      and not mapped_kinds(r, present_kinds)}  # missing data: a notice, never a flag
    green_notes = green_space_notes(rules.rules, present_kinds, taxonomy)
    tick = stages.tick("rest", "Flags and priorities")
    tick(0, 1)
    density: dict[str, np.ndarray] = {}
    with np.errstate(divide="ignore", invalid="ignore"):
        for rule in rules.by_type("density"):
            near = count_within(nb_geoms, qualifying_targets(rule, assets, footprints, footprint_area,
                                                             taxonomy=taxonomy), float(rule.distance_m or 0))
            density[rule.id] = np.where(population > 0, near / population * 1000.0, np.nan)

    flags: list[list[Flag]] = [[] for _ in range(n)]
    inhabited = ~(population == 0)
    size = size_factors(population)
    edge = ProjectEdge.of(nb_geoms, assets)
    edge_caveats: dict[str, int] = {}
    for rule in coverage_rules:
        if rule.id in unmapped_rules:
            continue
        distance = float(rule.distance_m or 0)
        shares = pop_cov.get(rule.id, area_cov[rule.id])
        short = (np.round(np.where(np.isnan(shares), area_cov[rule.id], shares), 4) < rule.target)
        unmapped_beyond = edge.unmapped_beyond(rule, mapped_kinds(rule, present_kinds))
        near_edge = edge.near(nb_geoms, distance) & inhabited & short if unmapped_beyond else np.zeros(n, bool)
        inner = (interior_share(placed, rule_targets[rule.id], distance, near_edge, edge)
                 if placed is not None and near_edge.any() else np.full(n, np.nan))
        for i in np.flatnonzero(inhabited & short).tolist():
            by_pop = rule.id in pop_cov and not math.isnan(shares[i])
            share = shares[i] if by_pop else area_cov[rule.id][i]
            flag = coverage_flag(rule, names[i], round(float(share), 4), basis=people_basis if by_pop else "area",
                                 population=population[i] if math.isfinite(population[i]) else None, size=size[i])
            if flag and near_edge[i]:  # judged only on the people beyond the reach of the unmapped places
                judgeable = by_pop and not math.isnan(inner[i])
                weighed = max(0.0, (rule.target - inner[i]) / rule.target) if judgeable else 0.0
                flag = replace(flag, caveat=caveat_text(unmapped_beyond, taxonomy), shortfall=weighed)
                edge_caveats[rule.id] = edge_caveats.get(rule.id, 0) + 1
            if flag:
                flags[i].append(flag)
    for rule_id, values in density.items():
        if rule_id in unmapped_rules:
            continue
        rule = next(r for r in rules.rules if r.id == rule_id)
        unmapped_beyond = edge.unmapped_beyond(rule, mapped_kinds(rule, present_kinds))
        near_edge = edge.near(nb_geoms, float(rule.distance_m or 0)) if unmapped_beyond else np.zeros(n, bool)
        for i, flag in enumerate(density_flags(rule, names, values)):
            if flag and inhabited[i]:
                if near_edge[i]:  # places beyond the edge are not counted: the density may be higher
                    flag = replace(flag, caveat=caveat_text(unmapped_beyond, taxonomy), shortfall=0.0)
                    edge_caveats[rule.id] = edge_caveats.get(rule.id, 0) + 1
                flags[i].append(flag)
    labels = {c: str(taxonomy.categories.get(c, {}).get("label", c)) for c in CATEGORY_IDS}
    imd = neighbourhoods["imd_decile"].tolist()
    populations = [_clean(v) for v in neighbourhoods["population"].tolist()]
    kind_names, kind_rows = list(counts.by_kind.columns), counts.by_kind.to_numpy().tolist()
    area_rows = {rid: _values(v) for rid, v in area_cov.items()}
    pop_rows = {rid: _values(v) for rid, v in pop_cov.items()} if people_basis != HOMES else {}
    shown_rows = {rid: _values(np.where(np.isnan(pop_cov[rid]), v, pop_cov[rid])) if rid in pop_cov else area_rows[rid]
                  for rid, v in area_cov.items()}  # the share on each neighbourhood's basis, as its flags word it
    basis_rows = {rid: np.where(np.isnan(pop_cov[rid]), "area", people_basis).tolist() if rid in pop_cov
                  else ["area"] * n for rid in area_cov}
    density_rows = {rid: _values(v) for rid, v in density.items()}

    def judged(by_category: pd.DataFrame) -> tuple[list[dict[str, Any]], list[str]]:
        """The records for one set of counts: the people-dependent part (rates, the missing-category flags,
        gap scores and ranks) is worked out here, once for the team's counts and once for the public ones."""
        rates = per_thousand(by_category, neighbourhoods["population"])
        all_flags = [list(fl) for fl in flags]
        cat_names, cat_rows = list(by_category.columns), by_category.to_numpy().tolist()
        unmapped = frozenset(str(c) for c, total in by_category.sum().items() if total == 0)
        asked = [c for r in rules.by_type("missing_category") for c in r.categories]
        notices = notices_for(rules.rules, present_kinds, [c for c in CATEGORY_IDS if c in unmapped and c in asked],
                              labels, taxonomy)
        if green_notes:  # the green-space rules say which kinds of green space the data lacks, in its own words
            said = {rule_notice(r, present_kinds, taxonomy) for r in rules.rules if r.id in green_notes}
            notices = [t for t in notices if t not in said] + list(dict.fromkeys(green_notes.values()))
        for rule in rules.by_type("missing_category"):
            for i in np.flatnonzero(inhabited).tolist():
                all_flags[i].extend(missing_category_flags(rule, names[i], dict(zip(cat_names, cat_rows[i])),
                                                           labels, unmapped))
        gap_scores = np.array([sum(f.weight for f in fl) for fl in all_flags], dtype=float)
        rank, left_behind = priorities(gap_scores, imd, codes)
        ranked: list[int | None] = list(rank) if (gap_scores > 0).any() else [None] * n  # nothing flagged: no list
        attention = needing_attention(ranked, gap_scores)
        rate_rows = _values(rates.to_numpy())
        results = []
        for i, code in enumerate(codes):
            record: dict[str, Any] = {
                "code": code, "name": names[i], "population": populations[i], "imd_decile": _clean(imd[i]),
                "counts": dict(zip(cat_names, cat_rows[i])),
                "kinds": {k: v for k, v in zip(kind_names, kind_rows[i]) if v},
                "per_1000": dict(zip(cat_names, rate_rows[i])),
                "coverage": {rid: v[i] for rid, v in shown_rows.items()},
                "coverage_basis": {rid: v[i] for rid, v in basis_rows.items()},
            }
            if pop_cov:
                record["area_coverage"] = {rid: v[i] for rid, v in area_rows.items()}
            if pop_rows:
                record["population_coverage"] = {rid: v[i] for rid, v in pop_rows.items()}
            record["density"] = {rid: v[i] for rid, v in density_rows.items()}
            record["flags"] = [f.public() for f in all_flags[i]]
            record["gap_score"] = round(float(gap_scores[i]), 4)
            record["left_behind"] = left_behind[i]
            record["priority"] = ranked[i]
            record["attention"] = attention[i]
            results.append(record)
        return results, notices

    public_counts = counts.by_category.assign(people=hide_small_counts(counts.by_category["people"].to_numpy()))
    tick(1, 1)
    meta = {"run_at": now_iso(), "options": options.describe(), "neighbourhoods": n,
            "assets_counted": int(counts.by_category.drop(columns=["people"]).to_numpy().sum()),
            "unlocated_assets": counts.unlocated, "green_spaces_without_size": unsized,
            "coverage_basis": people_basis if pop_cov else "area", "assets_to_sort": to_sort,
            "coverage_notes": basis_notes(options.population, placed, codes), "edge_caveats": edge_caveats}
    counted = digest(assets["id"] if len(assets) else [])
    meta["kinds_mapped"] = {r.id: mapped_kinds(r, present_kinds) for r in rules.rules
                            if r.type in ("coverage", "density")}
    meta["grounds_left_out"] = {r.id: left_out[r.id] for r in coverage_rules if r.restricted_kinds}
    meta["footprint_sites"] = {"sites_merged": counts.sites_merged, "assets_merged": counts.assets_merged,
                               "credited_by_footprint": counts.credited_elsewhere,
                               "sized_together": {rid: v for rid, v in joined.items() if v}}
    meta["green_space_notes"] = green_notes
    public = None
    if not public_counts.equals(counts.by_category):
        records, notices = judged(public_counts)
        public = GapResult(rules, records, {**meta, "notices": notices}, counted)
    records, notices = judged(counts.by_category)
    return GapResult(rules, records, {**meta, "notices": notices}, counted, public)


def with_homes(project: Any, options: GapOptions, progress: Progress | None = None) -> tuple[GapOptions, list[str]]:
    """``options`` with the project's homes (see ``homes``) when it gives no population points, and notes on
    where they came from or why coverage is by area. Given population points win; ``homes=False`` keeps area."""
    if options.population is not None:
        return options, []
    if not options.homes:
        return options, ["coverage is of the area of each neighbourhood, as asked (not of homes)"]
    homes, notes = project_homes(project, progress)
    return (replace(options, population=homes) if homes is not None else options), notes


def run_gaps(project: Any, options: GapOptions | None = None, *, progress: Progress | None = None,
             store: bool = True) -> GapResult:
    """Analyse an open project with its own rules (copied from the defaults on the first run) and store the result.

    When storing, the first run's copy of the rules is written with the results, in one transaction: a
    cancelled run leaves the project exactly as it was.
    """
    rules = project_rules(project) if store else ensure_project_rules(project)
    progress = ensure_progress(progress)
    options, notes = with_homes(project, options or GapOptions(), progress)
    if project.get_setting(ALLOW_SETTING, False) is True:
        options = replace(options, allow_overlap=True)
        notes = [*notes, "this project's neighbourhoods overlap (made with --allow-overlap): an asset in an overlap "
                         "counts in each neighbourhood that holds it"]
    result = analyse(project.neighbourhoods(), project.assets(), project.asset_areas(), project.people(), rules,
                     options=options, taxonomy=project.taxonomy, progress=progress)
    for view in [result] + ([result.public_view] if result.public_view is not None else []):
        view.meta["coverage_notes"] = notes + list(view.meta.get("coverage_notes") or [])
    if store:
        progress.check()
        store_results(project, result, progress=progress)
        progress.notify(_Stages.TOTAL, _Stages.TOTAL, "Gap analysis stored")
    return result


def _record_json(record: dict[str, Any]) -> str:
    """One stored result as JSON text: orjson where installed (3x faster over 34,753 neighbourhoods)."""
    if orjson is not None:
        try:
            return str(orjson.dumps(record).decode("utf-8"))
        except TypeError:  # a value orjson does not take: the standard module says the same in its own way
            pass
    return json.dumps(record, ensure_ascii=False)


def store_results(project: Any, result: GapResult, *, progress: Progress | None = None) -> None:
    """Replace the stored results and run details in one transaction (with the rules, on the first run)."""
    progress = ensure_progress(progress)
    with project.transaction() as conn:
        if project.get_setting(RULES_SETTING) is None:
            project.set_setting(RULES_SETTING, result.rules.to_dict())
        conn.execute("DELETE FROM gap_results")
        conn.executemany('INSERT INTO gap_results ("code", "result") VALUES (?, ?)',
                         [(r["code"], _record_json(r)) for r in result.neighbourhoods])
        project.set_setting(RUN_SETTING, {**result.meta, "rules": [r.id for r in result.rules.rules],
                                          "counted": result.counted})
        progress.check()  # the last chance to cancel: the COMMIT follows


def stored_by_code(project: Any) -> dict[str, dict[str, Any]]:
    """The stored results by neighbourhood code; {} when the analysis has not run. A row that is not a JSON
    object (damaged outside assetmap) is left out: a bad row must not stop a map being shared."""
    try:
        rows = project.connection.execute('SELECT "code", "result" FROM gap_results').fetchall()
    except sqlite3.OperationalError:
        return {}
    out = {}
    for code, text in rows:
        try:
            result = json.loads(text)
        except (TypeError, ValueError):
            continue
        if isinstance(result, dict):
            out[str(code)] = result
    return out


def stored_results(project: Any) -> list[dict[str, Any]]:
    """The last stored results, one object per neighbourhood, for the map and exports."""
    rows = project.connection.execute("SELECT result FROM gap_results ORDER BY fid").fetchall()
    return [json.loads(r[0]) for r in rows]
