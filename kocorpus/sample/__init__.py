"""The bundled sample corpus (``data/``) and its config (``kocorpus.toml``), used by ``kocorpus demo``."""

from pathlib import Path


def config_path() -> Path:
    """The sample's ``kocorpus.toml`` (its source paths are relative to it)."""
    return Path(__file__).parent / "kocorpus.toml"
