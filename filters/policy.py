"""Licence policy and opt-out: which documents may be used for training at all.

Licences are matched case-insensitively against three lists from ``[policy]``:
``allowed`` (usable), ``attribution`` (usable, listed in the report's
attribution section) and ``forbidden``. A licence on no list is unknown;
forbidden and unknown licences are rejected with reason ``license``.

Opt-out: documents whose domain (or a parent domain) or URL prefix is on the
opt-out list, or that carried a TDM reservation / ``noai`` signal at ingest
(when ``honor_tdm_reservation``), are rejected with reason ``opt_out``.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from kocorpus.filters.base import DocumentStep, Reject, StepResult

DEFAULT_ALLOWED = [
    "CC0-1.0",
    "PDDL-1.0",
    "MIT",
    "Apache-2.0",
    "KOGL-Type1",
]
DEFAULT_ATTRIBUTION = [
    "CC-BY-2.0",
    "CC-BY-2.0-KR",
    "CC-BY-2.5",
    "CC-BY-3.0",
    "CC-BY-4.0",
    "CC-BY-SA-2.0-KR",
    "CC-BY-SA-3.0",
    "CC-BY-SA-4.0",
    "ODC-By-1.0",
]
DEFAULT_FORBIDDEN = ["CC-BY-ND-4.0", "CC-BY-NC-4.0", "CC-BY-NC-SA-4.0", "CC-BY-NC-ND-4.0", "LicenseRef-all-rights-reserved"]


class LicensePolicy(DocumentStep):
    """Reject documents whose licence is forbidden or not on the allowed/attribution lists."""

    stage = "policy"

    def __init__(
        self,
        allowed: list[str] | None = None,
        attribution: list[str] | None = None,
        forbidden: list[str] | None = None,
        opt_out_domains: list[str] | None = None,
        opt_out_url_prefixes: list[str] | None = None,
        opt_out_file: str | None = None,
        honor_tdm_reservation: bool = True,
    ):
        self.allowed = list(DEFAULT_ALLOWED if allowed is None else allowed)
        self.attribution = list(DEFAULT_ATTRIBUTION if attribution is None else attribution)
        self.forbidden = list(DEFAULT_FORBIDDEN if forbidden is None else forbidden)
        domains = [d.lower().lstrip(".") for d in (opt_out_domains or [])]
        prefixes = list(opt_out_url_prefixes or [])
        if opt_out_file:
            for line in Path(opt_out_file).read_text(encoding="utf-8").splitlines():
                line = line.split("#", 1)[0].strip()
                if not line:
                    continue
                (prefixes if "://" in line else domains).append(line if "://" in line else line.lower().lstrip("."))
        self.opt_out_domains = sorted(set(domains))
        self.opt_out_url_prefixes = sorted(set(prefixes))
        self.opt_out_file = opt_out_file
        self.honor_tdm_reservation = honor_tdm_reservation
        self._usable = {x.lower() for x in self.allowed + self.attribution}
        self._forbidden = {x.lower() for x in self.forbidden}

    @classmethod
    def from_config(cls, section: dict) -> "LicensePolicy":
        return cls(**section)

    def license_verdict(self, license: str | None) -> Reject | None:
        lic = (license or "").strip().lower()
        if lic in self._forbidden:
            return Reject("license", f"forbidden:{license}")
        if lic not in self._usable:
            return Reject("license", f"unknown:{license}")
        return None

    def opt_out_verdict(self, url: str | None, domain: str | None, tdm_reserved: bool | None) -> Reject | None:
        if domain:
            d = domain.lower()
            for blocked in self.opt_out_domains:
                if d == blocked or d.endswith("." + blocked):
                    return Reject("opt_out", f"domain:{blocked}")
        if url:
            for prefix in self.opt_out_url_prefixes:
                if url.startswith(prefix):
                    return Reject("opt_out", f"url_prefix:{prefix}")
        if self.honor_tdm_reservation and tdm_reserved:
            return Reject("opt_out", "tdm_reservation")
        return None

    def apply(self, batch: pa.RecordBatch) -> StepResult:
        lic = batch.column("license").to_pylist()
        urls = batch.column("url").to_pylist()
        domains = batch.column("domain").to_pylist()
        tdm = batch.column("tdm_reserved").to_pylist()
        verdicts = [
            self.license_verdict(l) or self.opt_out_verdict(u, d, t) for l, u, d, t in zip(lic, urls, domains, tdm)
        ]
        return StepResult(batch, verdicts)
