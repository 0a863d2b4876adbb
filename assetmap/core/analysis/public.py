"""Gap results fit for a public map: worked out without the project's private assets.

The stored analysis counts private assets by default, because it is the team's own view. On a
public map a neighbourhood's coverage share, or a flag that is missing, is enough to show roughly
where a private asset is (a refuge, a meeting place someone asked to keep quiet), so a public
export re-runs the analysis without them, unless the stored run already left them out or the
project has none.
"""

from __future__ import annotations

from typing import Any

from assetmap.core.analysis.rules import project_rules
from assetmap.core.analysis.run import RUN_SETTING, GapOptions, analyse
from assetmap.core.errors import AssetmapError
from assetmap.core.progress import Progress


def _run_options(project: Any) -> dict[str, Any]:
    """The options the stored analysis ran with ({} when it has not run)."""
    return (project.get_setting(RUN_SETTING) or {}).get("options") or {}


def needs_public_run(project: Any, options: dict[str, Any] | None = None) -> bool:
    """True when the stored results were shaped by private assets that still exist."""
    if (options if options is not None else _run_options(project)).get("include_private") is False:
        return False
    row = project.connection.execute("SELECT COUNT(*) FROM assets WHERE visibility = 'private' "
                                     "AND category IS NOT 'uncategorised'").fetchone()  # drafts shape nothing
    return bool(row and row[0])


def public_results(project: Any, stored: dict[str, dict[str, Any]],
                   progress: Progress | None = None) -> dict[str, dict[str, Any]]:
    """``stored`` (results by neighbourhood code) as a public map may show them.

    The re-run uses the project's current rules and assets and the stored run's choice about
    unlocated assets; coverage is by area (a population-points file is not kept in the project).
    Nothing is written to the project.
    """
    options = _run_options(project)
    if not stored or not needs_public_run(project, options):
        return stored
    try:
        rules = project_rules(project)
    except AssetmapError:  # a damaged rule set: no shading at all rather than shading that gives private assets away
        return {}
    result = analyse(project.neighbourhoods(), project.assets(include_private=False), project.asset_areas(),
                     project.people(), rules,
                     options=GapOptions(include_unlocated=bool(options.get("include_unlocated")),
                                        include_private=False),
                     taxonomy=project.taxonomy, progress=progress)
    return {str(r["code"]): r for r in result.neighbourhoods}
