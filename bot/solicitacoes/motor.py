"""Guided filing of a request: the conversation engine, without Rasa.

The Rasa form is a thin loop around it: every user message of an active
request reaches ``Motor.responder``, which validates the answer, keeps what
was typed, decides what comes next and returns the messages to show; the
form's "ask" step shows ``Motor.pergunta``. The state (``Estado``) is plain
JSON kept in a Rasa slot, so a conversation survives restarts.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Protocol

from bot.faq import respostas
from bot.solicitacoes import validacao
from bot.solicitacoes.pedido import tipo_pedido
from bot.solicitacoes.protocolo import encontrar_protocolo, extrair_protocolo
from bot.solicitacoes.tipos import TIPOS, Campo, Solicitacao, Tipo
from bot.text import normalize_text

Mensagem = dict[str, Any]

# Pseudo-field asked once per request: the unit that files it.
UNIDADE = Campo("unidade_solicitante", "Unidade solicitante", "sigla", lista="siglas")
# Kinds whose row already names the requesting unit (seed items 8, 20, 21).
UNIDADE_DA_LINHA = {"relato_erro": "sigla", "atualizacao_email": "sigla", "desanexacao": "sigla"}
# Values preset in every row of a kind (not asked).
PRESETS = {"remocao_usuario": {"operacao": "REMOVER"}}

FAQ_CONFIANCA_MINIMA = 0.6
FAQ_CONFIANCA_CAMPO_LIVRE = 0.8
TIPOS_LIVRES = {"nome", "texto", "texto_curto"}
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

CANCELAR = {
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
PULAR = {
    "pular",
    "pula",
    "pule",
    "nao tem",
    "nao ha",
    "nao existe",
    "nenhum",
    "nenhuma",
    "nao se aplica",
    "sem numero",
    "nao sei",
    "nao possui",
    "nao tenho",
}
SEM_ANEXO = {
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
SIM = {
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
NAO = {
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
CONFIRMAR = {
    "confirmar",
    "confirmo",
    "confirma",
    "sim",
    "s",
    "pode enviar",
    "enviar",
    "ok",
    "isso",
    "correto",
    "tudo certo",
    "esta certo",
    "sim confirmar",
    "confirmar envio",
    "pode confirmar",
    "certo",
    "tentar de novo",
    "tentar novamente",
}
CORRIGIR = {
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
MANTER_EMAIL = {
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

AVISO_LGPD = (
    "Aviso de privacidade (LGPD): os dados pessoais que você informar aqui (nome, CPF, "
    "e-mail) serão usados somente para registrar esta solicitação e para o atendimento "
    "dela pelo SESAU NTS e pela SEPLAG/SUMOGE, que administram o SEI."
)
OBS_EMAIL_MANTIDO = (
    "E-mail Hotmail/Outlook/Live/MSN mantido: o solicitante confirmou que não há outro."
)
OBS_SEM_CAPTURA = "Sem captura de tela: o solicitante informou que não conseguiu anexar."
# observations that a new value of a field of this type makes obsolete
OBSERVACOES_DO_TIPO = {"email": (OBS_EMAIL_MANTIDO,), "anexo": (OBS_SEM_CAPTURA,)}

PERGUNTAS = {
    "unidade_solicitante": "Para começar: qual a sigla da sua unidade no SEI (o setor que "
    "está fazendo o pedido)? Exemplo: GETIN",
    "nome": "Qual o nome completo {quem}?",
    "cpf": "Qual o CPF {de_nome}? (11 dígitos, com ou sem pontos)",
    "email": "Qual o e-mail pessoal {de_nome}? Não pode ser e-mail coletivo do setor; "
    "evite Hotmail e Outlook.",
    "sigla": "Qual a sigla da unidade {de_nome} no SEI? Exemplo: GETIN",
    "cargo": "Qual o cargo/função {de_nome}, como consta na lista oficial?",
    "operacao": "O que deseja fazer com a lotação {de_nome}?\n"
    "• ADICIONAR: manter a unidade atual e incluir outra\n"
    "• MUDAR: trocar uma unidade por outra",
    "siglas_adicionar": "Qual(is) sigla(s) de unidade adicionar {para_nome}? "
    "Separe por vírgula se forem várias.",
    "siglas_remover": "Qual(is) sigla(s) de unidade remover {de_nome}? "
    "Separe por vírgula se forem várias.",
    "nome_unidade": "Qual o nome da nova unidade (setor)?",
    "sigla_proposta": "Qual sigla você propõe para ela? Não pode ser uma que já existe no SEI.",
    "sigla_superior": "Qual a sigla da unidade superior (à qual a nova fica subordinada)?",
    "nome_responsavel": "Qual o nome completo do responsável pela unidade?",
    "email_responsavel": "Qual o e-mail pessoal do responsável? Não pode ser e-mail "
    "coletivo; evite Hotmail e Outlook.",
    "ato_criacao": "Se houver, informe o ato de criação da unidade (decreto, portaria...). "
    "Se não houver, toque em Pular.",
    "descricao": "Descreva o erro: o que você estava fazendo, o que apareceu na tela e "
    "desde quando acontece.",
    "captura": "Envie uma captura da tela com o erro (imagem PNG ou JPEG, até 10 MB). "
    'Se não conseguir anexar por aqui, toque em "Não consigo anexar".',
    "processo": "Se o erro acontece num processo ou documento específico, informe o número "
    "(exemplo: E:02000.0000003030/2020). Se não, toque em Pular.",
    "processo_principal": "Qual o número completo do processo principal? "
    "Exemplo: E:02000.0000003030/2020",
    "processo_anexado": "Qual o número completo do processo anexado?",
    "motivo": "Qual o motivo da separação dos processos?",
}
PERGUNTAS_POR_TIPO = {
    ("remocao_usuario", "siglas_remover"): "De qual(is) unidade(s) {nome} deve ser "
    "desligado(a)? Informe a(s) sigla(s).",
    ("atualizacao_email", "email"): "Qual o novo e-mail pessoal {de_nome}? Deve ser de uso "
    "pessoal; evite Hotmail e Outlook.",
    ("atualizacao_email", "sigla"): "Qual a sigla da unidade de lotação atual {de_nome}?",
    ("correcao_cargo", "cargo"): "Qual o cargo correto {de_nome}, como consta na lista oficial?",
    ("relato_erro", "sigla"): "Qual a sigla da sua unidade no SEI? Exemplo: GETIN",
    ("desanexacao", "sigla"): "Qual a sigla da unidade que realizou a junção (anexou os "
    "processos)? O processo principal deve ficar nela durante a "
    "solicitação.",
}
FORMATOS = {
    "nome": "nome e sobrenome, só com letras (acentos, hífen e apóstrofo valem). "
    "Exemplo: Maria da Silva",
    "cpf": "11 dígitos, com ou sem pontos e traço. Exemplo: 529.982.247-25",
    "email": "um endereço pessoal completo, como nome.sobrenome@gmail.com",
    "sigla": "a sigla exatamente como aparece no SEI, como GETIN ou SUVISA",
    "siglas": "uma ou mais siglas do SEI separadas por vírgula, como GETIN, NTS",
    "sigla_nova": "de 2 a 20 letras ou números, ainda não usada no SEI. Exemplo: GEPLAN",
    "cargo": "o nome do cargo como está na lista oficial (Lei Delegada vigente)",
    "processo": "E:OOOOO.NNNNNNNNNN/AAAA, como E:02000.0000003030/2020",
    "texto": "um texto de 10 a 2.000 caracteres",
    "texto_curto": "um texto de uma linha, de 3 a 200 caracteres",
    "operacao": "ADICIONAR ou MUDAR",
    "anexo": "uma imagem PNG ou JPEG de até 10 MB",
}


class Servicos(Protocol):
    """What the engine needs from the outside world."""

    catalogos: Any
    links: dict[str, respostas.Link]

    def registrar(self, estado: Estado, canal: str, contato: str) -> Solicitacao:
        """File the request (idempotent on ``estado.id``)."""

    def status_publico(self, protocolo: str) -> dict[str, str] | None:
        """Public status of a protocol, or None."""


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
    correcao: list[Any] | None = None
    pendente: str | None = None
    protocolo: str | None = None
    # id of the message that started the request: not an answer to anything
    mensagem_inicial: str | None = None

    @classmethod
    def de_dict(cls, data: dict[str, Any]) -> Estado:
        """Rebuild from the slot value (unknown keys ignored)."""
        names = cls.__dataclass_fields__.keys()
        return cls(**{k: v for k, v in data.items() if k in names})

    def para_dict(self) -> dict[str, Any]:
        """Slot value."""
        return asdict(self)

    @property
    def concluido(self) -> bool:
        """Filed or cancelled."""
        return self.fase in ("concluida", "cancelada")


@dataclass
class Resposta:
    """Outcome of one user turn."""

    estado: Estado
    mensagens: list[Mensagem]

    @property
    def concluido(self) -> bool:
        return self.estado.concluido


def _msg(text: str, buttons: Sequence[tuple[str, str]] = (), **extra: Any) -> Mensagem:
    message: Mensagem = {"text": text}
    if buttons:
        message["buttons"] = [{"title": t, "payload": p} for t, p in buttons]
    message.update(extra)
    return message


def campos_da_linha(tipo: Tipo, linha: dict[str, str]) -> list[Campo]:
    """The fields asked for one row, given what it already holds."""
    campos = [c for c in tipo.campos if c.nome not in PRESETS.get(tipo.chave, {})]
    if tipo.chave == "lotacao":
        campos = [
            c for c in campos if c.nome != "siglas_remover" or linha.get("operacao") == "MUDAR"
        ]
    elif tipo.chave == "remocao_usuario":
        campos = [c for c in campos if c.nome != "siglas_adicionar"]
    return campos


def _obrigatorio(tipo: Tipo, campo: Campo) -> bool:
    if tipo.chave == "lotacao" and campo.nome == "siglas_adicionar":
        return True
    if tipo.chave in ("lotacao", "remocao_usuario") and campo.nome == "siglas_remover":
        return True
    return campo.obrigatorio


class Motor:
    """The guided conversation of every request kind."""

    def __init__(self, servicos: Servicos) -> None:
        self.s = servicos

    # ----- start and questions -------------------------------------------------
    def iniciar(self, tipo_chave: str | None, avisar_lgpd: bool = True) -> Resposta:
        """Start a request of kind ``tipo_chave`` (None: ask which kind first)."""
        if tipo_chave not in TIPOS:
            return Resposta(Estado(tipo=None, fase="tipo", avisar_lgpd=avisar_lgpd), [])
        estado = Estado(tipo=tipo_chave, linha=dict(PRESETS.get(tipo_chave, {})))
        return Resposta(estado, self._introducao(estado, avisar_lgpd))

    def _introducao(self, estado: Estado, avisar_lgpd: bool) -> list[Mensagem]:
        tipo = TIPOS[estado.tipo]
        texto = f"Vamos preencher a solicitação de {tipo.no_texto}."
        if tipo.varias_linhas:
            texto += " Você pode incluir mais de uma pessoa/unidade no mesmo pedido."
        texto += ' A qualquer momento, digite "cancelar" para desistir.'
        mensagens = [_msg(texto)]
        if avisar_lgpd:
            mensagens.append(_msg(AVISO_LGPD))
        return mensagens

    def campo_atual(self, estado: Estado) -> Campo | None:
        """The field being asked, or None outside the ``campo`` phase."""
        tipo = TIPOS[estado.tipo]
        if estado.fase != "campo":
            return None
        if estado.correcao:
            linha_idx, nome = estado.correcao
            if nome == UNIDADE.nome:
                return UNIDADE
            linha = self._linha(estado, linha_idx)
            faltando = [c for c in campos_da_linha(tipo, linha) if c.nome not in linha]
            return faltando[0] if nome in linha and faltando else tipo.campo(nome)
        if estado.unidade is None and tipo.chave not in UNIDADE_DA_LINHA:
            return UNIDADE
        for campo in campos_da_linha(tipo, estado.linha):
            if campo.nome not in estado.linha:
                return campo
        return None

    def pergunta(self, estado: Estado) -> list[Mensagem]:
        """The question for the current step, with its buttons."""
        if estado.fase == "tipo":
            return [
                _msg(
                    "Qual solicitação você quer preencher?",
                    [(t.titulo, t.titulo) for t in TIPOS.values()],
                )
            ]
        tipo = TIPOS[estado.tipo]
        if estado.fase == "mais":
            outro = "mais alguma unidade" if tipo.chave == "criacao_unidade" else "mais alguém"
            return [
                _msg(
                    f"Deseja incluir {outro} nesta solicitação?",
                    [("Sim, incluir", "sim"), ("Não, seguir", "não")],
                )
            ]
        if estado.fase == "resumo":
            return self._resumo(estado)
        if estado.fase == "corrigir":
            return [_msg("Qual campo deseja corrigir?", self._botoes_correcao(estado))]
        if estado.fase == "email_problematico":
            return [
                _msg(
                    'Informe outro e-mail, ou, se não houver outro, toque em "Manter este e-mail".',
                    [("Manter este e-mail", "manter este e-mail")],
                )
            ]
        campo = self.campo_atual(estado)
        if campo is None:
            return []
        return [self._pergunta_campo(estado, campo)]

    def _pergunta_campo(self, estado: Estado, campo: Campo) -> Mensagem:
        tipo = TIPOS[estado.tipo]
        linha = estado.linha
        if estado.correcao and campo.nome != UNIDADE.nome:
            linha = self._linha(estado, estado.correcao[0])
        nome = linha.get("nome")
        pessoa = len(estado.linhas) + 1
        contexto = {
            "quem": "da pessoa" if pessoa == 1 else f"da pessoa {pessoa}",
            "de_nome": f"de {nome}" if nome else "da pessoa",
            "para_nome": f"para {nome}" if nome else "",
            "nome": nome or "a pessoa",
        }
        modelo = PERGUNTAS_POR_TIPO.get((tipo.chave, campo.nome)) or PERGUNTAS[campo.nome]
        texto = re.sub(r"\s+([?.,])", r"\1", modelo.format(**contexto))
        botoes: list[tuple[str, str]] = []
        if campo.tipo == "operacao":
            botoes = [("ADICIONAR", "ADICIONAR"), ("MUDAR", "MUDAR")]
        elif campo.tipo == "anexo":
            botoes = [("Não consigo anexar", "não consigo anexar")]
        elif not _obrigatorio(tipo, campo):
            botoes = [("Pular", "pular")]
        if estado.correcao:
            texto = "Corrigindo. " + texto
        return _msg(texto, botoes)

    # ----- one user turn ---------------------------------------------------------
    def responder(
        self,
        estado: Estado,
        texto: str | None,
        intent: str | None = None,
        confianca: float = 0.0,
        anexo: str | None = None,
        canal: str = "rest",
        contato: str = "",
    ) -> Resposta:
        """Process one user message of an active request."""
        texto = texto or ""
        curto = normalize_text(texto)
        if curto in CANCELAR or curto.startswith("cancelar "):
            estado.fase = "cancelada"
            return Resposta(
                estado,
                [
                    _msg(
                        "Solicitação cancelada. Nada foi enviado ao SESAU NTS. "
                        "Se precisar, é só pedir de novo."
                    )
                ],
            )
        handler = {
            "tipo": self._responder_tipo,
            "campo": self._responder_campo,
            "mais": self._responder_mais,
            "resumo": self._responder_resumo,
            "corrigir": self._responder_corrigir,
            "email_problematico": self._responder_email_problematico,
        }.get(estado.fase)
        if handler is None:
            return Resposta(estado, [])
        return handler(estado, texto, curto, intent, confianca, anexo, canal, contato)

    def _responder_tipo(self, estado, texto, curto, intent, confianca, *_):
        titulos = {normalize_text(t.titulo): t.chave for t in TIPOS.values()}
        chave = titulos.get(curto) or tipo_pedido([], texto, None, TIPOS)
        if chave is None:
            return Resposta(
                estado,
                [
                    _msg(
                        "Não identifiquei o tipo de solicitação. Toque num "
                        'dos botões abaixo, ou digite "cancelar".'
                    )
                ],
            )
        novo = Estado(
            tipo=chave,
            id=estado.id,
            linha=dict(PRESETS.get(chave, {})),
            mensagem_inicial=estado.mensagem_inicial,
        )
        return Resposta(novo, self._introducao(novo, estado.avisar_lgpd))

    def _interrupcao(
        self,
        estado: Estado,
        texto: str,
        curto: str,
        intent: str | None,
        confianca: float,
        minimo: float,
    ) -> list[Mensagem] | None:
        """Answer a question asked in the middle of the form, if it is one."""
        match = encontrar_protocolo(texto)
        if match and intent != "nlu_fallback":
            return self._status(match) + [_msg("Voltando à sua solicitação:")]
        if intent in respostas.load_topicos() and confianca >= minimo:
            return [_msg(m) for m in respostas.answer(intent, self.s.links)] + [
                _msg("Voltando à sua solicitação:")
            ]
        if intent == "help" and confianca >= minimo:
            titulo = TIPOS[estado.tipo].no_texto if estado.tipo else "solicitação"
            return [
                _msg(
                    f"Você está preenchendo uma solicitação de {titulo}. Responda à "
                    'pergunta abaixo, ou digite "cancelar" para desistir.'
                )
            ]
        return None

    def _status(self, match: re.Match[str]) -> list[Mensagem]:
        protocolo = extrair_protocolo(match.group(0)) or match.group(0)
        return [_msg(texto_status(protocolo, self.s.status_publico(protocolo)))]

    def _responder_campo(self, estado, texto, curto, intent, confianca, anexo, canal, contato):
        tipo = TIPOS[estado.tipo]
        campo = self.campo_atual(estado)
        if campo is None:  # nothing left to ask: move on
            return Resposta(estado, self._avancar(estado))
        parece_pergunta = "?" in texto or curto.startswith(PALAVRAS_DE_PERGUNTA)
        if campo.tipo in TIPOS_LIVRES and parece_pergunta:
            interrompeu = self._interrupcao(
                estado, texto, curto, intent, confianca, FAQ_CONFIANCA_CAMPO_LIVRE
            )
            if interrompeu:
                return Resposta(estado, interrompeu)
        if campo.tipo == "anexo":
            return self._responder_anexo(estado, campo, texto, curto, intent, confianca, anexo)
        if anexo:
            return Resposta(
                estado,
                [
                    _msg(
                        "Recebi uma imagem, mas neste momento preciso de "
                        "outra informação. Responda à pergunta abaixo."
                    )
                ],
            )
        obrigatorio = _obrigatorio(tipo, campo)
        if not obrigatorio and curto in PULAR:
            return Resposta(estado, self._definir(estado, campo, ""))
        # validate as this kind requires it (siglas optional in the spec table
        # are required for lotação / remoção)
        resultado = validacao.validar_campo(
            replace(campo, obrigatorio=obrigatorio), texto, self.s.catalogos
        )
        if resultado.ok:
            valor = "" if resultado.valor is None else resultado.valor  # omitted optional
            duplicado = self._duplicado(estado, campo, valor) if valor else None
            if duplicado:
                return self._falha(estado, campo, duplicado, ())
            return Resposta(estado, self._definir(estado, campo, valor))
        if resultado.codigo == "provedor_problematico":
            estado.fase = "email_problematico"
            estado.pendente = texto.strip()
            return Resposta(estado, [_msg(resultado.erro)])
        interrompeu = self._interrupcao(
            estado, texto, curto, intent, confianca, FAQ_CONFIANCA_MINIMA
        )
        if interrompeu:
            return Resposta(estado, interrompeu)
        return self._falha(estado, campo, resultado.erro, resultado.sugestoes)

    def _responder_anexo(self, estado, campo, texto, curto, intent, confianca, anexo):
        if anexo:
            return Resposta(estado, self._definir(estado, campo, anexo))
        if curto in SEM_ANEXO or ("nao" in curto.split() and "anex" in curto):
            mensagens = self._definir(estado, campo, "", observacao=OBS_SEM_CAPTURA)
            return Resposta(estado, mensagens)
        interrompeu = self._interrupcao(
            estado, texto, curto, intent, confianca, FAQ_CONFIANCA_MINIMA
        )
        if interrompeu:
            return Resposta(estado, interrompeu)
        return self._falha(
            estado,
            campo,
            "Não recebi nenhuma imagem. Envie a captura da tela "
            "como foto ou arquivo (PNG ou JPEG, até 10 MB), ou toque em "
            '"Não consigo anexar".',
            (),
        )

    def _falha(self, estado: Estado, campo: Campo, erro: str, sugestoes: Sequence[str]) -> Resposta:
        estado.falhas += 1
        mensagens = [_msg(erro, [(s, s) for s in sugestoes])]
        if estado.falhas >= 2:
            formato = FORMATOS.get(campo.tipo, "")
            mensagens.append(
                _msg(
                    f"Formato esperado: {formato}. Se preferir, você pode cancelar a solicitação "
                    "(nada será enviado) ou tentar de novo; o que você já informou está guardado.",
                    [("Cancelar solicitação", "cancelar")],
                )
            )
        return Resposta(estado, mensagens)

    def _duplicado(self, estado: Estado, campo: Campo, valor: str) -> str | None:
        if campo.nome not in ("cpf", "sigla_proposta"):
            return None
        for i, linha in enumerate(estado.linhas):
            if estado.correcao and estado.correcao[0] == i:
                continue
            if linha.get(campo.nome) == valor:
                quem = "pessoa" if campo.nome == "cpf" else "unidade"
                return (
                    f"Esse {campo.coluna} já foi incluído nesta solicitação ({quem} {i + 1}). "
                    'Informe outro, ou digite "cancelar".'
                )
        return None

    def _linha(self, estado: Estado, indice: int) -> dict[str, str]:
        return estado.linhas[indice] if indice < len(estado.linhas) else estado.linha

    def _definir(
        self, estado: Estado, campo: Campo, valor: str, observacao: str | None = None
    ) -> list[Mensagem]:
        """Store a validated value and move on."""
        estado.falhas = 0
        if campo.nome == UNIDADE.nome:
            estado.unidade = valor
        else:
            indice = estado.correcao[0] if estado.correcao else len(estado.linhas)
            linha = self._linha(estado, indice)
            linha[campo.nome] = valor
            if campo.nome == "operacao" and valor != "MUDAR":
                linha.pop("siglas_remover", None)
            anteriores = [
                o
                for o in linha.get("observacoes", "").split(" | ")
                if o and o not in OBSERVACOES_DO_TIPO.get(campo.tipo, ())
            ]
            if observacao:
                anteriores.append(observacao)
            if anteriores:
                linha["observacoes"] = " | ".join(dict.fromkeys(anteriores))
            else:
                linha.pop("observacoes", None)
            if campo.nome == UNIDADE_DA_LINHA.get(estado.tipo):
                estado.unidade = valor
        return self._avancar(estado)

    def _avancar(self, estado: Estado) -> list[Mensagem]:
        """After a value: next field, next row question, or the summary."""
        tipo = TIPOS[estado.tipo]
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
        linha_idx, nome = estado.correcao
        if nome == UNIDADE.nome:
            return False
        linha = self._linha(estado, linha_idx)
        return any(c.nome not in linha for c in campos_da_linha(TIPOS[estado.tipo], linha))

    def _responder_mais(self, estado, texto, curto, intent, confianca, *_):
        if curto in SIM or (intent == "affirm" and curto not in NAO):
            estado.fase = "campo"
            estado.linha = dict(PRESETS.get(estado.tipo, {}))
            return Resposta(estado, [])
        if curto in NAO or intent == "deny":
            estado.fase = "resumo"
            return Resposta(estado, [])
        interrompeu = self._interrupcao(
            estado, texto, curto, intent, confianca, FAQ_CONFIANCA_MINIMA
        )
        return Resposta(
            estado,
            interrompeu
            or [_msg('Não entendi. Responda "sim" para incluir mais ou "não" para seguir.')],
        )

    def _responder_resumo(self, estado, texto, curto, intent, confianca, anexo, canal, contato):
        if curto in CORRIGIR or curto.startswith("corrigir"):
            estado.fase = "corrigir"
            return Resposta(estado, [])
        if curto in CONFIRMAR or (intent == "affirm" and confianca >= FAQ_CONFIANCA_MINIMA):
            return self._enviar(estado, canal, contato)
        interrompeu = self._interrupcao(
            estado, texto, curto, intent, confianca, FAQ_CONFIANCA_MINIMA
        )
        return Resposta(
            estado,
            interrompeu
            or [
                _msg(
                    'Não entendi. Toque em "Confirmar" para '
                    'enviar, "Corrigir um campo" ou '
                    '"Cancelar".'
                )
            ],
        )

    def _enviar(self, estado: Estado, canal: str, contato: str) -> Resposta:
        try:
            solicitacao = self.s.registrar(estado, canal, contato)
        except Exception:
            return Resposta(
                estado,
                [
                    _msg(
                        "Não consegui registrar a solicitação agora. Seus dados continuam guardados: "
                        'tente de novo em instantes tocando em "Confirmar".'
                    )
                ],
            )
        estado.fase = "concluida"
        estado.protocolo = solicitacao.protocolo
        return Resposta(estado, mensagens_de_protocolo(solicitacao))

    def _responder_corrigir(self, estado, texto, curto, intent, confianca, *_):
        alvo = self._alvo_correcao(estado, curto)
        if alvo is None:
            return Resposta(
                estado, [_msg("Não identifiquei o campo. Toque num dos botões abaixo.")]
            )
        estado.correcao = list(alvo)
        estado.fase = "campo"
        estado.falhas = 0
        return Resposta(estado, [])

    def _campos_corrigiveis(self, estado: Estado) -> list[tuple[int, Campo]]:
        tipo = TIPOS[estado.tipo]
        itens: list[tuple[int, Campo]] = []
        if tipo.chave not in UNIDADE_DA_LINHA:
            itens.append((0, UNIDADE))
        for i, linha in enumerate(estado.linhas):
            itens += [(i, c) for c in campos_da_linha(tipo, linha)]
        return itens

    def _botoes_correcao(self, estado: Estado) -> list[tuple[str, str]]:
        varias = len(estado.linhas) > 1
        botoes = []
        for i, campo in self._campos_corrigiveis(estado):
            rotulo = campo.coluna
            if varias and campo is not UNIDADE:
                rotulo += f" ({i + 1})"
            botoes.append((rotulo, f"corrigir {i + 1} {campo.nome}"))
        return botoes

    def _alvo_correcao(self, estado: Estado, curto: str) -> tuple[int, str] | None:
        match = re.match(r"^corrigir (\d+) ([a-z_]+)$", curto)
        itens = self._campos_corrigiveis(estado)
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

    def _responder_email_problematico(self, estado, texto, curto, intent, confianca, *_):
        campo = self._campo_email(estado)
        pendente, estado.pendente, estado.fase = estado.pendente, None, "campo"
        if curto in MANTER_EMAIL or curto.startswith("manter"):
            resultado = validacao.validar_email(pendente, aceitar_provedor_problematico=True)
            return Resposta(
                estado, self._definir(estado, campo, resultado.valor, observacao=OBS_EMAIL_MANTIDO)
            )
        # anything else is another attempt at the e-mail field
        return self._responder_campo(estado, texto, curto, intent, confianca, None, "", "")

    def _campo_email(self, estado: Estado) -> Campo:
        estado.fase = "campo"
        campo = self.campo_atual(estado)
        estado.fase = "email_problematico"
        return campo

    # ----- summary -------------------------------------------------------------
    def _resumo(self, estado: Estado) -> list[Mensagem]:
        tipo = TIPOS[estado.tipo]
        partes = [f"Confira a solicitação de {tipo.no_texto}:"]
        if tipo.chave not in UNIDADE_DA_LINHA:
            partes.append(f"Unidade solicitante: {estado.unidade}")
        rotulo = "Unidade" if tipo.chave == "criacao_unidade" else "Pessoa"
        for i, linha in enumerate(estado.linhas):
            linhas = [f"{rotulo} {i + 1}:"] if tipo.varias_linhas else []
            for campo in campos_da_linha(tipo, linha):
                linhas.append(f"• {campo.coluna}: {_mostrar(campo, linha.get(campo.nome, ''))}")
            if linha.get("observacoes"):
                linhas.append(f"• Observações: {linha['observacoes']}")
            partes.append("\n".join(linhas))
        textos = respostas.split_messages("\n\n".join(partes))
        mensagens = [_msg(t) for t in textos]
        mensagens[-1] = _msg(
            textos[-1],
            [
                ("Confirmar", "confirmar"),
                ("Corrigir um campo", "corrigir"),
                ("Cancelar", "cancelar"),
            ],
        )
        return mensagens


def _mostrar(campo: Campo, valor: str) -> str:
    if campo.tipo == "anexo":
        return "imagem recebida" if valor else "não enviada"
    return valor or "(não informado)"


def _data(momento) -> str:
    return momento.strftime("%d/%m/%Y às %H:%M")


def mensagens_de_protocolo(solicitacao: Solicitacao) -> list[Mensagem]:
    """What the requester sees once the request is filed."""
    tipo = TIPOS[solicitacao.tipo]
    texto = (
        f"Solicitação registrada! Protocolo: {solicitacao.protocolo}\n"
        f"Prazo esperado: até {_data(solicitacao.prazo_em)} ({tipo.prazo_horas} horas)."
    )
    mensagens = [_msg(texto)]
    if tipo.planilha:
        mensagens.append(
            _msg(
                f"A planilha de {tipo.planilha} já está preenchida. Próximo passo: anexe-a ao "
                "processo no SEI encaminhado ao SESAU NTS.",
                custom={
                    "tipo": "planilha",
                    "protocolo": solicitacao.protocolo,
                    "arquivo": f"{solicitacao.protocolo}.xlsx",
                },
            )
        )
    mensagens.append(
        _msg(f'Para saber o andamento, pergunte: "status do protocolo {solicitacao.protocolo}".')
    )
    return mensagens


def texto_status(protocolo: str, status: dict[str, str] | None) -> str:
    """Answer to "qual o status do protocolo ...": no personal data."""
    if not status:
        return (
            f"Não encontrei o protocolo {protocolo}. Confira o número (exemplo: NTS-2026-000123)."
        )
    return (
        f"Protocolo {status['protocolo']} ({status['tipo']}): {status['status']}. "
        f"Registrado em {status['criada_em']}; previsão de conclusão: {status['previsao']}."
    )
