"""Catalog names are not intent words.

"what goes with the nimbus 14" and "show me the nimbus 14" differ in what is asked, not in the
product; trained on the names, the intent classifier learns that a product name leans towards
whichever intent had more examples naming it. The intent features therefore read every catalog
product name (the entity ruler's ``product`` spans) as one placeholder word. Entities are still
extracted from the original text.
"""
from __future__ import annotations

from typing import Iterable, List, Tuple

PLACEHOLDER = "product"
# Flag in a masked token's data (set by the tokenizer, read by the sentence featurizer).
MASKED = "masked"
Span = Tuple[int, int]


def merge_spans(spans: Iterable[Span]) -> List[Span]:
    """Sorted, non-overlapping (start, end) spans; overlapping or touching ones are merged."""
    out: List[Span] = []
    for start, end in sorted((int(s), int(e)) for s, e in spans if e > s):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def masked_text(text: str, spans: Iterable[Span]) -> str:
    """``text`` with each span replaced by :data:`PLACEHOLDER`."""
    return rewritten_text(text, [(start, end, PLACEHOLDER) for start, end in merge_spans(spans)])


def rewritten_text(text: str, replacements: Iterable[Tuple[int, int, str]]) -> str:
    """``text`` with each (start, end, replacement) applied; overlapping ones after the first and
    spans outside the text are skipped."""
    parts, last = [], 0
    for start, end, new in sorted(replacements):
        if start < last or end > len(text) or start < 0:
            continue
        parts += [text[last:start], new]
        last = end
    parts.append(text[last:])
    return "".join(parts)
