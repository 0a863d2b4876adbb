"""Attach newer figures to a project's neighbourhoods by code: this year's population estimates, the English
Indices of Deprivation 2025, a council's own table.

The code column is found by its values (the one holding most of the project's codes); population and IMD
rank and decile columns by their headers (overridable). Every value is checked before anything is written,
and the update is one transaction, together with the project's ``figures`` record of where each came from.
"""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from assetmap.core.area.national import name_key
from assetmap.core.errors import DataError
from assetmap.core.io.readers import read_table
from assetmap.core.io.table import CellProblem
from assetmap.core.resources import national_dir

FIELDS = ("population", "imd_rank", "imd_decile")
METHOD = "attached by neighbourhood code"
_NOT_TOTAL = ("aged", "age ", "children", "male", "female", "men", "women", "density", "change", "rank", "decile",
              "percent", "per cent", "proportion", "working", "older", "household", "dwelling")
_KINDS = (("E01", "LSOA"), ("W01", "LSOA"), ("E02", "MSOA"), ("W02", "MSOA"), ("E00", "output area"),
          ("W00", "output area"), ("E05", "ward"), ("W05", "ward"), ("E06", "local authority"),
          ("E07", "local authority"), ("E08", "local authority"), ("E09", "local authority"),
          ("W06", "local authority"), ("E04", "parish"), ("W04", "community"))


@dataclass
class AttachReport:
    file: str
    code_column: str
    columns: dict[str, str]  # field -> the file's column
    matched: list[str]  # neighbourhood codes found in the file
    unmatched_file: list[str]  # codes in the file with no neighbourhood
    unmatched_project: list[str]  # neighbourhoods the file lacks
    updates: dict[str, dict[str, Any]]  # code -> {field: new value}
    changed: int = 0  # neighbourhoods whose figures differ from before
    blank: dict[str, int] = field(default_factory=dict)  # field -> matched rows left blank in the file (kept)
    notes: list[str] = field(default_factory=list)
    dry_run: bool = False

    def to_dict(self, limit: int = 50) -> dict[str, Any]:
        return {"file": self.file, "code_column": self.code_column, "columns": self.columns,
                "matched": len(self.matched), "changed": self.changed, "dry_run": self.dry_run,
                "unmatched_file": {"count": len(self.unmatched_file), "codes": self.unmatched_file[:limit]},
                "unmatched_project": {"count": len(self.unmatched_project), "codes": self.unmatched_project[:limit]},
                "blank": self.blank, "notes": self.notes}


def _header(col: str) -> str:
    return " " + name_key(col) + " "


def _is_imd(h: str) -> bool:
    return bool(re.search(r" imd\d* ", h)) or "multiple deprivation" in h


def guess_columns(columns: list[str]) -> tuple[dict[str, str], list[str]]:
    """Population, IMD rank and IMD decile columns by header; notes on what was passed over and why."""
    found: dict[str, str] = {}
    notes: list[str] = []
    pops = [c for c in columns if ("population" in _header(c) or " all ages " in _header(c)
                                   or name_key(c) in ("pop", "total", "people", "residents", "usual residents"))
            and not any(w in _header(c) for w in _NOT_TOTAL)]
    if pops:
        found["population"] = next((c for c in pops if " total " in _header(c) or " all ages " in _header(c)), pops[0])
    for c in columns:
        h = _header(c)
        if not _is_imd(h):
            continue
        if " rank " in h and "imd_rank" not in found:
            found["imd_rank"] = c
        elif " decile " in h and "imd_decile" not in found:
            found["imd_decile"] = c
        elif " score " in h:
            notes.append(f"column '{c}' holds IMD scores; the project keeps IMD ranks and deciles, so it was not "
                         "attached")
    return found, notes


def _number(raw: Any) -> float | None:
    if raw is None or isinstance(raw, CellProblem):
        return None
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return None if pd.isna(raw) else float(raw)
    text = str(raw).strip().replace(",", "")
    if not text:
        return None
    return float(text)


def _check(field_name: str, raw: Any, path: Path, row: int, column: str) -> int | float | None:
    """The value as the project stores it; None for a blank cell; DataError for anything else."""
    if isinstance(raw, CellProblem):
        raise DataError(f"'{raw}' is not a value ({raw.reason})", file=path, row=row, column=column)
    try:
        value = _number(raw)
    except ValueError:
        raise DataError(f"'{raw}' is not a number", file=path, row=row, column=column) from None
    if value is None:
        return None
    if field_name == "population":
        if value < 0:
            raise DataError(f"'{raw}' is not a number of residents (it is below 0)", file=path, row=row, column=column)
        return round(value)
    if field_name == "imd_decile":
        if value != int(value) or not 1 <= value <= 10:
            raise DataError(f"'{raw}' is not an IMD decile (a whole number from 1, most deprived, to 10)", file=path,
                            row=row, column=column)
        return int(value)
    if value < 1:
        raise DataError(f"'{raw}' is not an IMD rank (1 = most deprived)", file=path, row=row, column=column)
    return value


@lru_cache(maxsize=1)
def lsoa_2011_codes() -> frozenset[str]:
    """Every 2011 LSOA code in the bundled pack (to tell 2011 from 2021 codes in a message)."""
    codes: set[str] = set()
    for path in sorted((national_dir() / "lsoa").glob("*.geojson.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            codes.update(f["properties"]["code"] for f in json.load(fh)["features"])
    return frozenset(codes)


def describe_codes(codes: list[str]) -> str:
    """What kind of codes a list holds, in words: '33,755 LSOA codes (1,234 of them not 2011 LSOA codes)'."""
    codes = [c for c in codes if c]
    if not codes:
        return "no codes"
    kinds: dict[str, int] = {}
    lsoas = []
    for c in codes:
        kind = next((k for p, k in _KINDS if c.upper().startswith(p)), "other")
        kinds[kind] = kinds.get(kind, 0) + 1
        if kind == "LSOA":
            lsoas.append(c.upper())
    parts = [f"{n:,} {k} code{'s' if n != 1 else ''}" for k, n in sorted(kinds.items(), key=lambda kv: -kv[1])]
    text = ", ".join(parts)
    if lsoas:
        known = lsoa_2011_codes()
        new = sum(c not in known for c in lsoas)
        text += (f" ({new:,} of the LSOA codes are not 2011 LSOA codes, so the file likely uses 2021 LSOAs)" if new
                 else " (all 2011 LSOA codes)")
    return f"{text}, e.g. {', '.join(sorted(set(codes))[:3])}"


def _find_code_column(rows: pd.DataFrame, wanted: set[str], path: Path, given: str | None) -> tuple[str, int]:
    if given is not None:
        if given not in rows.columns:
            raise DataError(f"--code-column {given}: no such column (columns: {', '.join(map(str, rows.columns))})",
                            file=path)
        values = rows[given].astype("string").str.strip().str.upper()
        return given, int(values.isin(wanted).sum())
    best, hits = None, 0
    for col in rows.columns:
        values = rows[col].dropna().astype(str).str.strip().str.upper()
        n = int(values.isin(wanted).sum())
        if n > hits:
            best, hits = col, n
    if best is None:
        best = max(rows.columns, key=lambda c: rows[c].dropna().astype(str).str.match(r"^[EWSNK]\d{8}$").mean())
    return str(best), hits


def plan_attach(path: str | Path, project_codes: list[str], *, code_column: str | None = None,
                columns: dict[str, str] | None = None, layer: str | None = None) -> AttachReport:
    """Read the file and work out every update, without touching the project."""
    path = Path(path)
    table = read_table(path, layer)
    rows = table.rows
    wanted = {str(c).strip().upper() for c in project_codes}
    col, hits = _find_code_column(rows, wanted, path, code_column)
    file_codes = rows[col].astype("string").str.strip().str.upper()
    if hits == 0:
        theirs = describe_codes([c for c in file_codes.dropna().tolist()])
        raise DataError(f"none of its codes match the project's neighbourhoods (best code column '{col}'). The file "
                        f"holds {theirs}; the project holds {describe_codes(list(wanted))}. Figures can only be "
                        "attached for the same kind and year of area", file=path)
    mapping, notes = guess_columns([str(c) for c in rows.columns if c != col])
    for key, column in (columns or {}).items():
        if key not in FIELDS:
            raise DataError(f"--column {key}={column}: {key} is not a figure the project keeps ({', '.join(FIELDS)})")
        if column not in rows.columns:
            raise DataError(f"--column {key}={column}: no such column (columns: {', '.join(map(str, rows.columns))})",
                            file=path)
        mapping[key] = column
    if not mapping:
        raise DataError("no population or IMD rank/decile column found by its header (columns: "
                        f"{', '.join(map(str, rows.columns))}); name one with --column population=COLUMN", file=path)
    updates: dict[str, dict[str, Any]] = {}
    seen: dict[str, int] = {}
    blank = {k: 0 for k in mapping}
    for i, code in enumerate(file_codes.tolist()):
        if not isinstance(code, str) or code not in wanted:
            continue
        row = table.row_numbers[i]
        if code in seen:
            raise DataError(f"code {code} appears again (first on row {seen[code]}); each neighbourhood needs one row",
                            file=path, row=row, column=col)
        seen[code] = row
        values = {}
        for key, column in mapping.items():
            value = _check(key, rows[column].iloc[i], path, row, column)
            if value is None:
                blank[key] += 1
            else:
                values[key] = value
        updates[code] = values
    original = {str(c).strip().upper(): str(c) for c in project_codes}
    matched = sorted(original[c] for c in updates)
    unmatched_file = sorted({c for c in file_codes.dropna().tolist() if c and c not in wanted})
    unmatched_project = sorted(original[c] for c in wanted - set(updates))
    if "imd_rank" in mapping and "imd_decile" not in mapping:
        notes.append("the file has an IMD rank but no decile: the deciles already in the project were kept")
    if "imd_decile" in mapping and "imd_rank" not in mapping:
        notes.append("the file has an IMD decile but no rank: the ranks already in the project were kept")
    return AttachReport(path.name, col, mapping, matched, unmatched_file, unmatched_project,
                        {original[c]: v for c, v in updates.items()}, blank={k: v for k, v in blank.items() if v},
                        notes=notes)


def attach_figures(project: Any, path: str | Path, *, code_column: str | None = None,
                   columns: dict[str, str] | None = None, layer: str | None = None,
                   dry_run: bool = False) -> AttachReport:
    """Update the matched neighbourhoods' figures and the ``figures`` setting in one transaction."""
    current = pd.read_sql_query('SELECT code, population, imd_rank, imd_decile FROM neighbourhoods',
                                project.connection).set_index("code")
    report = plan_attach(path, list(current.index.astype(str)), code_column=code_column, columns=columns, layer=layer)
    report.dry_run = dry_run
    report.changed = sum(
        any(not _same(current.at[code, k], v) for k, v in values.items()) for code, values in report.updates.items())
    if dry_run:
        return report
    figures = dict(project.get_setting("figures", {}) or {})
    stamp = {"source": report.file, "method": METHOD, "attached_on": date.today().isoformat(),
             "matched": len(report.matched), "not_in_file": len(report.unmatched_project)}
    if "population" in report.columns:
        figures["population"] = {**stamp, "basis": f"column '{report.columns['population']}'"}
    imd_cols = {k: report.columns[k] for k in ("imd_rank", "imd_decile") if k in report.columns}
    if imd_cols:
        basis = " and ".join(f"'{c}' ({k.replace('imd_', '')})" for k, c in imd_cols.items())
        previous = figures.get("imd") if len(imd_cols) == 1 else None
        figures["imd"] = {**stamp, "basis": f"column{'s' if len(imd_cols) > 1 else ''} {basis}"}
        if previous:
            figures["imd"]["kept_from_before"] = previous
    with project.transaction() as conn:
        for key in report.columns:
            pairs = [(values[key], code) for code, values in report.updates.items() if key in values]
            conn.executemany(f'UPDATE neighbourhoods SET "{key}" = ? WHERE code = ?', pairs)
        project.set_setting("figures", figures)
    return report


def _same(old: Any, new: Any) -> bool:
    if old is None or (isinstance(old, float) and pd.isna(old)):
        return False
    try:
        return float(old) == float(new)
    except (TypeError, ValueError):
        return False
