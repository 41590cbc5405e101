"""Parquet reader: one document per row of a string text column, read one row group at a time."""

from __future__ import annotations

from typing import Iterator

from kocorpus import storage
from kocorpus.config import SourceConfig
from kocorpus.sources.records import Quarantine, Record, iso_date, raw_sha256


def read_parquet(source: SourceConfig, path: str, key_prefix: str, max_bytes: int, row_group: int | None) -> Iterator[Record | Quarantine]:
    import pyarrow.parquet as pq

    text_f, id_f, url_f, date_f = (source.field_name(r) for r in ("text", "id", "url", "date"))
    try:
        pf = pq.ParquetFile(storage.open_random_access(path))
    except Exception as e:
        yield Quarantine(0, "corrupt_file", f"{type(e).__name__}: {str(e)[:160]}")
        return
    schema = pf.schema_arrow
    if text_f not in schema.names or not (
        str(schema.field(text_f).type) in ("string", "large_string", "string_view")
    ):
        found = str(schema.field(text_f).type) if text_f in schema.names else "missing"
        yield Quarantine(0, "unexpected_schema", f"text column {text_f!r}: {found}; columns {schema.names[:12]}")
        return
    cols = [c for c in (text_f, id_f, url_f, date_f) if c and c in schema.names]
    if row_group is None and pf.metadata.num_rows == 0:
        yield Quarantine(0, "empty_file", "no rows")
        return
    groups = [row_group] if row_group is not None else range(pf.num_row_groups)
    for g in groups:
        base = sum(pf.metadata.row_group(i).num_rows for i in range(g))
        try:
            table = pf.read_row_group(g, columns=sorted(set(cols)))
            texts, sizes = _bounded_texts(table.column(text_f), max_bytes)
            data = {c: table.column(c).to_pylist() for c in set(cols) if c != text_f}
        except Exception as e:
            yield Quarantine(base, "corrupt_file", f"row group {g}: {type(e).__name__}: {str(e)[:120]}")
            continue
        del table
        for i in range(len(texts)):
            offset = base + i
            raw = texts[i]
            if sizes[i] is None:
                yield Quarantine(offset, "empty_record", f"{text_f} is null")
                continue
            if sizes[i] > max_bytes:
                yield Quarantine(offset, "too_large", f"{sizes[i]} bytes > {max_bytes}")
                continue
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as e:
                yield Quarantine(offset, "decode_error", f"string column is not UTF-8: {str(e)[:160]}")
                continue
            rid = data[id_f][i] if id_f in data else None
            key = str(rid) if rid is not None and str(rid) else f"{key_prefix}:{offset}"
            url = data[url_f][i] if url_f in data else None
            date = iso_date(data[date_f][i]) if date_f in data else None
            yield Record(key, offset, text, "utf-8", raw_sha256(raw), url=url if isinstance(url, str) else None, date=date)


def _bounded_texts(column, max_bytes: int) -> tuple[list[bytes | None], list[int | None]]:
    """Byte strings of a string column and their lengths; values over ``max_bytes`` never become Python objects."""
    import pyarrow as pa
    import pyarrow.compute as pc

    column = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    binary = column.cast(pa.large_binary() if pa.types.is_large_string(column.type) else pa.binary())
    sizes = pc.binary_length(binary)
    fits = pc.fill_null(pc.less_equal(sizes, max_bytes), True)
    small = pc.if_else(fits, binary, pa.scalar(None, binary.type))
    return small.to_pylist(), sizes.to_pylist()
