"""Plain-text helpers: the BM25 tokenizer, the sanitiser for knowledge-base text and trimming.

Knowledge-base text is data written by people outside the code path (policy authors, the FAQ
export, catalog descriptions): everything shown to a shopper passes through :func:`sanitize`
so markup, scripts and links never reach a chat client as anything but plain words.
"""
from __future__ import annotations

import html
import re
import unicodedata
from typing import List

# Small closed list: BM25's idf already discounts common words, but these carry no topic at
# all and otherwise dominate short shopper queries ("can i do it").
STOPWORDS = frozenset(
    """a an and are as at be but by can could do does did for from had has have how i i'm if in
    into is it its me my of on or our please so than that the their them then there these they
    this to too us was we were what whats when where which who why will with would you your yours""".split()
)

_TOKEN_RE = re.compile(r"[a-z0-9]+")


def _stem(tok: str) -> str:
    # A deliberately tiny suffix stripper: enough to meet "returns"/"return",
    # "shipping"/"shipped"/"ship" half-way without pulling in a stemming library.
    if len(tok) <= 3 or tok.isdigit():
        return tok
    for suffix, keep in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if tok.endswith(suffix) and len(tok) - len(suffix) >= 3:
            tok = tok[: -len(suffix)] + keep
            break
    # "shipping" -> "shipp" -> "ship"
    if len(tok) >= 4 and tok[-1] == tok[-2] and tok[-1] not in "aeiouls":
        tok = tok[:-1]
    return tok


def tokenize(text: str) -> List[str]:
    """Lower-case word tokens without stopwords, lightly stemmed (BM25 input)."""
    text = unicodedata.normalize("NFKC", text or "").lower().replace("'", "")
    out = []
    for tok in _TOKEN_RE.findall(text):
        if tok in STOPWORDS:
            continue
        tok = _stem(tok)
        if tok not in STOPWORDS:
            out.append(tok)
    return out


_SCRIPT_RE = re.compile(r"<(script|style|iframe|object|embed)\b[^>]*>.*?(</\1\s*>|$)", re.I | re.S)
_COMMENT_RE = re.compile(r"<!--.*?(-->|$)", re.S)
_BLOCK_TAG_RE = re.compile(r"</?(?:br|p|div|li|ul|ol|tr|td|th|table|h[1-6]|blockquote|section|article)\b[^>]*>", re.I)
_TAG_RE = re.compile(r"</?[a-zA-Z][^>]*>|<![^>]*>")
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


def _strip_html(text: str) -> str:
    text = _SCRIPT_RE.sub(" ", text)
    text = _COMMENT_RE.sub(" ", text)
    text = _BLOCK_TAG_RE.sub("\n", text)
    return _TAG_RE.sub("", text)  # inline tags vanish without leaving a gap: "<b>x</b>." -> "x."


def sanitize(text: str) -> str:
    """Knowledge-base text as plain text: no HTML, no scripts, links reduced to their words.

    Entities are decoded only after tags are gone and tags are stripped again afterwards, so
    ``&lt;script&gt;`` cannot turn into live markup on the way through.
    """
    if not text:
        return ""
    text = _strip_html(_AUTOLINK_RE.sub(r"\1", text))
    text = html.unescape(text)
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
    text = _CONTROL_RE.sub("", text)
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
