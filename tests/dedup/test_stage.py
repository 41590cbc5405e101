from kocorpus.dedup.stage import dedup_documents
from kocorpus.pipelines.schemas import DOCUMENT_COLUMNS, STAGE_OUTPUT_SCHEMA


def test_stage_accounts_for_every_document(spark, make_docs, doc_rows, tmp_path):
    texts = ["같은 문서입니다"] * 4 + ["다른 문서", "또 다른 문서"] + ["둘씩"] * 2
    docs = make_docs(doc_rows(texts))
    kept, rejects, stats = dedup_documents(
        spark, docs, {"near": False}, index_dir=None, checkpoint_dir=str(tmp_path / "ckpt")
    )
    assert kept.columns == DOCUMENT_COLUMNS
    assert rejects.columns == STAGE_OUTPUT_SCHEMA.names
    kept_ids = [r["doc_id"] for r in kept.collect()]
    rej_ids = [r["doc_id"] for r in rejects.collect()]
    assert len(kept_ids) + len(rej_ids) == len(texts)
    assert sorted(kept_ids + rej_ids) == sorted(r["doc_id"] for r in docs.collect())
    assert stats["input"] == len(texts)
    assert stats["kept"] == len(kept_ids) == 4
    assert stats["rejected_by_reason"] == {"exact_duplicate": 4}
    assert stats["cluster_sizes"] == {"2": 1, "4": 1}
    assert stats["largest_cluster"] == 4


def test_stage_with_dedup_disabled_keeps_everything(spark, make_docs, doc_rows, tmp_path):
    docs = make_docs(doc_rows(["a", "a"]))
    kept, rejects, stats = dedup_documents(
        spark, docs, {"exact": False, "near": False}, index_dir=None, checkpoint_dir=str(tmp_path)
    )
    assert kept.count() == 2 and rejects.count() == 0 and stats["rejected"] == 0
