"""Near-duplicate removal end to end through the stage entry point."""

from kocorpus.dedup.stage import dedup_documents

# Many narrow bands make every pair above ~0.6 a candidate, so these tests do not depend on
# LSH luck; verification (estimated Jaccard >= threshold) then decides each edge.
SURE_CANDIDATES = {"bands": 32, "rows": 4}


def run(spark, docs, tmp_path, **section):
    kept, rejects, stats = dedup_documents(
        spark, docs, {**SURE_CANDIDATES, **section}, index_dir=None, checkpoint_dir=str(tmp_path / "ckpt")
    )
    kept_rows = {r["doc_id"]: r.asDict() for r in kept.collect()}
    rej_rows = {r["doc_id"]: r.asDict() for r in rejects.collect()}
    return kept_rows, rej_rows, stats


def test_planted_clusters_and_a_chain(spark, make_docs, doc_rows, korean_texts, exact_jaccard, tmp_path):
    kt = korean_texts
    texts, planted = [], []
    for size in (2, 3, 5):  # clusters of near copies (a few words changed each)
        base = kt.doc()
        members = [len(texts) + i for i in range(size)]
        texts += [" ".join(base if i == 0 else kt.replace(base, 10 * i, 3)) for i in range(size)]
        planted.append(members)
    # chain A~B~C: B differs from A at the end, C differs from B at the start
    a = kt.doc()
    b = kt.replace(a, 112, 8)
    c = kt.replace(b, 0, 8)
    chain = [len(texts), len(texts) + 1, len(texts) + 2]
    texts += [" ".join(a), " ".join(b), " ".join(c)]
    unique = [len(texts) + i for i in range(6)]
    texts += [" ".join(kt.doc()) for _ in range(6)]
    texts += ["짧은 글"]  # 4 characters: too short for 5-grams, passes through

    ta, tb, tc = (texts[i] for i in chain)
    assert exact_jaccard(ta, tb) >= 0.85 and exact_jaccard(tb, tc) >= 0.85
    assert exact_jaccard(ta, tc) < 0.8  # A and C alone are below the threshold

    rows = doc_rows(texts)
    rows[planted[1][2]]["source_kind"] = "licensed"  # the licensed member survives its cluster
    rows[planted[2][3]]["quality_score"] = 0.9  # the best quality survives
    rows[planted[2][1]]["quality_score"] = 0.5
    kept, rej, stats = run(spark, make_docs(rows), tmp_path)

    ids = [r["doc_id"] for r in rows]
    assert len(kept) + len(rej) == len(rows)
    survivors = [ids[planted[0][0]], ids[planted[1][2]], ids[planted[2][3]], ids[chain[0]]]
    for members, survivor in zip(planted + [chain], survivors):
        assert survivor in kept and kept[survivor]["dup_cluster"] == survivor
        for m in members:
            if ids[m] != survivor:
                r = rej[ids[m]]
                assert (r["reject_reason"], r["dup_of"], r["dup_cluster"]) == ("near_duplicate", survivor, survivor)
                assert 0.0 <= float(r["reject_value"]) <= 1.0
    # documented behaviour: clusters are transitive, C is removed as a duplicate of A via B
    assert rej[ids[chain[2]]]["dup_of"] == ids[chain[0]]
    for u in unique + [len(texts) - 1]:
        assert ids[u] in kept and kept[ids[u]]["dup_cluster"] is None
    assert stats["rejected_by_reason"] == {"near_duplicate": 1 + 2 + 4 + 2}
    assert stats["cluster_sizes"] == {"2": 1, "3": 2, "5": 1}
    assert stats["too_short_to_shingle"] == 1


def test_verification_keeps_candidates_below_threshold_apart(spark, make_docs, doc_rows, korean_texts, exact_jaccard, tmp_path):
    kt = korean_texts
    a = kt.doc()
    b = kt.replace(a, 40, 20)  # about 0.6 similar: a candidate with 32x4 bands, not a duplicate
    texts = [" ".join(a), " ".join(b)]
    assert 0.4 < exact_jaccard(*texts) < 0.75
    kept, rej, _ = run(spark, make_docs(doc_rows(texts)), tmp_path / "v")
    assert len(kept) == 2 and not rej
    kept, rej, _ = run(spark, make_docs(doc_rows(texts)), tmp_path / "nv", verify=False)
    assert len(kept) == 1 and len(rej) == 1  # without verification every LSH candidate links


def test_star_of_a_thousand_copies(spark, make_docs, doc_rows, korean_texts, tmp_path):
    kt = korean_texts
    base = kt.doc(150)
    texts = []
    for i in range(1000):
        w = list(base)
        w.insert(i % 150, kt.word())  # each copy has its own small insertion
        texts.append(" ".join(w))
    rows = doc_rows(texts)
    rows[637]["source_kind"] = "licensed"
    kept, rej, stats = run(spark, make_docs(rows, partitions=4), tmp_path)
    assert list(kept) == ["d0637"]
    assert len(rej) == 999 and {r["dup_of"] for r in rej.values()} == {"d0637"}
    assert stats["cluster_sizes"] == {"1000": 1}


def test_exact_duplicates_follow_their_survivor_into_the_near_cluster(spark, make_docs, doc_rows, korean_texts, tmp_path):
    kt = korean_texts
    base = kt.doc()
    near = " ".join(kt.replace(base, 50, 2))
    texts = [" ".join(base), near, near, near]
    rows = doc_rows(texts)
    kept, rej, stats = run(spark, make_docs(rows), tmp_path)
    assert list(kept) == ["d0000"]
    assert rej["d0001"]["reject_reason"] == "near_duplicate"
    for d in ("d0002", "d0003"):
        assert rej[d]["reject_reason"] == "exact_duplicate"
        assert rej[d]["dup_of"] == rej[d]["dup_cluster"] == "d0000"
        assert rej[d]["reject_value"] == "d0001"  # the exact twin its text hash matched
    assert stats["cluster_sizes"] == {"4": 1}


def test_default_banding_finds_lightly_edited_community_posts(spark, make_docs, doc_rows, exact_jaccard, tmp_path):
    """The production settings (23 bands x 11 rows, char 5-grams, 256 permutations, seed 1) on real
    text that nobody wrote for dedup: the sample's community posts, each re-posted with one comment
    added (as forums re-deliver threads). Every re-post is a near duplicate; the posts stay apart."""
    from kocorpus.sample import config_path

    posts = sorted((config_path().parent / "data" / "community").glob("post-0*.txt"))
    originals = [p.read_text(encoding="utf-8") for p in posts]
    originals = [t for t in originals if len(t) > 400][:12]
    assert len(originals) == 12
    reposts = [t.rstrip("\n") + "\n좋은 글 감사합니다. 저도 비슷한 경험이 있어요.\n" for t in originals]
    for a, b in zip(originals, reposts, strict=True):
        assert exact_jaccard(a, b) >= 0.85
    rows = doc_rows(originals + reposts)
    kept, rej, stats = dedup_documents(spark, make_docs(rows), {}, index_dir=None, checkpoint_dir=str(tmp_path / "ckpt"))
    kept = {r["doc_id"] for r in kept.collect()}
    rej = {r["doc_id"]: r.asDict() for r in rej.collect()}
    ids = [r["doc_id"] for r in rows]
    assert (stats["bands"], stats["rows"]) == (23, 11)
    assert kept == set(ids[:12])
    assert {d: (r["reject_reason"], r["dup_of"]) for d, r in rej.items()} == {
        ids[12 + i]: ("near_duplicate", ids[i]) for i in range(12)
    }
