"""Knowledge-base sources turned into retrievable documents.

Three kinds, each with a stable ``doc_id`` so answers can cite it and evaluation labels
survive rebuilds:

* FAQ entries (``kb/faq.json``): ``doc_id`` is the FAQ's own ``id``.
* Policy pages (``kb/policies/*.md``): one document per ``##`` section,
  ``policy:<page>#<section-slug>``; text before the first section opens the first section
  (a page without sections is one ``#overview`` document). A heading may end in an explicit
  anchor, ``## How long you have to return an item {#return-window}``: the heading is the
  title (indexed and cited), the anchor the id, so a section can be retitled in the words
  shoppers ask with (the title carries most of the topic signal) and keep its id, which
  evaluation labels, ``asked.json`` and ``superseded.json`` refer to.
* Catalog products (``kb/catalog.json``): ``product:<SKU>``.

``kb/asked.json`` (optional) adds to any of them the questions shoppers ask *about* it in their
own words (``{doc_id: [question, ...]}``), kept in ``meta["asked"]``: indexed as extra views
(``lift/retrieval/views.py``), never shown.
"""
from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Dict, Iterable, List

from lift.retrieval.text import sanitize, slugify

logger = logging.getLogger(__name__)

FAQ_FILE = "faq.json"
POLICY_DIR = "policies"
CATALOG_FILE = "catalog.json"
ASKED_FILE = "asked.json"
SUPERSEDED_FILE = "superseded.json"

# Bump when the way sources become documents changes: it is part of kb_version, so an index
# built by older code is reported stale instead of silently answering from other chunks.
CHUNKING_VERSION = 5


class SourceError(ValueError):
    """A knowledge-base source file is malformed; the message names the file and the problem."""


@dataclass(frozen=True)
class Doc:
    doc_id: str
    source: str  # path of the source file, relative to the KB directory
    kind: str  # faq | policy | product
    title: str
    text: str  # plain text shown to people (already sanitised)
    meta: Dict[str, object] = field(default_factory=dict)

    @property
    def index_text(self) -> str:
        """What is embedded and tokenised: the title carries most of the topic signal."""
        keywords = self.meta.get("keywords")
        return f"{self.title}. {self.text}" + (f" Also called: {keywords}." if keywords else "")

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "Doc":
        return cls(
            doc_id=d["doc_id"], source=d["source"], kind=d["kind"], title=d["title"],
            text=d["text"], meta=dict(d.get("meta") or {}),
        )


def source_files(kb_dir: Path) -> List[Path]:
    """The files whose content defines the index, in a stable order."""
    kb_dir = Path(kb_dir)
    files = []
    if (kb_dir / FAQ_FILE).is_file():
        files.append(kb_dir / FAQ_FILE)
    files.extend(sorted((kb_dir / POLICY_DIR).glob("*.md")))
    if (kb_dir / CATALOG_FILE).is_file():
        files.append(kb_dir / CATALOG_FILE)
    for name in (ASKED_FILE, SUPERSEDED_FILE):
        if (kb_dir / name).is_file():
            files.append(kb_dir / name)
    return files


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def source_hashes(kb_dir: Path) -> Dict[str, str]:
    kb_dir = Path(kb_dir)
    return {p.relative_to(kb_dir).as_posix(): sha256_file(p) for p in source_files(kb_dir)}


def _read_json(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise SourceError(f"{path}: not UTF-8 text ({exc.reason})") from None
    except json.JSONDecodeError as exc:
        raise SourceError(f"{path}: invalid JSON at line {exc.lineno}: {exc.msg}") from None


def load_faq(path: Path, rel: str = FAQ_FILE) -> List[Doc]:
    data = _read_json(path)
    if not isinstance(data, list):
        raise SourceError(f"{path}: expected a JSON list of {{id, question, answer}} objects")
    docs, seen = [], set()
    for i, entry in enumerate(data):
        if not isinstance(entry, dict) or not all(isinstance(entry.get(k), str) and entry.get(k).strip()
                                                  for k in ("id", "question", "answer")):
            raise SourceError(f"{path}: entry {i} needs non-empty string id, question and answer")
        if entry["id"] in seen:
            raise SourceError(f"{path}: duplicate FAQ id {entry['id']!r}")
        seen.add(entry["id"])
        docs.append(Doc(doc_id=entry["id"], source=rel, kind="faq",
                        title=sanitize(entry["question"]), text=sanitize(entry["answer"])))
    return docs


_H1_RE = re.compile(r"^#\s+(.+?)\s*#*\s*$")
_H2_RE = re.compile(r"^##\s+(.+?)\s*#*\s*$")
# "## How long you have to return an item {#return-window}": title, then its stable anchor.
_ANCHOR_RE = re.compile(r"^(.*?)\s*\{#([a-z0-9]+(?:-[a-z0-9]+)*)\}$")


def chunk_markdown(markdown: str, page_id: str, rel: str) -> List[Doc]:
    """One document per ``##`` section; deeper headings stay inside their section."""
    page_title = page_id.replace("-", " ").capitalize()
    sections: List[List[str]] = []  # [heading, *lines]
    intro: List[str] = []
    in_fence = False
    for line in markdown.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
        if not in_fence:
            h1, h2 = _H1_RE.match(line), _H2_RE.match(line)
            if h1 and not sections and not any(x.strip() for x in intro):
                page_title = sanitize(h1.group(1))
                continue
            if h2:
                sections.append([h2.group(1)])
                continue
        (sections[-1] if sections else intro).append(line)
    docs: List[Doc] = []
    used: Dict[str, int] = {}

    def add(raw_heading: str, lines: Iterable[str]) -> None:
        text = sanitize("\n".join(lines))
        if not text:
            return
        anchored = _ANCHOR_RE.match(raw_heading)
        heading = sanitize(anchored.group(1) if anchored else raw_heading)
        slug = anchored.group(2) if anchored else slugify(heading)
        n = used.get(slug, 0) + 1
        used[slug] = n
        anchor = slug if n == 1 else f"{slug}-{n}"
        docs.append(Doc(doc_id=f"policy:{page_id}#{anchor}", source=rel, kind="policy",
                        title=f"{page_title}: {heading}", text=text,
                        meta={"page": page_id, "page_title": page_title, "section": heading}))

    if not sections:
        add("Overview", intro)
        return docs
    # A page introduction is rarely an answer on its own ("How parcels get to you."), so it
    # leads into the first section instead of competing with the sections as a chunk.
    sections[0][1:1] = [line for line in intro if line.strip()] + [""] if any(x.strip() for x in intro) else []
    for heading, *lines in sections:
        add(heading, lines)
    return docs


def load_policies(kb_dir: Path) -> List[Doc]:
    docs: List[Doc] = []
    for path in sorted((Path(kb_dir) / POLICY_DIR).glob("*.md")):
        try:
            markdown = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise SourceError(f"{path}: not UTF-8 text ({exc.reason})") from None
        docs.extend(chunk_markdown(markdown, slugify(path.stem), f"{POLICY_DIR}/{path.name}"))
    return docs


def _attr_phrase(key: str, value) -> str:
    name = key.replace("_", " ")
    if isinstance(value, bool):
        return f"{name}: {'yes' if value else 'no'}"
    return f"{name}: {value}"


def product_doc(product, catalog, rel: str = CATALOG_FILE) -> Doc:
    category = catalog.category(product.category)
    category_name = category.name if category else product.category
    parts = [f"{product.name} is in our {category_name} range, priced at {catalog.format_price(product.price)}.",
             product.description]
    if product.attributes:
        parts.append("Specifications: " + "; ".join(_attr_phrase(k, v) for k, v in product.attributes.items()) + ".")
    # Stock is deliberately absent: it changes by the minute and the product card shows it live.
    return Doc(
        doc_id=f"product:{product.sku}", source=rel, kind="product",
        title=sanitize(f"{product.name} ({category_name})"), text=sanitize(" ".join(parts)),
        # Shopper nicknames ("anc headphones") help matching but are not prose worth showing.
        meta={"sku": product.sku, "keywords": sanitize(", ".join(product.synonyms))},
    )


def load_products(path: Path, rel: str = CATALOG_FILE) -> List[Doc]:
    from lift.commerce.catalog import Catalog, CatalogError

    try:
        catalog = Catalog.load(path)
    except CatalogError as exc:
        raise SourceError(str(exc)) from None
    return [product_doc(p, catalog, rel) for p in catalog.products]


def load_documents(kb_dir: Path) -> List[Doc]:
    """Every document of the knowledge base; raises :class:`SourceError` on malformed input."""
    kb_dir = Path(kb_dir)
    docs: List[Doc] = []
    if (kb_dir / FAQ_FILE).is_file():
        docs.extend(load_faq(kb_dir / FAQ_FILE))
    docs.extend(load_policies(kb_dir))
    if (kb_dir / CATALOG_FILE).is_file():
        docs.extend(load_products(kb_dir / CATALOG_FILE))
    seen: Dict[str, str] = {}
    for d in docs:
        if d.doc_id in seen:
            raise SourceError(f"duplicate doc_id {d.doc_id!r} in {seen[d.doc_id]} and {d.source}")
        seen[d.doc_id] = d.source
    if not docs:
        raise SourceError(f"{kb_dir}: no knowledge-base sources found (faq.json, policies/*.md, catalog.json)")
    if (kb_dir / ASKED_FILE).is_file():
        docs = with_asked(docs, load_asked(kb_dir / ASKED_FILE, set(seen)))
    by = load_superseded(kb_dir / SUPERSEDED_FILE, seen) if (kb_dir / SUPERSEDED_FILE).is_file() else {}
    docs = [replace(d, meta={**d.meta, "superseded_by": by[d.doc_id]}) if d.doc_id in by else d for d in docs]
    unfilled = [f"{d.doc_id} ({', '.join(_PLACEHOLDER.findall(d.text))})" for d in docs
                if d.doc_id not in by and _PLACEHOLDER.search(d.text)]
    if unfilled:
        raise SourceError(f"{kb_dir}: answers with template placeholders would be shown to shoppers: "
                          f"{'; '.join(unfilled)}. Write the answer, or name the policy section that answers "
                          f"instead in {SUPERSEDED_FILE}")
    return docs


# A template's unfilled slot: "[phone number]", "[working hours]" (not "[1]" or a Markdown link).
_PLACEHOLDER = re.compile(r"\[[a-z][a-z ]{2,30}\](?!\()")


def load_superseded(path: Path, sources: Dict[str, str]) -> Dict[str, str]:
    """``kb/superseded.json``: FAQ id -> the policy section that answers instead ({"by", "why"}).
    Both ids must exist, the superseding one must be a policy, and a reason is required."""
    data = _read_json(path)
    if not isinstance(data, dict):
        raise SourceError(f"{path}: expected a JSON object {{faq_id: {{\"by\": doc_id, \"why\": reason}}}}")
    out: Dict[str, str] = {}
    for faq_id, entry in data.items():
        if faq_id.startswith("_"):
            continue  # "_about": the file's own note
        if not isinstance(entry, dict) or not isinstance(entry.get("why"), str) or not entry["why"].strip():
            raise SourceError(f"{path}: {faq_id!r} needs {{\"by\": doc_id, \"why\": reason}}")
        by = entry.get("by")
        if faq_id not in sources or by not in sources or not str(by).startswith("policy:"):
            raise SourceError(f"{path}: {faq_id!r} -> {by!r}: both must be in the knowledge base, the second a policy")
        out[faq_id] = by
    return out


def load_asked(path: Path, doc_ids: set) -> Dict[str, List[str]]:
    """``kb/asked.json``: shoppers' wordings per document. Wordings of a document the KB no
    longer has (an FAQ deleted since) are skipped with a warning naming them."""
    data = _read_json(path)
    if not isinstance(data, dict):
        raise SourceError(f"{path}: expected a JSON object {{doc_id: [question, ...]}}")
    asked: Dict[str, List[str]] = {}
    for doc_id, questions in data.items():
        if not isinstance(questions, list) or not all(isinstance(q, str) and q.strip() for q in questions):
            raise SourceError(f"{path}: {doc_id!r} needs a list of non-empty question strings")
        asked[doc_id] = [sanitize(q) for q in questions]
    orphans = sorted(set(asked) - doc_ids)
    if orphans:
        logger.warning("%s: skipped the wordings of %d document(s) not in the knowledge base: %s",
                       path, len(orphans), ", ".join(orphans))
    return {k: v for k, v in asked.items() if k in doc_ids}


def with_asked(docs: List[Doc], asked: Dict[str, List[str]]) -> List[Doc]:
    return [replace(d, meta={**d.meta, "asked": asked[d.doc_id]}) if asked.get(d.doc_id) else d for d in docs]
