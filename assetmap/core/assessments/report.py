"""The one-page A4 dossier for a building: map, gap results, facts, scores, ACV dates, recommendation.

One self-contained HTML file (CSS and SVG inline, no script, no network) so it can be e-mailed,
printed, or turned into a PDF. Every string from the project goes through ``_e`` (HTML-escaped) and
every one a user typed through ``_clip``: shortened, so that even a 200,000-character field leaves the
page one page (the footer says that text ending in … is shortened). The page says whether it is the
team's internal report (private assets and exact numbers of residents counted) or a public one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from html import escape
from pathlib import Path
from typing import Any

from assetmap.core.analysis.flags import flag_text
from assetmap.core.assessments.acv import LABELS as ACV_LABELS
from assetmap.core.assessments.report_data import ReportData, gather_report
from assetmap.core.assessments.svg import Bar, MapShape, bars_svg, map_svg
from assetmap.core.export.text import strip_bidi
from assetmap.core.progress import Progress, ensure_progress
from assetmap.core.project import Project
from assetmap.core.project.atomic import atomic_path
from assetmap.core.resources import resources_dir

RECOMMENDATION_TEXT = {"transfer": "Transfer", "transfer_with_conditions": "Transfer with conditions",
                       "do_not_transfer": "Do not transfer"}
ELEMENT_TEXT = {"structure": "Structure", "roof": "Roof", "mechanical_electrical": "Mechanical and electrical",
                "accessibility": "Accessibility", "fire_safety": "Fire safety"}
BUILDING_TEXT = {"floor_area_m2": "Floor area", "year_built": "Year built", "listed_building": "Listed building",
                 "current_use": "Current use", "hours_per_week": "Hours of use a week",
                 "groups_using": "Groups using it",
                 "annual_running_costs": "Annual running costs", "repair_backlog": "Repair backlog",
                 "energy_rating": "Energy rating"}
ORG_TEXT = {"name": "Organisation", "legal_form": "Legal form", "years_running": "Years running",
            "governance": "Governance", "finances": "Finances", "building_experience": "Running buildings"}
MONEY_KEYS = {"annual_running_costs", "repair_backlog"}
ROW_LABELS = {"decision_due": "Decision due", "listed_on": "Listed on", "sale_notice_on": "Notice of sale"}
NAME = 80  # characters of a name (the building, a neighbourhood, the project, a person) shown in full
MESSAGE = 240  # characters of a flag's message
MAX_LISTED = 8  # counts and coverage figures listed for the neighbourhood
INTERNAL_MARK = ("<strong>Internal: not for publication.</strong> Counts private assets and exact numbers of "
                 "residents.")
PUBLIC_MARK = ("<strong>Public:</strong> private assets are not counted, and fewer than 3 residents are "
               "counted as none.")


def _e(value: Any) -> str:
    return escape("" if value is None else str(value), quote=True)


def _short(text: Any, limit: int) -> str:
    """Plain text shortened to ``limit`` characters and marked …, for callers that escape it themselves."""
    shown = "" if text is None else str(text)
    return shown if len(shown) <= limit else shown[:limit].rstrip() + "…"


def _clip(text: Any, limit: int) -> str:
    """Escaped text, shortened to ``limit`` characters and marked … (the project keeps it whole; the footer says so)."""
    return _e(_short(text, limit))


def _items(texts: list[str], limit: int, chars: int) -> str:
    """List items, at most ``limit`` of them (saying how many more the project holds)."""
    items = "".join(f"<li>{_clip(t, chars)}</li>" for t in texts[:limit])
    if len(texts) > limit:
        items += f'<li class="muted">and {len(texts) - limit} more in the project</li>'
    return items


def _listed(parts: list[str], limit: int = MAX_LISTED, sep: str = "; ") -> str:
    """Parts joined by ``sep``, at most ``limit`` of them (saying how many more there are)."""
    text = sep.join(parts[:limit])
    return text + (f"{sep}and {len(parts) - limit} more" if len(parts) > limit else "")


def _money(value: Any) -> str:
    return "" if value is None else f"£{float(value):,.0f}"


def _date(iso: str | date | None) -> str:
    if not iso:
        return '<span class="muted">n/a</span>'
    d = iso if isinstance(iso, date) else date.fromisoformat(str(iso))
    return f'<time datetime="{d.isoformat()}">{d.isoformat()}</time>'


def _rows(pairs: Iterable[tuple[str, str]]) -> str:
    """Table rows from (escaped label, ready HTML) pairs; empty values are left out."""
    body = "".join(f'<tr><th scope="row">{k}</th><td>{v}</td></tr>' for k, v in pairs if v)
    return f"<table>{body}</table>" if body else '<p class="muted">Not recorded.</p>'


def _building_value(key: str, value: Any) -> str:
    if key in MONEY_KEYS:
        return _money(value)
    if key == "floor_area_m2":
        return f"{value:,.0f} m²"
    if key == "groups_using" and isinstance(value, list):
        return _clip(", ".join(value), 70) + f" ({len(value)})"
    if key == "listed_building":
        return _e(str(value).replace("_", " "))
    if isinstance(value, float) and value.is_integer():
        return _e(int(value))
    return _clip(value, 50)


def _header(d: ReportData) -> str:
    a, rec = d.asset, d.assessment
    where = ", ".join(str(x) for x in (a.get("address"), a.get("postcode")) if x)
    nb = d.neighbourhood
    sub = " · ".join(p for p in (_clip(d.kind_label or a.get("category"), 60), _clip(where, 110),
                                 f"{_clip(nb['name'], 60)} ({_clip(nb['code'], 20)})" if nb else "") if p)
    if rec is None:
        right = '<div class="total" aria-hidden="true">–</div><div class="rec">Not assessed yet</div>'
    else:
        verdict = rec["recommendation"]
        right = (f'<div class="total">{rec["score"]:.1f}<small> / 100</small></div>'
                 f'<div class="rec rec-{_e(verdict)}">{_e(RECOMMENDATION_TEXT[verdict])}</div>')
    return (f'<header><div><h1>{_clip(a["name"], 80)}</h1><p class="sub">{sub}</p>'
            f'<p class="sub">Community asset transfer assessment · {_clip(d.project_name, 60)}</p>'
            f'<p class="sub mark">{PUBLIC_MARK if d.public else INTERNAL_MARK}</p></div>'
            f'<div class="headline">{right}</div></header>')


def _map(d: ReportData) -> str:
    nb = d.neighbourhood
    caption = (f"{_clip(d.asset['name'], 60)} in {_clip(nb['name'], 40)} (shaded)" if nb else
               f"{_clip(d.asset['name'], 60)}: not inside any neighbourhood of the project")
    point = d.asset.get("geometry")
    svg = map_svg(None if point is None or point.is_empty else point, d.footprint,
                  [MapShape(g, home) for g, home in d.neighbourhood_shapes],
                  label=f"Map of {_short(d.asset['name'], NAME)}"
                  + (f" in {_short(nb['name'], NAME)}" if nb else ""))
    if not svg:
        return '<section><h2>Location</h2><p class="muted">Not placed on the map yet.</p></section>'
    return (f'<section><h2>Location</h2><figure>{svg}<figcaption>{caption}, drawn from the project\'s '
            f'boundaries.</figcaption></figure></section>')


def _recommendation(d: ReportData) -> str:
    rec = d.assessment
    if rec is None:
        return '<section><h2>Recommendation</h2><p class="muted">No assessment recorded yet.</p></section>'
    # a warning says so in words, not only in bold (screen readers and greyscale print)
    flags = "".join(f'<li class="flag-{_e(f["severity"])}">'
                    + ("<strong>Warning:</strong> " if f["severity"] == "warning" else "")
                    + f'{_clip(f["message"], MESSAGE)}</li>' for f in (rec.get("flags") or [])[:6])
    conditions = _items(rec.get("conditions") or [], 2, 90)
    return (f'<section><h2>Recommendation: {_e(RECOMMENDATION_TEXT[rec["recommendation"]])}</h2>'
            f'<p>{_clip(rec.get("reasons") or "No reasons given.", 250)}</p>'
            + (f"<h3>Conditions</h3><ul>{conditions}</ul>" if conditions else "")
            + (f'<h3>Notes</h3><ul class="flags">{flags}</ul>' if flags else "")
            + f'<p class="muted">Assessed on {_date(rec["date"])} by {_clip(rec["assessor"], NAME)}.</p></section>')


def _scores(d: ReportData) -> str:
    rec = d.assessment
    if rec is None:
        return ""
    titles = {c["id"]: c for c in rec.get("criteria") or []}
    weight_sum = sum(float(c["weight"]) for c in titles.values()) or 1.0
    bars, rows = [], []
    for cid, score in rec["scores"].items():
        crit = titles.get(cid, {"title": cid, "weight": 0})
        share = float(crit["weight"]) / weight_sum * 100
        title = str(crit["title"])
        points = f"{share * float(score) / 5:.1f} of {share:.1f}"
        bars.append(Bar(title if len(title) <= 26 else title[:25] + "…", float(score), 5.0,
                        f"weight {float(crit['weight']):g} · {points} points"))
        rows.append(f'<tr><th scope="row">{_clip(title, 120)}</th><td>{float(score):g} out of 5</td>'
                    f"<td>{float(crit['weight']):g}</td><td>{points}</td></tr>")
    chart = bars_svg(bars, label=f"Scores by criterion: total {rec['score']:.1f} out of 100")
    # The chart is drawn for the eye; this table is its text alternative (screen readers, tagged PDF).
    table = ('<div class="visually-hidden"><table><caption>Scores by criterion, each out of 5</caption>'
             '<thead><tr><th scope="col">Criterion</th><th scope="col">Score</th><th scope="col">Weight</th>'
             '<th scope="col">Points</th></tr></thead><tbody>' + "".join(rows)
             + f'<tr><th scope="row">Total</th><td></td><td></td><td>{rec["score"]:.1f} of 100</td></tr>'
             "</tbody></table></div>")
    return (f'<section><h2>Scores: {rec["score"]:.1f} out of 100</h2>{chart}{table}'
            '<p class="muted">Each criterion 0–5; total = weighted sum scaled to 100.</p></section>')


def _facts(d: ReportData) -> str:
    rec = d.assessment or {}
    building = rec.get("building") or {}
    rows = [(_e(BUILDING_TEXT[k]), _building_value(k, building[k])) for k in BUILDING_TEXT if k in building]
    a = d.asset
    rows += [("Ownership", _clip(a.get("ownership"), 40)), ("Capacity", _clip(a.get("capacity"), 30))]
    cond = rec.get("condition") or {}
    cond_html = " ".join(f'{_clip(ELEMENT_TEXT.get(k, k), 40)} <span class="cond cond-{_clip(v, 20)}">'
                         f'{_clip(v, 20)}</span>' for k, v in list(cond.items())[:len(ELEMENT_TEXT)])
    return (f'<section><h2>The building</h2>{_rows(rows)}'
            + (f"<p><b>Condition:</b> {cond_html}</p>" if cond_html else "") + "</section>")


def _deal(d: ReportData) -> str:
    rec = d.assessment
    if rec is None:
        return ""
    tenure = rec.get("tenure") or {}
    tenure_text = _clip(tenure.get("type", ""), 40)
    if tenure.get("lease_years") is not None:
        tenure_text += f", {float(tenure['lease_years']):g} years"
    org = rec.get("organisation") or {}
    rows = [("Tenure offered", tenure_text), ("Market value", _money(rec.get("market_value"))),
            ("Proposed transfer value", _money(rec.get("transfer_value"))),
            ("Undervalue", _money(rec.get("undervalue")))]
    for k, label in ORG_TEXT.items():
        if k in org:
            value = org[k]
            rows.append((label, _e(f"{value:g}") if isinstance(value, float) else _clip(value, 44)))
    return f"<section><h2>Tenure, value and organisation</h2>{_rows(rows)}</section>"


def _acv(d: ReportData) -> str:
    t = d.acv
    if t.status == "none" and not t.nominated_on:
        return '<section><h2>Asset of Community Value</h2><p>Not nominated.</p></section>'
    rows = [("Status", _e(t.status)), ("Nominated on", _date(t.nominated_on) if t.nominated_on else "")]
    for key in ("decision_due", "listed_on", "listing_ends", "sale_notice_on", "interim_moratorium_ends",
                "full_moratorium_ends", "protected_period_ends"):
        value = getattr(t, key)
        if value:
            rows.append((_e(ROW_LABELS.get(key) or ACV_LABELS[key].split(" (")[0]), _date(value)))
    due = (f'<p class="due"><b>Next:</b> {_e(d.due.label)}: {_date(d.due.on)} '
           f'({_e(d.due.describe().rsplit("(", 1)[-1].rstrip(")"))} as of {_date(d.today)})</p>') if d.due else ""
    return f"<section><h2>Asset of Community Value</h2>{_rows(rows)}{due}</section>"


def _evidence(d: ReportData) -> str:
    rec = d.assessment
    if rec is None:
        return ""
    risks = _items(rec.get("risks") or [], 3, 90)
    return (f'<section class="full"><h2>Community benefit and risks</h2>'
            f'<p>{_clip(rec.get("community_benefit") or "No evidence recorded.", 240)}</p>'
            + (f"<h3>Risks</h3><ul>{risks}</ul>" if risks else "") + "</section>")


def _gaps(d: ReportData) -> str:
    nb = d.neighbourhood
    head = f"Gaps in {_clip(nb['name'], NAME)}" if nb else "Gaps in the neighbourhood"
    if nb is None:
        return (f'<section class="full"><h2>{head}</h2>'
                '<p class="muted">The building is not in a neighbourhood.</p></section>')
    if d.gap is None:
        return f'<section class="full"><h2>{head}</h2><p class="muted">Gap analysis not run yet.</p></section>'
    g = d.gap
    coverage = g.get("coverage") or {}
    coverage = coverage if isinstance(coverage, Mapping) else {}
    cov = _listed([f"{_clip(d.rule_titles.get(r, r), 60)}: {_coverage(v)}" for r, v in coverage.items()])
    flags = "".join(f'<li class="flag-{_clip(f.get("severity"), 20)}">{_clip(flag_text(f), MESSAGE)}</li>'
                    for f in (g.get("flags") or [])[:3] if isinstance(f, Mapping))
    counts = g.get("counts") or {}
    counts = counts if isinstance(counts, Mapping) else {}
    count_text = _listed([f"{_clip(k, 30)} {_clip(v, 12)}" for k, v in counts.items()
                          if not isinstance(v, (dict, list))], sep=", ")
    facts = [f"Priority rank {_clip(g.get('priority'), 12)}" if g.get("priority") is not None else "",
             f"population {_clip(nb.get('population'), 12)}" if nb.get("population") is not None else "",
             f"IMD decile {_clip(nb.get('imd_decile'), 12)}" if nb.get("imd_decile") is not None else ""]
    return (f'<section class="full"><h2>{head}</h2><p>{", ".join(f for f in facts if f)}</p>'
            + (f"<p><b>Assets:</b> {count_text}</p>" if count_text else "")
            + (f"<p><b>Coverage:</b> {cov}</p>" if cov else "")
            + (f'<ul class="flags">{flags}</ul>' if flags else '<p>No gaps flagged.</p>') + "</section>")


def _coverage(value: Any) -> str:
    try:
        return f"{float(value) * 100:.0f}%"
    except (TypeError, ValueError, OverflowError):
        return _clip(value, 12)


def _footer(d: ReportData) -> str:
    earlier = "; ".join(f"{_date(a['date'])} {a['score']:.1f}/100 {_e(RECOMMENDATION_TEXT[a['recommendation']])}"
                        for a in d.earlier[:4])
    more = f" and {len(d.earlier) - 4} more" if len(d.earlier) > 4 else ""
    rec_id = f" Assessment {_clip(d.assessment['id'], 40)}." if d.assessment else ""
    mark = ("Public report: private assets and small numbers of residents are left out of its counts. "
            if d.public else "Internal report: not for publication. ")
    return (f"<footer>{'Earlier assessments: ' + earlier + more + '. ' if earlier else ''}"
            f"{mark}Made with assetmap on {_date(d.today)}.{rec_id} Asset {_clip(d.asset['id'], 40)}. "
            "Long text ending in … is shortened here; the project holds it in full.</footer>")


def render_html(d: ReportData) -> str:
    """The report as one self-contained HTML page."""
    css = (resources_dir() / "report" / "report.css").read_text(encoding="utf-8")
    body = (_header(d) + '<main class="grid">' + _map(d) + _recommendation(d) + _facts(d) + _scores(d)
            + _deal(d) + _acv(d) + _evidence(d) + _gaps(d) + "</main>" + _footer(d))
    return ('<!DOCTYPE html>\n<html lang="en-GB"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{_clip(d.asset['name'], 2 * NAME)}: asset transfer assessment</title><style>{css}</style></head>"
            f"<body>{body}</body></html>\n")


def render_report(project: Project, asset_id: str, *, assessment_id: str | None = None,
                  today: date | None = None, public: bool = False) -> str:
    """HTML of the report for an asset (its newest assessment unless one is chosen), without bidi controls
    (see ``export.text``: the page's own markup has none, so every one removed came from the project).
    The team's internal report, or with ``public`` one counted as the public map counts (``gather_report``)."""
    return strip_bidi(render_html(gather_report(project, asset_id, assessment_id=assessment_id, today=today,
                                                public=public)))


def write_report(project: Project, asset_id: str, out: str | Path, *, assessment_id: str | None = None,
                 today: date | None = None, progress: Progress | None = None, public: bool = False) -> Path:
    """Write the report atomically: HTML, or PDF when ``out`` ends in .pdf (see ``pdf.html_to_pdf``).

    A Cancel (``progress``) before the finished file is renamed into place leaves no file behind.
    """
    out = Path(out)
    progress = ensure_progress(progress)
    progress.update(0, 3, "Gathering the report")
    html = render_report(project, asset_id, assessment_id=assessment_id, today=today, public=public)
    progress.update(1, 3, f"Writing {out.name}")
    if out.suffix.lower() == ".pdf":
        from assetmap.core.assessments.pdf import html_to_pdf

        data: str | bytes = html_to_pdf(html)
    else:
        data = html
    with atomic_path(out) as tmp:
        if isinstance(data, bytes):
            tmp.write_bytes(data)
        else:
            tmp.write_text(data, encoding="utf-8")
        progress.check()  # the last chance to cancel: the rename follows (a Cancel removes the temporary file)
    progress.notify(3, 3, "Done")
    return out
