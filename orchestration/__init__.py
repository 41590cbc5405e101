"""kocorpus.orchestration: nightly runs with Dagster (``dagster dev -m kocorpus.orchestration``); see docs/nightly.md.

``defs`` is the Dagster ``Definitions``; without Dagster installed (extra
``orchestration``) the rest of the package still imports.
"""

try:
    from kocorpus.orchestration.definitions import defs
except ModuleNotFoundError as e:  # pragma: no cover - only without the orchestration extra
    if e.name != "dagster":
        raise
