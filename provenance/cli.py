"""Subcommands for auditors and trainers: ``verify-shards``, ``publish``, ``export``, ``audit trace|shard|summary``, ``takedown``.

None needs Spark: they read manifests, lineage and run folders with pyarrow, local or ``s3://``.
"""

from __future__ import annotations

import json
import sys


def register(sub) -> None:
    p = sub.add_parser("verify-shards", help="recheck every checksum and count a manifest lists")
    p.add_argument("manifest")
    p.set_defaults(func=cmd_verify)

    p = sub.add_parser("publish", help="copy a dataset to a local path or s3://, manifest last")
    p.add_argument("manifest")
    p.add_argument("target")
    p.set_defaults(func=cmd_publish)

    p = sub.add_parser("export", help="write a dataset as a Megatron-LM indexed dataset or Hugging Face datasets files")
    p.add_argument("out", help="export folder (local path or s3://)")
    p.add_argument("--manifest", required=True, help="the dataset's manifest (local or s3://)")
    p.add_argument("--format", dest="fmt", choices=["megatron", "hf"], default="megatron")
    p.add_argument("--prefix", default="kocorpus_text_document", help="megatron: file name of the .bin/.idx pair")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("audit", help="trace a document, list a shard, summarise a run")
    asub = p.add_subparsers(dest="audit_command", required=True)
    t = asub.add_parser("trace", help="the path of a document (doc_id or url) through every stage")
    t.add_argument("key", help="doc_id or url")
    t.add_argument("--run", required=True, dest="run_dir", help="<root>/runs/<run_id>")
    t.add_argument("--json", action="store_true")
    t.set_defaults(func=cmd_trace)
    s = asub.add_parser("shard", help="documents, sources and licences inside one shard")
    s.add_argument("shard", help="shard path as in the manifest (or its file name)")
    s.add_argument("--run", required=True, dest="run_dir", metavar="RUN_OR_MANIFEST",
                   help="<root>/runs/<run_id>, or a manifest (local or s3://)")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_shard)
    m = asub.add_parser("summary", help="the report's headline in the terminal")
    m.add_argument("--run", required=True, dest="run_dir")
    m.set_defaults(func=cmd_summary)

    p = sub.add_parser(
        "takedown",
        help="remove documents from a run's dataset and every published copy; rebuild only the affected shards",
    )
    p.add_argument("--run", dest="run_dir",
                   help="<root>/runs/<run_id>: its dataset and every copy it was published to (publish, nightly)")
    p.add_argument("--manifest", action="append", default=[], metavar="MANIFEST",
                   help="a dataset's manifest (local or s3://); repeat for several copies")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--url")
    g.add_argument("--domain")
    g.add_argument("--source")
    g.add_argument("--doc-id")
    p.add_argument("--requested-by", default="", help="who asked (recorded in the takedown log)")
    p.add_argument("--note", default="", help="reference of the request (recorded in the takedown log)")
    p.set_defaults(func=cmd_takedown)


def cmd_verify(args) -> int:
    from kocorpus.provenance.manifest import verify_shards

    try:
        report = verify_shards(args.manifest)
    except (OSError, ValueError) as e:  # no manifest, or not a shard manifest
        print(f"FAILED {args.manifest}: {e}", file=sys.stderr)
        return 1
    if report.ok:
        print(f"ok: {report.checked} files match {report.manifest}")
        return 0
    for p in report.problems:
        print(f"FAILED {p}", file=sys.stderr)
    return 1


def cmd_publish(args) -> int:
    from kocorpus.provenance.publish import publish

    print(f"published: {publish(args.manifest, args.target, progress=lambda rel: print(f'  {rel}'))}")
    return 0


def cmd_export(args) -> int:
    from kocorpus.provenance.export import ExportError, export

    try:
        doc = export(args.manifest, args.out, args.fmt, prefix=args.prefix)
    except (OSError, ExportError) as e:
        print(f"FAILED {args.manifest}: {e}", file=sys.stderr)
        return 1
    t = doc["totals"]
    rate = t["tokens"] / doc["seconds"] if doc["seconds"] > 0 else float("inf")
    print(f"exported {t['documents']:,} documents, {t['tokens']:,} tokens ({args.fmt}) in {doc['seconds']:.2f}s "
          f"({rate:,.0f} tokens/s)")
    for f in doc["files"]:
        print(f"  {f['path']:40s} {f['bytes']:>14,} bytes  {f['sha256'][:16]}")
    print(f"manifest: {args.out.rstrip('/')}/manifest.json (check it with `kocorpus verify-shards`)")
    return 0


def cmd_trace(args) -> int:
    from dataclasses import asdict

    from kocorpus.provenance.audit import trace

    found = trace(args.run_dir, args.key)
    if not found:
        print(f"no document with doc_id or url {args.key!r} entered this run")
        return 1
    if args.json:
        print(json.dumps([asdict(t) | {"final": t.final} for t in found], ensure_ascii=False, indent=2, default=str))
        return 0
    for t in found:
        p = t.provenance
        print(f"document {t.doc_id}")
        print(f"  source   {p.get('source')} ({p.get('source_kind')}), licence {p.get('license')}")
        print(f"  from     {p.get('source_file')} @ {p.get('source_offset')}")
        if p.get("url"):
            print(f"  url      {p.get('url')}  crawled {p.get('crawl_date')}")
        for s in t.steps:
            extra = "" if s.outcome == "kept" else f" -> {s.details.get('step', s.stage)}: {s.reason} ({s.value})"
            det = {k: v for k, v in s.details.items() if k != "step"}
            print(f"  {s.stage:8s} {s.outcome}{extra}" + (f"  {det}" if det else ""))
        for r in t.shard_rows:
            print(f"  shard    {r['shard']} row {r['row']} tokens [{r['start']}, {r['end']})")
        print(f"  final    {t.final}")
    return 0


def cmd_shard(args) -> int:
    from kocorpus.provenance.audit import shard_contents

    rows = shard_contents(args.run_dir, args.shard)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    by: dict[tuple, list[int]] = {}
    for r in rows:
        k = (r["source"], r["license"])
        by.setdefault(k, [0, 0])
        by[k][0] += 1
        by[k][1] += r["tokens"]
    print(f"{args.shard}: {len(rows)} documents")
    for (src, lic), (n, tok) in sorted(by.items(), key=lambda kv: -kv[1][1]):
        print(f"  {src:24s} {lic:20s} {n:6d} docs {tok:10d} tokens")
    for r in rows:
        print(f"  {r['doc_id']}  {r['source']}  {r['license']}  {r['tokens']} tokens  {r['url'] or ''}")
    return 0


def cmd_summary(args) -> int:
    from kocorpus.layout import RunLayout

    lay = RunLayout.of(args.run_dir)
    path = lay.stage_dir("report") / "report.json"
    if not path.exists():
        print(f"no report for {lay.run_dir}: run `kocorpus report {lay.run_dir}`")
        return 1
    r = json.loads(path.read_text())
    prov = r.get("provenance", {})
    print(f"run {r['run_id']}: {r['documents_in']:,} documents in, {r['documents_kept']:,} kept, "
          f"{r['documents_rejected']:,} rejected; accounting {'holds' if r['accounting_holds'] else 'BROKEN'}")
    print(f"tokens in shards: {(r.get('tokens') or 0):,}")
    print("by licence:")
    for x in prov.get("by_license", []):
        print(f"  {x['license']:22s} {x['documents']:8,} docs {(x['tokens'] or 0):12,} tokens")
    print("rejects:")
    for x in prov.get("reject_reasons", [])[:12]:
        print(f"  {x['stage']:8s} {x['reason']:24s} {x['documents']:8,}")
    if prov.get("pii"):
        print("PII detected: " + ", ".join(f"{p['type']} {p['count']}" for p in prov["pii"]))
    top = prov.get("top_10_percent_domains") or []
    if top:
        print("top 10% of domains by tokens: " + ", ".join(d["domain"] for d in top))
    print(f"report: {lay.stage_dir('report') / 'report.html'}")
    return 0


def cmd_takedown(args) -> int:
    from kocorpus.provenance.takedown import TakedownRequest, run_targets, takedown

    if not args.run_dir and not args.manifest:
        print("kocorpus takedown: name the dataset with --run and/or --manifest", file=sys.stderr)
        return 2
    req = TakedownRequest(url=args.url, domain=args.domain, source=args.source, doc_id=args.doc_id,
                          requested_by=args.requested_by, note=args.note)
    targets = (run_targets(args.run_dir) if args.run_dir else []) + args.manifest
    result = takedown(list(dict.fromkeys(targets)), req, run_dir=args.run_dir)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0 if result["verified"] else 1
