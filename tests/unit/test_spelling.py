"""lift.nlu.spelling and lift.rasa_plugins.spelling: misspelt words read as the training words
they were meant to be, for the intent features only."""
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from lift.nlu.masking import MASKED, rewritten_text
from lift.nlu.spelling import SPELLED, Speller, english_words
from lift.rasa_plugins.minilm_featurizer import _text_to_embed
from lift.rasa_plugins.spelling import SpellingNormaliser, corrected_tokens

COUNTS = {"track": 40, "trace": 3, "order": 90, "payment": 30, "methods": 12, "to": 300, "somebody": 9,
          "speak": 20, "ship": 25, "deliveries": 4, "account": 50, "need": 60, "help": 80, "hello": 30,
          "rebate": 2, "once": 1}


def _speller():
    return Speller(COUNTS, english_words())


def test_words_that_are_no_english_word_get_the_training_word_meant():
    speller = _speller()
    assert speller.correct("teack") == "track"  # one edit from track, two from trace
    assert speller.correct("pament") == "payment"
    assert speller.correct("shiup") == "ship"
    assert speller.correct("acount") == "account"
    assert speller.correct("delikveries") == "deliveries"  # two edits: long words only
    assert speller.correct("erbate") == "rebate"  # a swap of two letters is one edit
    assert speller.correct("ello") == "hello"
    assert speller.correct("tosomebody") == "to somebody"
    assert speller.correct_text("how do i list the Pament methods, I want to teack order") == \
        "how do i list the payment methods, I want to track order"


def test_real_words_short_words_and_far_words_are_kept():
    speller = _speller()
    for word in ("sitting", "stars", "debited", "reorder", "freezes", "amending", "track", "pls", "thx"):
        assert speller.correct(word) is None, word
    assert speller.correct("xqzvw") is None  # nothing within one edit
    assert speller.correct("onse") is None  # "once" was seen once: it may be a typo itself
    assert speller.correct("deliveriesxyz") is None  # three edits
    assert speller.correct("lft100003") is None  # not letters only


def test_english_words_come_from_the_installed_packages():
    words = english_words()
    assert {"debited", "reorder", "sitting", "the"} <= words
    assert "teack" not in words and "pament" not in words
    assert english_words() is words  # read once per process


def _tokens(text):
    message = Message(data={TEXT: text})
    WhitespaceTokenizer(WhitespaceTokenizer.get_default_config()).process([message])
    return message


def test_tokens_are_corrected_and_the_sentence_encoder_reads_the_same_words():
    message = _tokens("I want to teack order pls")
    message.set(TOKENS_NAMES[TEXT], corrected_tokens(message.get(TOKENS_NAMES[TEXT]), _speller()))
    tokens = message.get(TOKENS_NAMES[TEXT])
    assert [t.text for t in tokens] == ["I", "want", "to", "track", "order", "pls"]
    assert tokens[3].lemma == "track" and tokens[3].data[SPELLED] == [15, "track"]
    assert _text_to_embed(message) == "I want to track order pls"
    assert message.get(TEXT) == "I want to teack order pls"  # rules and entities read the original


def test_a_run_together_word_becomes_two_tokens_and_masked_tokens_are_kept():
    message = _tokens("how to speak tosomebody about nimbuss")
    tokens = message.get(TOKENS_NAMES[TEXT])
    tokens[-1] = Token("product", tokens[-1].start, tokens[-1].end, data={MASKED: True}, lemma="product")
    fixed = corrected_tokens(tokens, _speller())
    assert [t.text for t in fixed] == ["how", "to", "speak", "to", "somebody", "about", "product"]
    assert (fixed[3].start, fixed[3].end, fixed[4].start, fixed[4].end) == (13, 15, 15, 23)
    message.set(TOKENS_NAMES[TEXT], fixed)
    assert _text_to_embed(message) == "how to speak to somebody about product"


def test_rewritten_text_skips_overlaps_and_spans_outside():
    assert rewritten_text("abc def", [(4, 7, "x"), (0, 3, "y"), (1, 2, "z"), (5, 99, "w")]) == "y x"


def test_component_learns_the_vocabulary_stores_it_and_corrects_parsed_messages(tmp_path):
    storage = LocalModelStorage(tmp_path)
    resource = Resource("spelling")
    context = ExecutionContext(None, node_name="train_spelling")
    examples = [Message(data={TEXT: t, INTENT: i}) for t, i in
                [("track my order", "track_order"), ("track order please", "track_order"),
                 ("what payment methods", "check_payment_methods"), ("payment options", "check_payment_methods")]]
    trainer = SpellingNormaliser.create({}, storage, resource, context)
    trainer.train(TrainingData(examples))
    training = TrainingData([_tokens("teack my order")])
    assert trainer.process_training_data(training) is training
    assert training.training_examples[0].get(TOKENS_NAMES[TEXT])[0].text == "teack"  # training keeps its spelling

    loaded = SpellingNormaliser.load({}, storage, resource, context)
    parsed = [_tokens("teack my order"), _tokens("pament options")]
    loaded.process(parsed)
    assert [t.text for t in parsed[0].get(TOKENS_NAMES[TEXT])] == ["track", "my", "order"]
    assert [t.text for t in parsed[1].get(TOKENS_NAMES[TEXT])] == ["payment", "options"]

    long = _tokens("teack " * 101)  # past MAX_TOKENS: left as typed
    loaded.process([long])
    assert long.get(TOKENS_NAMES[TEXT])[0].text == "teack"

    untrained = SpellingNormaliser.load({}, LocalModelStorage(tmp_path / "empty"), Resource("none"), context)
    message = _tokens("teack my order")
    untrained.process([message])
    assert message.get(TOKENS_NAMES[TEXT])[0].text == "teack"
