"""What the requester is told about a checked planilha.

The summary ("18 linhas corretas, 2 com erro"), the first
``MAXIMO_PROBLEMAS`` problems ("Linha 4 · CPF: ..."), then "e mais N: veja
a planilha", in messages of at most ``LIMITE_MENSAGEM`` characters (within
Telegram's 4,096), the checked planilha to download and the choice:
file the correct rows, send a corrected file, cancel. No Rasa here.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot import content
from bot.solicitacoes.conferencia import Conferencia
from bot.solicitacoes.leitura import texto
from bot.solicitacoes.mensagens import Mensagem, mensagem

MAXIMO_PROBLEMAS = 10
LIMITE_MENSAGEM = 3500


def _plural(chave: str, n: int) -> str:
    formas: dict[str, str] = _entrada(chave)
    return formas["um"] if n == 1 else formas["varios"].format(n=n)


def _entrada(chave: str) -> dict[str, str]:
    return dict(content.entrada("planilhas", chave))


def resumo(conf: Conferencia) -> str:
    """ "Conferi a planilha "Cadastro de Usuários": 18 linhas corretas, 2 com erro."."""
    corretas = _plural("linhas_corretas", len(conf.corretas))
    if not conf.com_erro:
        return texto("resumo_tudo_certo", planilha=conf.tipo.planilha, corretas=corretas)
    com_erro = _plural("linhas_com_erro", len(conf.com_erro))
    return texto("resumo", planilha=conf.tipo.planilha, corretas=corretas, com_erro=com_erro)


def em_partes(linhas: list[str], limite: int = LIMITE_MENSAGEM) -> list[str]:
    """Lines joined into messages of at most ``limite`` characters (a longer line is cut)."""
    partes: list[str] = []
    atual = ""
    for bruta in linhas:
        linha = bruta if len(bruta) <= limite else bruta[: limite - 1] + "…"
        if atual and len(atual) + 1 + len(linha) > limite:
            partes.append(atual)
            atual = linha
        else:
            atual = f"{atual}\n{linha}" if atual else linha
    if atual:
        partes.append(atual)
    return partes


def textos_dos_problemas(conf: Conferencia) -> list[str]:
    """The first problems, one a line, then "e mais N", split into messages."""
    problemas = conf.problemas
    linhas = [p.texto for p in problemas[:MAXIMO_PROBLEMAS]]
    restantes = len(problemas) - MAXIMO_PROBLEMAS
    if restantes > 0:
        linhas.append(texto("e_mais", n=restantes))
    return em_partes(linhas)


def mensagens(
    conf: Conferencia, arquivo_conferida: str | None, payloads: Mapping[str, str]
) -> list[Mensagem]:
    """Every message about ``conf``; ``payloads`` of the registrar/corrigir/cancelar buttons."""
    saida = [mensagem(resumo(conf))]
    saida += [mensagem(t) for t in textos_dos_problemas(conf)]
    if arquivo_conferida:
        rotulo = texto("rotulo_conferida", planilha=conf.tipo.planilha)
        saida.append(
            mensagem(
                texto("anexa_corrigida"),
                custom={"tipo": "planilha", "arquivo": arquivo_conferida, "rotulo": rotulo},
            )
        )
    n = len(conf.corretas)
    botoes: list[tuple[str, str]] = []
    if n:
        botoes.append((_plural("botao_registrar", n), payloads["registrar"]))
    if conf.com_erro:
        botoes.append((texto("botao_corrigir"), payloads["corrigir"]))
    botoes.append((texto("botao_cancelar"), payloads["cancelar"]))
    pergunta = texto("escolha") if n else texto("escolha_sem_corretas")
    saida.append(mensagem(pergunta, botoes))
    return saida
