"""The funnel as one self-contained HTML page: a chart per event and a cross-event comparison.

Charts are inline SVG generated here; styles are inline; nothing is fetched from the
network, so the file opens anywhere (and in a headless browser in the tests).
"""

from __future__ import annotations

import datetime as dt

import jinja2
from markupsafe import Markup, escape

from outreach.report import FunnelRow

COLORS = {
    "sightings": "#94a3b8",
    "new": "#2563eb",
    "known": "#93c5fd",
    "enrolled": "#7c3aed",
    "emailed": "#0d9488",
    "replied": "#16a34a",
    "unsubscribed": "#f59e0b",
    "bounced": "#dc2626",
}
BAR_H, GAP, LABEL_W, CHART_W = 26, 8, 190, 760


def _bar(y: int, label: str, parts: list[tuple[int, str]], scale: float, note: str) -> str:
    out = [
        f'<text x="{LABEL_W - 10}" y="{y + BAR_H * 0.68:.0f}" text-anchor="end" '
        f'class="lbl">{escape(label)}</text>'
    ]
    x = float(LABEL_W)
    for value, color in parts:
        width = max(value * scale, 2.0 if value else 0.0)
        out.append(
            f'<rect x="{x:.1f}" y="{y}" width="{width:.1f}" height="{BAR_H}" rx="4" fill="{color}">'
            f"<title>{escape(label)}: {value}</title></rect>"
        )
        x += width
    total = sum(v for v, _ in parts)
    out.append(
        f'<text x="{x + 8:.1f}" y="{y + BAR_H * 0.68:.0f}" class="val">{total}'
        f'<tspan class="note">{escape(note)}</tspan></text>'
    )
    return "".join(out)


def _pct(part: int, whole: int) -> str:
    return f"  {round(100 * part / whole)}% of contacts" if whole else ""


def funnel_svg(row: FunnelRow) -> Markup:
    """One event's funnel as horizontal bars (contacts split into new and already known)."""
    bars: list[tuple[str, list[tuple[int, str]], str]] = [
        ("Sightings", [(row.sightings, COLORS["sightings"])], ""),
        (
            "Contacts",
            [(row.new, COLORS["new"]), (row.known, COLORS["known"])],
            f"  {row.new} new, {row.known} met before",
        ),
        ("Enrolled", [(row.enrolled, COLORS["enrolled"])], _pct(row.enrolled, row.contacts)),
    ]
    for stage, count in row.emailed.items():
        bars.append((f"Emailed: {stage}", [(count, COLORS["emailed"])], _pct(count, row.contacts)))
    for outcome in ("replied", "unsubscribed", "bounced"):
        value = getattr(row, outcome)
        bars.append((outcome.capitalize(), [(value, COLORS[outcome])], _pct(value, row.contacts)))
    top = max([row.sightings, row.contacts, 1])
    scale = (CHART_W - LABEL_W - 230) / top
    height = len(bars) * (BAR_H + GAP) + GAP
    body = "".join(
        _bar(GAP + i * (BAR_H + GAP), label, parts, scale, note)
        for i, (label, parts, note) in enumerate(bars)
    )
    return Markup(
        f'<svg class="chart funnel" data-event="{escape(row.slug)}" viewBox="0 0 {CHART_W} '
        f'{height}" width="100%" role="img" aria-label="Funnel for {escape(row.event)}">'
        f"{body}</svg>"
    )


def comparison_svg(rows: list[FunnelRow]) -> Markup:
    """Contacts, emailed and replied per event side by side, with each event's reply rate."""
    series = [("contacts", "new"), ("emailed", "emailed"), ("replied", "replied")]
    top = max([max(r.contacts, r.emailed_any, r.replied) for r in rows] + [1])
    group_w = max(130, min(300, (CHART_W - 60) // max(len(rows), 1)))
    width, plot_h, base = max(CHART_W, 60 + group_w * len(rows)), 200, 240
    parts = [f'<line x1="50" y1="{base}" x2="{width}" y2="{base}" class="axis"/>']
    for i, row in enumerate(rows):
        x0 = 60 + i * group_w + (group_w - 116) // 2  # the group's bars, centred
        values = (row.contacts, row.emailed_any, row.replied)
        for j, ((name, color), value) in enumerate(zip(series, values, strict=True)):
            h = value / top * plot_h
            x = x0 + 10 + j * 32
            parts.append(
                f'<rect x="{x}" y="{base - h:.1f}" width="28" height="{h:.1f}" rx="3" '
                f'fill="{COLORS[color]}"><title>{escape(row.event)} {name}: {value}</title></rect>'
                f'<text x="{x + 14}" y="{base - h - 5:.1f}" text-anchor="middle" class="val">'
                f"{value}</text>"
            )
        parts.append(
            f'<text x="{x0 + 58}" y="{base + 20}" text-anchor="middle" class="lbl">'
            f"{escape(row.event[:26])}</text>"
            f'<text x="{x0 + 58}" y="{base + 38}" text-anchor="middle" class="note">'
            f"{round(row.reply_rate * 100)}% replied</text>"
        )
    legend = "".join(
        f'<rect x="{60 + k * 110}" y="6" width="12" height="12" fill="{COLORS[c]}"/>'
        f'<text x="{78 + k * 110}" y="17" class="lbl">{n}</text>'
        for k, (n, c) in enumerate(series)
    )
    return Markup(
        f'<svg class="chart comparison" viewBox="0 0 {width} {base + 50}" width="{width}" '
        f'role="img" aria-label="Events compared">{legend}{"".join(parts)}</svg>'
    )


PAGE = jinja2.Environment(autoescape=True).from_string(
    """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>followup: relationship funnel</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;
  background:#f1f5f9;color:#0f172a}
header{background:linear-gradient(120deg,#1e3a8a,#0d9488);color:#fff;padding:28px 40px}
header h1{margin:0 0 4px;font-size:26px} header p{margin:0;opacity:.85}
main{max-width:1100px;margin:0 auto;padding:24px 40px 48px}
.kpis{display:flex;gap:16px;flex-wrap:wrap;margin:-44px 0 24px}
.kpi{background:#fff;border-radius:12px;padding:14px 20px;min-width:140px;
  box-shadow:0 1px 4px #0002}
.kpi b{display:block;font-size:28px} .kpi span{color:#475569;font-size:13px}
section{background:#fff;border-radius:12px;padding:18px 24px;margin:0 0 20px;
  box-shadow:0 1px 4px #0002}
section h2{margin:0 0 2px;font-size:19px}
section .sub{color:#64748b;margin:0 0 10px;font-size:13px}
.lbl{font-size:13px;fill:#334155} .val{font-size:13px;font-weight:600;fill:#0f172a}
.note{font-size:12px;font-weight:400;fill:#64748b} .axis{stroke:#cbd5e1}
.empty{color:#64748b} svg.chart{max-width:100%;height:auto;display:block}
</style></head><body>
<header><h1>Relationship funnel</h1>
<p>{{ rows|length }} event{{ "" if rows|length == 1 else "s" }} ·
generated {{ generated }}</p></header>
<main>
<div class="kpis">
{% for label, value in kpis %}
<div class="kpi"><b>{{ value }}</b><span>{{ label }}</span></div>
{% endfor %}
</div>
{% if rows %}
<section id="comparison"><h2>Events compared</h2>
<p class="sub">Contacts met, contacts emailed and replies per event.</p>{{ comparison }}</section>
{% for row, chart in charts %}
<section class="event" id="event-{{ row.slug }}"><h2>{{ row.event }}</h2>
<p class="sub">{{ row.date or "no date" }} · {{ row.sightings }} sightings ·
{{ row.contacts }} contacts ({{ row.new }} new, {{ row.known }} met before) ·
{{ (row.reply_rate * 100)|round|int }}% of them replied</p>
{{ chart }}</section>
{% endfor %}
{% else %}<section><p class="empty">No events yet: ingest an export with
<code>followup ingest FILE --event NAME</code>.</p></section>{% endif %}
</main></body></html>
"""
)


def render_html(rows: list[FunnelRow], generated: dt.datetime | None = None) -> str:
    """The whole report page for the funnel rows."""
    stamp = (generated or dt.datetime.now()).strftime("%Y-%m-%d %H:%M")
    kpis: list[tuple[str, object]] = [
        ("events", len(rows)),
        ("sightings", sum(r.sightings for r in rows)),
        ("emails sent", sum(sum(r.emailed.values()) for r in rows)),
    ]
    if rows:
        best = max(rows, key=lambda r: (r.reply_rate, r.replied))
        most = max(rows, key=lambda r: r.new)
        kpis.append((f"replied: best event, {best.event}", f"{round(best.reply_rate * 100)}%"))
        kpis.append((f"new contacts: most at {most.event}", most.new))
    return PAGE.render(
        rows=rows,
        generated=stamp,
        kpis=kpis,
        comparison=comparison_svg(rows),
        charts=[(r, funnel_svg(r)) for r in rows],
    )
