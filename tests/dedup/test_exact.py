from kocorpus.dedup.exact import exact_dedup
from kocorpus.schemas import DOCUMENT_COLUMNS, STAGE_OUTPUT_SCHEMA


def test_exact_duplicates_collapse_to_the_survivor(make_docs, doc_rows):
    rows = doc_rows(["가나다", "가나다", "가나다", "라마바", "사아자", "사아자"])
    rows[1]["source_kind"] = "licensed"  # d0001 wins its cluster despite a larger id
    rows[4]["quality_score"] = 0.2
    rows[5]["quality_score"] = 0.9  # d0005 wins on quality
    kept, rejects = exact_dedup(make_docs(rows))
    assert kept.columns == DOCUMENT_COLUMNS
    assert rejects.columns == STAGE_OUTPUT_SCHEMA.names
    k = {r["doc_id"]: r["dup_cluster"] for r in kept.collect()}
    assert k == {"d0001": "d0001", "d0003": None, "d0005": "d0005"}
    rj = {r["doc_id"]: r.asDict() for r in rejects.collect()}
    assert set(rj) == {"d0000", "d0002", "d0004"}
    assert rj["d0000"]["dup_of"] == rj["d0002"]["dup_of"] == "d0001"
    assert rj["d0004"]["dup_of"] == "d0005" and rj["d0004"]["dup_cluster"] == "d0005"
    for r in rj.values():
        assert r["reject_stage"] == "dedup" and r["reject_reason"] == "exact_duplicate"
        assert r["reject_value"] == r["dup_of"]
        assert r["text"] is not None  # the rejected document is carried whole


def test_missing_hash_is_computed_and_published_hashes_win(spark, make_docs, doc_rows):
    rows = doc_rows(["하나", "하나", "둘", "셋"])
    rows[0]["text_sha256"] = None
    docs = make_docs(rows)
    published = spark.createDataFrame([("old-1", rows[2]["text_sha256"])], "doc_id string, text_sha256 string")
    kept, rejects = exact_dedup(docs, published=published)
    assert sorted(r["doc_id"] for r in kept.collect()) == ["d0000", "d0003"]
    rj = {r["doc_id"]: r["dup_of"] for r in rejects.collect()}
    assert rj == {"d0001": "d0000", "d0002": "old-1"}
    assert kept.count() + rejects.count() == docs.count()
