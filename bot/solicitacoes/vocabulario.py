"""What a requester may answer in a form, and what the form's buttons answer.

Every set holds normalised text (``bot.text.normalize_text``: lowercase, no
accents, abbreviations expanded): the engine compares the normalised answer
with it. The words are input, not output: what the bot says lives in
``bot/content/formularios.yml``.
"""

from __future__ import annotations

import re

CANCELAR = frozenset(
    {
        "cancelar",
        "cancela",
        "cancele",
        "cancelar solicitacao",
        "cancelar pedido",
        "desistir",
        "desisto",
        "parar",
        "pare",
        "sair",
        "/cancelar",
        "cancelar tudo",
    }
)
# An answer starting so cancels too ("cancelar o pedido").
PREFIXO_CANCELAR = "cancelar "

# Answers that skip an optional field: the engine's words and the validator's
# (``bot.solicitacoes.validacao``), one list for both.
PULAR = frozenset(
    {
        "",
        "-",
        "n/a",
        "nada",
        "nao",
        "nao existe",
        "nao ha",
        "nao possui",
        "nao se aplica",
        "nao sei",
        "nao tem",
        "nao tenho",
        "nenhum",
        "nenhuma",
        "pula",
        "pular",
        "pule",
        "sem",
        "sem numero",
    }
)

# "I cannot attach the screenshot"; also any answer with "nao" and "anex...".
SEM_ANEXO = frozenset(
    {
        "nao consigo anexar",
        "nao consigo",
        "sem imagem",
        "nao tenho imagem",
        "nao tenho print",
        "nao da para anexar",
        "nao consigo enviar",
        "sem captura",
        "sem print",
        "nao tenho a imagem",
        "nao tenho captura",
    }
)

SIM = frozenset(
    {
        "sim",
        "s",
        "claro",
        "quero",
        "isso",
        "pode",
        "ok",
        "incluir",
        "incluir mais",
        "mais um",
        "mais uma",
        "sim incluir",
        "sim quero",
        "tem sim",
        "positivo",
        "aham",
    }
)
NAO = frozenset(
    {
        "nao",
        "n",
        "nao quero",
        "so isso",
        "e so isso",
        "apenas isso",
        "nao obrigado",
        "nao obrigada",
        "terminar",
        "finalizar",
        "nao tem",
        "mais ninguem",
        "nenhum",
        "nenhuma",
        "negativo",
        "pronto",
    }
)

CONFIRMAR = frozenset(
    {
        "confirmar",
        "confirmo",
        "confirma",
        "pode enviar",
        "enviar",
        "correto",
        "tudo certo",
        "esta certo",
        "sim confirmar",
        "sim confirmo",
        "sim pode enviar",
        "confirmado",
        "confirmar envio",
        "pode confirmar",
        "certo",
        "tentar de novo",
        "tentar novamente",
    }
)
CORRIGIR = frozenset(
    {
        "corrigir",
        "corrigir um campo",
        "corrigir campo",
        "alterar",
        "editar",
        "errado",
        "esta errado",
        "quero corrigir",
        "corrige",
        "mudar um campo",
    }
)
# A bare yes at the summary files nothing: the summary is no yes/no question
# and "sim" is also what earlier buttons ("Sim, incluir") send back.
SIM_NO_RESUMO = frozenset({"sim", "s", "ok", "isso", "sim sim", "aham", "positivo"})

# A yes to "Você quis dizer…?": take the suggestion.
SIM_A_SUGESTAO = frozenset(
    {
        "sim",
        "s",
        "isso",
        "isso mesmo",
        "sim isso",
        "sim isso mesmo",
        "ok",
        "aham",
        "positivo",
        "exato",
        "correto",
        "certo",
        "essa",
        "esse",
        "sim essa",
        "sim esse",
        "pode ser",
        "quis",
        "sim quis",
    }
)

# An answer starting so asks for a correction too.
PREFIXO_CORRIGIR = "corrigir"

MANTER_EMAIL = frozenset(
    {
        "manter este e-mail",
        "manter este e mail",
        "manter este email",
        "manter",
        "manter email",
        "manter e-mail",
        "nao tem outro",
        "nao tem outro e-mail",
        "nao tem outro email",
        "usar este",
        "usar mesmo assim",
        "sim manter",
        "pode manter",
        "confirmo",
    }
)
# An answer starting so keeps the e-mail too.
PREFIXO_MANTER = "manter"

# A message starting so (or with a "?") looks like a question, maybe an FAQ.
PALAVRAS_DE_PERGUNTA = (
    "como",
    "qual",
    "quais",
    "quanto",
    "quando",
    "onde",
    "quem",
    "o que",
    "porque",
    "posso",
    "pode",
    "tem como",
    "existe",
)

# What a tap on each button sends back (its payload), each one understood above.
RESPOSTA_SIM = "sim"
RESPOSTA_NAO = "não"
RESPOSTA_CANCELAR = "cancelar"
RESPOSTA_CONFIRMAR = "confirmar"
RESPOSTA_CORRIGIR = "corrigir"
RESPOSTA_PULAR = "pular"
RESPOSTA_SEM_ANEXO = "não consigo anexar"
RESPOSTA_MANTER_EMAIL = "manter este e-mail"


def resposta_correcao(linha: int, campo: str) -> str:
    """What the button that corrects ``campo`` of row ``linha`` (from 1) sends back."""
    return f"corrigir {linha} {campo}"


# A correction button's answer, once normalised: row (from 1) and field name.
CORRECAO = re.compile(r"^corrigir (\d+) ([a-z_]+)$")


def sem_pontuacao(curto: str) -> str:
    """The normalised words of an answer, punctuation dropped ("oi , bom dia !" -> "oi bom dia")."""
    return " ".join(re.sub(r"[^\w\s]", " ", curto).split())


# A cancelling sentence, in any field ("quero cancelar", "não quero mais isso").
_FIM_DE_FRASE = r"(?: (?:isso|isto|tudo|mais|nada|agora|por enquanto|obrigad[oa]|"
_FIM_DE_FRASE += r"a solicitacao|essa solicitacao|esta solicitacao|o pedido|esse pedido|"
_FIM_DE_FRASE += r"o formulario|esse formulario|o cadastro|esse cadastro))*$"
FRASE_CANCELAR = re.compile(
    r"^(?:(?:eu )?(?:quero|queria|vou|prefiro|posso|gostaria de|pode) (?:cancelar|desistir|parar)"
    r"|nao quero (?:mais|continuar|seguir)|desisto|deixa pra la|deixa para la|esquece)"
    + _FIM_DE_FRASE
)

# A greeting on its own: the servant is back, not answering the question.
SAUDACAO = re.compile(
    r"^(?:oi+e?|ola|opa|hey|hello|bom dia|boa tarde|boa noite|e ai|tudo bem|tudo bom)"
    r"(?: (?:oi|ola|bom dia|boa tarde|boa noite|tudo bem|tudo bom|pessoal|assistente|bot))*$"
)

# Words that make an answer a request or a question, never a name.
PALAVRAS_DE_PEDIDO = frozenset(
    {
        "quero",
        "queria",
        "preciso",
        "precisava",
        "gostaria",
        "poderia",
        "como",
        "solicitar",
        "solicito",
        "cadastrar",
        "favor",
        "ajuda",
        "duvida",
        "porque",
        "onde",
        "qual",
    }
)

# While adding one more row: "I do not want to add anyone after all".
VOLTAR = frozenset(
    {
        "voltar",
        "volta",
        "volte",
        "era engano",
        "foi engano",
        "engano",
        "nao incluir",
        "nao quero incluir",
        "nao vou incluir",
        "nao incluir ninguem",
        "nao incluir mais ninguem",
        "ninguem",
        "desistir dessa pessoa",
        "desistir desta pessoa",
        "nao incluir esta pessoa",
        "sem mais ninguem",
    }
)
# At the "what to correct" question: nothing after all, back to the summary.
NADA_A_CORRIGIR = frozenset(
    {
        "voltar",
        "volta",
        "nenhum",
        "nenhuma",
        "nada",
        "nao",
        "esta certo",
        "tudo certo",
        "confirmar",
        "confirmo",
        "voltar ao resumo",
        "nao quero corrigir",
        "deixa",
    }
)
# "Cancel only the person being added, or the whole request?"
SO_ESTA_LINHA = frozenset(
    {
        "so esta pessoa",
        "so essa pessoa",
        "so esta unidade",
        "so essa unidade",
        "so esta",
        "so essa",
        "esta pessoa",
        "so a pessoa",
    }
)
TUDO = frozenset({"a solicitacao inteira", "tudo", "toda a solicitacao", "solicitacao inteira"})

RESPOSTA_VOLTAR = "voltar"
RESPOSTA_CONTINUAR = "continuar"
RESPOSTA_SAIR = "sair"
RESPOSTA_SO_ESTA_LINHA = "só esta pessoa"
RESPOSTA_TUDO = "a solicitação inteira"
CONTINUAR = frozenset({"continuar", "continua", "seguir", "continuar preenchendo", "sim", "s"})


def resposta_remocao(linha: int) -> str:
    """What the button that removes row ``linha`` (from 1) sends back."""
    return f"remover {linha}"


# A row-removal answer, once normalised: "remover 2", "remover pessoa 2", "tirar a pessoa 2".
REMOCAO = re.compile(r"^(?:remover|tirar|excluir|apagar)(?: a)?(?: (?:pessoa|linha|item))? (\d+)$")

# A status question that asks to cancel the request ("quero cancelar o protocolo NTS-…").
PEDE_CANCELAMENTO = re.compile(r"\b(?:cancel\w*|desist\w*|anul\w*)\b")
