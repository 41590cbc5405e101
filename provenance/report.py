"""The provenance report of a run, in three forms: JSON, self-contained HTML, Croissant JSON-LD.

The HTML embeds its charts as inline SVG (matplotlib); it loads nothing from
the network. The Croissant file describes the token-shard dataset with its
Responsible-AI fields (data collection, personal and sensitive information).
"""

from __future__ import annotations

import html
import io
import json
from pathlib import Path

from kocorpus import __version__
from kocorpus.files import write_json_atomic
from kocorpus.provenance.croissant import croissant


def _svg(fig) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    import matplotlib.pyplot as plt

    plt.close(fig)
    text = buf.getvalue()
    return text[text.index("<svg") :]


def _barh(labels: list[str], values: list[float], title: str, xlabel: str) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams["font.family"] = ["DejaVu Sans"]
    plt.rcParams["svg.fonttype"] = "path"
    fig, ax = plt.subplots(figsize=(7, max(1.6, 0.32 * len(labels) + 0.8)))
    ax.barh(range(len(labels)), values, color="#3b6ea8")
    ax.set_yticks(range(len(labels)))
    ax.set_yticklabels(labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_title(title, fontsize=10)
    ax.set_xlabel(xlabel, fontsize=8)
    for i, v in enumerate(values):
        ax.text(v, i, f" {v:,.0f}", va="center", fontsize=7)
    return _svg(fig)


def _hist(edges: list[float], counts: list[int], title: str, xlabel: str) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 2.4))
    widths = [b - a for a, b in zip(edges[:-1], edges[1:])]
    ax.bar(edges[:-1], counts, width=widths, align="edge", color="#5a9e6f", edgecolor="white")
    ax.set_title(title, fontsize=10)
    ax.set_xlabel(xlabel, fontsize=8)
    ax.set_ylabel("documents", fontsize=8)
    return _svg(fig)


def _ascii(label) -> str:
    """Chart labels are drawn as paths with a Latin font; keep them printable."""
    s = str(label)
    return s if s.isascii() else s.encode("ascii", "backslashreplace").decode()


def render_charts(summary: dict, prov: dict) -> dict[str, str]:
    charts: dict[str, str] = {}
    funnel = summary.get("funnel") or []
    if funnel:
        labels = ["input"] + [f"after {f['stage']}" for f in funnel]
        values = [funnel[0]["in"]] + [f["out"] for f in funnel]
        charts["funnel"] = _barh(labels, values, "Documents through the pipeline", "documents")
    if prov.get("by_source"):
        rows = prov["by_source"]
        charts["tokens_by_source"] = _barh([f"{r['source']} ({r['license']})" for r in rows], [r["tokens"] or 0 for r in rows], "Tokens by source (licence)", "tokens in shards")
        charts["docs_by_source"] = _barh([r["source"] for r in rows], [r["documents"] for r in rows], "Documents by source", "documents kept")
    if prov.get("by_license"):
        rows = prov["by_license"]
        charts["tokens_by_license"] = _barh([r["license"] for r in rows], [r["tokens"] or 0 for r in rows], "Tokens by licence", "tokens")
    if prov.get("by_source_kind"):
        rows = prov["by_source_kind"]
        charts["tokens_by_kind"] = _barh([r["source_kind"] for r in rows], [r["tokens"] or 0 for r in rows], "Tokens by source kind", "tokens")
    if prov.get("reject_reasons"):
        rows = prov["reject_reasons"][:25]
        charts["reject_reasons"] = _barh([f"{r['stage']}: {r['reason']}" for r in rows], [r["documents"] for r in rows], "Rejects by stage and reason", "documents")
    if prov.get("pii"):
        rows = prov["pii"]
        charts["pii"] = _barh([r["type"] for r in rows], [r["count"] for r in rows], "Personal information detected, by type (redacted unless the config keeps the type)", "detections")
    sizes = prov.get("dedup_cluster_sizes") or {}
    if sizes:
        items = sorted(((int(k), v) for k, v in sizes.items()), key=lambda kv: kv[0])
        charts["cluster_sizes"] = _barh([f"size {k}" for k, _ in items], [v for _, v in items], "Duplicate clusters by size", "clusters")
    hist = prov.get("lang_score_histogram")
    if hist and sum(hist["counts"]):
        charts["lang_score"] = _hist(hist["edges"], hist["counts"], "Language-ID score (top-1 probability)", "score")
    if prov.get("top_domains"):
        rows = prov["top_domains"]
        charts["top_domains"] = _barh([_ascii(r["domain"]) for r in rows], [r["tokens"] or 0 for r in rows], "Top domains by tokens", "tokens")
    return charts


def _table(rows: list[dict], cols: list[str]) -> str:
    if not rows:
        return "<p><em>none</em></p>"
    head = "".join(f"<th>{html.escape(c)}</th>" for c in cols)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_fmt(r.get(c)))}</td>" for c in cols) + "</tr>" for r in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _fmt(v) -> str:
    if isinstance(v, int):
        return f"{v:,}"
    if isinstance(v, float):
        return f"{v:,.3f}"
    if isinstance(v, dict):
        return ", ".join(f"{k}: {_fmt(x)}" for k, x in v.items())
    return "" if v is None else str(v)


CSS = """
body{font-family:system-ui,-apple-system,'Noto Sans KR',sans-serif;margin:2rem auto;max-width:1100px;color:#222}
h1{font-size:1.6rem}h2{font-size:1.2rem;border-bottom:1px solid #ddd;padding-bottom:.2rem;margin-top:2rem}
table{border-collapse:collapse;font-size:.85rem;margin:.5rem 0}td,th{border:1px solid #ddd;padding:.25rem .5rem;text-align:left}
th{background:#f3f5f8}.chart{margin:.5rem 0}.chart svg{max-width:100%;height:auto}.kpi{display:inline-block;margin-right:2rem}
.kpi b{display:block;font-size:1.4rem}.ok{color:#2a7a3b}.bad{color:#b3261e}
"""


def render_html(summary: dict, prov: dict, thresholds: list | None) -> str:
    charts = render_charts(summary, prov)
    chart = lambda k: f'<div class="chart" data-chart="{k}">{charts[k]}</div>' if k in charts else ""  # noqa: E731
    ds = prov.get("dataset") or {}
    ok = summary.get("accounting_holds")
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>kocorpus provenance report: run {html.escape(summary['run_id'])}</title><style>{CSS}</style></head><body>",
        f"<h1>Provenance report: run <code>{html.escape(summary['run_id'])}</code></h1>",
        f"<p>kocorpus {__version__} &middot; config sha256 <code>{summary.get('config_sha256', '')[:16]}</code></p>",
        "<div>",
        f"<span class='kpi'><b>{summary['documents_in']:,}</b>documents in</span>",
        f"<span class='kpi'><b>{summary['documents_kept']:,}</b>documents kept</span>",
        f"<span class='kpi'><b>{summary['documents_rejected']:,}</b>rejected</span>",
        f"<span class='kpi'><b>{(summary.get('tokens') or 0):,}</b>tokens in shards</span>",
        f"<span class='kpi'><b class='{'ok' if ok else 'bad'}'>{'holds' if ok else 'BROKEN'}</b>accounting identity</span>",
        "</div>",
        "<h2>Funnel</h2>",
        chart("funnel"),
        _table(summary.get("funnel") or [], ["stage", "in", "out", "rejected", "rejected_by_reason"]),
        "<h2>Sources and licences</h2>",
        chart("tokens_by_source"),
        chart("docs_by_source"),
        _table(prov.get("by_source") or [], ["source", "source_kind", "license", "documents", "tokens"]),
        chart("tokens_by_license"),
        chart("tokens_by_kind"),
        "<h2>What was removed and why</h2>",
        chart("reject_reasons"),
        _table(prov.get("reject_reasons") or [], ["stage", "reason", "documents"]),
        "<h2>Personal information</h2>",
        chart("pii") or "<p>No personal information was detected.</p>",
        _table(prov.get("pii") or [], ["type", "count", "documents"]),
        "<h2>Duplicates</h2>",
        chart("cluster_sizes") or "<p>No duplicate clusters.</p>",
        "<h2>Language identification</h2>",
        chart("lang_score"),
        _table(prov.get("languages") or [], ["lang", "documents"]),
        "<h2>Top domains by tokens</h2>",
        f"<p>{prov.get('domains_total', 0):,} domains in the shards; the top 10% ({len(prov.get('top_10_percent_domains') or [])}) are listed first.</p>",
        chart("top_domains"),
        _table(prov.get("top_domains") or [], ["domain", "documents", "tokens"]),
        "<h2>Filter settings</h2>",
        _table([{"stage": t["stage"], "settings": json.dumps(t["settings"], ensure_ascii=False, default=str)} for t in thresholds or []], ["stage", "settings"]),
        "<h2>Dataset</h2>",
        _table([s for s in ds.get("shards", [])][:200], ["path", "rows", "tokens", "documents", "bytes", "sha256"]),
        "</body></html>",
    ]
    return "\n".join(p for p in parts if p)


def write_report(report_dir: Path, summary: dict, prov: dict, thresholds: list | None) -> dict[str, str]:
    report_dir.mkdir(parents=True, exist_ok=True)
    doc = {**summary, "provenance": prov}
    write_json_atomic(report_dir / "report.json", doc)
    (report_dir / "report.html").write_text(render_html(summary, prov, thresholds), encoding="utf-8")
    cr = croissant(summary, prov, f"kocorpus-{summary['run_id']}")
    write_json_atomic(report_dir / "croissant.json", cr)
    return {
        "report_json": str(report_dir / "report.json"),
        "report_html": str(report_dir / "report.html"),
        "croissant": str(report_dir / "croissant.json"),
    }
