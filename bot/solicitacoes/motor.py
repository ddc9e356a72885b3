"""Guided filing of a request: the conversation engine, without Rasa.

The Rasa form is a thin loop around it: every user message of an active
request reaches ``Motor.responder``, which validates the answer, keeps what
was typed, decides what comes next and returns the messages to show; the
form's "ask" step shows ``Motor.pergunta``. The state is an ``Estado``
(``bot.solicitacoes.estado``); the rules of each kind are data on its
``Tipo`` (``bot.solicitacoes.tipos``), the words a requester may answer are in
``bot.solicitacoes.vocabulario`` and what the bot says is in
``bot/content/formularios.yml``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from bot.faq import respostas
from bot.solicitacoes import mensagens as msg
from bot.solicitacoes import perguntas, validacao
from bot.solicitacoes import vocabulario as v
from bot.solicitacoes.estado import Estado, Resposta, Turno
from bot.solicitacoes.mensagens import Mensagem, mensagem
from bot.solicitacoes.pedido import tipo_pedido
from bot.solicitacoes.protocolo import encontrar_protocolo, extrair_protocolo
from bot.solicitacoes.tipos import TIPOS, UNIDADE_SOLICITANTE, Campo
from bot.text import normalize_text

if TYPE_CHECKING:
    from bot.solicitacoes.servicos import Servicos

__all__ = ["Estado", "Motor", "Resposta", "Turno"]

# Least NLU confidence to take an answer for an FAQ question (or a "yes");
# higher in free-text fields, where any text is a plausible answer.
FAQ_CONFIANCA_MINIMA = 0.6
FAQ_CONFIANCA_CAMPO_LIVRE = 0.8

# Observations a new value of a field of this validator type makes obsolete.
OBSERVACOES_DO_TIPO = {"email": ("email_mantido",), "anexo": ("sem_captura",)}

Fase = Callable[[Estado, Turno], Resposta]


class Motor:
    """The guided conversation of every request kind."""

    def __init__(self, servicos: Servicos) -> None:
        self.s = servicos

    # ----- start and questions -------------------------------------------------
    def iniciar(self, tipo_chave: str | None, avisar_lgpd: bool = True) -> Resposta:
        """Start a request of kind ``tipo_chave`` (None: ask which kind first)."""
        if tipo_chave is None or tipo_chave not in TIPOS:
            return Resposta(Estado(tipo=None, fase="tipo", avisar_lgpd=avisar_lgpd), [])
        estado = Estado(tipo=tipo_chave, linha=TIPOS[tipo_chave].valores_fixos)
        return Resposta(estado, perguntas.introducao(estado, avisar_lgpd))

    def campo_atual(self, estado: Estado) -> Campo | None:
        """The field being asked, or None outside the ``campo`` phase."""
        return estado.campo_atual()

    def pergunta(self, estado: Estado) -> list[Mensagem]:
        """The question for the current step, with its buttons."""
        return perguntas.pergunta(estado)

    # ----- one user turn ---------------------------------------------------------
    def responder(
        self,
        estado: Estado,
        texto: str | None,
        *,
        intent: str | None = None,
        confianca: float = 0.0,
        anexo: str | None = None,
        canal: str = "rest",
        contato: str = "",
    ) -> Resposta:
        """Process one user message of an active request."""
        texto = texto or ""
        turno = Turno(texto, normalize_text(texto), intent, confianca, anexo, canal, contato)
        return self.responder_turno(estado, turno)

    def responder_turno(self, estado: Estado, turno: Turno) -> Resposta:
        """Process one user turn of an active request."""
        if turno.curto in v.CANCELAR or turno.curto.startswith(v.PREFIXO_CANCELAR):
            estado.fase = "cancelada"
            return Resposta(estado, [mensagem(msg.texto("cancelada"))])
        fases: dict[str, Fase] = {
            "tipo": self._responder_tipo,
            "campo": self._responder_campo,
            "mais": self._responder_mais,
            "resumo": self._responder_resumo,
            "corrigir": self._responder_corrigir,
            "email_problematico": self._responder_email_problematico,
        }
        fase = fases.get(estado.fase)
        if fase is None:
            return Resposta(estado, [])
        return fase(estado, turno)

    def _responder_tipo(self, estado: Estado, turno: Turno) -> Resposta:
        titulos = {normalize_text(t.titulo): t.chave for t in TIPOS.values()}
        chave = titulos.get(turno.curto) or tipo_pedido([], turno.texto, None, TIPOS)
        if chave is None:
            return Resposta(estado, [mensagem(msg.texto("tipo_nao_identificado"))])
        novo = Estado(
            tipo=chave,
            id=estado.id,
            linha=TIPOS[chave].valores_fixos,
            mensagem_inicial=estado.mensagem_inicial,
        )
        return Resposta(novo, perguntas.introducao(novo, estado.avisar_lgpd))

    def _interrupcao(self, estado: Estado, turno: Turno, minimo: float) -> list[Mensagem] | None:
        """Answer a question asked in the middle of the form, if it is one."""
        match = encontrar_protocolo(turno.texto)
        if match and turno.intent != "nlu_fallback":
            return [*self._status(match), mensagem(msg.texto("voltando"))]
        intent, confianca = turno.intent, turno.confianca
        if intent is not None and intent in respostas.carregar_topicos() and confianca >= minimo:
            return [mensagem(m) for m in respostas.responder(intent, self.s.links)] + [
                mensagem(msg.texto("voltando"))
            ]
        if intent == "help" and confianca >= minimo:
            titulo = TIPOS[estado.tipo].no_texto if estado.tipo else msg.texto("ajuda_sem_tipo")
            return [mensagem(msg.texto("ajuda", tipo=titulo))]
        return None

    def _status(self, match: re.Match[str]) -> list[Mensagem]:
        protocolo = extrair_protocolo(match.group(0)) or match.group(0)
        return [mensagem(msg.texto_status(protocolo, self.s.status_publico(protocolo)))]

    def _responder_campo(self, estado: Estado, turno: Turno) -> Resposta:
        tipo = estado.definicao
        campo = self.campo_atual(estado)
        if campo is None:  # nothing left to ask: move on
            return Resposta(estado, self._avancar(estado))
        parece_pergunta = "?" in turno.texto or turno.curto.startswith(v.PALAVRAS_DE_PERGUNTA)
        if campo.livre and parece_pergunta:
            interrompeu = self._interrupcao(estado, turno, FAQ_CONFIANCA_CAMPO_LIVRE)
            if interrompeu:
                return Resposta(estado, interrompeu)
        if campo.tipo == "anexo":
            return self._responder_anexo(estado, campo, turno)
        if turno.anexo:
            return Resposta(estado, [mensagem(msg.texto("imagem_fora_de_hora"))])
        obrigatorio = tipo.obrigatorio(campo)
        if not obrigatorio and turno.curto in v.PULAR:
            return Resposta(estado, self._definir(estado, campo, ""))
        # validate as this kind requires it (the form may require what the
        # spreadsheet marks optional)
        resultado = validacao.validar_campo(
            replace(campo, obrigatorio=obrigatorio), turno.texto, self.s.catalogos
        )
        if resultado.ok:
            valor: str = "" if resultado.valor is None else resultado.valor  # omitted optional
            duplicado = self._duplicado(estado, campo, valor) if valor else None
            if duplicado:
                return self._falha(estado, campo, duplicado, ())
            return Resposta(estado, self._definir(estado, campo, valor))
        erro = resultado.erro or ""
        if resultado.codigo == "provedor_problematico":
            estado.fase = "email_problematico"
            estado.pendente = turno.texto.strip()
            return Resposta(estado, [mensagem(erro)])
        interrompeu = self._interrupcao(estado, turno, FAQ_CONFIANCA_MINIMA)
        if interrompeu:
            return Resposta(estado, interrompeu)
        return self._falha(estado, campo, erro, resultado.sugestoes)

    def _responder_anexo(self, estado: Estado, campo: Campo, turno: Turno) -> Resposta:
        if turno.anexo:
            return Resposta(estado, self._definir(estado, campo, turno.anexo))
        curto = turno.curto
        if curto in v.SEM_ANEXO or ("nao" in curto.split() and "anex" in curto):
            mensagens = self._definir(estado, campo, "", msg.texto_observacao("sem_captura"))
            return Resposta(estado, mensagens)
        interrompeu = self._interrupcao(estado, turno, FAQ_CONFIANCA_MINIMA)
        if interrompeu:
            return Resposta(estado, interrompeu)
        return self._falha(estado, campo, msg.texto("sem_imagem"), ())

    def _falha(self, estado: Estado, campo: Campo, erro: str, sugestoes: Sequence[str]) -> Resposta:
        estado.falhas += 1
        mensagens = [mensagem(erro, [(s, s) for s in sugestoes])]
        if estado.falhas >= 2:
            formato = msg.entrada("formatos").get(campo.tipo, "")
            mensagens.append(
                mensagem(
                    msg.texto("formato_esperado", formato=formato),
                    [(msg.texto("botao_cancelar_solicitacao"), v.RESPOSTA_CANCELAR)],
                )
            )
        return Resposta(estado, mensagens)

    def _duplicado(self, estado: Estado, campo: Campo, valor: str) -> str | None:
        if not campo.unico:
            return None
        for i, linha in enumerate(estado.linhas):
            if estado.correcao and estado.correcao[0] == i:
                continue
            if linha.get(campo.nome) == valor:
                quem = msg.nomes_da_linha(estado.definicao)["quem"]
                return msg.texto("duplicado", coluna=campo.coluna, quem=quem, n=i + 1)
        return None

    def _definir(
        self, estado: Estado, campo: Campo, valor: str, observacao: str | None = None
    ) -> list[Mensagem]:
        """Store a validated value and move on."""
        estado.falhas = 0
        if campo.nome == UNIDADE_SOLICITANTE.nome:
            estado.unidade = valor
        else:
            tipo = estado.definicao
            indice = estado.correcao[0] if estado.correcao else len(estado.linhas)
            linha = estado.linha_em(indice)
            linha[campo.nome] = valor
            for dependente in tipo.dependentes(campo.nome, valor):
                linha.pop(dependente, None)
            obsoletas = {msg.texto_observacao(c) for c in OBSERVACOES_DO_TIPO.get(campo.tipo, ())}
            anteriores = [
                o for o in linha.get("observacoes", "").split(" | ") if o and o not in obsoletas
            ]
            if observacao:
                anteriores.append(observacao)
            if anteriores:
                linha["observacoes"] = " | ".join(dict.fromkeys(anteriores))
            else:
                linha.pop("observacoes", None)
            if campo.nome == tipo.campo_unidade:
                estado.unidade = valor
        return self._avancar(estado)

    def _avancar(self, estado: Estado) -> list[Mensagem]:
        """After a value: next field, next row question, or the summary."""
        tipo = estado.definicao
        if estado.correcao:
            if self.campo_atual(estado) is not None and self._linha_incompleta(estado):
                return []
            estado.correcao = None
            estado.fase = "resumo"
            return []
        if self.campo_atual(estado) is not None:
            return []
        estado.linhas.append(estado.linha)
        estado.linha = {}
        estado.fase = "mais" if tipo.varias_linhas else "resumo"
        return []

    def _linha_incompleta(self, estado: Estado) -> bool:
        linha_idx, nome = estado.correcao or (0, "")
        if nome == UNIDADE_SOLICITANTE.nome:
            return False
        linha = estado.linha_em(linha_idx)
        return any(c.nome not in linha for c in estado.definicao.campos_da_linha(linha))

    def _responder_mais(self, estado: Estado, turno: Turno) -> Resposta:
        curto, intent = turno.curto, turno.intent
        if curto in v.SIM or (intent == "affirm" and curto not in v.NAO):
            estado.fase = "campo"
            estado.linha = estado.definicao.valores_fixos
            return Resposta(estado, [])
        if curto in v.NAO or intent == "deny":
            estado.fase = "resumo"
            return Resposta(estado, [])
        interrompeu = self._interrupcao(estado, turno, FAQ_CONFIANCA_MINIMA)
        return Resposta(estado, interrompeu or [mensagem(msg.texto("mais_nao_entendi"))])

    def _responder_resumo(self, estado: Estado, turno: Turno) -> Resposta:
        curto = turno.curto
        if curto in v.CORRIGIR or curto.startswith(v.PREFIXO_CORRIGIR):
            estado.fase = "corrigir"
            return Resposta(estado, [])
        if curto in v.CONFIRMAR:
            return self._enviar(estado, turno.canal, turno.contato)
        if curto in v.SIM_NO_RESUMO or turno.intent == "affirm":
            # only the summary's own Confirmar (or a typed "confirmo") files
            return Resposta(estado, [mensagem(msg.texto("resumo_sim_sem_confirmar"))])
        interrompeu = self._interrupcao(estado, turno, FAQ_CONFIANCA_MINIMA)
        return Resposta(estado, interrompeu or [mensagem(msg.texto("resumo_nao_entendi"))])

    def _enviar(self, estado: Estado, canal: str, contato: str) -> Resposta:
        try:
            solicitacao = self.s.registrar(estado, canal, contato)
        except Exception:
            return Resposta(estado, [mensagem(msg.texto("falha_registro"))])
        estado.fase = "concluida"
        estado.protocolo = solicitacao.protocolo
        return Resposta(estado, msg.mensagens_de_protocolo(solicitacao))

    def _responder_corrigir(self, estado: Estado, turno: Turno) -> Resposta:
        alvo = self._alvo_correcao(estado, turno.curto)
        if alvo is None:
            return Resposta(estado, [mensagem(msg.texto("campo_nao_identificado"))])
        estado.correcao = list(alvo)
        estado.fase = "campo"
        estado.falhas = 0
        return Resposta(estado, [])

    def _alvo_correcao(self, estado: Estado, curto: str) -> tuple[int, str] | None:
        match = v.CORRECAO.match(curto)
        itens = estado.campos_corrigiveis()
        if match:
            indice, nome = int(match.group(1)) - 1, match.group(2)
            if any(i == indice and c.nome == nome for i, c in itens):
                return indice, nome
            return None
        candidatos = [
            (i, c)
            for i, c in itens
            if normalize_text(c.coluna) == curto or c.nome == curto.replace(" ", "_")
        ]
        if len({i for i, _ in candidatos}) == 1 and candidatos:
            return candidatos[0][0], candidatos[0][1].nome
        return None

    def _responder_email_problematico(self, estado: Estado, turno: Turno) -> Resposta:
        campo = self._campo_email(estado)
        pendente, estado.pendente, estado.fase = estado.pendente, None, "campo"
        if turno.curto in v.MANTER_EMAIL or turno.curto.startswith(v.PREFIXO_MANTER):
            resultado = validacao.validar_email(pendente, aceitar_provedor_problematico=True)
            mensagens = self._definir(
                estado, campo, resultado.valor, msg.texto_observacao("email_mantido")
            )
            return Resposta(estado, mensagens)
        # anything else is another attempt at the e-mail field
        return self._responder_campo(estado, replace(turno, anexo=None, canal="", contato=""))

    def _campo_email(self, estado: Estado) -> Campo:
        estado.fase = "campo"
        campo = self.campo_atual(estado)
        estado.fase = "email_problematico"
        if campo is None:  # the e-mail phase always follows an e-mail field
            raise ValueError("fase email_problematico sem campo de e-mail")
        return campo
