"""Asset fields made from several columns of a file, and the columns no field uses, kept as details.

Council registers split an address over "Address line 1..3" or "Street", "Town", "County", and give
opening hours a column per day ("Monday", "Monday open"/"Monday close", "Mon AM"/"Mon PM"). One
``address`` and one readable ``opening_times`` are made from them ("12 High St, Sale, Cheshire";
"Mon-Fri 09:00-17:00; Sat closed"). Every other column a field does not use is kept with the asset
as ``details`` ({"Column header": "value"}), private unless its column is listed in ``public_details``,
so nothing in a user's file is silently dropped and nothing extra is published unless asked.

``plan_derived`` decides from the headers and the mapping (once per file); ``DerivedPlan.values`` makes
one row's values.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import lru_cache
from typing import Any

import pandas as pd

from assetmap.core.io.columns import DAY_NAMES, SUFFIX_ROLE, address_role, day_role, looks_like_postcode, value_kind
from assetmap.core.io.locate import PLACEHOLDERS, is_placeholder
from assetmap.core.io.table import CellProblem

# What people type for "nothing": model.is_blank's words and the importer's placeholders ("TBC", "?").
_NOTHING = frozenset({"n/a", "na", "none", "null", "-", "--", "unknown", "nan"}) | PLACEHOLDERS
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]+")
_HOUSE_NUMBER = re.compile(r"^\d+[a-z]?(?:\s*[-/]\s*\d+[a-z]?)?$", re.IGNORECASE)
_CLOSED = {"closed", "close", "shut", "not open", "no", "n", "none", "closed all day"}
_OPEN_FLAGS = {"yes", "y", "open", "x", "\u2713", "\u2714", "1", "true"}
_SHUT_FLAGS = {"no", "n", "closed", "shut", "0", "false", "-"}
_SESSION_LABELS = {"am": "morning", "pm": "afternoon", "eve": "evening"}
_CLOCK = re.compile(r"^(?:(?P<hhmm>\d{4})|(?P<h>\d{1,2})(?:[:.](?P<m>\d{2}))?)\s*(?P<ap>[ap])?\.?m?\.?$", re.IGNORECASE)
_RANGE = re.compile(r"\s*(?:-|\u2013|\u2014|\bto\b|\buntil\b|\btill\b)\s*", re.IGNORECASE)
_PIECES = re.compile(r"\s*(?:,|;|&|\band\b)\s*", re.IGNORECASE)
SAMPLE_ROWS = 1000
LISTED = 6  # column names listed in a note before "and N more"


def plain_text(value: Any) -> str | None:
    """A cell as the text a person would read, or None when it holds nothing (blank, "TBC", a #REF! error)."""
    if isinstance(value, str):  # most cells: quick
        text = " ".join(value.split())
        if not text.isprintable():
            text = " ".join(_CONTROL.sub(" ", text).split())
        return None if not text or text.lower() in _NOTHING else text
    if isinstance(value, CellProblem) or is_placeholder(value):
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()  # numpy scalars from GIS files
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M")
    text = " ".join(_CONTROL.sub(" ", str(value)).split())
    return text or None


def _quoted(columns: Sequence[str]) -> str:
    shown = ", ".join(f"'{c}'" for c in columns[:LISTED])
    return shown + (f" and {len(columns) - LISTED} more" if len(columns) > LISTED else "")


# --- opening hours -------------------------------------------------------------------------------------------

def _clock(text: str) -> tuple[int, int, str | None] | None:
    """"9", "9am", "9.30 p.m.", "09:00", "0900", "noon" → (hour, minute, "a"/"p"/None)."""
    text = text.strip().lower()
    if text in ("noon", "midday", "12 noon"):
        return 12, 0, "p"
    match = _CLOCK.match(text)
    if not match:
        return None
    if match.group("hhmm"):
        hour, minute = int(match.group("hhmm")[:2]), int(match.group("hhmm")[2:])
    else:
        hour, minute = int(match.group("h")), int(match.group("m") or 0)
    ap = (match.group("ap") or "").lower() or None
    if minute > 59 or hour > 24 or (ap and not 1 <= hour <= 12):
        return None
    return hour, minute, ap


def _24(hour: int, minute: int, ap: str | None) -> tuple[int, int]:
    if ap == "p" and hour < 12:
        hour += 12
    elif ap == "a" and hour == 12:
        hour = 0
    return hour, minute


def _span(start: tuple[int, int, str | None], end: tuple[int, int, str | None]) -> str | None:
    """Two clock readings as "09:00-17:00", reading "9-5pm", "9am-5" and "9-5" the way people mean them."""
    (h1, m1, a1), (h2, m2, a2) = start, end
    if a2 and not a1:
        later = _24(h2, m2, a2)
        a1 = a2 if _24(h1, m1, a2) <= later else ("a" if a2 == "p" else "p")
    elif a1 and not a2:
        a2 = a1 if _24(h2, m2, a1) > _24(h1, m1, a1) else ("p" if a1 == "a" else None)
    elif not a1 and not a2 and h2 < h1 and h2 <= 12:
        h2 += 12
    t1, t2 = _24(h1, m1, a1), _24(h2, m2, a2)
    if t2 <= t1 or t2 > (24, 0):
        return None
    return f"{t1[0]:02d}:{t1[1]:02d}-{t2[0]:02d}:{t2[1]:02d}"


def hours_text(value: Any) -> str | None:
    """One day's opening hours as written in a cell, tidied: "9am - 5pm" → "09:00-17:00", "Closed" → "closed",
    "9-12 and 1-4pm" → "09:00-12:00, 13:00-16:00"; anything else is kept as it was written."""
    if isinstance(value, time):
        return value.strftime("%H:%M")
    text = plain_text(value)
    return None if text is None else _tidy_hours(text)


@lru_cache(maxsize=4096)
def _tidy_hours(text: str) -> str:
    """``hours_text`` of a text; a file repeats the same few hours in thousands of rows."""
    if text.lower().rstrip(".") in _CLOSED:
        return "closed"
    spans = []
    for piece in _PIECES.split(text):
        ends = _RANGE.split(piece)
        start, end = (_clock(ends[0]), _clock(ends[1])) if len(ends) == 2 else (None, None)
        span = _span(start, end) if start is not None and end is not None else None
        if span is None:
            return text
        spans.append(span)
    return ", ".join(spans)


def _time_of(value: Any) -> tuple[int, int, str | None] | None:
    """A single time: a time cell, an Excel fraction of a day (0.375), or text such as "9.30am"."""
    if isinstance(value, datetime):
        value = value.time()
    if isinstance(value, time):
        return value.hour, value.minute, None
    if isinstance(value, float) and 0 <= value < 1:
        minutes = round(value * 24 * 60)
        return minutes // 60, minutes % 60, None
    text = plain_text(value)
    return _clock(text) if text else None


def _flag(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = (plain_text(value) or "").lower()
    return True if text in _OPEN_FLAGS else False if text in _SHUT_FLAGS else None


def _day_text(parts: Mapping[str, str], raw: Mapping[str, Any]) -> str | None:
    """One day's hours from its columns: the whole day, opening and closing times, or sessions."""
    pieces: list[str] = []
    known = False
    if "" in parts:
        whole = hours_text(raw.get(parts[""]))
        if whole:
            pieces.append(whole)
    if "open" in parts or "close" in parts:
        opens, closes = raw.get(parts.get("open", "")), raw.get(parts.get("close", ""))
        if (hours_text(opens) or "") == "closed" or (hours_text(closes) or "") == "closed":
            pieces.append("closed")
        else:
            t1, t2 = _time_of(opens), _time_of(closes)
            if t1 and t2:
                pieces.append(_span(t1, t2) or f"{plain_text(opens)}-{plain_text(closes)}")
            elif (one := t1 or t2) is not None:
                fmt = "from {}" if t1 else "until {}"
                hour, minute = _24(*one)
                pieces.append(fmt.format(f"{hour:02d}:{minute:02d}"))
            elif plain_text(opens) or plain_text(closes):
                pieces.append("-".join(t for t in (plain_text(opens), plain_text(closes)) if t))
    for session in ("am", "pm", "eve"):
        if session not in parts:
            continue
        value = raw.get(parts[session])
        flag = _flag(value)
        if flag is not None:
            known = True
            if flag:
                pieces.append(_SESSION_LABELS[session])
        elif hours_text(value):
            pieces.append(hours_text(value) or "")
    if not pieces and known:
        return "closed"
    if len(pieces) > 1:
        pieces = [p for p in pieces if p != "closed"] or ["closed"]
    return ", ".join(dict.fromkeys(pieces)) or None


def week_text(days: Sequence[str | None]) -> str | None:
    """Seven days' hours (None where not known) as "Mon-Fri 09:00-17:00; Sat 10:00-13:00; Sun closed"."""
    out: list[str] = []
    start = 0
    while start < 7:
        text = days[start]
        if not text:
            start += 1
            continue
        end = start
        while end + 1 < 7 and days[end + 1] and str(days[end + 1]).lower() == text.lower():
            end += 1
        label = DAY_NAMES[start] if end == start else f"{DAY_NAMES[start]}-{DAY_NAMES[end]}"
        out.append(f"{label} {text}")
        start = end + 1
    return "; ".join(out) or None


# --- the plan --------------------------------------------------------------------------------------------------

@dataclass
class DerivedPlan:
    """Which columns make ``address`` and ``opening_times``, and which are kept as details (and public)."""

    address: list[str] = field(default_factory=list)  # joined in this order; empty: the address column as it is
    numbered: set[str] = field(default_factory=set)  # address columns where a lone "12" is a house number
    days: dict[int, dict[str, str]] = field(default_factory=dict)  # day (0 = Monday) → part ("", open, am...) → column
    details: list[str] = field(default_factory=list)  # the columns kept as details, in the file's order
    public: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)

    def values(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        """The derived fields of one row (a dict of column → cell)."""
        out: dict[str, Any] = {}
        if self.address:
            out["address"] = self._address(raw)
        if self.days:
            out["opening_times"] = week_text([_day_text(self.days[d], raw) if d in self.days else None
                                              for d in range(7)])
        details = {}
        for column in self.details:
            text = plain_text(raw.get(column))
            if text:
                details[column] = text
        out["details"] = details or None
        out["public_details"] = sorted(c for c in details if c in self.public) or None
        return out

    def _address(self, raw: Mapping[str, Any]) -> Any:
        parts: list[str] = []
        seen: set[str] = set()
        joins_number = False
        for column in self.address:
            value = raw.get(column)
            if isinstance(value, CellProblem):  # the row is rejected, naming the column that holds the error
                return CellProblem(value.text, f"{value.reason} (in column '{column}')")
            text = plain_text(value)
            if not text or looks_like_postcode(text):  # the postcode stays in its own field
                continue
            for piece in (p.strip() for p in text.split(",")):
                key = piece.lower()
                if not piece or key in seen:
                    continue
                seen.add(key)
                if joins_number:
                    parts[-1] = f"{parts[-1]} {piece}"
                else:
                    parts.append(piece)
                joins_number = column in self.numbered and bool(_HOUSE_NUMBER.match(piece)) and not joins_number
        return ", ".join(parts) or None


def _address_plan(columns: Sequence[str], mapping: dict[str, str], free: set[str], rows: pd.DataFrame,
                  excluded: set[str], notes: list[str]) -> tuple[list[str], set[str]]:
    """The columns to join into the address, in order (and the mapping's address column, when it had none),
    and those of them where a lone number is the house number ("12" + "High St" → "12 High St")."""
    if "address" in excluded:
        return [], set()
    current = mapping.get("address")
    roles = {c: r for c in columns if (c in free or c == current) and (r := address_role(c)) is not None}
    sample = rows.head(SAMPLE_ROWS)
    for column in list(roles):  # an "Address line 4" of postcodes is the postcode, never part of the address
        kinds = [value_kind(plain_text(v)) for v in sample[column].tolist()]
        filled = [k for k in kinds if k != "blank"]
        if filled and filled.count("postcode") >= 0.8 * len(filled) and column != current:
            del roles[column]
            if "postcode" not in mapping and "postcode" not in excluded:
                mapping["postcode"] = column
                notes.append(f"column '{column}' holds postcodes: read as the postcode")
    if not roles:
        return [], set()
    if current is None:
        current = mapping["address"] = min(roles, key=lambda c: (roles[c], columns.index(c)))
    role = roles.get(current)
    if role is None:  # a whole address: add the town or county columns after it
        joined = [current, *sorted((c for c in roles if roles[c] >= SUFFIX_ROLE), key=lambda c: roles[c])]
    else:
        joined = sorted(roles, key=lambda c: (roles[c], columns.index(c)))
        if role >= SUFFIX_ROLE:
            joined = [c for c in joined if roles[c] >= SUFFIX_ROLE]
    if len(joined) < 2:
        return [], set()
    notes.append(f"address joined from columns {_quoted(joined)}")
    return joined, {c for c in joined if c not in roles or 30 <= roles[c] < SUFFIX_ROLE}


def _day_plan(columns: Sequence[str], mapping: dict[str, str], free: set[str], excluded: set[str],
              notes: list[str]) -> tuple[dict[int, dict[str, str]], list[str]]:
    """Day → part → column for per-day opening hours (at least two day columns), and the columns used."""
    if "opening_times" in excluded:
        return {}, []
    current = mapping.get("opening_times")
    found = [(c, role) for c in columns if (c in free or c == current) and (role := day_role(c)) is not None]
    if len(found) < 2 or (current is not None and current not in {c for c, _ in found}):
        return {}, []
    days: dict[int, dict[str, str]] = {}
    for column, (covered, part) in sorted(found, key=lambda cr: -len(cr[1][0])):  # one day's column beats Mon-Fri
        for day in covered:
            days.setdefault(day, {})[part] = column
    for parts in days.values():
        if "open" in parts and "close" not in parts and "" not in parts:
            parts[""] = parts.pop("open")  # "Monday opening" alone holds the day's hours
    used = [c for c, _ in found]
    mapping.setdefault("opening_times", used[0])
    notes.append(f"opening times from the day columns {_quoted(used)}")
    return days, used


def plan_derived(rows: pd.DataFrame, mapping: dict[str, str], overrides: Mapping[str, str] | None = None,
                 public_columns: Sequence[str] = (), used: set[str] | None = None) -> DerivedPlan:
    """Plan the derived fields of a file once its mapping is known; may map ``address``, ``postcode`` or
    ``opening_times`` to the first column of what it joins, so the mapping shows where they come from.

    ``overrides`` are the user's --map choices ("" = no column for that field: nothing is joined for it);
    ``public_columns`` are file columns (as ``resolve_public_columns`` matched them) whose details may be
    published; ``used`` are further columns already used (a column of coordinate pairs that was split).
    """
    excluded = {f for f, c in (overrides or {}).items() if not c}
    columns = [str(c) for c in rows.columns]
    taken = set(mapping.values()) | (used or set())
    free = {c for c in columns if c not in taken}
    notes: list[str] = []
    plan = DerivedPlan(notes=notes)
    plan.address, plan.numbered = _address_plan(columns, mapping, free, rows, excluded, notes)
    plan.days, day_columns = _day_plan(columns, mapping, free, excluded, notes)
    taken |= set(mapping.values()) | set(plan.address) | set(day_columns)
    plan.details = [c for c in columns if c not in taken]
    plan.public = {c for c in public_columns if c in plan.details}
    for column in public_columns:
        if column not in plan.public:
            what = next((f for f, c in mapping.items() if c == column), None)
            use = ("the coordinates" if what in ("x", "y", "crs", "wkt") else f"the {what} field" if what
                   else "the address or the opening times" if column in taken else "the coordinates")
            notes.append(f"column '{column}' is used for {use}, not kept as an extra detail: "
                         "making it public does not apply")
    if plan.details:
        public = [c for c in plan.details if c in plan.public]
        notes.append(f"{len(plan.details)} other column{'s' if len(plan.details) > 1 else ''} kept as details of "
                     f"each asset, private unless made public: {_quoted(plan.details)}"
                     + (f" (public: {_quoted(public)})" if public else ""))
    return plan
