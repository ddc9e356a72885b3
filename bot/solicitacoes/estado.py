"""A request being filled in, one user turn, and the outcome of that turn.

``Estado`` is plain JSON kept in a Rasa slot, so a conversation survives
restarts; ``Turno`` is one user message as the engine reads it; ``Resposta``
is the new state and the messages to show.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

from bot.solicitacoes.mensagens import Mensagem
from bot.solicitacoes.tipos import TIPOS, UNIDADE_SOLICITANTE, Campo, Tipo


@dataclass
class Estado:
    """A request being filled in; JSON-serialisable via ``asdict``."""

    tipo: str | None
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    fase: str = "campo"
    avisar_lgpd: bool = False
    unidade: str | None = None
    linhas: list[dict[str, str]] = field(default_factory=list)
    linha: dict[str, str] = field(default_factory=dict)
    falhas: int = 0
    # [row index, field name] of the field being corrected
    correcao: list[Any] | None = None
    pendente: str | None = None
    protocolo: str | None = None
    # id of the message that started the request: not an answer to anything
    mensagem_inicial: str | None = None
    # the suggestions of the last refusal ("Você quis dizer GETIN?": a "sim" takes it)
    sugestoes: list[str] = field(default_factory=list)
    # a request or question typed into a field, while asking "leave or go on?"
    desvio: str | None = None
    # the phase to go back to from "desvio" / "cancelar_qual"
    retorno: str | None = None

    @classmethod
    def de_dict(cls, data: dict[str, Any]) -> Estado:
        """Rebuild from the slot value (unknown keys ignored)."""
        campos = cls.__dataclass_fields__.keys()
        return cls(**{k: v for k, v in data.items() if k in campos})

    def para_dict(self) -> dict[str, Any]:
        """Slot value."""
        return asdict(self)

    @property
    def concluido(self) -> bool:
        """Filed or cancelled."""
        return self.fase in ("concluida", "cancelada")

    @property
    def definicao(self) -> Tipo:
        """The kind being filled in (``KeyError`` while the kind is still asked)."""
        return TIPOS[self.tipo or ""]

    def linha_em(self, indice: int) -> dict[str, str]:
        """Row ``indice`` (from 0): a finished one, or the one being filled in."""
        return self.linhas[indice] if indice < len(self.linhas) else self.linha

    def campo_atual(self) -> Campo | None:
        """The field being asked, or None outside the ``campo`` phase."""
        tipo = self.definicao
        if self.fase != "campo":
            return None
        if self.correcao:
            linha_idx, nome = self.correcao
            if nome == UNIDADE_SOLICITANTE.nome:
                return UNIDADE_SOLICITANTE
            linha = self.linha_em(linha_idx)
            faltando = [c for c in tipo.campos_da_linha(linha) if c.nome not in linha]
            return faltando[0] if nome in linha and faltando else tipo.campo(nome)
        if self.unidade is None and tipo.campo_unidade is None:
            return UNIDADE_SOLICITANTE
        for campo in tipo.campos_da_linha(self.linha):
            if campo.nome not in self.linha:
                return campo
        return None

    def passo(self) -> str:
        """The question being asked, as the buttons offered with it name it.

        The same question asked again (after a refusal) keeps its step; another
        field, row or phase, or a summary of other values, is another step.
        """
        aparte = self.fase in ("desvio", "cancelar_qual")  # a question about the question
        fase = (self.retorno or "campo") if aparte else self.fase
        # the e-mail warning ("Manter este e-mail") is the same e-mail question
        identidade: list[Any] = [
            self.id,
            self.fase if aparte else "",
            "campo" if fase == "email_problematico" else fase,
        ]
        if fase in ("campo", "email_problematico"):
            atual, self.fase = self.fase, "campo"
            campo = self.campo_atual()
            self.fase = atual
            identidade += [self.correcao, len(self.linhas), campo.nome if campo else None]
        elif fase == "mais":
            identidade.append(len(self.linhas))
        elif fase in ("resumo", "corrigir"):
            identidade += [self.unidade, self.linhas]
        bruto = json.dumps(identidade, sort_keys=True, ensure_ascii=False)
        return hashlib.blake2s(bruto.encode(), digest_size=6).hexdigest()

    def campos_corrigiveis(self) -> list[tuple[int, Campo]]:
        """(row index, field) of every value the summary shows."""
        tipo = self.definicao
        itens: list[tuple[int, Campo]] = []
        if tipo.campo_unidade is None:
            itens.append((0, UNIDADE_SOLICITANTE))
        for i, linha in enumerate(self.linhas):
            itens += [(i, c) for c in tipo.campos_da_linha(linha)]
        return itens


@dataclass(frozen=True)
class Turno:
    """One user message of an active request.

    ``curto`` is the normalised text (``bot.text.normalize_text``) compared
    with ``bot.solicitacoes.vocabulario``; ``intent`` and ``confianca`` are
    the NLU's guess; ``anexo`` a verified attachment reference; ``canal`` and
    ``contato`` say who files the request.
    """

    texto: str
    curto: str
    intent: str | None = None
    confianca: float = 0.0
    anexo: str | None = None
    canal: str = "rest"
    contato: str = ""


@dataclass
class Resposta:
    """Outcome of one user turn."""

    estado: Estado
    mensagens: list[Mensagem]

    @property
    def concluido(self) -> bool:
        """The request was filed or cancelled: the form ends."""
        return self.estado.concluido
