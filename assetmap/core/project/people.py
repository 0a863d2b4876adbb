"""Residents' skills and gifts: the ``people`` table. Personal data, kept only with consent and
never given a location; exports show them only as counts (see ``export.privacy``)."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from contextlib import AbstractContextManager
from typing import Any

import pandas as pd

from assetmap.core.errors import AssetmapError
from assetmap.core.model import PERSON_FIELD_NAMES, new_id, now_iso, plain_value, validate_person


class PeopleMixin:
    """The people half of ``Project``; it relies on the project's connection and transactions."""

    _conn: sqlite3.Connection

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:  # provided by Project
        raise NotImplementedError

    def people(self) -> pd.DataFrame:
        cols = ", ".join(f'"{c}"' for c in PERSON_FIELD_NAMES)
        return pd.read_sql_query(f"SELECT {cols} FROM people ORDER BY fid", self._conn)

    def add_person(self, values: Mapping[str, Any]) -> str:
        rec = validate_person(values)
        person_id: str = rec.get("id") or new_id()  # validate_person gives text or None
        rec["id"] = person_id
        rec["created_at"] = rec.get("created_at") or now_iso()
        rec["updated_at"] = now_iso()
        cols = ", ".join(f'"{c}"' for c in PERSON_FIELD_NAMES)
        with self.transaction() as conn:
            conn.execute(f"INSERT INTO people ({cols}) VALUES ({', '.join('?' for _ in PERSON_FIELD_NAMES)})",
                         [plain_value(rec.get(c)) for c in PERSON_FIELD_NAMES])
        return person_id

    def update_person(self, person_id: str, changes: Mapping[str, Any]) -> dict[str, Any]:
        before = self.person(person_id)
        rec = validate_person({**before, **changes})
        rec["updated_at"] = now_iso()
        sets = ", ".join(f'"{c}"=?' for c in PERSON_FIELD_NAMES if c != "id")
        with self.transaction() as conn:
            conn.execute(f"UPDATE people SET {sets} WHERE id=?",
                         [plain_value(rec.get(c)) for c in PERSON_FIELD_NAMES if c != "id"] + [person_id])
        return {k: before.get(k) for k in changes}

    def person(self, person_id: str) -> dict[str, Any]:
        people = self.people()
        match = people[people["id"] == person_id]
        if match.empty:
            raise AssetmapError(f"No person with id {person_id}.")
        return {k: plain_value(v) for k, v in match.iloc[0].to_dict().items()}

    def delete_person(self, person_id: str) -> dict[str, Any]:
        """Remove a person's record; returns it so that the removal can be undone."""
        record = self.person(person_id)
        with self.transaction() as conn:
            conn.execute("DELETE FROM people WHERE id=?", (person_id,))
        return record
