"""Rasa 3.6 tokenizer: spaCy tokens, with each catalog product name as one placeholder token.

The entity ruler in the spaCy pipeline (built from kb/catalog.json) marks product names; the
tokens inside one are replaced by a single token ``product`` spanning the whole name (its
offsets are the name's, and it is flagged ``masked`` so :class:`MiniLMFeaturizer` embeds the
same masked sentence). Word and char n-gram counts, regex and lexical features then carry what
the shopper asks, not which product (:mod:`lift.nlu.masking`). Entity extraction is unchanged:
SpacyEntityExtractor reads the spaCy doc and the regex and Lift parsers read the text.

    - name: lift.rasa_plugins.catalog_tokenizer.CatalogMaskingTokenizer
"""
from __future__ import annotations

from typing import List, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.spacy_tokenizer import POS_TAG_KEY, SpacyTokenizer
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from lift.nlu.masking import MASKED, PLACEHOLDER, merge_spans

MASKED_LABELS = frozenset({"product"})


def mask_tokens(tokens: List[Token], spans) -> List[Token]:
    """``tokens`` with those inside each span replaced by one placeholder token over the span."""
    spans = merge_spans(spans)
    if not spans:
        return tokens
    out: List[Token] = []
    i = 0
    for start, end in spans:
        while i < len(tokens) and tokens[i].start < start:
            out.append(tokens[i])
            i += 1
        inside = []
        while i < len(tokens) and tokens[i].start < end:
            inside.append(tokens[i])
            i += 1
        if inside:
            pos = (inside[0].data or {}).get(POS_TAG_KEY)
            out.append(Token(PLACEHOLDER, start, end, data={POS_TAG_KEY: pos, MASKED: True}, lemma=PLACEHOLDER))
    out.extend(tokens[i:])
    return out


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class CatalogMaskingTokenizer(SpacyTokenizer):
    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        tokens = super().tokenize(message, attribute)
        doc = self._get_doc(message, attribute)
        if attribute != TEXT or doc is None:
            return tokens
        return mask_tokens(tokens, [(e.start_char, e.end_char) for e in doc.ents if e.label_ in MASKED_LABELS])
