"""Import a file of assets into a project, accounting for every row.

``prepare_import`` reads, maps, locates, checks and de-duplicates without writing (the GUI's
preview and the dry run); ``commit_import`` writes the accepted rows in one transaction.
Every data row ends up in exactly one of: imported, unlocated, duplicates, updated, rejected
(updated: a row that made an asset the last time this file was imported, and changes it now).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from assetmap.core.analysis.flags import format_distance
from assetmap.core.area.margin import Placement, place_points, rule_margin
from assetmap.core.errors import DataError
from assetmap.core.imports.history import record_import, reimport_for
from assetmap.core.io.columns import (
    FIELD_ALIASES,
    check_overrides,
    find_name_by_values,
    guess_mapping,
    normalise,
    resolve_overrides,
    resolve_public_columns,
    split_coordinate_pairs,
)
from assetmap.core.io.dedupe import DuplicateIndex, PlannedUpdate
from assetmap.core.io.derived import plan_derived
from assetmap.core.io.limits import whole_number_problem
from assetmap.core.io.locate import PLACEHOLDERS, Located, locate_rows
from assetmap.core.io.postcodes import PostcodeLookup, format_postcode
from assetmap.core.io.readers import read_table
from assetmap.core.io.table import CellProblem, RawTable
from assetmap.core.io.theme import Theme, decide_theme
from assetmap.core.model import (
    ASSET_FIELD_MAP,
    ASSET_FIELD_NAMES,
    INTEGER_FIELDS,
    clean_asset,
    is_blank,
    names_accessibility,
)
from assetmap.core.progress import Progress, ensure_progress
from assetmap.core.project.atomic import atomic_path
from assetmap.core.project.lookups import remember_lookups
from assetmap.core.project.store import Project
from assetmap.core.taxonomy import UNCATEGORISED


@dataclass
class ImportOptions:
    layer: str | None = None
    category: str | None = None  # every row gets this category (a type column then only picks the kind)
    kind: str | None = None  # every row gets this kind
    theme: bool = True  # decide what the whole file lists before classifying rows (False: row by row, --no-theme)
    crs: str | None = None  # coordinates are in this CRS, whatever the columns say
    mapping: dict[str, str] = field(default_factory=dict)  # field → column overrides (--map)
    postcodes: PostcodeLookup | None = None
    source: str | None = None  # label stored in each asset's `source`; default: the file name
    default_name: str | None = None  # name for rows without one (e.g. "Post office")
    name_from_kind: bool = False  # rows without a name are called after their kind ("Play area")
    kind_values: dict[str, str] = field(default_factory=dict)  # type text → kind id, for known registers
    visibility: str | None = None
    clip: bool = False  # reject rows further than the margin outside the neighbourhoods (an OSM extract is bigger)
    margin_m: float | None = None  # how far beyond the area rows are "nearby"; None: the longest rule distance
    public_columns: list[str] = field(default_factory=list)  # extra columns whose details may be published


@dataclass
class ImportReport:
    file: str
    rows: int = 0
    imported: int = 0
    unlocated: int = 0
    duplicates: int = 0
    updated: int = 0
    rejected: int = 0
    rejects: list[dict[str, Any]] = field(default_factory=list)
    duplicate_rows: list[dict[str, Any]] = field(default_factory=list)
    updated_rows: list[dict[str, Any]] = field(default_factory=list)
    import_id: int | None = None  # its number in the project's import history, once committed
    notes: list[str] = field(default_factory=list)
    mapping: dict[str, str] = field(default_factory=dict)
    by_category: dict[str, int] = field(default_factory=dict)
    extra_columns: list[str] = field(default_factory=list)  # kept as each asset's details
    public_columns: list[str] = field(default_factory=list)  # of those, the ones that may be published
    theme: dict[str, Any] | None = None  # what the file as a whole lists, and why (see core/io/theme.py)
    uncategorised: int = 0  # rows that came in as drafts to sort (also counted in imported or unlocated)
    uncategorised_rows: list[dict[str, Any]] = field(default_factory=list)  # {"row", "name"} of each
    nearby: int = 0  # located outside the neighbourhoods but within the margin: they serve the people near the edge
    far: int = 0  # further out than the margin (kept unless --clip)
    margin_m: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "rows": self.rows, "imported": self.imported, "unlocated": self.unlocated,
                "duplicates": self.duplicates, "updated": self.updated, "rejected": self.rejected,
                "rejects": self.rejects, "updated_rows": self.updated_rows, "by_category": self.by_category,
                "mapping": self.mapping, "notes": self.notes, "import_id": self.import_id,
                "extra_columns": self.extra_columns, "public_columns": self.public_columns, "theme": self.theme,
                "uncategorised": self.uncategorised, "uncategorised_rows": self.uncategorised_rows,
                "nearby_outside_area": self.nearby, "far_outside_area": self.far, "margin_m": self.margin_m}


@dataclass
class PreparedImport:
    table: RawTable
    report: ImportReport
    records: list[dict[str, Any]]
    points: list[shapely.Geometry | None]
    areas: list[shapely.Geometry | None]
    updates: list[PlannedUpdate] = field(default_factory=list)  # rows that made an asset before, re-found
    options: ImportOptions | None = None


def _category_and_kind(values: dict[str, Any], raw_kind: Any, row_kind: str | None, options: ImportOptions,
                       project: Project, theme_kind: str | None = None) -> tuple[str | None, str | None, str | None]:
    """(category, kind, note) for a row; the note keeps type text that matched no kind.

    The row's own type column comes first, then the file's theme (what the whole file lists), and only
    then the row's name: a defibrillator at "St Mary's Primary School" is not a school. A category of
    None means nothing told it: the row comes in as a draft to sort.
    """
    tax = project.taxonomy
    raw_category = values.pop("category", None)
    category = options.category or tax.category_for_text(raw_category)
    hints = [h for h in (raw_kind, None if tax.category_for_text(raw_category) else raw_category) if not is_blank(h)]
    kind = options.kind or row_kind
    if kind is None:
        for hint in hints:
            mapped = options.kind_values.get(str(hint).strip())
            kind = mapped or tax.kind_for_text(hint, category=category)
            if kind:
                break
    if kind is None and theme_kind and (category is None or tax.kinds[theme_kind].category == category):
        kind = theme_kind
    if kind is None and not is_blank(values.get("name")):
        kind = tax.kind_for_text(values["name"], category=category)
    if category is None and kind:
        category = tax.kinds[kind].category if kind in tax.kinds else None
    if kind and category and kind in tax.kinds and tax.kinds[kind].category != category:
        kind = None
    unmatched = ", ".join(str(h).strip() for h in hints) if kind is None and hints else None
    return category, kind, unmatched


def _free_text_access(table: RawTable, mapping: dict[str, str], overrides: Mapping[str, str]) -> str | None:
    """Unmap a guessed accessibility column whose cells name no accessibility feature ("Access": "24/7 external
    cabinet"), so its text is kept as a detail rather than mangled into feature names; returns the note."""
    column = mapping.get("accessibility")
    if not column or overrides.get("accessibility") or column not in table.rows.columns:
        return None
    cells = [v for v in table.rows[column].tolist() if not is_blank(v) and not isinstance(v, CellProblem)]
    if not cells or sum(names_accessibility(v) for v in cells) * 2 >= len(cells):
        return None
    del mapping["accessibility"]
    return (f"column '{column}' holds text rather than accessibility features (step-free, accessible toilet, "
            "hearing loop, parking): kept as a detail; use --map accessibility=COLUMN to read it as features")


# A spreadsheet's totals line ("Total", "Grand total: 57 assets"): not an asset, even as a draft.
_TOTALS = re.compile(r"^\s*(grand |sub ?)?totals?\s*[:=]?\s*[\d,.]*\s*(assets?|rows?|sites?|items?|records?)?\s*$",
                     re.IGNORECASE)


def _file_theme(project: Project, table: RawTable, mapping: Mapping[str, str], options: ImportOptions) -> Theme:
    """What the whole file lists (see ``theme``), from its name, sheet or layer, type column and names."""
    if options.kind:
        return Theme(options.kind, "--kind", "chosen for every row (--kind)")
    if not options.theme:
        return Theme(None, "--no-theme", "asked for row by row (--no-theme)")
    if table.format == "osm":
        return Theme(None, "rows", "each OpenStreetMap feature's tags say what it is")
    tax = project.taxonomy
    frame = table.rows
    kinds = frame[mapping["kind"]].tolist() if mapping.get("kind") in frame.columns else [None] * len(frame)
    cats = frame[mapping["category"]].tolist() if mapping.get("category") in frame.columns else [None] * len(frame)
    hints = []
    for kind, cat in zip(kinds, cats):
        found = [h for h in (kind, None if tax.category_for_text(cat) else cat)
                 if not is_blank(h) and not isinstance(h, CellProblem) and str(h).strip().lower() not in PLACEHOLDERS]
        hints.append(found[0] if found else None)
    names = frame[mapping["name"]].tolist() if mapping.get("name") in frame.columns else []
    places = {project.name}
    places.update(str(r[0]) for r in project.connection.execute('SELECT "name" FROM neighbourhoods') if r[0])
    return decide_theme(tax, file_name=table.path.name, layer=table.layer, hints=hints, names=names,
                        type_column=mapping.get("kind") or mapping.get("category"), kind_values=options.kind_values,
                        category=options.category,
                        place_words={w for p in places for w in re.findall(r"[a-z]+", p.lower())})


class _TextOnly(HTMLParser):
    """The text of a cell that holds HTML (exports from web sites and CMSs): tags dropped, entities decoded."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.tags = 0
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags += 1
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in ("br", "p", "div", "li", "tr"):
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        self.tags += 1
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        elif tag in ("p", "div", "li", "tr"):
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


_MARKUP = re.compile(r"</?[A-Za-z][A-Za-z0-9]*[\s/>]|&(?:[A-Za-z]+|#\d+|#x[0-9A-Fa-f]+);")


def strip_markup(text: str) -> str:
    """``text`` without HTML tags and with entities decoded ("Tea &amp; Chat" → "Tea & Chat"), or as it was
    when it holds none ("Kids <5 club" stays)."""
    if not _MARKUP.search(text):
        return text
    parser = _TextOnly()
    parser.feed(text)
    parser.close()
    plain = re.sub(r"[ \t]+", " ", "".join(parser.parts)).strip()
    return plain if plain or not parser.tags else text


_TEXT_FIELDS = {f for f, spec in ASSET_FIELD_MAP.items() if spec.type in ("text", "list") and f != "accessibility"}
_DATE_FIELDS = {f for f, spec in ASSET_FIELD_MAP.items() if spec.type == "date"}
# Excel's day numbers for 1982-2100: a date cell that lost its date format ("45747" is 31 March 2025).
_EXCEL_DAYS = (30000, 73050)
_SCIENTIFIC = re.compile(r"\d(?:[.,]\d+)?[eE]\+?\d+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]+")
_TRUTHY = {"yes", "y", "true", "1", "x", "private", "hidden"}
_FALSY = {"no", "n", "false", "0", "public"}


def _tidy(values: dict[str, Any], mapping: Mapping[str, str], counts: dict[str, int]) -> dict[str, str]:
    """Undo what spreadsheets and exports do to values, in place; returns problems by field.

    Placeholders ("TBC", "?") are empty; HTML is reduced to its text; dates that lost their format are
    dates again; "yes" in a column called "Private" makes an asset private (not public, as "yes" in a
    "Public" column would); a UPRN that Excel turned into scientific notation (digits lost) is refused.
    """
    problems: dict[str, str] = {}
    for fld, value in list(values.items()):
        if isinstance(value, CellProblem):
            problems[fld] = value.reason
            values[fld] = None
            continue
        if fld != "name" and isinstance(value, str) and value.strip().lower() in PLACEHOLDERS:
            values[fld] = None
            continue
        if fld in _DATE_FIELDS and not isinstance(value, bool):
            day = value if isinstance(value, (int, float)) else (int(value) if isinstance(value, str)
                                                                 and value.strip().isdigit() else None)
            if day is not None and _EXCEL_DAYS[0] <= day <= _EXCEL_DAYS[1]:
                from openpyxl.utils.datetime import from_excel

                values[fld] = from_excel(day).date()
                counts["excel_days"] = counts.get("excel_days", 0) + 1
        elif fld in _TEXT_FIELDS:
            if isinstance(value, datetime):
                values[fld] = value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
            elif isinstance(value, (date, time)):
                values[fld] = value.isoformat()
            elif isinstance(value, str):
                value = values[fld] = _CONTROL.sub(" ", value)  # NUL, vertical tab ... from PDFs and broken exports
                plain = strip_markup(value)
                if plain != value:
                    values[fld] = plain
                    counts["markup"] = counts.get("markup", 0) + 1
    uprn = values.get("uprn")
    if isinstance(uprn, str) and _SCIENTIFIC.fullmatch(uprn.strip()):
        problems["uprn"] = (f"'{uprn.strip()}' is a UPRN cut short by a spreadsheet (scientific notation loses "
                            "its last digits); format the column as a whole number before saving, or import "
                            "without it with --map uprn=")
        values["uprn"] = None
    column = mapping.get("visibility")
    words = set(normalise(column).split("_")) if column else set()
    if words & {"private", "hidden", "confidential", "restricted"} and not words & {"public", "show", "publish"}:
        text = str(values.get("visibility", "")).strip().lower()
        if values.get("visibility") is True or text in _TRUTHY:
            values["visibility"] = "private"
        elif values.get("visibility") is False or text in _FALSY:
            values["visibility"] = "public"
    elif isinstance(values.get("visibility"), bool):
        values["visibility"] = "public" if values["visibility"] else "private"
    return problems


def _extent(project: Project) -> tuple[float, float, float, float] | None:
    for layer in (project.neighbourhoods(), project.assets()):
        located = layer[layer.geometry.notna()]
        if len(located):
            return tuple(located.to_crs(4326).total_bounds)
    return None


def _place_rows(project: Project, located: Located, options: ImportOptions) -> Placement:
    """Where each row lies against the area and its margin; with ``clip``, rows beyond the margin are rejected."""
    margin = options.margin_m if options.margin_m is not None else rule_margin(project)
    placement = place_points(project.neighbourhoods().geometry.to_numpy(), located.points, margin)
    if options.clip:
        why = f"more than {format_distance(margin)} outside the project's neighbourhoods (--clip)"
        for i in np.flatnonzero(placement.where == Placement.FAR).tolist():
            located.problems.setdefault(i, why)
    return placement


def _report_margin(report: ImportReport, placement: Placement, kept: list[int]) -> None:
    """Say how many of the rows brought in lie just beyond the area, and how many far from it."""
    where = placement.where[kept] if kept else np.empty(0, dtype=np.int8)
    report.margin_m = placement.margin_m
    report.nearby = int((where == Placement.NEARBY).sum())
    report.far = int((where == Placement.FAR).sum())
    margin = format_distance(placement.margin_m)
    if report.nearby:
        report.notes.append(f"{report.nearby} {'are' if report.nearby != 1 else 'is'} nearby, outside the area "
                            f"(within {margin} of it): {'they count' if report.nearby != 1 else 'it counts'} "
                            "towards what is within reach of the neighbourhoods near the edge, never in a "
                            "neighbourhood's own counts")
    if report.far:
        report.notes.append(f"{report.far} {'are' if report.far != 1 else 'is'} more than {margin} outside the "
                            "area: kept, though no gap rule reaches that far (--clip leaves such rows out)")


def prepare_import(project: Project, path: str | Path, options: ImportOptions | None = None,
                   progress: Progress | None = None) -> PreparedImport:
    """Read and check a file against a project without changing the project."""
    options = options or ImportOptions()
    progress = ensure_progress(progress)
    path = Path(path)
    progress.update(0, 1, f"Reading {path.name}")
    table = read_table(path, options.layer, taxonomy=project.taxonomy)
    progress.update(0, 1, f"Read {path.name}")  # reading a big file takes a while: a Cancel meanwhile stops here
    overrides = resolve_overrides(options.mapping, table.columns)
    try:
        check_overrides(overrides, table.columns)
    except ValueError as exc:
        raise DataError(str(exc), file=path) from None
    mapping = guess_mapping(table.columns, overrides)
    paired = split_coordinate_pairs(table.rows, mapping)
    named = find_name_by_values(table.rows, mapping, overrides) if table.format != "osm" else None
    if "name" not in mapping and not (options.default_name or options.name_from_kind) and table.format != "osm":
        raise DataError("no column holds the assets' names (looked for: "
                        f"{', '.join(FIELD_ALIASES['name'][:8])} ...); name it with --map name=COLUMN", file=path)
    try:
        public = resolve_public_columns(options.public_columns, table.columns)
    except ValueError as exc:
        raise DataError(str(exc), file=path) from None
    access_note = _free_text_access(table, mapping, overrides)
    derived = plan_derived(table.rows, mapping, overrides, public, used={paired} if paired else None)
    report = ImportReport(file=str(path), rows=len(table) + len(table.early_rejects), notes=list(table.notes),
                          mapping={k: v for k, v in mapping.items()}, extra_columns=derived.details,
                          public_columns=[c for c in derived.details if c in derived.public])
    if paired:
        report.notes.append(f"column '{paired}' holds latitude, longitude pairs")
    if named:
        report.notes.append(named)
    report.notes += derived.notes
    if access_note:
        report.notes.append(access_note)
    for row, reason in table.early_rejects:
        report.rejects.append({"row": row, "reason": reason})
    located = locate_rows(table, mapping, project.crs, crs_option=options.crs, postcodes=options.postcodes,
                          extent_wgs84=_extent(project))
    report.notes += located.notes
    placement = _place_rows(project, located, options)
    source = options.source or path.name
    theme = _file_theme(project, table, mapping, options)
    existing = project.assets()
    index = DuplicateIndex.from_assets(existing)
    again = reimport_for(project, existing, source, list(mapping))
    updates: list[PlannedUpdate] = []
    records, points, areas = [], [], []
    rows_kept: list[int] = []
    counts: dict[str, int] = {}
    columns = table.rows.to_dict("records")
    total = len(columns)
    for i, raw in enumerate(columns):
        if i % 500 == 0:
            progress.update(i, total, f"Checking row {table.row_numbers[i]}")
        row_number = table.row_numbers[i]
        if i in located.problems:
            report.rejects.append({"row": row_number, "reason": located.problems[i]})
            continue
        values = {f: raw[c] for f, c in mapping.items() if f in ASSET_FIELD_NAMES}
        values.update(derived.values(raw))
        if table.format == "osm":
            values.setdefault("source_ref", raw.get("osm_ref"))
        cell_problems = _tidy(values, mapping, counts)
        if cell_problems:
            report.rejects.append({"row": row_number, "reason": "; ".join(
                f"column '{mapping.get(fld, fld)}': {why}" for fld, why in cell_problems.items())})
            continue
        raw_kind = values.pop("kind", None)
        if is_blank(values.get("name")) and options.default_name:
            values["name"] = options.default_name
        row_kind = table.osm_kinds[i] if table.osm_kinds is not None else None
        category, kind, unmatched = _category_and_kind(values, raw_kind, row_kind, options, project, theme.kind)
        if category is None:  # nothing told its category: a private draft to sort, never dropped for that alone
            if located.points[i] is None and _TOTALS.match(str(values.get("name") or "")):
                report.rejects.append({"row": row_number, "reason": f"'{values['name']}' looks like the "
                                       "spreadsheet's totals line, not an asset"})
                continue
            category = UNCATEGORISED
        if is_blank(values.get("name")) and options.name_from_kind and kind:
            values["name"] = project.taxonomy.label(kind)
        values.update(category=category, kind=kind, source=source)
        if options.visibility:
            values["visibility"] = options.visibility
        if unmatched:
            values["tags"] = ", ".join(str(t) for t in (values.get("tags"), unmatched) if not is_blank(t))
        clean, problems = clean_asset(values, project.taxonomy)
        for fld in INTEGER_FIELDS:  # a 27-digit capacity would overflow SQLite's INTEGER on writing
            too_big = whole_number_problem(clean.get(fld))
            if too_big:
                problems[fld], clean[fld] = too_big, None
        if clean.get("postcode"):
            clean["postcode"] = format_postcode(clean["postcode"]) or clean["postcode"]
        if problems:
            reasons = []
            for fld, message in problems.items():
                col = "--category" if fld == "category" and options.category else mapping.get(fld)
                reasons.append(f"column '{col}': {message}" if col else message)
            report.rejects.append({"row": row_number, "reason": "; ".join(reasons)})
            continue
        point = located.points[i]
        update = again.match(clean, point, located.areas[i], row_number)
        if update is not None:  # this file made that asset before: update it, never add it twice
            updates.append(update)
            if update.changed:
                report.updated_rows.append(update.report_row())
            else:
                report.duplicate_rows.append({"row": row_number, "reason": update.duplicate_reason()})
            index.add(clean, point)
            continue
        why = index.match(clean, point)
        if why:
            report.duplicate_rows.append({"row": row_number, "reason": why})
            continue
        index.add(clean, point)
        records.append(clean)
        if clean["category"] == UNCATEGORISED:
            report.uncategorised_rows.append({"row": row_number, "name": clean["name"]})
        points.append(point)
        areas.append(located.areas[i])
        rows_kept.append(i)
    if counts.get("markup"):
        n = counts["markup"]
        report.notes.append(f"{n} cell{'s' if n > 1 else ''} held HTML: tags removed, text kept")
    if counts.get("excel_days"):
        n = counts["excel_days"]
        report.notes.append(f"{n} date{'s were' if n > 1 else ' was'} an Excel day number (a date column without "
                            "its date format), read as a date")
    report.unlocated = sum(p is None for p in points)
    _report_margin(report, placement, rows_kept)
    report.imported = len(records) - report.unlocated
    report.duplicates = len(report.duplicate_rows)
    report.updated = len(report.updated_rows)
    kept = again.kept_note(updates)
    if kept:
        report.notes.append(kept)
    report.rejected = len(report.rejects)
    report.rejects.sort(key=lambda r: r["row"])
    for rec in records:
        report.by_category[rec["category"]] = report.by_category.get(rec["category"], 0) + 1
    _report_theme(report, theme, records, project)
    progress.update(total, total, "Checked")
    return PreparedImport(table, report, records, points, areas, updates, options)


def _report_theme(report: ImportReport, theme: Theme, records: list[dict[str, Any]], project: Project) -> None:
    """The file's theme and the drafts to sort, in the report (notes for people, fields for --json)."""
    label = project.taxonomy.label(theme.kind) if theme.kind else ""
    applied = sum(1 for r in records if theme.kind and r["kind"] == theme.kind)
    own = sum(1 for r in records if theme.kind and r["kind"] and r["kind"] != theme.kind)
    report.theme = theme.to_json(label, applied, own)
    if theme.source == "file" or (theme.kind is None and theme.evidence.get("file", {}).get("kinds")):
        report.notes.append(theme.note(label, applied, own))
    report.uncategorised = len(report.uncategorised_rows)
    if report.uncategorised:
        n = report.uncategorised
        report.notes.append(f"{n} row{'s' if n != 1 else ''} came in as {'drafts' if n != 1 else 'a draft'} to sort: "
                            "nothing in the file told the category. They are private and left out of gap analysis "
                            "until you choose their category (Assets table: To sort)")


def commit_import(project: Project, prepared: PreparedImport, *, remember_postcodes: bool = False,
                  progress: Progress | None = None) -> ImportReport:
    """Write a prepared import in one transaction (all rows or none): the new assets, the updates of those
    it made before, and its record in the import history (so it can be undone); ``remember_postcodes``
    keeps its postcode lookup as the project's. A Cancel (``progress``) up to the COMMIT rolls it all back."""
    progress = ensure_progress(progress)
    with project.transaction():
        added = project.add_assets(prepared.records, prepared.points, prepared.areas,
                                   progress=progress) if prepared.records else []
        record_import(project, prepared, added)
        lookup = prepared.options.postcodes if prepared.options is not None else None
        if remember_postcodes and lookup is not None:
            remember_lookups(project, lookup)
        progress.update(1, 1, "Saving the import")  # the last chance to cancel: the COMMIT follows
    progress.notify(1, 1, "Imported")
    return prepared.report


def import_file(project: Project, path: str | Path, options: ImportOptions | None = None,
                progress: Progress | None = None) -> ImportReport:
    """Read, check and write a file of assets; returns the report that accounts for every row."""
    return commit_import(project, prepare_import(project, path, options, progress), progress=progress)


def write_rejects(prepared: PreparedImport, dest: str | Path) -> Path:
    """The rejected rows as they were in the file, with their row number and the reason."""
    dest = Path(dest)
    reasons = {r["row"]: r["reason"] for r in prepared.report.rejects}
    table = prepared.table
    with atomic_path(dest) as tmp:
        with open(tmp, "w", newline="", encoding="utf-8-sig") as fh:
            writer = csv.writer(fh)
            writer.writerow(["row", "reason", *table.columns])
            by_number = dict(zip(table.row_numbers, table.rows.itertuples(index=False)))
            for row, reason in sorted(reasons.items()):
                values = by_number.get(row)
                cells = ["" if is_blank(v) else v for v in values] if values is not None else []
                writer.writerow([row, reason, *cells])
    return dest


def parse_map_options(pairs: list[str] | None) -> Mapping[str, str]:
    """``["name=PropertyName", "notes="]`` → {"name": "PropertyName", "notes": ""} ("" = no column for it)."""
    out: dict[str, str] = {}
    for pair in pairs or []:
        target, sep, column = pair.partition("=")
        if not sep or not target.strip():
            raise ValueError(f"--map {pair}: expected FIELD=COLUMN, e.g. --map name=PropertyName "
                             "(or FIELD= for no column)")
        out[target.strip()] = column.strip()
    return out
