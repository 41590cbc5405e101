from kocorpus.dedup.stage import dedup_documents
from kocorpus.schemas import DOCUMENT_COLUMNS, STAGE_OUTPUT_SCHEMA


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


def test_default_settings_remove_exact_and_near_copies(spark, make_docs, doc_rows, korean_texts, tmp_path):
    from datasketch import MinHashLSH

    kt = korean_texts
    base = [kt.doc() for _ in range(5)]
    texts = [" ".join(b) for b in base]
    texts += [" ".join(kt.replace(base[0], 60, 1)), texts[1], "짧다"]
    docs = make_docs(doc_rows(texts))
    kept, rejects, stats = dedup_documents(spark, docs, {}, index_dir=None, checkpoint_dir=str(tmp_path))
    lsh = MinHashLSH(threshold=0.8, num_perm=256, weights=(0.1, 0.9))
    assert (stats["bands"], stats["rows"]) == (lsh.b, lsh.r)
    rej = {r["doc_id"]: (r["reject_reason"], r["dup_of"]) for r in rejects.collect()}
    assert rej == {"d0005": ("near_duplicate", "d0000"), "d0006": ("exact_duplicate", "d0001")}
    assert kept.count() == 6 and stats["input"] == 8 and stats["too_short_to_shingle"] == 1
    assert stats["signatures_path"].startswith(str(tmp_path))
