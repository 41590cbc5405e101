"""Dagster definitions: daily-partitioned assets for the nightly run, its gates, schedule and sensor.

Assets (one partition per night ``YYYY-MM-DD``; run ``nightly-<date>`` in the
CLI's run layout): ``night_inputs`` -> ``ingest`` -> ``filter`` -> ``dedup`` ->
``tokenize`` -> ``shard`` -> ``report`` -> ``published_dataset``.
The four gates are blocking asset checks on ``shard``: when one fails,
``report`` and ``published_dataset`` do not run, and ``published_dataset``
itself refuses to publish a night whose gates fail.

Resource ``kocorpus``: a :class:`~kocorpus.orchestration.operations.NightlyOps`,
handed to :func:`definitions`. The code location that Dagster loads is
``pipelines/nightly.py`` (see docs/nightly.md for the ``dagster dev -m`` command): it builds
the Spark-backed ops (config from ``KOCORPUS_NIGHTLY_CONFIG``, default ``nightly.toml``).
Partitions start at ``KOCORPUS_NIGHTLY_START`` (default 2026-01-01).
"""


import datetime as dt
import os
from collections import defaultdict

import dagster as dg

from kocorpus import storage
from kocorpus.layout import STAGES
from kocorpus.orchestration.gates import GateResult
from kocorpus.orchestration.nightly import DATE_DIR
from kocorpus.orchestration.operations import NightlyOps

START = os.environ.get("KOCORPUS_NIGHTLY_START", "2026-01-01")
DAILY = dg.DailyPartitionsDefinition(start_date=START, timezone="UTC", end_offset=1)  # today included: a drop can run at once
GROUP = "nightly"


def _ops(context) -> NightlyOps:
    return context.resources.kocorpus


@dg.asset(partitions_def=DAILY, group_name=GROUP, required_resource_keys={"kocorpus"})
def night_inputs(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    """The night's new input objects (not consumed by a published night), recorded in ``inputs.json``."""
    plan = _ops(context).plan(context.partition_key)
    by_source: dict[str, int] = defaultdict(int)
    for f in plan["inputs"]:
        by_source[f["source"]] += 1
    return dg.MaterializeResult(
        metadata={
            "run_id": plan["run_id"],
            "new_inputs": len(plan["inputs"]),
            "new_bytes": sum(f["size"] for f in plan["inputs"]),
            "by_source": dict(by_source),
            "base_version": plan["base_version"],
        }
    )


def _stage_asset(name: str, upstream: str, description: str):
    @dg.asset(
        name=name,
        deps=[upstream],
        partitions_def=DAILY,
        group_name=GROUP,
        required_resource_keys={"kocorpus"},
        description=description,
    )
    def _asset(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        stats = _ops(context).run_stage(context.partition_key, name)
        meta = {k: v for k, v in stats.items() if isinstance(v, (int, float, str)) and k not in ("started_at",)}
        if isinstance(stats.get("rejected"), dict):
            meta["rejected"] = stats["rejected"]
        return dg.MaterializeResult(metadata=meta)

    return _asset


DESCRIPTIONS = {
    "ingest": "read the night's new input objects",
    "filter": "normalize, licence policy, language ID, quality, PII",
    "dedup": "exact and MinHash near-duplicate removal, against everything published",
    "tokenize": "encode the night's documents with the published tokenizer",
    "shard": "pack token shards, lineage and manifest",
    "report": "run summary and provenance report",
}
STAGE_ASSETS = []
_prev = "night_inputs"
for _name in STAGES:
    STAGE_ASSETS.append(_stage_asset(_name, _prev, DESCRIPTIONS[_name]))
    _prev = _name


def _check_result(r: GateResult) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        passed=r.passed,
        severity=dg.AssetCheckSeverity.ERROR,
        description=r.detail,
        metadata={k: v for k, v in r.metadata.items() if isinstance(v, (int, float, str, dict))},
    )


def _gate(gate: str):
    @dg.asset_check(asset="shard", name=gate, blocking=True, required_resource_keys={"kocorpus"})
    def _check(context) -> dg.AssetCheckResult:
        ops = _ops(context)
        date = context.run.tags["dagster/partition"]  # the check runs in the night's partitioned run
        from kocorpus.orchestration import gates as g

        night = ops.night(date)
        s = g.GateSettings.from_config(night.settings.gates)
        if gate == "korean_share":
            r = g.korean_share(ops.spark, night, s)
        elif gate == "drop_rate_band":
            r = g.drop_rate_band(night, ops.trailing(date), s)
        elif gate == "output_not_empty":
            r = g.output_not_empty(night, s)
        else:
            r = g.shard_checksums(night, s)
        return _check_result(r)

    return _check


GATES = [_gate(n) for n in ("korean_share", "drop_rate_band", "output_not_empty", "shard_checksums")]


@dg.asset(deps=["report"], partitions_def=DAILY, group_name=GROUP, required_resource_keys={"kocorpus"})
def published_dataset(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    """Appends the night's shards as the next manifest version, then indexes its documents for dedup."""
    out = _ops(context).publish(context.partition_key)
    return dg.MaterializeResult(metadata={k: v for k, v in out.items() if isinstance(v, (int, float, str))})


ASSETS = [night_inputs, *STAGE_ASSETS, published_dataset]

nightly_job = dg.define_asset_job("nightly", selection=dg.AssetSelection.groups(GROUP), partitions_def=DAILY)


@dg.schedule(job=nightly_job, cron_schedule="0 2 * * *", execution_timezone="UTC")
def nightly_schedule(context: dg.ScheduleEvaluationContext):
    """At 02:00 UTC, the night of the day that just ended."""
    day = (context.scheduled_execution_time - dt.timedelta(days=1)).date().isoformat()
    return dg.RunRequest(run_key=f"scheduled:{day}", partition_key=day)


def drops_by_date(prefix: str) -> dict[str, tuple[int, int]]:
    """Drop folders ``<prefix>/<YYYY-MM-DD>/...``: date -> (objects, bytes)."""
    out: dict[str, list[int]] = {}
    base = prefix.rstrip("/")
    for path, size in storage.list_files(base):
        rel = path[len(base) :].lstrip("/") if path.startswith(base) else path
        top = rel.split("/", 1)[0]
        if "/" in rel and DATE_DIR.match(top):
            c = out.setdefault(top, [0, 0])
            c[0] += 1
            c[1] += size
    return {d: (c[0], c[1]) for d, c in sorted(out.items())}


@dg.sensor(job=nightly_job, minimum_interval_seconds=300)
def new_drop_sensor(context: dg.SensorEvaluationContext, kocorpus: dg.ResourceParam[NightlyOps]):
    """Requests the night of each new (or grown) drop folder under ``[nightly] drops``, oldest first."""
    ops = kocorpus
    prefix = ops.settings.drops
    if not prefix:
        return dg.SkipReason("[nightly] drops is not set")
    drops = drops_by_date(prefix)
    keys = set(DAILY.get_partition_keys())
    requests = [
        dg.RunRequest(run_key=f"{d}:{n}:{b}", partition_key=d) for d, (n, b) in drops.items() if d in keys
    ]
    return requests or dg.SkipReason(f"no drop under {prefix}")


def definitions(ops: NightlyOps) -> dg.Definitions:
    """The nightly ``Definitions`` with ``ops`` as the ``kocorpus`` resource."""
    return dg.Definitions(
        assets=ASSETS,
        asset_checks=GATES,
        jobs=[nightly_job],
        schedules=[nightly_schedule],
        sensors=[new_drop_sensor],
        resources={"kocorpus": dg.ResourceDefinition.hardcoded_resource(ops)},
    )
