"""What gets indexed for each document: several *views*, each its own vector and BM25 row.

A shopper's question can resemble an FAQ's question ("do u take paypal" ~ "What payment
methods do you accept?") or its answer ("can i pay w debit card" ~ "We accept ... debit
cards ..."); one vector of question + answer is a blur of both and matches neither as well.
So every document is indexed as

* ``full``: title + text (+ product nicknames), what a single-vector index embeds;
* ``title``: the FAQ's question, the policy page and section heading, or the product name
  with its nicknames (short questions match short texts best);
* ``text``: the FAQ's answer or the section body (FAQ and policy only; a product's body is
  already most of ``full``);
* ``asked``: one row per question shoppers ask about the document in their own words
  (``kb/asked.json``: "my parcel says delivered but i can't find it"), which match indirect
  and situation-style questions that neither the KB's wording nor its answer resemble.

At search time a document scores the best of its views (see ``Retriever``), and a hit is
always the document itself: its ``doc_id`` and ``source``, never a view.
"""
from __future__ import annotations

from typing import List, Tuple

from lift.retrieval.sources import Doc

VIEWS_VERSION = 2
VIEWS = {"faq": ("full", "title", "text", "asked"), "policy": ("full", "title", "text", "asked"),
         "product": ("full", "title", "asked")}


def doc_views(doc: Doc) -> List[Tuple[str, str]]:
    """(view name, text) pairs of one document, in a stable order; empty texts are skipped."""
    keywords = doc.meta.get("keywords")
    texts = {
        "full": doc.index_text,
        "title": f"{doc.title}" + (f". Also called: {keywords}." if keywords else ""),
        "text": doc.text,
    }
    out = []
    for name in VIEWS.get(doc.kind, ("full",)):
        for text in (doc.meta.get("asked") or []) if name == "asked" else [texts[name]]:
            text = text.strip()
            if text and (name, text) not in out:
                out.append((name, text))
    return out


def expand(docs: List[Doc]) -> Tuple[List[int], List[str], List[str]]:
    """Rows of the index: (document position, view name, text) as three parallel lists."""
    row_doc: List[int] = []
    row_view: List[str] = []
    row_text: List[str] = []
    for i, d in enumerate(docs):
        for name, text in doc_views(d):
            row_doc.append(i)
            row_view.append(name)
            row_text.append(text)
    return row_doc, row_view, row_text
