"""Knowledge-base text through bleach: scripts and attributes gone, plain text untouched."""
import pytest

from lift.retrieval.text import sanitize


@pytest.mark.parametrize("text, expected", [
    ('<a href="javascript:alert(1)" onclick="steal()">our returns page</a>', "our returns page"),
    ('<img src=x onerror="alert(1)">Free shipping', "Free shipping"),
    ('<p style="color:red" class="x">Refunds take <b title="t">5 days</b>.</p>', "Refunds take 5 days."),
    ("<style>p { display:none }</style>Visible", "Visible"),
    ("<iframe src='https://evil.example'>fallback words</iframe>after", "after"),
    ("<script>var a = '<b>'</script>kept<script>unterminated", "kept"),
    ("<svg><script>alert(1)</script></svg>ok", "ok"),
    ("&lt;img src=x onerror=alert(1)&gt;text", "text"),
    ("line one<br>line two<BR/>line three", "line one\nline two\nline three"),
    ("<!-- hidden --><div>shown</div>", "shown"),
])
def test_markup_is_reduced_to_its_words(text, expected):
    out = sanitize(text)
    assert out == expected
    for bad in ("<", "onerror", "onclick", "style=", "alert(", "javascript:"):
        assert bad not in out


@pytest.mark.parametrize("text", [
    "Orders over $50 ship free; returns within 30 days.",
    "Sizes: S < M < L, and 5 > 3 & 2 < 4.",
    "Email support@lift.example or call +1 555 0100 (Mon-Fri).",
    "A \"quoted\" word, an apostrophe's use, 100% cotton.",
])
def test_plain_text_passes_unchanged(text):
    assert sanitize(text) == text
