"""What the form shows at each step: introduction, questions, summary.

Pure rendering of an ``Estado``; the texts come from
``bot/content/formularios.yml``, the button payloads from
``bot.solicitacoes.vocabulario``.
"""

from __future__ import annotations

import re

from bot.faq import respostas
from bot.solicitacoes import vocabulario as v
from bot.solicitacoes.estado import Estado
from bot.solicitacoes.mensagens import Mensagem, entrada, mensagem, nomes_da_linha, texto
from bot.solicitacoes.tipos import TIPOS, UNIDADE_SOLICITANTE, Campo


def introducao(estado: Estado, avisar_lgpd: bool, dias_retencao: int = 90) -> list[Mensagem]:
    """The first messages of a request of a known kind (and the LGPD notice, which
    says how long the notices' addresses are kept)."""
    tipo = estado.definicao
    inicio = texto("introducao", tipo=tipo.no_texto)
    if tipo.varias_linhas:
        inicio += texto("introducao_varias_linhas")
    inicio += texto("introducao_cancelar")
    mensagens = [mensagem(inicio)]
    if avisar_lgpd:
        mensagens.append(mensagem(texto("aviso_lgpd", dias=dias_retencao)))
    return mensagens


def pergunta(estado: Estado) -> list[Mensagem]:
    """The question for the current step, with its buttons."""
    if estado.fase == "tipo":
        botoes = [(t.titulo, t.titulo) for t in TIPOS.values()]
        return [mensagem(texto("pergunta_tipo"), botoes)]
    tipo = estado.definicao
    if estado.fase == "mais":
        return [
            mensagem(
                texto("pergunta_mais", outra=nomes_da_linha(tipo)["outra"]),
                [
                    (texto("botao_mais_sim"), v.RESPOSTA_SIM),
                    (texto("botao_mais_nao"), v.RESPOSTA_NAO),
                ],
            )
        ]
    if estado.fase == "resumo":
        return resumo(estado)
    if estado.fase == "corrigir":
        return [mensagem(texto("pergunta_corrigir"), botoes_correcao(estado))]
    if estado.fase == "avisos":
        return [
            mensagem(
                texto("pergunta_avisos"),
                [
                    (texto("botao_avisos_sim"), v.RESPOSTA_SIM),
                    (texto("botao_avisos_nao"), v.RESPOSTA_NAO),
                ],
            )
        ]
    if estado.fase == "avisos_email":
        return [
            mensagem(texto("pergunta_avisos_email"), [(texto("botao_pular"), v.RESPOSTA_PULAR)])
        ]
    if estado.fase == "desvio":
        return [
            mensagem(
                texto("pergunta_desvio", tipo=tipo.no_texto, texto=estado.desvio or ""),
                [
                    (texto("botao_continuar"), v.RESPOSTA_CONTINUAR),
                    (texto("botao_sair"), v.RESPOSTA_SAIR),
                ],
            )
        ]
    if estado.fase == "cancelar_qual":
        quem = nomes_da_linha(tipo)["quem"]
        return [
            mensagem(
                texto("pergunta_cancelar_qual", quem=quem),
                [
                    (texto("botao_so_esta_linha", quem=quem), v.RESPOSTA_SO_ESTA_LINHA),
                    (texto("botao_tudo"), v.RESPOSTA_TUDO),
                    (texto("botao_continuar"), v.RESPOSTA_CONTINUAR),
                ],
            )
        ]
    if estado.fase == "email_problematico":
        return [
            mensagem(
                texto("pergunta_email_problematico"),
                [(texto("botao_manter_email"), v.RESPOSTA_MANTER_EMAIL)],
            )
        ]
    campo = estado.campo_atual()
    if campo is None:
        return []
    return [pergunta_do_campo(estado, campo)]


def _contexto(estado: Estado, campo: Campo) -> dict[str, str]:
    """The placeholders of a question: who it is about."""
    linha = estado.linha
    if estado.correcao and campo.nome != UNIDADE_SOLICITANTE.nome:
        linha = estado.linha_em(estado.correcao[0])
    nome = linha.get("nome")
    pessoa, varias = len(estado.linhas) + 1, bool(estado.linhas)
    if estado.correcao:  # the row being corrected, numbered only among several
        pessoa, varias = estado.correcao[0] + 1, len(estado.linhas) > 1
    contexto = entrada("contexto_pergunta")
    quem = contexto["quem_seguinte"].format(n=pessoa) if varias else contexto["quem_primeira"]
    if nome:
        de_nome = contexto["de_nome"].format(nome=nome)
        para_nome = contexto["para_nome"].format(nome=nome)
    else:
        de_nome, para_nome = contexto["de_nome_sem_nome"], contexto["para_nome_sem_nome"]
    return {
        "quem": quem,
        "de_nome": de_nome,
        "para_nome": para_nome,
        "nome": nome or contexto["nome_sem_nome"],
    }


def pergunta_do_campo(estado: Estado, campo: Campo) -> Mensagem:
    """The question of one field: the kind's own wording, else the field's."""
    tipo = estado.definicao
    do_tipo = entrada("perguntas_do_tipo").get(tipo.chave) or {}
    modelo = do_tipo.get(campo.nome) or entrada("perguntas")[campo.nome]
    # an empty placeholder leaves a space before the punctuation
    frase = re.sub(r"\s+([?.,])", r"\1", modelo.format(**_contexto(estado, campo)))
    botoes: list[tuple[str, str]] = []
    if campo.opcoes:
        botoes = [(o, o) for o in campo.opcoes]
    elif campo.tipo == "anexo":
        botoes = [(texto("botao_sem_anexo"), v.RESPOSTA_SEM_ANEXO)]
    elif not tipo.obrigatorio(campo):
        botoes = [(texto("botao_pular"), v.RESPOSTA_PULAR)]
    novo = estado.linhas and not estado.correcao and campo.nome != UNIDADE_SOLICITANTE.nome
    if novo and estado.linha == tipo.valores_fixos:  # first question of one more row
        quem = nomes_da_linha(tipo)["quem"]
        botoes = [*botoes, (texto("botao_nao_incluir", quem=quem), v.RESPOSTA_VOLTAR)]
    if estado.correcao:
        frase = texto("prefixo_correcao") + frase
    return mensagem(frase, botoes)


def botoes_correcao(estado: Estado) -> list[tuple[str, str]]:
    """One button per value of the summary (numbered by row if there are several)."""
    varias = len(estado.linhas) > 1
    botoes = []
    for i, campo in estado.campos_corrigiveis():
        rotulo = campo.coluna
        if varias and campo is not UNIDADE_SOLICITANTE:
            rotulo = texto("botao_correcao_linha", coluna=campo.coluna, n=i + 1)
        botoes.append((rotulo, v.resposta_correcao(i + 1, campo.nome)))
    if varias:
        quem = nomes_da_linha(estado.definicao)["rotulo"]
        for n in range(1, len(estado.linhas) + 1):
            botoes.append((texto("botao_remover_linha", rotulo=quem, n=n), v.resposta_remocao(n)))
    botoes.append((texto("botao_voltar_resumo"), v.RESPOSTA_VOLTAR))
    return botoes


def resumo(estado: Estado) -> list[Mensagem]:
    """Everything typed, to confirm, correct or cancel (split for a phone screen)."""
    tipo = estado.definicao
    partes = [texto("resumo", tipo=tipo.no_texto)]
    if tipo.campo_unidade is None:
        partes.append(texto("resumo_unidade", unidade=estado.unidade))
    rotulo = nomes_da_linha(tipo)["rotulo"]
    for i, linha in enumerate(estado.linhas):
        linhas = [texto("resumo_linha", rotulo=rotulo, n=i + 1)] if tipo.varias_linhas else []
        for campo in tipo.campos_da_linha(linha):
            valor = _mostrar(campo, linha.get(campo.nome, ""))
            linhas.append(texto("resumo_campo", coluna=campo.coluna, valor=valor))
        if linha.get("observacoes"):
            linhas.append(texto("resumo_observacoes", observacoes=linha["observacoes"]))
        partes.append("\n".join(linhas))
    textos = respostas.dividir_mensagens("\n\n".join(partes))
    mensagens = [mensagem(t) for t in textos]
    mensagens[-1] = mensagem(
        textos[-1],
        [
            (texto("botao_confirmar"), v.RESPOSTA_CONFIRMAR),
            (texto("botao_corrigir"), v.RESPOSTA_CORRIGIR),
            (texto("botao_cancelar"), v.RESPOSTA_CANCELAR),
        ],
    )
    return mensagens


def _mostrar(campo: Campo, valor: str) -> str:
    if campo.tipo == "anexo":
        return texto("resumo_imagem_recebida") if valor else texto("resumo_imagem_ausente")
    return valor or texto("resumo_nao_informado")
