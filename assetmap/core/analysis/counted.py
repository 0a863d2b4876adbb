"""Which assets a stored gap run counted, so a public map can tell whether it may show that run.

A run stores a digest of the ids of the assets it counted. A public map may reuse the run only while
that is exactly the set of assets that are public now: an asset made private, deleted, or made public
since (in assetmap, by an import, or in another program editing the file) means the run is worked out
again. A digest of the ids, rather than a counter of changes, also sees edits made outside assetmap.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from assetmap.core.taxonomy import UNCATEGORISED


def digest(ids: Iterable[Any]) -> str:
    """A short, order-free fingerprint of a set of asset ids."""
    h = hashlib.sha256()
    for asset_id in sorted({str(i) for i in ids}):
        h.update(asset_id.encode("utf-8", "surrogatepass") + b"\0")
    return h.hexdigest()[:32]


def public_digest(project: Any) -> str:
    """The fingerprint of the assets a public run counts now: public ones, drafts to sort left out."""
    rows = project.connection.execute("SELECT id FROM assets WHERE visibility = 'public' AND category IS NOT ?",
                                      (UNCATEGORISED,)).fetchall()
    return digest(r[0] for r in rows)


def private_assets(project: Any) -> int:
    """How many assets a public map must not show (drafts to sort shape nothing, so they are not counted)."""
    row = project.connection.execute("SELECT COUNT(*) FROM assets WHERE visibility IS NOT 'public' "
                                     "AND category IS NOT ?", (UNCATEGORISED,)).fetchone()
    return int(row[0]) if row else 0
