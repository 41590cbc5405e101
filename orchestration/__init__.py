"""kocorpus.orchestration: nightly runs with Dagster (``dagster dev -m kocorpus.orchestration``); see docs/nightly.md."""


def __getattr__(name):
    # Dagster is imported only when the definitions are asked for.
    if name == "defs":
        from kocorpus.orchestration.definitions import defs

        return defs
    raise AttributeError(name)
