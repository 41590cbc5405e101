"""Croissant 1.0 JSON-LD for a token-shard dataset, with its Responsible-AI fields."""

from __future__ import annotations

from kocorpus import __version__


def croissant(summary: dict, prov: dict, name: str) -> dict:
    """Croissant 1.0 JSON-LD for the token-shard dataset, with Responsible-AI fields."""
    ds = prov.get("dataset") or {}
    licenses = sorted({r["license"] for r in prov.get("by_license") or [] if r.get("license")})
    pii = prov.get("pii") or []
    files = [
        {
            "@type": "cr:FileObject",
            "@id": s["path"],
            "name": s["path"],
            "contentUrl": s["path"],
            "encodingFormat": "application/x-parquet",
            "sha256": s["sha256"],
            "contentSize": f"{s['bytes']} B",
        }
        for s in ds.get("shards", [])
    ]
    return {
        "@context": {
            "@language": "en",
            "@vocab": "https://schema.org/",
            "cr": "http://mlcommons.org/croissant/",
            "rai": "http://mlcommons.org/croissant/RAI/",
            "dct": "http://purl.org/dc/terms/",
            "sc": "https://schema.org/",
            "citeAs": "cr:citeAs",
            "column": "cr:column",
            "conformsTo": "dct:conformsTo",
            "data": {"@id": "cr:data", "@type": "@json"},
            "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
            "equivalentProperty": "cr:equivalentProperty",
            "examples": {"@id": "cr:examples", "@type": "@json"},
            "extract": "cr:extract",
            "field": "cr:field",
            "fileProperty": "cr:fileProperty",
            "fileObject": "cr:fileObject",
            "fileSet": "cr:fileSet",
            "format": "cr:format",
            "includes": "cr:includes",
            "isLiveDataset": "cr:isLiveDataset",
            "jsonPath": "cr:jsonPath",
            "key": "cr:key",
            "md5": "cr:md5",
            "parentField": "cr:parentField",
            "path": "cr:path",
            "recordSet": "cr:recordSet",
            "references": "cr:references",
            "regex": "cr:regex",
            "repeated": "cr:repeated",
            "replace": "cr:replace",
            "samplingRate": "cr:samplingRate",
            "separator": "cr:separator",
            "source": "cr:source",
            "subField": "cr:subField",
            "transform": "cr:transform",
        },
        "@type": "sc:Dataset",
        "name": name,
        "description": (
            f"Korean pretraining token shards built by kocorpus run {summary['run_id']}: "
            f"{summary.get('documents_in_shards') or 0} documents, {summary.get('tokens') or 0} tokens, "
            f"sequence length {ds.get('seq_len')}, dtype {ds.get('dtype')}."
        ),
        "conformsTo": "http://mlcommons.org/croissant/1.0",
        "citeAs": f"kocorpus run {summary['run_id']} (config sha256 {summary.get('config_sha256', '')[:16]}), built with kocorpus {__version__}",
        "url": "manifest.json",
        "version": __version__,
        "license": licenses,
        "inLanguage": "ko",
        "distribution": files,
        "recordSet": [
            {
                "@type": "cr:RecordSet",
                "@id": "rows",
                "name": "rows",
                "description": "Fixed-length packed rows of token ids (seq_len + 1), EOS between documents.",
                "field": [
                    {
                        "@type": "cr:Field",
                        "@id": "rows/tokens",
                        "name": "tokens",
                        "dataType": "sc:Integer",
                        "repeated": True,
                        "source": {"fileObject": {"@id": files[0]["@id"]} if files else {}, "extract": {"column": "tokens"}},
                    },
                    {
                        "@type": "cr:Field",
                        "@id": "rows/doc_starts",
                        "name": "doc_starts",
                        "dataType": "sc:Integer",
                        "repeated": True,
                        "source": {"fileObject": {"@id": files[0]["@id"]} if files else {}, "extract": {"column": "doc_starts"}},
                    },
                ],
            }
        ],
        "rai:dataCollection": (
            "Documents from declared sources (crawled web pages and licensed archives) read by kocorpus ingest; "
            "sources: " + ", ".join(f"{r['source']} ({r['source_kind']}, {r['license']})" for r in prov.get("by_source") or [])
        ),
        "rai:dataCollectionType": ["Web Scraping", "Secondary Data Analysis"],
        "rai:dataPreprocessingProtocol": [
            "Unicode NFC normalization; licence policy and opt-out (domains, URL prefixes, TDM reservation); "
            "fastText language ID; FineWeb-2 Korean quality rules; PII redaction; exact and MinHash dedup."
        ],
        "rai:personalSensitiveInformation": (
            "Personal information detected by pattern and validator was replaced by typed placeholders before "
            "tokenization: " + (", ".join(f"{p['type']} ({p['count']})" for p in pii) or "none detected") + "."
        ),
        "rai:dataLimitations": "Automatic filters make mistakes in both directions; see the reject counts by reason.",
        "rai:dataBiases": "Source mix as listed in the report's tokens-by-source table; web text over-represents some domains.",
    }
