"""Planilhas in the conversation, without Rasa: blank ones, checks and filing.

``modelo`` writes the blank planilha of a kind into the planilhas folder
and returns the message that offers it; ``conferir`` reads an upload
(``recebidas``), checks it (``leitura``, ``conferencia``), writes the
planilha with its "Erros" column and returns the report (``relatorio``)
with what must wait for the requester's choice (``pendente``, a JSON
mapping for a slot); ``decidir`` files the correct rows as one request per
kind through ``Servicos.registrar`` (the guided form's own path, so
protocol, stored planilha and notifications are the same), or drops them.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.solicitacoes import conferencia, leitura, planilhas, relatorio
from bot.solicitacoes.cota import LimiteDiario
from bot.solicitacoes.estado import Estado
from bot.solicitacoes.leitura import PlanilhaRecusada, texto
from bot.solicitacoes.mensagens import Mensagem, mensagem, mensagens_de_protocolo, nomes_da_linha
from bot.solicitacoes.mensagens import texto as texto_formulario
from bot.solicitacoes.nomes_planilhas import enviavel, nome_conferida, nome_modelo
from bot.solicitacoes.recebidas import PlanilhaRecebidaStore
from bot.solicitacoes.tipos import TIPOS

if TYPE_CHECKING:
    from bot.solicitacoes.servicos import Servicos

logger = logging.getLogger(__name__)

TIPOS_COM_PLANILHA = frozenset(k for k, t in TIPOS.items() if t.planilha)


@dataclass
class Resultado:
    """Messages to show and what waits for the requester (None: nothing)."""

    mensagens: list[Mensagem]
    pendente: dict[str, Any] | None = None


def titulo_botao_modelo() -> str:
    """Title of the "Baixar planilha em branco" button."""
    return texto("botao_modelo")


def recebidas(servicos: Servicos) -> PlanilhaRecebidaStore:
    """The uploads' store (next to the screenshots)."""
    return PlanilhaRecebidaStore.junto_dos_anexos(servicos.settings.anexos_dir)


# ---------------------------------------------------------------- blank


def pergunta_modelo(payload: Callable[[str], str]) -> list[Mensagem]:
    """Which blank planilha: one button per kind with a planilha."""
    botoes = [(TIPOS[k].titulo, payload(k)) for k in TIPOS if k in TIPOS_COM_PLANILHA]
    return [mensagem(texto("modelo_qual"), botoes)]


def modelo(servicos: Servicos, tipo_chave: str) -> list[Mensagem]:
    """Write the blank planilha of ``tipo_chave``; the message that sends it."""
    tipo = TIPOS[tipo_chave]
    nome = nome_modelo(tipo)
    try:
        servicos.settings.planilhas_dir.mkdir(parents=True, exist_ok=True)
        planilhas.gerar_modelo(tipo, servicos.settings.planilhas_dir / nome, servicos.listas())
    except Exception:
        logger.exception("falha ao gerar a planilha em branco (%s)", tipo_chave)
        return [mensagem(texto("modelo_falha"))]
    quem = nomes_da_linha(tipo)["quem"]
    rotulo = texto("rotulo_modelo", planilha=tipo.planilha)
    return [
        mensagem(
            texto("modelo_pronto", planilha=tipo.planilha, quem=quem),
            custom={"tipo": "planilha", "arquivo": nome, "rotulo": rotulo},
        )
    ]


# ---------------------------------------------------------------- check


def _em_aberto(servicos: Servicos) -> dict[tuple[str, str, str], tuple[str, str]]:
    abertas = []
    for status in conferencia.STATUS_EM_ABERTO:
        abertas += servicos.store.listar(status=status)
    return conferencia.valores_em_aberto(abertas)


def _conferida(servicos: Servicos, conf: conferencia.Conferencia) -> str | None:
    """Write the planilha with its Erros column when there is any problem; its name."""
    if not conf.problemas:
        return None
    nome = nome_conferida()
    linhas = [(ln.bruta, [(p.campo, p.texto) for p in ln.problemas]) for ln in conf.linhas]
    servicos.settings.planilhas_dir.mkdir(parents=True, exist_ok=True)
    destino = servicos.settings.planilhas_dir / nome
    planilhas.gerar_conferida(conf.tipo, linhas, destino, servicos.listas())
    return nome


def esquecer(servicos: Servicos, pendente: Mapping[str, Any] | None) -> None:
    """Delete what a check left behind: the upload and the planilha with its errors."""
    if not pendente:
        return
    recebidas(servicos).remover(pendente.get("ref"))
    arquivo = pendente.get("arquivo")
    if isinstance(arquivo, str) and enviavel(arquivo) and arquivo.startswith("Conferida-"):
        (servicos.settings.planilhas_dir / arquivo).unlink(missing_ok=True)


def conferir(
    servicos: Servicos,
    ref: object,
    conversa: str,
    payloads: Mapping[str, str],
    anterior: Mapping[str, Any] | None = None,
) -> Resultado:
    """Check the upload ``ref`` of ``conversa``; the report and the rows waiting.

    ``anterior`` is what an earlier check left waiting: replaced by this one.
    """
    store = recebidas(servicos)
    dados = store.ler(ref, conversa)
    continua = dict(anterior) if anterior else None  # a refused file changes nothing waiting
    if dados is None:
        return Resultado([mensagem(texto("sem_arquivo"))], continua)
    try:
        tabela = leitura.ler_planilha(dados)
        conf = conferencia.conferir(
            tabela, servicos.catalogos, em_aberto=_em_aberto(servicos), contato=conversa
        )
    except (PlanilhaRecusada, conferencia.PlanilhaNaoReconhecida) as erro:
        store.remover(ref)
        logger.info("planilha recusada (%s)", getattr(erro, "codigo", "cabecalho"))
        return Resultado([mensagem(str(erro))], continua)
    if anterior and anterior.get("ref") != ref:
        esquecer(servicos, anterior)
    arquivo = _conferida(servicos, conf)
    logger.info(
        "planilha conferida: %s, %d corretas, %d com erro",
        conf.tipo.chave,
        len(conf.corretas),
        len(conf.com_erro),
    )
    pendente = {"id": uuid.uuid4().hex, "ref": ref, "grupos": conf.grupos(), "arquivo": arquivo}
    return Resultado(relatorio.mensagens(conf, arquivo, payloads), pendente)


# ---------------------------------------------------------------- decision


def _registrar(
    servicos: Servicos, pendente: Mapping[str, Any], canal: str, contato: str
) -> list[Mensagem]:
    grupos: Mapping[str, list[dict[str, str]]] = pendente.get("grupos") or {}
    saida: list[Mensagem] = []
    for tipo_chave, linhas in grupos.items():
        tipo = TIPOS[tipo_chave]
        estado = Estado(
            tipo=tipo_chave,
            id=f"{pendente['id']}-{tipo_chave}",
            fase="resumo",
            unidade=conferencia.unidade_provavel(tipo, linhas),
            linhas=[dict(linha) for linha in linhas],
        )
        try:
            solicitacao = servicos.registrar(estado, canal, contato)
        except LimiteDiario as erro:  # today's cap: the rest is not filed
            saida.append(mensagem(texto_formulario("limite_diario", limite=erro.limite)))
            break
        saida += mensagens_de_protocolo(solicitacao, sei=servicos.arquiva_no_sei)
    if len(grupos) > 1:
        saida.insert(0, mensagem(texto("varias_solicitacoes")))
    return saida


def decidir(
    servicos: Servicos,
    pendente: Mapping[str, Any] | None,
    decisao: str,
    canal: str,
    contato: str,
) -> Resultado:
    """The requester's choice after a check: registrar, corrigir or cancelar."""
    if decisao == "cancelar":
        esquecer(servicos, pendente)
        return Resultado([mensagem(texto("cancelada"))])
    if decisao == "corrigir":
        return Resultado([mensagem(texto("vou_aguardar"))], dict(pendente) if pendente else None)
    if not pendente or not pendente.get("grupos"):
        return Resultado([mensagem(texto("nada_conferido"))])
    try:
        mensagens = _registrar(servicos, pendente, canal, contato)
    except Exception:
        logger.exception("falha ao registrar as linhas da planilha")
        return Resultado([mensagem(texto("falha_registro"))], dict(pendente))
    esquecer(servicos, pendente)
    return Resultado(mensagens)
