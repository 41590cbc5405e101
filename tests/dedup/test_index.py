"""Incremental mode: a nightly run dedups against the documents published by earlier runs."""

import pytest

from kocorpus.dedup.index import IndexMismatch, PublishedIndex, append_to_index
from kocorpus.dedup.stage import dedup_documents

SECTION = {"bands": 32, "rows": 4}


def run(spark, docs, index_dir, ckpt, run_id, section=SECTION):
    kept, rejects, stats = dedup_documents(
        spark, docs, section, index_dir=str(index_dir), checkpoint_dir=str(ckpt), run_id=run_id
    )
    return kept, {r["doc_id"]: r.asDict() for r in rejects.collect()}, stats


def test_second_run_recognises_published_documents(spark, make_docs, korean_texts, tmp_path):
    kt = korean_texts
    index_dir = tmp_path / "index"
    t = [" ".join(kt.doc()) for _ in range(4)]
    run1 = [{"doc_id": f"r1-{i}", "source": "s", "text": x, "run_id": "run-1"} for i, x in enumerate(t)]
    run1.append({"doc_id": "r1-dup", "source": "s", "text": t[0], "run_id": "run-1"})
    from kocorpus.schemas import sha256_text

    for r in run1:
        r["text_sha256"] = sha256_text(r["text"])
    kept1, rej1, stats1 = run(spark, make_docs(run1), index_dir, tmp_path / "c1", "run-1")
    assert set(rej1) == {"r1-dup"}
    info = append_to_index(spark, kept1, str(index_dir), "run-1", SECTION, signatures=stats1["signatures_path"])
    assert info["documents"] == 4 and info["signatures"] == 4
    assert PublishedIndex(spark, str(index_dir)).run_ids() == ["run-1"]

    near_copy = " ".join(kt.replace(t[1].split(" "), 30, 2))
    fresh = [" ".join(kt.doc()) for _ in range(2)]
    run2 = [
        {"doc_id": "r2-exact", "text": t[2]},  # the published text again, under a new id
        {"doc_id": "r2-near", "text": near_copy},  # a near copy of a published document
        {"doc_id": "r1-3", "text": t[3]},  # the same record ingested again (same doc_id)
        {"doc_id": "r2-new", "text": fresh[0]},
        {"doc_id": "r2-new-twin", "text": fresh[0] + " 끝"},  # near pair inside run 2 only
        {"doc_id": "r2-other", "text": fresh[1]},
    ]
    for r in run2:
        r.update(source="s", source_kind="licensed", run_id="run-2", text_sha256=sha256_text(r["text"]))
    docs2 = make_docs(run2)
    kept2, rej2, stats2 = run(spark, docs2, index_dir, tmp_path / "c2", "run-2")
    assert stats2["index_runs"] == ["run-1"]
    assert rej2["r2-exact"]["reject_reason"] == "exact_duplicate" and rej2["r2-exact"]["dup_of"] == "r1-2"
    assert rej2["r1-3"]["reject_reason"] == "exact_duplicate" and rej2["r1-3"]["dup_of"] == "r1-3"
    # published documents win even over licensed sources of today's run
    assert rej2["r2-near"]["reject_reason"] == "near_duplicate" and rej2["r2-near"]["dup_of"] == "r1-1"
    assert rej2["r2-new-twin"]["dup_of"] == "r2-new"
    assert sorted(r["doc_id"] for r in kept2.collect()) == ["r2-new", "r2-other"]
    assert stats2["input"] == 6 == stats2["kept"] + stats2["rejected"]

    # re-running a published run ignores its own entries in the index
    append_to_index(spark, kept2, str(index_dir), "run-2", SECTION)  # signatures recomputed from text
    again, rej_again, _ = run(spark, docs2, index_dir, tmp_path / "c3", "run-2")
    assert set(rej_again) == set(rej2)

    # a later run with another threshold re-bands the stored signatures instead of rehashing text
    section3 = {"threshold": 0.7}
    docs3 = make_docs([{"doc_id": "r3", "source": "s", "text": near_copy, "text_sha256": "x", "run_id": "run-3"}])
    _, rej3, stats3 = run(spark, docs3, index_dir, tmp_path / "c4", "run-3", section3)
    assert stats3["index_runs"] == ["run-1", "run-2"]
    assert (stats3["bands"], stats3["rows"]) != (32, 4)
    assert rej3["r3"]["dup_of"] == "r1-1"


def test_index_with_other_signature_settings_is_refused(spark, make_docs, doc_rows, tmp_path):
    docs = make_docs(doc_rows(["가나다라마바사아자차카타파하"]))
    append_to_index(spark, docs, str(tmp_path / "idx"), "run-1", {"num_perm": 64})
    with pytest.raises(IndexMismatch):
        dedup_documents(spark, docs, {"num_perm": 128}, index_dir=str(tmp_path / "idx"), checkpoint_dir=str(tmp_path / "c"))


def test_unfinished_append_is_invisible(spark, make_docs, doc_rows, tmp_path):
    docs = make_docs(doc_rows(["가나다라마바사아자차카타파하"]))
    idx = tmp_path / "idx"
    append_to_index(spark, docs, str(idx), "run-1", {})
    (idx / "published" / "run-1.json").unlink()  # as if the append died before its marker
    kept, rejects, stats = dedup_documents(spark, docs, {}, index_dir=str(idx), checkpoint_dir=str(tmp_path / "c"))
    assert stats["index_runs"] == [] and rejects.count() == 0
