"""Before/after figures of a gap run for a closing note: flags by rule, outlined, top 10, how many touch the edge.

Run: python3 scripts/gap_figures.py PROJECT.gpkg  (after ``assetmap gaps PROJECT``)
"""

from __future__ import annotations

import sys
from collections import Counter

import shapely

from assetmap.core.analysis.run import stored_results
from assetmap.core.project import Project


def main(path: str) -> None:
    with Project.open(path, readonly=True) as project:
        results = {r["code"]: r for r in stored_results(project)}
        hoods = project.neighbourhoods()
    edge = shapely.union_all(hoods.geometry.to_numpy()).boundary
    touching = {str(c) for c, g in zip(hoods["code"], hoods.geometry) if g.distance(edge) < 1.0}
    by_rule = Counter(f["rule"] for r in results.values() for f in r["flags"])
    print("flags by rule:", dict(by_rule.most_common()), "total", sum(by_rule.values()))
    print("neighbourhoods with a flag:", sum(bool(r["flags"]) for r in results.values()), "of", len(results))
    print("outlined (attention):", sum(bool(r.get("attention")) for r in results.values()))
    top = sorted((r for r in results.values() if r["priority"] is not None), key=lambda r: r["priority"])[:10]
    print("top 10:", [f"{r['priority']}. {r['name']}" for r in top])
    print("top 10 touching the boundary:", sum(r["code"] in touching for r in top))
    print("boundary neighbourhoods:", len(touching), "of", len(results))
    for rule in ("place_to_meet",):
        edge_flag = sum(1 for c in touching if any(f["rule"] == rule for f in results[c]["flags"]))
        inner = [c for c in results if c not in touching]
        inner_flag = sum(1 for c in inner if any(f["rule"] == rule for f in results[c]["flags"]))
        print(f"{rule}: flagged {edge_flag}/{len(touching)} on the boundary, {inner_flag}/{len(inner)} inside")


if __name__ == "__main__":
    main(sys.argv[1])
