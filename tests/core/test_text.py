from bot.text import fold, normalize_text, normalize_token, strip_accents


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
