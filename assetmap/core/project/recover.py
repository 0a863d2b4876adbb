"""Roll back a save a crash cut short, so that viewing a project (read-only) still works afterwards.

SQLite undoes an interrupted transaction from the ``-journal`` file beside the database the next time the
file is read, but only through a connection that may write: a read-only one fails with "attempt to write a
readonly database" (issue 11: 11 of 50 runs after a kill -9 during an import's commit), though the data is
intact. So before a read-only open, when a journal is there and the project can be written, one read through
a read-write connection lets SQLite roll back (SQLite itself checks, with its file locks, that no live process
is still writing), and the read-only open goes on. When the project cannot be written, the error says
exactly what to do instead.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from assetmap.core.errors import NotAProjectError
from assetmap.core.project.files import readonly_reason
from assetmap.core.project.trust import open_sqlite


def _readable(path: Path) -> bool:
    """Whether a read-only connection can read the file as it is (a hot journal makes it fail)."""
    try:
        conn = open_sqlite(Path(path).resolve().as_uri() + "?mode=ro", uri=True, timeout=30)
    except sqlite3.Error:
        return True  # not this module's failure: the open that follows reports it
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.OperationalError as exc:
        return "readonly" not in str(exc)
    except sqlite3.DatabaseError:
        return True
    finally:
        conn.close()
    return True


def roll_back_interrupted_save(path: Path) -> None:
    """Let SQLite undo a half-finished save before a read-only open, or say how (``NotAProjectError``)."""
    journal = path.with_name(path.name + "-journal")
    if not journal.exists():
        return
    why = readonly_reason(path) or ""  # the file, the journal beside it, or the folder
    if not why:
        try:
            conn = open_sqlite(path, timeout=30)
            try:
                conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # rolls back a hot journal
            finally:
                conn.close()
        except sqlite3.Error:
            pass  # the read-only open that follows says what is wrong
        return
    if _readable(path):
        return
    raise NotAProjectError(
        f"{path.name} cannot be read yet: a program saving it stopped part-way (a crash or power cut?), and its "
        f"unfinished save in {journal.name} beside it must be undone first, which needs write access ({why}). "
        f"Make the file and its folder writable and run `assetmap assets {path}` once (any assetmap command "
        f"undoes it), or copy {path.name} and {journal.name} together to a folder you can write to and open the "
        f"copy. Do not delete {journal.name}: the project may be damaged without it.")
