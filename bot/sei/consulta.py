"""Item 19 in the chat: "where is process E:02000.0000003030/2020?".

``consultar_processo`` answers with the process type, its last step (date,
unit sigla, description), the units where it is open and the access link when
SEI returns one: nothing else (no interessados, no observations). A process
the service may not see, or any failure: the "pesquisa pública" answer with
the link from ``config/links.yml``. Not configured: None (the caller keeps
today's answer).
"""

from __future__ import annotations

import logging

from bot.content import texto
from bot.sei.cliente import ClienteSei, ErroSei
from bot.solicitacoes.validacao import validar_processo

logger = logging.getLogger(__name__)


def _nao_consultado(link_pesquisa: str | None) -> str:
    sufixo = f" ({link_pesquisa})" if link_pesquisa and link_pesquisa.startswith("http") else ""
    return texto("sei", "processo_nao_consultado", link=sufixo)


def consultar_processo(
    cliente: ClienteSei | None, numero: str, link_pesquisa: str | None = None
) -> str | None:
    """The chat answer about process ``numero`` (as typed), or None without SEI."""
    if cliente is None:
        return None
    validado = validar_processo(numero)
    if not validado.ok:
        return texto("sei", "processo_numero_invalido", erro=validado.erro)
    try:
        consulta = cliente.consultar_procedimento(str(validado.valor))
    except ErroSei as erro:
        logger.info("SEI lookup of a process refused (%s).", erro.tipo)
        return _nao_consultado(link_pesquisa)
    partes = [texto("sei", "processo_consulta", numero=consulta.numero, tipo=consulta.tipo)]
    ultimo = consulta.ultimo_andamento
    if ultimo is not None:
        partes.append(
            texto(
                "sei",
                "processo_ultimo_andamento",
                data=ultimo.data_hora,
                unidade=ultimo.unidade_sigla,
                descricao=ultimo.descricao.rstrip("."),
            )
        )
    else:
        partes.append(texto("sei", "processo_sem_andamento"))
    if consulta.unidades_abertas:
        unidades = ", ".join(consulta.unidades_abertas)
        partes.append(texto("sei", "processo_unidades_abertas", unidades=unidades))
    else:
        partes.append(texto("sei", "processo_concluido"))
    if consulta.link:
        partes.append(texto("sei", "processo_link", link=consulta.link))
    return "\n".join(partes)


def aviso_processo(numero: str, link: str | None) -> str:
    """The requester's notice once the process exists ("Seu processo no SEI: ...")."""
    return texto("sei", "aviso_processo_sei", numero=numero, link=link or "").strip()
