"""Import residents' skills and gifts from a spreadsheet (a skills audit, a sign-up sheet).

People are personal data: a row is kept only with consent (yes, and the date), a person gets a
neighbourhood but never a location. A postcode may be given to find the neighbourhood; it is used
for that and not stored. Every row is accounted for, as with assets.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import shapely

from assetmap.core.errors import DataError, ValidationError
from assetmap.core.imports.pipeline import ImportReport
from assetmap.core.io.columns import normalise
from assetmap.core.io.postcodes import PostcodeLookup
from assetmap.core.io.readers import read_table
from assetmap.core.io.table import CellProblem
from assetmap.core.model import is_blank, validate_person
from assetmap.core.progress import Progress, ensure_progress
from assetmap.core.project.store import Project

PERSON_ALIASES: dict[str, tuple[str, ...]] = {
    "display_name": ("display_name", "name", "first_name", "firstname", "person", "resident", "full_name",
                     "preferred_name", "nickname"),
    "skills": ("skills", "skill", "gifts", "gift", "talents", "what_i_can_share", "can_share", "offers",
               "head_hands_heart", "skills_and_gifts"),
    "interests": ("interests", "interest", "passions", "would_like_to"),
    "consent": ("consent", "consented", "consent_given", "agreed", "permission", "gdpr_consent", "opt_in"),
    "consent_on": ("consent_on", "consent_date", "date_consented", "date_of_consent", "consent_given_on", "date"),
    "neighbourhood": ("neighbourhood", "neighbourhood_code", "neighborhood", "area", "area_code", "lsoa",
                      "lsoa_code", "ward", "ward_code", "estate"),
    "postcode": ("postcode", "post_code", "postal_code", "pcode"),
    "contact": ("contact", "email", "e_mail", "phone", "telephone", "mobile", "how_to_contact"),
    "notes": ("notes", "note", "comments"),
}


def _guess(columns: list[str], overrides: Mapping[str, str]) -> dict[str, str]:
    by_norm = {normalise(c): c for c in columns}
    mapping = {k: v for k, v in overrides.items() if v}
    taken = set(mapping.values())
    for field, aliases in PERSON_ALIASES.items():
        if field in mapping or field in overrides:
            continue
        for alias in aliases:
            col = by_norm.get(alias)
            if col is not None and col not in taken:
                mapping[field] = col
                taken.add(col)
                break
    return mapping


class _Neighbourhoods:
    """Finds a neighbourhood code from a code, a name or (through a postcode lookup) a postcode."""

    def __init__(self, project: Project, postcodes: PostcodeLookup | None) -> None:
        hoods = project.neighbourhoods()
        self.codes = {str(c).strip().upper(): str(c) for c in hoods["code"]}
        self.names = {str(n).strip().lower(): str(c) for c, n in zip(hoods["code"], hoods["name"])}
        self.frame: gpd.GeoDataFrame = hoods
        self.crs = project.crs
        self.postcodes = postcodes
        self.tree = shapely.STRtree(hoods.geometry.values) if len(hoods) else None

    def find(self, value: Any, postcode: Any) -> str | None:
        if not is_blank(value):
            text = str(value).strip()
            found = self.codes.get(text.upper()) or self.names.get(text.lower())
            if found:
                return found
        if self.postcodes is not None and self.tree is not None and not is_blank(postcode):
            xy = self.postcodes.locate(postcode, self.crs)
            if xy is not None:
                hits = self.tree.query(shapely.Point(xy), predicate="intersects")
                if len(hits):
                    return str(self.frame["code"].iloc[int(min(hits))])
        return None


def import_people(project: Project, path: str | Path, *, mapping: Mapping[str, str] | None = None,
                  postcodes: PostcodeLookup | None = None, progress: Progress | None = None) -> ImportReport:
    """Add consenting residents from a file; rejects say which row and why, nothing half-written."""
    progress = ensure_progress(progress)
    path = Path(path)
    table = read_table(path)
    cols = _guess(table.columns, mapping or {})
    for need, hint in (("display_name", "name"), ("skills", "skills"), ("consent", "consent")):
        if need not in cols:
            raise DataError(f"no column holds people's {hint} (looked for: {', '.join(PERSON_ALIASES[need][:5])} ...)"
                            f"; name it with --map {need}=COLUMN", file=path)
    hoods = _Neighbourhoods(project, postcodes)
    existing = {(str(p.display_name).lower(), str(p.neighbourhood_code), str(p.skills).lower())
                for p in project.people().itertuples(index=False)}
    report = ImportReport(file=str(path), rows=len(table) + len(table.early_rejects), notes=list(table.notes),
                          mapping=dict(cols))
    report.rejects = [{"row": r, "reason": why} for r, why in table.early_rejects]
    records = []
    for i, raw in enumerate(table.rows.to_dict("records")):
        row = table.row_numbers[i]
        progress.update(i, len(table), f"Checking row {row}")
        broken = [f"column '{c}': {raw[c].reason}" for c in cols.values() if isinstance(raw.get(c), CellProblem)]
        if broken:
            report.rejects.append({"row": row, "reason": "; ".join(broken)})
            continue
        values = {f: raw.get(c) for f, c in cols.items() if f not in ("neighbourhood", "postcode")}
        code = hoods.find(raw.get(cols.get("neighbourhood", "")), raw.get(cols.get("postcode", "")))
        values["neighbourhood_code"] = code
        try:
            clean = validate_person(values)
        except ValidationError as exc:
            if "consent" in exc.problems or "consent_on" in exc.problems:
                reason = "no consent recorded (yes, with its date): a person's details are only kept with consent"
            elif "neighbourhood_code" in exc.problems:
                reason = "cannot tell the neighbourhood: give its code or name, or a postcode with --postcodes"
            else:
                reason = "; ".join(f"column '{cols.get(k, k)}': {v}" for k, v in exc.problems.items())
            report.rejects.append({"row": row, "reason": reason})
            continue
        key = (clean["display_name"].lower(), clean["neighbourhood_code"], str(clean.get("skills")).lower())
        if key in existing:
            report.duplicate_rows.append({"row": row, "reason": "same person, neighbourhood and skills"})
            continue
        existing.add(key)
        records.append(clean)
    with project.transaction():  # all the people or none
        for rec in records:
            project.add_person(rec)
    report.imported = len(records)
    report.duplicates = len(report.duplicate_rows)
    report.rejected = len(report.rejects)
    report.rejects.sort(key=lambda r: r["row"])
    report.by_category = {"people": len(records)} if records else {}
    if "postcode" in cols:
        report.notes.append("postcodes were used to find neighbourhoods and were not stored")
    return report
