from bot.faq.sugestoes import falha_repetida, sugerir_topicos

FAQ = ["faq_esqueci_senha", "faq_mudar_senha", "faq_primeiro_acesso", "faq_contato_nts"]


def test_suggestions_are_the_likeliest_faq_topics_best_first():
    ranking = [
        {"name": "nlu_fallback", "confidence": 0.45},
        {"name": "faq_mudar_senha", "confidence": 0.30},
        {"name": "greet", "confidence": 0.25},
        {"name": "faq_esqueci_senha", "confidence": 0.35},
        {"name": "faq_primeiro_acesso", "confidence": 0.10},
        {"name": "faq_contato_nts", "confidence": 0.07},
    ]
    assert sugerir_topicos(ranking, FAQ) == [
        "faq_esqueci_senha",
        "faq_mudar_senha",
        "faq_primeiro_acesso",
    ]


def test_at_least_two_suggestions_even_when_scores_are_tiny():
    ranking = [
        {"name": "faq_mudar_senha", "confidence": 0.02},
        {"name": "faq_esqueci_senha", "confidence": 0.01},
    ]
    assert sugerir_topicos(ranking, FAQ) == ["faq_mudar_senha", "faq_esqueci_senha"]


def test_no_ranking_no_suggestions():
    assert sugerir_topicos([], FAQ) == []


def test_repeated_miss_needs_two_misses_in_a_row():
    assert not falha_repetida(["nlu_fallback"])
    assert not falha_repetida(["nlu_fallback", "greet", "nlu_fallback"])
    assert falha_repetida(["greet", "nlu_fallback", "nlu_fallback"])
    assert falha_repetida(["out_of_scope", "nlu_fallback"])
    assert not falha_repetida(["nlu_fallback", "faq_esqueci_senha"])
