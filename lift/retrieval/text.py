"""Plain-text helpers: the BM25 tokenizer, the sanitiser for knowledge-base text and trimming.

Knowledge-base text is data written by people outside the code path (policy authors, the FAQ
export, catalog descriptions): everything shown to a shopper passes through :func:`sanitize`
so markup, scripts and links never reach a chat client as anything but plain words.
"""
from __future__ import annotations

import functools
import html
import re
import unicodedata
from typing import List

import bleach

from lift.commerce.words import stem

# Small closed list: BM25's idf already discounts common words, but these carry no topic at
# all and otherwise dominate short shopper queries ("can i do it").
STOPWORDS = frozenset(
    """a an and are as at be but by can could do does did for from had has have how i i'm if in
    into is it its me my of on or our please so than that the their them then there these they
    this to too us was we were what whats when where which who why will with would you your yours""".split()
)

_TOKEN_RE = re.compile(r"[a-z0-9]+")


def tokenize(text: str) -> List[str]:
    """Lower-case word tokens without stopwords, stemmed by :func:`lift.commerce.words.stem` (BM25 input)."""
    text = unicodedata.normalize("NFKC", text or "").lower().replace("'", "")
    out = []
    for tok in _TOKEN_RE.findall(text):
        if tok in STOPWORDS:
            continue
        tok = stem(tok)
        if tok not in STOPWORDS:
            out.append(tok)
    return out


# Link targets may hold one level of parentheses ("javascript:alert(1)"), so match them too.
_MD_TARGET = r"\((?:[^()\s]|\([^()]*\))*(?:\s+\"[^\"]*\")?\)"
_MD_IMAGE_RE = re.compile(r"!\[([^\]]*)\]" + _MD_TARGET)
_MD_LINK_RE = re.compile(r"\[([^\]]+)\]" + _MD_TARGET)
_MD_REFLINK_RE = re.compile(r"\[([^\]]+)\]\[[^\]]*\]")
_MD_REFDEF_RE = re.compile(r"^\s*\[[^\]]+\]:\s*\S+.*$", re.M)
_AUTOLINK_RE = re.compile(r"<((?:https?|mailto):[^>\s]+)>", re.I)
_UNSAFE_URL_RE = re.compile(r"\b(?:javascript|data|vbscript):\S*", re.I)
_HEADING_RE = re.compile(r"^\s{0,3}#{1,6}\s*", re.M)
_QUOTE_RE = re.compile(r"^\s{0,3}>\s?", re.M)
_LIST_RE = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+", re.M)
# Underscore emphasis must not start or end inside a word: "coupon_code" is not emphasis.
_EMPHASIS_RE = re.compile(r"(\*\*|\*|~~|`+)(?=\S)(.+?)(?<=\S)\1|(?<!\w)(__|_)(?=\S)(.+?)(?<=\S)\3(?!\w)")
_FENCE_RE = re.compile(r"^\s*(```|~~~).*$", re.M)
_RULE_RE = re.compile(r"^\s*([-*_]\s*){3,}$", re.M)
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_WS_RE = re.compile(r"[ \t]+")


# Elements whose content is code or an embedded document, never words for a shopper: dropped
# with everything inside them. Every other tag is stripped by bleach, keeping its text.
_DROP_WITH_CONTENT = frozenset({"script", "style", "iframe", "object", "embed", "template", "noscript", "svg", "math"})


class _DropCodeElements:
    """html5lib token filter for bleach: removes the elements above with their content and turns
    ``<br>`` into a line break (bleach already breaks lines at block elements it strips)."""

    def __init__(self, source):
        self.source = source

    def __iter__(self):
        depth = 0
        for token in self.source:
            kind, name = token.get("type"), token.get("name")
            if name == "br":
                if depth == 0:
                    yield {"type": "Characters", "data": "\n"}
                continue
            if name in _DROP_WITH_CONTENT:
                if kind == "StartTag":
                    depth += 1
                elif kind == "EndTag":
                    depth = max(0, depth - 1)
                continue
            if depth == 0:
                yield token


@functools.lru_cache(maxsize=1)
def _cleaner() -> bleach.Cleaner:
    # The dropped elements (and <br>) are "allowed" only so the filter sees them; they never
    # reach the output. No attribute survives; comments go too.
    return bleach.Cleaner(tags=_DROP_WITH_CONTENT | {"br"}, attributes={}, strip=True, strip_comments=True,
                          filters=[_DropCodeElements])


def _strip_html(text: str) -> str:
    """Text of ``text`` as plain words (entities decoded): bleach parses it like a browser would."""
    return html.unescape(_cleaner().clean(text))


def sanitize(text: str) -> str:
    """Knowledge-base text as plain text: no HTML, no scripts, links reduced to their words.

    HTML goes through bleach (html5lib's parser): tags and attributes are stripped, scripts,
    styles and embedded documents dropped with their content. Entities are decoded only after
    tags are gone and tags are stripped again afterwards, so ``&lt;script&gt;`` cannot turn into
    live markup on the way through. Markdown syntax (links, emphasis, headings) is reduced to its
    words by the rules below: bleach does not read Markdown.
    """
    if not text:
        return ""
    text = _CONTROL_RE.sub("", text)  # before bleach, which would turn them into "?"
    text = _strip_html(_AUTOLINK_RE.sub(r"\1", text))
    text = _strip_html(text)
    text = _MD_IMAGE_RE.sub(r"\1", text)
    text = _MD_LINK_RE.sub(r"\1", text)
    text = _MD_REFLINK_RE.sub(r"\1", text)
    text = _MD_REFDEF_RE.sub("", text)
    text = _UNSAFE_URL_RE.sub("", text)
    text = _FENCE_RE.sub("", text)
    text = _RULE_RE.sub("", text)
    text = _HEADING_RE.sub("", text)
    text = _QUOTE_RE.sub("", text)
    text = _LIST_RE.sub("", text)
    for _ in range(2):  # nested emphasis such as ***bold italic***
        text = _EMPHASIS_RE.sub(lambda m: m.group(2) if m.group(2) is not None else m.group(4), text)
    text = _CONTROL_RE.sub("", text)  # again: entities may have decoded to control characters
    lines = [_WS_RE.sub(" ", line).strip() for line in text.splitlines()]
    # Paragraph breaks survive as one blank line; everything else is collapsed.
    out: List[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()


_SENTENCE_END_RE = re.compile(r"(?<=[.!?])\s+")


def trim(text: str, limit: int = 480) -> str:
    """At most ``limit`` characters, cut at a sentence end when one is reasonably close."""
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text[:limit]
    ends = [m.start() for m in _SENTENCE_END_RE.finditer(cut)]
    if ends and ends[-1] >= limit // 2:
        return cut[: ends[-1]].rstrip()
    space = cut.rfind(" ")
    return (cut[:space] if space >= limit // 2 else cut).rstrip(" ,;:") + "…"


def slugify(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "section"
