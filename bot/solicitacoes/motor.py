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

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from bot.faq import respostas
from bot.solicitacoes import botoes, perguntas, validacao
from bot.solicitacoes import mensagens as msg
from bot.solicitacoes import vocabulario as v
from bot.solicitacoes.cota import LimiteDiario
from bot.solicitacoes.estado import Estado, Resposta, Turno
from bot.solicitacoes.mensagens import Mensagem, mensagem
from bot.solicitacoes.pedido import tipo_pedido
from bot.solicitacoes.protocolo import encontrar_protocolo, extrair_protocolo
from bot.solicitacoes.tipos import TIPOS, UNIDADE_SOLICITANTE, Campo
from bot.text import normalize_text

if TYPE_CHECKING:
    from bot.solicitacoes.servicos import Servicos

__all__ = ["Estado", "Motor", "Resposta", "Turno"]

logger = logging.getLogger(__name__)

# Least NLU confidence to take an answer for an FAQ question (or a "yes");
# higher in free-text fields, where any text is a plausible answer.
FAQ_CONFIANCA_MINIMA = 0.6
FAQ_CONFIANCA_CAMPO_LIVRE = 0.8

# Longest answer still read as a question asked mid-form: a longer one is the
# field's own text (a motivo that mentions its topic), never an FAQ question.
PERGUNTA_MAXIMA = 300
# Least confidence to take a name or free-text answer for another request.
PEDIDO_CONFIANCA_MINIMA = 0.8
# The address of a filed request's e-mail notices, validated like the form's e-mails.
CAMPO_EMAIL_AVISOS = Campo("email", "E-mail dos avisos", "email")

# Field types whose answer is a name: a request or greeting is never one.
CAMPOS_DE_NOME = ("nome", "texto_curto")

# A filled planilha sent, or its check's choice tapped, while a form is open
# (bot/solicitacoes/planilha_chat.py): never an answer to the current field.
INTENCOES_DE_PLANILHA = frozenset({"enviar_planilha", "decidir_planilha"})
COMANDOS_DE_PLANILHA = ("/enviar_planilha", "/decidir_planilha")

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
        dias = self.s.settings.retencao_dias
        return Resposta(estado, perguntas.introducao(estado, avisar_lgpd, dias))

    def campo_atual(self, estado: Estado) -> Campo | None:
        """The field being asked, or None outside the ``campo`` phase."""
        return estado.campo_atual()

    def pergunta(self, estado: Estado) -> list[Mensagem]:
        """The question for the current step, its buttons tied to the step."""
        return botoes.marcar(perguntas.pergunta(estado), estado.passo())

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
        """Process one user turn of an active request.

        A tapped button answers only the question it was offered with: one of
        an earlier step is refused (the ask step shows the current question).
        """
        if turno.intent in INTENCOES_DE_PLANILHA or turno.texto.startswith(COMANDOS_DE_PLANILHA):
            # a planilha uploaded (or its choice tapped) mid-form: not an answer
            return Resposta(estado, [mensagem(msg.texto("planilha_fora_de_hora"))])
        toque = botoes.ler(turno.texto)
        if toque is not None:
            if toque.passo != estado.passo():
                return Resposta(estado, [mensagem(msg.texto("botao_antigo"))])
            turno = replace(turno, texto=toque.valor, curto=normalize_text(toque.valor))
        resposta = self._responder_fase(estado, turno)
        if not resposta.concluido:
            resposta.mensagens = botoes.marcar(resposta.mensagens, resposta.estado.passo())
        return resposta

    def _cancelar(self, estado: Estado, turno: Turno) -> Resposta | None:
        """A cancel, typed in any field; while adding a row, ask what to cancel."""
        palavras = v.sem_pontuacao(turno.curto)
        cancela = (
            turno.curto in v.CANCELAR
            or turno.curto.startswith(v.PREFIXO_CANCELAR)
            or palavras in v.CANCELAR
            or bool(v.FRASE_CANCELAR.match(palavras))
        )
        if not cancela:
            return None
        if estado.fase in ("avisos", "avisos_email"):  # filed already: only the offer ends
            estado.fase = "concluida"
            return Resposta(estado, [mensagem(msg.texto("avisos_nao"))])
        if estado.fase == "campo" and self._incluindo_linha(estado):
            estado.retorno, estado.fase = estado.fase, "cancelar_qual"
            return Resposta(estado, [])
        desvio = estado.desvio if estado.fase == "desvio" else None
        estado.fase = "cancelada"
        if desvio:
            return Resposta(estado, [mensagem(msg.texto("cancelada_desvio", texto=desvio))])
        return Resposta(estado, [mensagem(msg.texto("cancelada"))])

    def _responder_fase(self, estado: Estado, turno: Turno) -> Resposta:
        sugestoes, estado.sugestoes = estado.sugestoes, []
        cancelou = self._cancelar(estado, turno)
        if cancelou:
            return cancelou
        if estado.fase == "campo" and sugestoes:
            aceita = self._aceitar_sugestao(turno, sugestoes)
            if isinstance(aceita, Turno):
                turno = aceita
            elif aceita:
                estado.sugestoes = sugestoes
                return Resposta(estado, [mensagem(aceita, [(s, s) for s in sugestoes])])
        fases: dict[str, Fase] = {
            "tipo": self._responder_tipo,
            "campo": self._responder_campo,
            "mais": self._responder_mais,
            "resumo": self._responder_resumo,
            "corrigir": self._responder_corrigir,
            "email_problematico": self._responder_email_problematico,
            "desvio": self._responder_desvio,
            "avisos": self._responder_avisos,
            "avisos_email": self._responder_avisos_email,
            "cancelar_qual": self._responder_cancelar_qual,
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
        dias = self.s.settings.retencao_dias
        return Resposta(novo, perguntas.introducao(novo, estado.avisar_lgpd, dias))

    def _interrupcao(self, estado: Estado, turno: Turno, minimo: float) -> list[Mensagem] | None:
        """Answer a question asked in the middle of the form, if it is one."""
        match = encontrar_protocolo(turno.texto)
        if match and turno.intent != "nlu_fallback":
            cancelar = bool(v.PEDE_CANCELAMENTO.search(turno.curto))
            return [*self._status(match, cancelar), mensagem(msg.texto("voltando"))]
        intent, confianca = turno.intent, turno.confianca
        if intent is not None and intent in respostas.carregar_topicos() and confianca >= minimo:
            return [mensagem(m) for m in respostas.responder(intent, self.s.links)] + [
                mensagem(msg.texto("voltando"))
            ]
        if intent == "help" and confianca >= minimo:
            titulo = TIPOS[estado.tipo].no_texto if estado.tipo else msg.texto("ajuda_sem_tipo")
            return [mensagem(msg.texto("ajuda", tipo=titulo))]
        return None

    def _status(self, match: re.Match[str], cancelar: bool) -> list[Mensagem]:
        protocolo = extrair_protocolo(match.group(0)) or match.group(0)
        status = self.s.status_publico(protocolo)
        return [mensagem(msg.texto_status(protocolo, status, cancelar=cancelar))]

    def _responder_campo(self, estado: Estado, turno: Turno) -> Resposta:
        tipo = estado.definicao
        campo = self.campo_atual(estado)
        if campo is None:  # nothing left to ask: move on
            return Resposta(estado, self._avancar(estado))
        aparte = self._aparte(estado, campo, turno)
        if aparte is not None:
            return aparte
        curta = len(turno.texto) <= PERGUNTA_MAXIMA
        parece_pergunta = "?" in turno.texto or turno.curto.startswith(v.PALAVRAS_DE_PERGUNTA)
        if campo.livre and parece_pergunta and curta:
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
        if estado.pendente and campo.tipo == "email" and self._manter(turno):
            return self._manter_email(estado, campo)
        # validate as this kind requires it (the form may require what the
        # spreadsheet marks optional)
        resultado = validacao.validar_campo(
            replace(campo, obrigatorio=obrigatorio), turno.texto, self.s.catalogos
        )
        if resultado.ok:
            valor: str = "" if resultado.valor is None else resultado.valor  # omitted optional
            contradicao = self._contradicao(estado, campo, valor) if valor else None
            if contradicao:
                return self._falha(estado, campo, contradicao, ())
            return Resposta(estado, self._definir(estado, campo, valor))
        erro = resultado.erro or ""
        if resultado.codigo == "provedor_problematico":
            estado.fase = "email_problematico"
            estado.pendente = turno.texto.strip()
            return Resposta(estado, [mensagem(erro)])
        # a single word is an answer, not a question; a failure that read the
        # answer as a value ("NTS" as a new sigla) is the answer to give
        pergunta = len(v.sem_pontuacao(turno.curto).split()) > 1 or "?" in turno.texto
        if curta and pergunta and not resultado.reconhecido:
            interrompeu = self._interrupcao(estado, turno, FAQ_CONFIANCA_MINIMA)
            if interrompeu:
                return Resposta(estado, interrompeu)
        return self._falha(estado, campo, erro, resultado.sugestoes)

    def _aparte(self, estado: Estado, campo: Campo, turno: Turno) -> Resposta | None:
        """Not an answer to the field: a greeting, another request, "not this row"."""
        palavras = v.sem_pontuacao(turno.curto)
        if v.SAUDACAO.match(palavras):
            return Resposta(estado, [mensagem(self._lembrete(estado))])
        if self._incluindo_linha(estado):
            primeira = estado.linha == estado.definicao.valores_fixos
            if palavras in v.VOLTAR or (primeira and palavras in v.NAO):
                return self._descartar_linha(estado)
        if campo.tipo == "anexo" or turno.anexo:
            return None
        pedido = turno.intent in ("abrir_solicitacao", "consultar_status", "cancelar")
        pedido = pedido and turno.confianca >= PEDIDO_CONFIANCA_MINIMA
        if campo.tipo in CAMPOS_DE_NOME:
            pedido = pedido or bool(v.PALAVRAS_DE_PEDIDO & set(palavras.split()))
        elif not campo.livre or len(palavras.split()) > 12:
            pedido = False
        if not pedido:
            return None
        pergunta = "?" in turno.texto or turno.curto.startswith(v.PALAVRAS_DE_PERGUNTA)
        if pergunta or encontrar_protocolo(turno.texto):  # a question it can answer: answer it
            interrompeu = self._interrupcao(estado, turno, FAQ_CONFIANCA_MINIMA)
            if interrompeu:
                return Resposta(estado, interrompeu)
        estado.desvio = turno.texto.strip()
        estado.retorno, estado.fase = estado.fase, "desvio"
        return Resposta(estado, [])

    def _lembrete(self, estado: Estado) -> str:
        return msg.texto("lembrete", tipo=estado.definicao.no_texto)

    def _aceitar_sugestao(self, turno: Turno, sugestoes: Sequence[str]) -> Turno | str | None:
        """A "sim" to "Você quis dizer…?": the one suggestion, or ask which one."""
        if v.sem_pontuacao(turno.curto) not in v.SIM_A_SUGESTAO:
            return None
        if len(sugestoes) == 1:
            return replace(turno, texto=sugestoes[0], curto=normalize_text(sugestoes[0]))
        return msg.texto("sugestao_qual")

    def _manter(self, turno: Turno) -> bool:
        return turno.curto in v.MANTER_EMAIL or turno.curto.startswith(v.PREFIXO_MANTER)

    def _manter_email(self, estado: Estado, campo: Campo) -> Resposta:
        resultado = validacao.validar_email(estado.pendente, aceitar_provedor_problematico=True)
        estado.fase = "campo"
        mensagens = self._definir(
            estado, campo, resultado.valor or "", msg.texto_observacao("email_mantido")
        )
        return Resposta(estado, mensagens)

    def _contradicao(self, estado: Estado, campo: Campo, valor: str) -> str | None:
        """A value that repeats another row's or contradicts its own row."""
        duplicado = self._duplicado(estado, campo, valor)
        if duplicado:
            return duplicado
        if campo.nome == UNIDADE_SOLICITANTE.nome:
            return None
        indice = estado.correcao[0] if estado.correcao else len(estado.linhas)
        return validacao.conferir_linha(estado.definicao, estado.linha_em(indice), campo, valor)

    def _incluindo_linha(self, estado: Estado) -> bool:
        """Filling in one more row of a request that has rows already."""
        if estado.fase != "campo" or estado.correcao or not estado.linhas:
            return False
        campo = estado.campo_atual()
        return campo is not None and campo.nome != UNIDADE_SOLICITANTE.nome

    def _descartar_linha(self, estado: Estado) -> Resposta:
        estado.linha, estado.fase, estado.falhas = {}, "resumo", 0
        estado.retorno = None
        quem = msg.nomes_da_linha(estado.definicao)["quem"]
        return Resposta(estado, [mensagem(msg.texto("linha_descartada", quem=quem))])

    def _responder_desvio(self, estado: Estado, turno: Turno) -> Resposta:
        palavras = v.sem_pontuacao(turno.curto)
        if palavras in v.CONTINUAR or palavras in v.VOLTAR:
            estado.fase, estado.retorno, estado.desvio = estado.retorno or "campo", None, None
            return Resposta(estado, [mensagem(msg.texto("desvio_continuar"))])
        return Resposta(estado, [mensagem(msg.texto("desvio_nao_entendi"))])

    def _responder_cancelar_qual(self, estado: Estado, turno: Turno) -> Resposta:
        palavras = v.sem_pontuacao(turno.curto)
        if palavras in v.SO_ESTA_LINHA:
            return self._descartar_linha(estado)
        if palavras in v.TUDO:
            estado.fase = "cancelada"
            return Resposta(estado, [mensagem(msg.texto("cancelada"))])
        if palavras in v.CONTINUAR or palavras in v.VOLTAR or palavras in v.NAO:
            estado.fase, estado.retorno = estado.retorno or "campo", None
            return Resposta(estado, [mensagem(msg.texto("desvio_continuar"))])
        return Resposta(estado, [mensagem(msg.texto("cancelar_qual_nao_entendi"))])

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
        estado.sugestoes = list(sugestoes)
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
            anterior = linha.get(campo.nome)
            # the same address in other case is the same mailbox (never altered, only compared)
            if anterior == valor or (
                campo.tipo == "email" and (anterior or "").casefold() == valor.casefold()
            ):
                quem = msg.nomes_da_linha(estado.definicao)["quem"]
                return msg.texto("duplicado", coluna=campo.coluna, quem=quem, n=i + 1)
        return None

    def _definir(
        self, estado: Estado, campo: Campo, valor: str, observacao: str | None = None
    ) -> list[Mensagem]:
        """Store a validated value and move on."""
        estado.falhas, estado.pendente = 0, None
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
        if curto in v.NAO or intent == "deny" or v.sem_pontuacao(curto) in v.VOLTAR:
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
        remocao = v.REMOCAO.match(v.sem_pontuacao(curto))
        if remocao:
            return self._remover_linha(estado, int(remocao.group(1)))
        if curto in v.SIM_NO_RESUMO or turno.intent == "affirm":
            # only the summary's own Confirmar (or a typed "confirmo") files
            return Resposta(estado, [mensagem(msg.texto("resumo_sim_sem_confirmar"))])
        interrompeu = self._interrupcao(estado, turno, FAQ_CONFIANCA_MINIMA)
        return Resposta(estado, interrompeu or [mensagem(msg.texto("resumo_nao_entendi"))])

    def _enviar(self, estado: Estado, canal: str, contato: str) -> Resposta:
        try:
            solicitacao = self.s.registrar(estado, canal, contato)
        except LimiteDiario as erro:  # today's cap: kept, not filed
            return Resposta(estado, [mensagem(msg.texto("limite_diario", limite=erro.limite))])
        except Exception:
            return Resposta(estado, [mensagem(msg.texto("falha_registro"))])
        estado.protocolo = solicitacao.protocolo
        # filed; with e-mail notices on, one more question: "avisos por e-mail?"
        estado.fase = "avisos" if self.s.assinante is not None else "concluida"
        return Resposta(estado, msg.mensagens_de_protocolo(solicitacao, sei=self.s.arquiva_no_sei))

    def _responder_avisos(self, estado: Estado, turno: Turno) -> Resposta:
        palavras = v.sem_pontuacao(turno.curto)
        if palavras in v.SIM or turno.intent == "affirm":
            estado.fase = "avisos_email"
            return Resposta(estado, [])
        if "@" in turno.texto:  # the address straight away
            return self._responder_avisos_email(estado, turno)
        estado.fase = "concluida"
        return Resposta(estado, [mensagem(msg.texto("avisos_nao"))])

    def _responder_avisos_email(self, estado: Estado, turno: Turno) -> Resposta:
        if v.sem_pontuacao(turno.curto) in v.PULAR | v.NAO:
            estado.fase = "concluida"
            return Resposta(estado, [mensagem(msg.texto("avisos_nao"))])
        # the form's own rules (personal, not a unit's mailbox); Hotmail/Outlook is
        # only warned about in the question, not refused
        resultado = validacao.validar_campo(CAMPO_EMAIL_AVISOS, turno.texto, self.s.catalogos)
        if resultado.codigo == "provedor_problematico":
            resultado = validacao.validar_email(turno.texto, aceitar_provedor_problematico=True)
        if not resultado.ok or not resultado.valor:
            estado.fase = "avisos_email"
            return Resposta(
                estado, [mensagem(resultado.erro or msg.texto("avisos_email_invalido"))]
            )
        assinante = self.s.assinante
        if assinante is None or estado.protocolo is None:  # not reachable: asked only with one
            estado.fase = "concluida"
            return Resposta(estado, [])
        try:
            resposta = assinante(estado.protocolo, "email", resultado.valor)
        except Exception:
            logger.exception("falha ao guardar o e-mail de avisos de %s", estado.protocolo)
            resposta = msg.texto("avisos_falha")
        estado.fase = "concluida"
        return Resposta(estado, [mensagem(resposta)])

    def _responder_corrigir(self, estado: Estado, turno: Turno) -> Resposta:
        palavras = v.sem_pontuacao(turno.curto)
        if palavras in v.NADA_A_CORRIGIR:
            estado.fase = "resumo"
            return Resposta(estado, [mensagem(msg.texto("nada_corrigido"))])
        remocao = v.REMOCAO.match(palavras)
        if remocao:
            return self._remover_linha(estado, int(remocao.group(1)))
        alvo = self._alvo_correcao(estado, turno.curto) or self._campo_citado(estado, palavras)
        if alvo is None:
            return Resposta(estado, [mensagem(msg.texto("campo_nao_identificado"))])
        estado.correcao = list(alvo)
        estado.fase = "campo"
        estado.falhas = 0
        return Resposta(estado, [])

    def _remover_linha(self, estado: Estado, numero: int) -> Resposta:
        """Drop row ``numero`` (from 1) of the summary; the only row stays (cancel instead)."""
        quem = msg.nomes_da_linha(estado.definicao)["quem"]
        if not estado.definicao.varias_linhas or len(estado.linhas) < 2:
            return Resposta(estado, [mensagem(msg.texto("remover_unica", quem=quem))])
        if not 1 <= numero <= len(estado.linhas):
            return Resposta(
                estado, [mensagem(msg.texto("remover_inexistente", quem=quem, n=numero))]
            )
        linha = estado.linhas.pop(numero - 1)
        tipo = estado.definicao
        if tipo.campo_unidade:
            estado.unidade = estado.linhas[0].get(tipo.campo_unidade)
        estado.fase = "resumo"
        nome = linha.get("nome") or linha.get(tipo.campo_unidade or "") or ""
        texto = msg.texto("linha_removida", quem=quem, n=numero, identificacao=nome or "-")
        return Resposta(estado, [mensagem(texto)])

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

    def _campo_citado(self, estado: Estado, palavras: str) -> tuple[int, str] | None:
        """The field a sentence names ("o cpf está errado"), if only one fits."""
        itens = estado.campos_corrigiveis()
        texto = f" {palavras} "
        citados = [
            (i, c)
            for i, c in itens
            if f" {v.sem_pontuacao(normalize_text(c.coluna))} " in texto
            or f" {c.nome.replace('_', ' ')} " in texto
        ]
        linhas = {i for i, _ in citados}
        if len(linhas) > 1:  # several rows: a number or a name says which
            numeros = {int(n) - 1 for n in re.findall(r"\b(\d{1,2})\b", palavras)}
            nomes = {
                i
                for i, linha in enumerate(estado.linhas)
                if linha.get("nome")
                and v.sem_pontuacao(normalize_text(linha["nome"])).split()[0] in palavras.split()
            }
            escolhidas = (numeros or nomes) & linhas
            citados = [(i, c) for i, c in citados if i in escolhidas]
        if len({(i, c.nome) for i, c in citados}) == 1:
            return citados[0][0], citados[0][1].nome
        return None

    def _responder_email_problematico(self, estado: Estado, turno: Turno) -> Resposta:
        campo = self._campo_email(estado)
        if self._manter(turno):
            return self._manter_email(estado, campo)
        # anything else is another attempt at the e-mail field; until one is
        # taken, "Manter este e-mail" still keeps the address warned about
        estado.fase = "campo"
        return self._responder_campo(estado, replace(turno, anexo=None, canal="", contato=""))

    def _campo_email(self, estado: Estado) -> Campo:
        estado.fase = "campo"
        campo = self.campo_atual(estado)
        estado.fase = "email_problematico"
        if campo is None:  # the e-mail phase always follows an e-mail field
            raise ValueError("fase email_problematico sem campo de e-mail")
        return campo
