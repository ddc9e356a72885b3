"""A tiny training set and the Rasa plumbing the component tests share."""

from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer

from bot.rasa.components import TokenNormalizer

# two FAQ topics and out-of-scope, four examples each
EXEMPLOS = [
    ("esqueci minha senha", "faq_esqueci_senha"),
    ("nao lembro a senha do sei", "faq_esqueci_senha"),
    ("perdi a senha", "faq_esqueci_senha"),
    ("esqueci a senha de acesso", "faq_esqueci_senha"),
    ("preciso trocar de setor", "faq_lotacao"),
    ("mudar de setor no sei", "faq_lotacao"),
    ("adicionar lotacao", "faq_lotacao"),
    ("quero mudar minha lotacao de setor", "faq_lotacao"),
    ("qual a previsao do tempo", "out_of_scope"),
    ("conta uma piada", "out_of_scope"),
    ("quem ganhou o jogo", "out_of_scope"),
    ("receita de bolo", "out_of_scope"),
]


def contexto(nome):
    """An execution context for a component node called ``nome``."""
    return ExecutionContext(GraphSchema({}), node_name=nome)


def tokens(mensagens):
    """``mensagens`` tokenised on whitespace and normalised, as the pipeline does."""
    WhitespaceTokenizer(WhitespaceTokenizer.get_default_config()).process(mensagens)
    TokenNormalizer().process(mensagens)
    return mensagens
