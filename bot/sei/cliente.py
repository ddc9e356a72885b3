"""SOAP client of SEI's web service (SeiWS, RPC/encoded), on zeep.

- The WSDL is read from the SEI server (``SEI_WS_URL``); the SOAP-encoding
  schema it refers to is served from ``soapenc.xsd`` beside this module, so no
  internet is needed (``_Transporte``).
- zeep refuses empty SOAP-ENC arrays (its array content has minOccurs 1);
  ``_aceitar_arrays_vazios`` lowers that bound for the array types only.
- XML is parsed with DTDs, entities and external references forbidden.
- Errors become ``ErroSei`` with a Portuguese message and a kind; the access
  key never reaches a message, a log or the database (``_sem_chave``); zeep's
  transport logger, which dumps envelopes at DEBUG, is held at INFO.
- ``SeiIndisponivel``: the request certainly did not reach SEI (safe to send
  again). ``SeiIncerto``: it may have (timeout after sending, dropped
  connection): the caller must not repeat a non-idempotent call blindly.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import requests
import urllib3.exceptions
import zeep
import zeep.exceptions
import zeep.transports
from zeep.xsd.elements.any import Any as XsdAny
from zeep.xsd.elements.indicators import Indicator

from bot.sei.config import ConfigSei
from bot.settings import Settings
from bot.text import fold

logger = logging.getLogger(__name__)

SOAP_ENC = "http://schemas.xmlsoap.org/soap/encoding/"
_SOAPENC_XSD = Path(__file__).with_name("soapenc.xsd")
_NS = "{Sei}"
CHAVE_OMITIDA = "[chave omitida]"


class ErroSei(Exception):
    """A call to SEI that failed; ``str()`` is a Portuguese message without the key."""

    tipo = "outro"

    def __init__(self, mensagem: str, tipo: str | None = None) -> None:
        super().__init__(mensagem)
        self.mensagem = mensagem
        if tipo:
            self.tipo = tipo


class SeiIndisponivel(ErroSei):
    """SEI could not be reached: the request was not delivered."""

    tipo = "indisponivel"


class SeiIncerto(ErroSei):
    """The request may have reached SEI but no answer came back."""

    tipo = "incerto"


class FalhaSei(ErroSei):
    """SEI answered with a Fault (``tipo``: chave, sistema, operacao, unidade,
    processo, acesso or outro); ``detalhe`` is its faultstring, key removed."""

    def __init__(self, mensagem: str, tipo: str, detalhe: str) -> None:
        super().__init__(mensagem, tipo)
        self.detalhe = detalhe


class RespostaInvalida(ErroSei):
    """SEI's answer was not acceptable XML (DTD, entities, malformed)."""

    tipo = "resposta"


@dataclass(frozen=True)
class Unidade:
    id: str
    sigla: str
    descricao: str


@dataclass(frozen=True)
class Cargo:
    id: str
    expressao: str


@dataclass(frozen=True)
class Andamento:
    id: str
    id_tarefa: str
    descricao: str
    data_hora: str
    unidade_sigla: str


@dataclass(frozen=True)
class ProcessoGerado:
    id: str
    numero: str
    link: str


@dataclass(frozen=True)
class Consulta:
    numero: str
    tipo: str
    especificacao: str
    link: str
    ultimo_andamento: Andamento | None
    unidades_abertas: tuple[str, ...]


@dataclass(frozen=True)
class DocumentoRecebido:
    """A file sent as an external document (``Tipo`` R)."""

    nome_arquivo: str
    descricao: str
    conteudo_base64: str


@dataclass(frozen=True)
class PedidoProcesso:
    """What ``gerarProcedimento`` creates."""

    especificacao: str
    interessado_sigla: str
    interessado_nome: str
    observacao: str
    documentos: Sequence[DocumentoRecebido] = field(default_factory=tuple)


class _Transporte(zeep.transports.Transport):
    """zeep transport that serves the SOAP-encoding schema from a local file."""

    def load(self, url: str) -> bytes:
        if url.rstrip("/") == SOAP_ENC.rstrip("/"):
            return _SOAPENC_XSD.read_bytes()
        return bytes(super().load(url))  # type: ignore[no-untyped-call]


def _sem_chave(texto: str, chave: str) -> str:
    """``texto`` with the access key (if it appears) replaced."""
    return texto.replace(chave, CHAVE_OMITIDA) if chave else texto


_FAULTS = (  # (kind, pattern over the folded faultstring), first match wins
    ("chave", re.compile(r"chave|identificacao|servico \[.*\] .*nao encontrado")),
    ("sistema", re.compile(r"sistema \[.*\] nao encontrado|sistema .*nao encontrado")),
    ("operacao", re.compile(r"operacao|nao permitid")),
    ("acesso", re.compile(r"acesso|restrit|sigilos")),
    ("unidade", re.compile(r"unidade .*nao encontrad")),
    ("processo", re.compile(r"(processo|procedimento|protocolo) .*nao encontrad")),
)


def _mensagem_fault(tipo: str, operacao: str, cfg: ConfigSei, alvo: str, detalhe: str) -> str:
    if tipo == "chave":
        return (
            f"O SEI recusou a chave de acesso do serviço (SEI_WS_CHAVE) para o sistema "
            f"{cfg.sigla}: confira a chave gerada pelos administradores do SEI."
        )
    if tipo == "sistema":
        return (
            f"O SEI não reconhece o sistema {cfg.sigla} (SEI_WS_SIGLA_SISTEMA): confira a "
            "sigla do usuário do tipo Sistema criado pelos administradores do SEI."
        )
    if tipo == "operacao":
        return (
            f"A operação {operacao} não está liberada para o serviço no SEI: peça aos "
            "administradores do SEI que a habilitem."
        )
    if tipo == "unidade":
        return (
            f"O SEI não encontrou a unidade {cfg.id_unidade_nts} "
            "(SEI_WS_ID_UNIDADE_NTS): confira o id da unidade no SEI."
        )
    if tipo == "processo":
        return f"O SEI não encontrou o processo {alvo}."
    if tipo == "acesso":
        return f"O serviço não tem acesso ao processo {alvo} no SEI."
    return f"O SEI recusou a operação {operacao}: {detalhe}"


def _texto(valor: Any) -> str:
    return "" if valor is None else str(valor).strip()


def _andamento(a: Any) -> Andamento:
    unidade = getattr(a, "Unidade", None)
    return Andamento(
        id=_texto(a.IdAndamento),
        id_tarefa=_texto(a.IdTarefa),
        descricao=_texto(a.Descricao),
        data_hora=_texto(a.DataHora),
        unidade_sigla=_texto(getattr(unidade, "Sigla", None)),
    )


class ClienteSei:
    """The operations the assistant uses; the WSDL is loaded on first call."""

    def __init__(self, cfg: ConfigSei) -> None:
        self.cfg = cfg
        self._cliente: zeep.Client | None = None

    # ------------------------------------------------------------ plumbing
    def _zeep(self) -> zeep.Client:
        if self._cliente is None:
            # zeep.transports logs whole envelopes (with the key) at DEBUG
            logging.getLogger("zeep.transports").setLevel(logging.INFO)
            transporte = _Transporte(  # type: ignore[no-untyped-call]
                timeout=self.cfg.timeout_s,
                operation_timeout=(self.cfg.connect_timeout_s, self.cfg.timeout_s),
            )
            opcoes = zeep.Settings(
                strict=False, forbid_dtd=True, forbid_entities=True, forbid_external=True
            )
            try:
                cliente = zeep.Client(  # type: ignore[no-untyped-call]
                    self.cfg.url, transport=transporte, settings=opcoes
                )
            except Exception as erro:  # every failure to read the WSDL
                raise self._traduzir(erro, "WSDL", "") from None
            _aceitar_arrays_vazios(cliente)
            self._cliente = cliente
        return self._cliente

    def _array(self, tipo: str, itens: Sequence[Any]) -> Any:
        tipo_zeep = self._zeep().get_type(_NS + tipo)  # type: ignore[no-untyped-call]
        return tipo_zeep(list(itens))

    def _chamar(self, operacao: str, *partes: Any, alvo: str = "") -> Any:
        cliente = self._zeep()
        try:
            metodo = getattr(cliente.service, operacao)
            return metodo(self.cfg.sigla, self.cfg.chave, *partes)
        except Exception as erro:  # mapped to ErroSei below
            raise self._traduzir(erro, operacao, alvo) from None

    def _traduzir(self, erro: Exception, operacao: str, alvo: str) -> ErroSei:
        chave = self.cfg.chave
        if isinstance(erro, zeep.exceptions.Fault):
            detalhe = _sem_chave(_texto(erro.message), chave)
            dobrado = fold(detalhe)
            tipo = next((t for t, p in _FAULTS if p.search(dobrado)), "outro")
            logger.warning("SEI fault on %s (%s): %s", operacao, tipo, detalhe)
            return FalhaSei(_mensagem_fault(tipo, operacao, self.cfg, alvo, detalhe), tipo, detalhe)
        if isinstance(
            erro,
            zeep.exceptions.DTDForbidden
            | zeep.exceptions.EntitiesForbidden
            | zeep.exceptions.XMLSyntaxError
            | zeep.exceptions.XMLParseError,
        ):
            logger.warning("SEI answer to %s refused: %s", operacao, type(erro).__name__)
            return RespostaInvalida(
                f"A resposta do SEI à operação {operacao} foi recusada: XML inválido ou "
                "inseguro (DTD, entidades ou referências externas não são aceitas)."
            )
        if isinstance(erro, requests.exceptions.ConnectTimeout) or _nao_conectou(erro):
            logger.warning("SEI unreachable on %s: %s", operacao, type(erro).__name__)
            return SeiIndisponivel(
                f"O SEI não respondeu ({self._host()}): a chamada {operacao} não foi enviada. "
                "Confira SEI_WS_URL e a rede; o assistente tenta de novo."
            )
        if isinstance(erro, requests.exceptions.RequestException):
            logger.warning("SEI call %s interrupted: %s", operacao, type(erro).__name__)
            return SeiIncerto(
                f"A chamada {operacao} ao SEI foi interrompida sem resposta "
                f"(tempo esgotado ou conexão perdida, {self._host()})."
            )
        if isinstance(erro, zeep.exceptions.TransportError):
            logger.warning("SEI HTTP error on %s: %s", operacao, erro.status_code)
            return SeiIncerto(
                f"O SEI respondeu à chamada {operacao} com o erro HTTP {erro.status_code}."
            )
        if isinstance(erro, ErroSei):
            return erro
        logger.warning("SEI call %s failed: %s", operacao, type(erro).__name__)
        return RespostaInvalida(
            f"A resposta do SEI à operação {operacao} não pôde ser lida ({type(erro).__name__})."
        )

    def _host(self) -> str:
        return urlparse(self.cfg.url).netloc or self.cfg.url

    # ---------------------------------------------------------- operations
    def listar_unidades(self) -> list[Unidade]:
        resposta = self._chamar("listarUnidades", "", "")
        return [
            Unidade(_texto(u.IdUnidade), _texto(u.Sigla), _texto(u.Descricao))
            for u in resposta or []
        ]

    def listar_cargos(self) -> list[Cargo]:
        resposta = self._chamar("listarCargos", "", "")
        return [Cargo(_texto(c.IdCargo), _texto(c.ExpressaoCargo)) for c in resposta or []]

    def gerar_procedimento(self, pedido: PedidoProcesso) -> ProcessoGerado:
        """Create the process in the NTS unit, restricted, with the documents."""
        cfg = self.cfg
        vazio = self._array("ArrayOfInteressado", [])
        documentos = [
            {
                "Tipo": "R",
                "IdSerie": cfg.id_serie,
                "Data": "",
                "Descricao": d.descricao,
                "Interessados": vazio,
                "Destinatarios": self._array("ArrayOfDestinatario", []),
                "NomeArquivo": d.nome_arquivo,
                "NivelAcesso": "1",
                "IdHipoteseLegal": cfg.id_hipotese_legal,
                "Conteudo": d.conteudo_base64,
            }
            for d in pedido.documentos
        ]
        procedimento = {
            "IdTipoProcedimento": cfg.id_tipo_procedimento,
            "Especificacao": pedido.especificacao,
            "Assuntos": self._array("ArrayOfAssunto", []),
            "Interessados": self._array(
                "ArrayOfInteressado",
                [{"Sigla": pedido.interessado_sigla, "Nome": pedido.interessado_nome}],
            ),
            "Observacao": pedido.observacao,
            "NivelAcesso": "1",
            "IdHipoteseLegal": cfg.id_hipotese_legal,
        }
        r = self._chamar(
            "gerarProcedimento",
            cfg.id_unidade_nts,
            procedimento,
            self._array("ArrayOfDocumento", documentos),
            self._array("ArrayOfProcedimentoRelacionado", []),
            self._array("ArrayOfIdUnidade", []),
            "S",  # SinManterAbertoUnidade
            "N",  # SinEnviarEmailNotificacao
            "",
            "",
            "",
            "",
            "",
        )
        gerado = ProcessoGerado(
            _texto(r.IdProcedimento), _texto(r.ProcedimentoFormatado), _texto(r.LinkAcesso)
        )
        if not gerado.numero:
            raise RespostaInvalida("O SEI não devolveu o número do processo gerado.")
        return gerado

    def consultar_procedimento(self, protocolo: str) -> Consulta:
        r = self._chamar(
            "consultarProcedimento",
            self.cfg.id_unidade_nts,
            protocolo,
            "N",  # assuntos
            "N",  # interessados
            "N",  # observacoes
            "N",  # andamento de geracao
            "N",  # andamento de conclusao
            "S",  # ultimo andamento
            "S",  # unidades onde esta aberto
            "N",
            "N",
            alvo=protocolo,
        )
        abertas = getattr(r, "UnidadesProcedimentoAberto", None) or []
        ultimo = getattr(r, "UltimoAndamento", None)
        return Consulta(
            numero=_texto(r.ProcedimentoFormatado),
            tipo=_texto(getattr(r.TipoProcedimento, "Nome", None)),
            especificacao=_texto(r.Especificacao),
            link=_texto(r.LinkAcesso),
            ultimo_andamento=_andamento(ultimo) if ultimo is not None else None,
            unidades_abertas=tuple(_texto(getattr(a.Unidade, "Sigla", None)) for a in abertas),
        )

    def listar_andamentos(self, protocolo: str) -> list[Andamento]:
        r = self._chamar(
            "listarAndamentos",
            self.cfg.id_unidade_nts,
            protocolo,
            "N",
            self._array("ArrayOfIdAndamento", []),
            self._array("ArrayOfIdTarefa", []),
            self._array("ArrayOfIdTarefaModulo", []),
            alvo=protocolo,
        )
        return [_andamento(a) for a in r or []]


@functools.cache
def _cliente_cacheado(cfg: ConfigSei) -> ClienteSei:
    return ClienteSei(cfg)


def cliente_configurado(settings: Settings, timeout_s: float | None = None) -> ClienteSei | None:
    """One client per process (the WSDL is read once), or None without SEI.
    ``timeout_s`` caps the call time (e.g. a chat turn: a few seconds)."""
    cfg = ConfigSei.de_settings(settings)
    if cfg is None:
        return None
    if timeout_s is not None:
        cfg = dataclasses.replace(cfg, timeout_s=min(cfg.timeout_s, timeout_s))
    return _cliente_cacheado(cfg)


def _nao_conectou(erro: Exception) -> bool:
    """A connection that was never established (refused, unknown host)."""
    if not isinstance(erro, requests.exceptions.ConnectionError):
        return False
    causa: Any = erro.args[0] if erro.args else None
    motivo = getattr(causa, "reason", causa)
    return isinstance(
        motivo, urllib3.exceptions.NewConnectionError | urllib3.exceptions.NameResolutionError
    )


def _aceitar_arrays_vazios(cliente: zeep.Client) -> None:
    """Let SOAP-ENC array types be empty (zeep builds their content with minOccurs 1)."""
    for tipo in cliente.wsdl.types.types:
        if getattr(tipo, "_array_type", None) is None:
            continue
        for _nome, elemento in getattr(tipo, "elements_nested", []):
            if isinstance(elemento, Indicator):
                elemento.min_occurs = 0
                for _n, filho in elemento.elements:
                    if isinstance(filho, XsdAny):
                        filho.min_occurs = 0
