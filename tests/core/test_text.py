import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.text import (
    clean_text,
    fold,
    normalize_text,
    normalize_token,
    one_line,
    quoted,
    strip_accents,
)


def test_strip_accents_keeps_length_and_base_letters():
    assert strip_accents("lotação, número, você, àéîõü") == "lotacao, numero, voce, aeiou"
    for word in ["ação", "Ñandú", "İstanbul", "ﬁm", "çÇ"]:
        assert len(strip_accents(word)) == len(word)


def test_fold_is_case_and_accent_insensitive():
    assert fold("SENHA Esquecida") == fold("senha esquecida") == "senha esquecida"
    assert fold("Você") == fold("voce") == fold("VOCÊ")


def test_fold_preserves_length_even_when_lower_would_not():
    # "İ".lower() has two code points; fold must never shift offsets
    assert len(fold("İa")) == 2


def test_abbreviations_expand():
    assert normalize_token("vc") == "voce"
    assert normalize_token("VC") == "voce"
    assert normalize_token("pq") == "porque"
    assert normalize_token("q") == "que"
    assert normalize_token("tb") == "tambem"
    assert normalize_token("sei") == "sei"


def test_normalize_text_separates_punctuation_and_collapses_spaces():
    assert normalize_text("  Vc   sabe pq a SENHA não funciona?") == (
        "voce sabe porque a senha nao funciona ?"
    )
    assert normalize_text("") == ""
    assert normalize_text(None) == ""


def test_informal_and_formal_spellings_meet():
    formal = normalize_text("Você também não sabe por que não lembro a senha?")
    informal = normalize_text("vc tb nao sabe pq nao lembro a senha?")
    assert formal.replace("por que", "porque") == informal


def test_clean_text_removes_controls_keeps_newlines():
    sujo = "a\x00b\x07c\x1b[31md\x7f\x85e\u202eé\u200bf\ufeffg\r\nh\ri\tj\u00a0k\ud800l\uffffm"
    assert clean_text(sujo) == "abc[31md\neéfg\nh\ni j klm"
    assert clean_text(None) == ""
    assert clean_text(b"caf\xc3\xa9\x00") == "café"
    assert clean_text("👨\u200d👩\u200d👧") == "👨\u200d👩\u200d👧"  # emoji joiners kept
    assert clean_text("Mari\u0301a") == "María"  # NFC


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_clean_text_leaves_only_printable_or_newline(texto):
    limpo = clean_text(texto)
    assert all(
        c == "\n"
        or c.isprintable()
        or c in "\u200c\u200d"
        or unicodedata.category(c) in ("Cn", "Co")
        for c in limpo
    )
    assert clean_text(limpo) == limpo  # idempotent


def test_clean_text_survives_a_hostile_str():
    class Hostil:
        def __str__(self):
            raise RuntimeError("boom")

    assert clean_text(Hostil()) == ""
    assert clean_text(42) == "42"


def test_one_line_and_quoted_echo():
    assert one_line("  a\n\tb\x00  c ") == "a b c"
    assert quoted("GETIN") == "“GETIN”"
    assert quoted("x" * 50, 10) == "“" + "x" * 9 + "…”"
    assert quoted("\u202e" + "x" * 10, 10) == "“xxxxxxxxxx”"  # cleaned before measuring
