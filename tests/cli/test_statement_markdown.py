"""statement --format md shows user text as typed: a name written as a
link, an image or HTML is escaped, never a live link in the email the
statement is pasted into."""

from __future__ import annotations


from hypothesis import given, settings
from hypothesis import strategies as st

from sessionpack.cli.statement_output import _md_cell, _md_line


def test_a_statement_in_markdown_shows_links_images_and_html_as_typed(practice) -> None:  # type: ignore[no-untyped-def]
    for args in (
        ("service", "add", "m", "--name", "Massage <img src=x onerror=alert(1)>", "--duration", "60", "--price", "50"),
        ("package", "create", "p5", "--name", "[Click to renew](http://evil.example/pay)", "--service", "m=5", "--price", "200"),
        ("client", "add", "eve", "--name", "Eve ![](http://tracker.example/pixel.png)"),
        ("sell", "eve", "p5"),
        ("book", "eve", "m", "2026-11-23T10:00"),
    ):
        assert practice(*args).exit_code == 0, args
    done = practice("statement", "eve", "--format", "md")
    assert done.exit_code == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "# Statement for Eve \\!\\[\\](http://tracker.example/pixel.png) (eve)"
    assert "## \\[Click to renew\\](http://evil.example/pay) (eve.p1)" in lines
    row = next(line for line in lines if "session 1 of 5" in line)
    assert "Massage \\<img src=x onerror=alert(1)\\> 10:00, booked" in row


def test_lines_of_their_own_do_not_start_headings_or_lists() -> None:
    assert _md_line("# Studio") == "\\# Studio"
    assert _md_line("- Studio") == "\\- Studio"
    assert _md_line("1. Studio") == "1\\. Studio"
    assert _md_line("Studio 1. Lisbon") == "Studio 1. Lisbon"
    assert _md_cell("Massage & Physio") == "Massage & Physio"
    assert _md_cell("a &amp; b") == "a \\&amp; b"
    assert _md_cell("-massage 1") == "-massage 1"  # (inside a table cell a dash starts nothing)


_ESCAPED = set("\\`*_[]<>|~!")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("\\`*_[]<>|~!&#+-=.()1a ;")), max_size=30))
def test_every_special_character_is_escaped_and_unescaping_gives_the_text_back(text: str) -> None:
    out = _md_line(text)
    # Taking back each backslash escape (CommonMark's rule for ASCII punctuation) gives the text as typed.
    plain, i = [], 0
    while i < len(out):
        if out[i] == "\\" and i + 1 < len(out):
            plain.append(out[i + 1])
            i += 2
        else:
            assert out[i] not in _ESCAPED, (text, out)
            plain.append(out[i])
            i += 1
    assert "".join(plain) == text
