"""Provenance: manifests and their versions, lineage, publishing, audit, takedown, summary, report, Croissant."""
