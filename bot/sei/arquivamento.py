"""Filing a request into SEI (``gerarProcedimento``) exactly once, durably.

The table ``sei_processos`` (in the request store's database, beside the
store's own tables; its version in ``sei_schema``, see ``MIGRACOES``) is both
the queue and the result: one row per request, keyed by protocol, so a
request can never have two jobs. ``instalar`` hooks the store so that a new
request gets its row in the transaction that files it (the confirmation turn
only adds that insert; it never waits for SEI).

States: ``aguardando`` (waiting for SEI, retried with backoff) → ``enviando``
(an idempotency key is stored BEFORE the call) → ``arquivado`` (number and
access link stored). SEI's web service has no search by specification or by
any value of ours, so a row found ``enviando`` after its lease (the worker died
between the call and the store), or a call that may have been delivered
(timeout after sending, dropped connection, unreadable answer), is never sent
again: it becomes ``conferir``. The NTS then finds the process in SEI (its
specification carries the protocol, its observation the key) and links it with
``vincular`` (``sei-nts sei vincular``, which checks the specification through
``consultarProcedimento``), or, if SEI has none, sends it again (``reenviar``).
Faults that will not pass by themselves (bad key, operation not enabled...)
end as ``falhou`` after ``TENTATIVAS``; ``reenviar`` puts them back.
"""

from __future__ import annotations

import base64
import logging
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from bot.sei.cliente import (
    ClienteSei,
    DocumentoRecebido,
    ErroSei,
    FalhaSei,
    PedidoProcesso,
    SeiIndisponivel,
)
from bot.sei.config import ConfigSei
from bot.settings import Settings
from bot.solicitacoes.migracoes import Passo, Versionamento, tabela_de_versoes
from bot.solicitacoes.store import RequestStore
from bot.solicitacoes.tipos import TIPOS, Solicitacao

logger = logging.getLogger(__name__)

AGUARDANDO, ENVIANDO, ARQUIVADO, CONFERIR, FALHOU = (
    "aguardando",
    "enviando",
    "arquivado",
    "conferir",
    "falhou",
)
TENTATIVAS = 12
ESPERA_S = 5.0  # first retry; doubles per attempt, capped at ESPERA_MAX_S
# the spreadsheet is written just after the request is filed (and queued): a
# worker that comes first waits this long, doubling up to ESPERA_DOCUMENTO_MAX_S
ESPERA_DOCUMENTO_S = 0.1
ESPERA_DOCUMENTO_MAX_S = 5.0
ESPERA_MAX_S = 3600.0
_ESPECIFICACAO_MAX = 100  # SEI's limit for a process specification

metadata = sa.MetaData()
sei_schema = tabela_de_versoes("sei_schema", metadata)
sei_processos = sa.Table(
    "sei_processos",
    metadata,
    sa.Column("protocolo", sa.String(32), primary_key=True),
    sa.Column("estado", sa.String(16), nullable=False),
    sa.Column("chave", sa.String(64)),
    sa.Column("tentativas", sa.Integer, nullable=False, default=0),
    sa.Column("proxima_em", sa.DateTime, nullable=False),
    sa.Column("atualizado_em", sa.DateTime, nullable=False),
    sa.Column("erro", sa.Text),
    sa.Column("id_procedimento", sa.String(32)),
    sa.Column("numero", sa.String(64)),
    sa.Column("link", sa.Text),
    sa.Column("ultimo_andamento", sa.String(32)),
    sa.Index("ix_sei_processos_estado", "estado", "proxima_em"),
)


@dataclass(frozen=True)
class ResultadoSei:
    """Where a request stands in SEI (``numero``/``link`` once filed)."""

    protocolo: str
    estado: str
    numero: str | None = None
    link: str | None = None
    erro: str | None = None
    tentativas: int = 0
    tipo_erro: str | None = None  # ErroSei.tipo of the last failure


# called in the transaction that stores the number (e.g. avisos.avisar_requerente)
AoArquivar = Callable[[Connection, Solicitacao, ResultadoSei], object]


def _agora() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _v1(conn: Connection) -> None:
    """Version 1: the queue (declared above; frozen from here on). ``checkfirst``:
    databases from before ``sei_schema`` already have it."""
    metadata.create_all(conn, tables=[sei_processos], checkfirst=True)


MIGRACOES: tuple[Passo, ...] = (_v1,)
_VERSIONAMENTO = Versionamento(
    sei_schema,
    trava_pg=7_305_202_614,  # pg_advisory_xact_lock key of this table
    rotulo="SEI filing table",
    sujeito="A tabela de arquivamento no SEI está",
)


def migrar(store: RequestStore) -> None:
    """Create/migrate the table (idempotent; cheap when up to date)."""
    with store.na_transacao() as conn:
        _VERSIONAMENTO.migrar(conn, MIGRACOES)


def enfileirar_na_transacao(conn: Connection, protocolo: str) -> None:
    """Queue a request in the caller's transaction (no-op if already queued)."""
    existe = conn.execute(
        sa.select(sei_processos.c.protocolo).where(sei_processos.c.protocolo == protocolo)
    ).first()
    if existe is None:
        agora = _agora()
        conn.execute(
            sei_processos.insert().values(
                protocolo=protocolo,
                estado=AGUARDANDO,
                tentativas=0,
                proxima_em=agora,
                atualizado_em=agora,
            )
        )


def gancho(
    conn: Connection, evento: str, solicitacao: Solicitacao, _dados: Mapping[str, Any]
) -> None:
    """``RequestStore.ganchos`` entry: a new request is queued for SEI."""
    if evento == "registrada":
        enfileirar_na_transacao(conn, solicitacao.protocolo)


def instalar(store: RequestStore) -> None:
    """Migrate the table and hook the store (call once where the store is built,
    only when SEI is configured)."""
    migrar(store)
    if gancho not in store.ganchos:
        store.ganchos.append(gancho)


def instalar_se_configurado(store: RequestStore, settings: Settings) -> bool:
    """``instalar`` when the SEI web service is configured; whether it was."""
    if ConfigSei.de_settings(settings) is None:
        return False
    instalar(store)
    return True


def enfileirar(store: RequestStore, protocolo: str) -> None:
    """Queue a request filed before SEI was configured."""
    with store.na_transacao() as conn:
        enfileirar_na_transacao(conn, protocolo)


def _resultado(linha: Any) -> ResultadoSei:
    return ResultadoSei(
        protocolo=linha.protocolo,
        estado=linha.estado,
        numero=linha.numero,
        link=linha.link,
        erro=linha.erro,
        tentativas=linha.tentativas,
    )


def situacao(store: RequestStore, protocolo: str) -> ResultadoSei | None:
    """The SEI side of one request (for the panel), or None when not queued."""
    with store.na_transacao() as conn:
        linha = conn.execute(
            sa.select(sei_processos).where(sei_processos.c.protocolo == protocolo)
        ).first()
    return _resultado(linha) if linha is not None else None


def todos(store: RequestStore) -> list[ResultadoSei]:
    with store.na_transacao() as conn:
        linhas = conn.execute(sa.select(sei_processos).order_by(sei_processos.c.protocolo))
        return [_resultado(x) for x in linhas]


def reenviar(store: RequestStore, protocolo: str) -> bool:
    """Put a ``falhou`` or ``conferir`` request back in the queue ("reenviar ao
    SEI"; for ``conferir`` only after checking that SEI has no process for it)."""
    with store.na_transacao() as conn:
        feito = conn.execute(
            sei_processos.update()
            .where(sei_processos.c.protocolo == protocolo)
            .where(sei_processos.c.estado.in_((FALHOU, CONFERIR)))
            .values(estado=AGUARDANDO, tentativas=0, proxima_em=_agora(), erro=None, chave=None)
        ).rowcount
    return bool(feito)


def vincular(
    store: RequestStore,
    cliente: ClienteSei,
    protocolo: str,
    numero: str,
    ao_arquivar: AoArquivar | None = None,
) -> ResultadoSei:
    """Record by hand the SEI process of a ``conferir`` request, after checking in
    SEI that its specification names the protocol. ValueError in Portuguese."""
    solicitacao = store.buscar(protocolo)
    if solicitacao is None:
        raise ValueError(f"Nenhuma solicitação encontrada com o protocolo {protocolo!r}.")
    consulta = cliente.consultar_procedimento(numero)
    if protocolo not in consulta.especificacao:
        raise ValueError(
            f"O processo {consulta.numero} não é desta solicitação: a especificação dele "
            f"não cita o protocolo {protocolo}."
        )
    with store.na_transacao() as conn:
        feito = conn.execute(
            sei_processos.update()
            .where(sei_processos.c.protocolo == protocolo)
            .where(sei_processos.c.estado != ARQUIVADO)
            .values(
                estado=ARQUIVADO,
                numero=consulta.numero,
                link=consulta.link,
                erro=None,
                atualizado_em=_agora(),
            )
        ).rowcount
        resultado = ResultadoSei(protocolo, ARQUIVADO, consulta.numero, consulta.link)
        if feito and ao_arquivar is not None:
            ao_arquivar(conn, solicitacao, resultado)
    if not feito:
        raise ValueError(f"A solicitação {protocolo} não está aguardando o SEI.")
    return resultado


def liberar_vencidos(store: RequestStore, prazo_s: float) -> int:
    """Rows left ``enviando`` longer than ``prazo_s`` (their worker died after the
    key was stored): ``conferir``, never sent again blindly."""
    limite = _agora() - timedelta(seconds=prazo_s)
    with store.na_transacao() as conn:
        n = conn.execute(
            sei_processos.update()
            .where(sei_processos.c.estado == ENVIANDO)
            .where(sei_processos.c.atualizado_em < limite)
            .values(
                estado=CONFERIR,
                erro="O envio ao SEI foi interrompido: confira no SEI se o processo foi "
                "criado (a especificação cita o protocolo) antes de reenviar.",
            )
        ).rowcount
    if n:
        logger.warning("%d SEI filing(s) interrupted mid-call: marked to check.", n)
    return int(n)


def _reivindicar(store: RequestStore) -> tuple[str, str] | None:
    """Take the next due request: ``enviando`` with a fresh key, in one transaction."""
    agora = _agora()
    with store.na_transacao() as conn:
        linha = conn.execute(
            sa.select(sei_processos.c.protocolo)
            .where(sei_processos.c.estado == AGUARDANDO)
            .where(sei_processos.c.proxima_em <= agora)
            .order_by(sei_processos.c.proxima_em, sei_processos.c.protocolo)
            .limit(1)
        ).first()
        if linha is None:
            return None
        chave = uuid.uuid4().hex
        tomada = conn.execute(
            sei_processos.update()
            .where(sei_processos.c.protocolo == linha.protocolo)
            .where(sei_processos.c.estado == AGUARDANDO)
            .values(estado=ENVIANDO, chave=chave, atualizado_em=agora)
        ).rowcount
    return (linha.protocolo, chave) if tomada else None


class DocumentoAusente(ErroSei):
    """The request's spreadsheet is not written yet (retried later)."""

    tipo = "documento"


def pedido_de(solicitacao: Solicitacao, chave: str, anexos_dir: Path | None) -> PedidoProcesso:
    """What SEI receives for one request: kind and protocol in the specification,
    the requesting unit as interessado, the planilha and the screenshot."""
    tipo = TIPOS[solicitacao.tipo]
    especificacao = f"{tipo.titulo} - protocolo {solicitacao.protocolo}"
    if len(especificacao) > _ESPECIFICACAO_MAX:
        especificacao = f"{tipo.titulo[: _ESPECIFICACAO_MAX - 30]}… - {solicitacao.protocolo}"
    documentos = []
    if tipo.planilha:
        caminho = Path(solicitacao.planilha) if solicitacao.planilha else None
        if caminho is None or not caminho.is_file():
            raise DocumentoAusente(f"A planilha de {solicitacao.protocolo} ainda não foi gerada.")
        documentos.append(
            DocumentoRecebido(
                caminho.name,
                f"Planilha {solicitacao.protocolo}",
                base64.b64encode(caminho.read_bytes()).decode("ascii"),
            )
        )
    if solicitacao.anexo and anexos_dir is not None:
        from bot.solicitacoes.anexos import AnexoStore

        captura = AnexoStore(anexos_dir).caminho(solicitacao.anexo)
        if captura is not None and captura.is_file():
            documentos.append(
                DocumentoRecebido(
                    f"{solicitacao.protocolo}-captura{captura.suffix}",
                    f"Captura de tela {solicitacao.protocolo}",
                    base64.b64encode(captura.read_bytes()).decode("ascii"),
                )
            )
    unidade = solicitacao.unidade or "SESAU"
    return PedidoProcesso(
        especificacao=especificacao,
        interessado_sigla=unidade,
        interessado_nome=unidade,
        observacao=f"Aberto pelo assistente virtual do SESAU NTS. Chave de envio: {chave}.",
        documentos=tuple(documentos),
    )


def _espera(tentativas: int, base_s: float = ESPERA_S, teto_s: float = ESPERA_MAX_S) -> float:
    return float(min(teto_s, base_s * 2 ** max(0, tentativas - 1)))


def _adiar(
    store: RequestStore,
    protocolo: str,
    erro: ErroSei,
    *,
    definitivo: bool,
    espera_base_s: float = ESPERA_S,
    espera_teto_s: float = ESPERA_MAX_S,
) -> ResultadoSei:
    with store.na_transacao() as conn:
        linha = conn.execute(
            sa.select(sei_processos.c.tentativas).where(sei_processos.c.protocolo == protocolo)
        ).one()
        tentativas = linha.tentativas + 1
        estado = FALHOU if definitivo and tentativas >= TENTATIVAS else AGUARDANDO
        conn.execute(
            sei_processos.update()
            .where(sei_processos.c.protocolo == protocolo)
            .values(
                estado=estado,
                tentativas=tentativas,
                erro=str(erro),
                chave=None,
                proxima_em=_agora()
                + timedelta(seconds=_espera(tentativas, espera_base_s, espera_teto_s)),
                atualizado_em=_agora(),
            )
        )
    return ResultadoSei(
        protocolo, estado, erro=str(erro), tentativas=tentativas, tipo_erro=erro.tipo
    )


def _conferir(store: RequestStore, protocolo: str, erro: ErroSei) -> ResultadoSei:
    mensagem = (
        f"{erro} O processo pode ter sido criado: confira no SEI (a especificação cita o "
        "protocolo) antes de reenviar."
    )
    with store.na_transacao() as conn:
        conn.execute(
            sei_processos.update()
            .where(sei_processos.c.protocolo == protocolo)
            .values(estado=CONFERIR, erro=mensagem, atualizado_em=_agora())
        )
    return ResultadoSei(protocolo, CONFERIR, erro=mensagem, tipo_erro=erro.tipo)


def arquivar(
    store: RequestStore,
    cliente: ClienteSei,
    solicitacao: Solicitacao,
    chave: str,
    *,
    anexos_dir: Path | None = None,
    ao_arquivar: AoArquivar | None = None,
    pausa_teste_s: float = 0.0,
) -> ResultadoSei:
    """Create the SEI process of a request already taken (``enviando`` with
    ``chave``) and store its number and link; see the module docstring."""
    protocolo = solicitacao.protocolo
    try:
        pedido = pedido_de(solicitacao, chave, anexos_dir)
    except DocumentoAusente as erro:
        return _adiar(
            store,
            protocolo,
            erro,
            definitivo=False,
            espera_base_s=ESPERA_DOCUMENTO_S,
            espera_teto_s=ESPERA_DOCUMENTO_MAX_S,
        )
    try:
        gerado = cliente.gerar_procedimento(pedido)
    except (SeiIndisponivel, FalhaSei) as erro:  # SEI did not create anything
        logger.warning("SEI filing of %s postponed (%s).", protocolo, erro.tipo)
        return _adiar(store, protocolo, erro, definitivo=isinstance(erro, FalhaSei))
    except ErroSei as erro:  # may have been created: never sent again blindly
        logger.error("SEI filing of %s uncertain (%s): to check.", protocolo, erro.tipo)
        return _conferir(store, protocolo, erro)
    if pausa_teste_s:  # crash tests: the process exists, its number is not stored yet
        time.sleep(pausa_teste_s)
    resultado = ResultadoSei(protocolo, ARQUIVADO, gerado.numero, gerado.link)
    with store.na_transacao() as conn:
        conn.execute(
            sei_processos.update()
            .where(sei_processos.c.protocolo == protocolo)
            .where(sei_processos.c.chave == chave)
            .values(
                estado=ARQUIVADO,
                id_procedimento=gerado.id,
                numero=gerado.numero,
                link=gerado.link,
                erro=None,
                atualizado_em=_agora(),
            )
        )
        if ao_arquivar is not None:
            ao_arquivar(conn, solicitacao, resultado)
    logger.info("Request %s filed in SEI as %s.", protocolo, gerado.numero)
    return resultado


def processar(
    store: RequestStore,
    cliente: ClienteSei,
    *,
    anexos_dir: Path | None = None,
    ao_arquivar: AoArquivar | None = None,
    limite: int = 100,
    pausa_teste_s: float = 0.0,
) -> list[ResultadoSei]:
    """File every due request (at most ``limite``); returns what happened."""
    resultados: list[ResultadoSei] = []
    while len(resultados) < limite:
        tomada = _reivindicar(store)
        if tomada is None:
            break
        protocolo, chave = tomada
        solicitacao = store.buscar(protocolo)
        if solicitacao is None:  # purged meanwhile
            with store.na_transacao() as conn:
                conn.execute(sei_processos.delete().where(sei_processos.c.protocolo == protocolo))
            continue
        resultado = arquivar(
            store,
            cliente,
            solicitacao,
            chave,
            anexos_dir=anexos_dir,
            ao_arquivar=ao_arquivar,
            pausa_teste_s=pausa_teste_s,
        )
        resultados.append(resultado)
        if resultado.estado == FALHOU or (
            resultado.estado == AGUARDANDO and resultado.tipo_erro != DocumentoAusente.tipo
        ):
            break  # SEI down or refusing: the others wait for the next round
    return resultados
