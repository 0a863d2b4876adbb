"""Gap results fit for a public map or report: without private assets and without small numbers of residents.

The stored analysis is the team's own view: it counts private assets by default and exact numbers of
residents. On a public map a neighbourhood's coverage share, or a flag that is missing, is enough to
show roughly where a private asset is (a refuge, a meeting place someone asked to keep quiet), and a
"nothing mapped under People" flag that is missing tells that one or two residents registered there.
So a public output re-runs the analysis without private assets and with small counts hidden, unless
the stored run counted exactly the assets that are public now (see ``counted``) and no small count.
"""

from __future__ import annotations

from typing import Any

from assetmap.core.analysis.counted import private_assets, public_digest
from assetmap.core.analysis.rules import project_rules
from assetmap.core.analysis.run import RUN_SETTING, GapOptions, analyse, stored_by_code, with_homes
from assetmap.core.analysis.small_numbers import has_small_counts
from assetmap.core.errors import AssetmapError
from assetmap.core.progress import Progress


def _run(project: Any) -> dict[str, Any]:
    """The stored run's details ({} when it has not run, or the setting is not an object)."""
    run = project.get_setting(RUN_SETTING)
    return run if isinstance(run, dict) else {}


def needs_public_run(project: Any, stored: dict[str, dict[str, Any]] | None = None) -> bool:
    """True when the stored results may not be published as they are.

    They may when they count no small number of residents and the run counted exactly the assets that are
    public now. A run stored without that record (an older assetmap, or results written by hand) is only
    trusted while the project has no private asset at all.
    """
    stored = stored_by_code(project) if stored is None else stored
    if has_small_counts(stored.values()):
        return True
    counted = _run(project).get("counted")
    if isinstance(counted, str) and counted:
        return counted != public_digest(project)
    return private_assets(project) > 0


def public_results(project: Any, stored: dict[str, dict[str, Any]],
                   progress: Progress | None = None) -> dict[str, dict[str, Any]]:
    """``stored`` (results by neighbourhood code) as a public map or report may show them.

    The re-run uses the project's current rules and assets and the stored run's choice about
    unlocated assets; coverage is of homes when the stored run's was (the project keeps its postcode
    lookup), otherwise of the area (a population-points file is not kept in the project).
    Nothing is written to the project.
    """
    if not stored or not needs_public_run(project, stored):
        return stored
    options = _run(project).get("options")
    options = options if isinstance(options, dict) else {}
    try:
        rules = project_rules(project)
    except AssetmapError:  # a damaged rule set: no shading at all rather than shading that gives private assets away
        return {}
    run_options = GapOptions(include_unlocated=bool(options.get("include_unlocated")), include_private=False,
                             homes=bool(options.get("homes")))
    run_options, _ = with_homes(project, run_options, progress)
    result = analyse(project.neighbourhoods(), project.assets(include_private=False), project.asset_areas(),
                     project.people(), rules, options=run_options, taxonomy=project.taxonomy, progress=progress)
    return {str(r["code"]): r for r in result.published().neighbourhoods}


def public_gap_results(project: Any, progress: Progress | None = None) -> dict[str, dict[str, Any]]:
    """The stored results as public outputs show them ({} when the analysis has not run)."""
    return public_results(project, stored_by_code(project), progress)
