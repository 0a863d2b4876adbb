"""Files kept between runs in the user's cache folder (homes read from a lookup, a project's outline).

Only public, derived data is kept (postcode centres, boundary lines), never anything from a project's
assets or people. Each file is written whole or not at all, the newest few of a kind are kept, and any
failure (a full disk, a read-only home) only means the work is done again next time.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def keep(file: Path, data: bytes, *, kind: str, kept: int) -> None:
    """Write ``data`` to ``file`` atomically; then only the ``kept`` newest files named ``{kind}-*`` stay."""
    tmp: str | None = None
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=file.parent, prefix=f".{kind}-", suffix=file.suffix)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, file)
        tmp = None
        files = sorted(file.parent.glob(f"{kind}-*{file.suffix}"), key=lambda f: f.stat().st_mtime_ns, reverse=True)
        for old in files[kept:]:
            old.unlink(missing_ok=True)
    except OSError:
        pass
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
