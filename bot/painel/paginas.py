"""The panel's pages: the queue, a request (status, notes, assignment, files)
and the users (admin). Every route needs a session (``login_required``)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, cast

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user

from bot.painel import usuarios
from bot.painel.contexto import (
    admin_obrigatorio,
    avisos,
    servicos,
    store,
    texto,
    usuario_atual,
)
from bot.sei import arquivamento
from bot.solicitacoes import atendimento
from bot.solicitacoes.protocolo import normalizar_protocolo
from bot.solicitacoes.store import PAPEIS, STATUS_ABERTOS, Evento, FiltroFila, ItemFila
from bot.solicitacoes.tipos import FUSO, STATUS, STATUS_TITULOS, TIPOS, Solicitacao
from bot.solicitacoes.validacao import validar_cpf

logger = logging.getLogger(__name__)
bp = Blueprint("paginas", __name__)
POR_PAGINA = 50


@bp.before_request
def _sessao() -> ResponseReturnValue | None:
    """Every page of the blueprint needs a session (else: the login page)."""
    if current_user.is_authenticated:
        return None
    return cast(ResponseReturnValue, cast(Any, current_app).login_manager.unauthorized())


@bp.get("/")
def inicio() -> ResponseReturnValue:
    return redirect(url_for("paginas.fila"))


# ------------------------------------------------------------------ queue
def _data(nome: str) -> date | None:
    valor = (request.values.get(nome) or "").strip()
    if not valor:
        return None
    try:
        return date.fromisoformat(valor)
    except ValueError:
        flash(texto("data_invalida", valor=valor), "erro")
        return None


def _busca(termo: str) -> dict[str, str]:
    """The search term as one filter: protocol, CPF (digits) or name."""
    protocolo = normalizar_protocolo(termo)
    if protocolo:
        return {"protocolo": protocolo}
    digitos = "".join(c for c in termo if c.isdigit())
    if len(digitos) == 11 and validar_cpf(termo).ok:
        return {"cpf": digitos}
    return {"nome": termo}


def _prazo(item: ItemFila | Solicitacao, agora: datetime) -> tuple[str, bool]:
    """Age against the deadline, as text, and whether it is late."""
    idade = _duracao(agora - item.criada_em)
    if item.status not in STATUS_ABERTOS:
        return f"há {idade}; encerrada", False
    restante = item.prazo_em - agora
    if restante < timedelta(0):
        return f"há {idade}; atrasada {_duracao(-restante)}", True
    return f"há {idade}; prazo em {_duracao(restante)}", False


def _duracao(d: timedelta) -> str:
    horas = int(d.total_seconds() // 3600)
    if horas < 1:
        return f"{max(0, int(d.total_seconds() // 60))} min"
    if horas < 48:
        return f"{horas} h"
    return f"{horas // 24} d {horas % 24} h"


def filtro_da_fila() -> FiltroFila:
    """The queue's filters from the request: GET arguments, or the POSTed form
    (which alone may carry the search term: names and CPFs stay out of URLs)."""
    valores = request.values
    termo = (request.form.get("busca") or "").strip()[:120] if request.method == "POST" else ""
    return FiltroFila(
        tipo=valores.get("tipo") if valores.get("tipo") in TIPOS else None,
        status=valores.get("situacao") if valores.get("situacao") in STATUS else None,
        unidade=(valores.get("unidade") or "").strip().upper()[:64] or None,
        desde=_data("de"),
        ate=_data("ate"),
        atrasadas=valores.get("atrasadas") == "1",
        agora=datetime.now(FUSO),
        **(_busca(termo) if termo else {}),
    )


@bp.route("/solicitacoes", methods=["GET", "POST"])
def fila() -> ResponseReturnValue:
    """The queue; GET filters (no personal data), POST adds the search term."""
    valores = request.values
    termo = (request.form.get("busca") or "").strip()[:120] if request.method == "POST" else ""
    try:
        pagina = max(1, int(valores.get("pagina") or 1))
    except ValueError:
        pagina = 1
    filtro = filtro_da_fila()
    agora = filtro.agora or datetime.now(FUSO)
    resultado = store().fila(filtro, pagina, POR_PAGINA)
    linhas = [(item, *_prazo(item, agora)) for item in resultado.itens]
    return render_template(
        "fila.html",
        resultado=resultado,
        linhas=linhas,
        filtro=filtro,
        termo=termo,
        tipos=TIPOS,
        status=STATUS_TITULOS,
        de=valores.get("de", ""),
        ate=valores.get("ate", ""),
    )


# ---------------------------------------------------------------- request
def _solicitacao(protocolo: str) -> Solicitacao:
    s = store().buscar(protocolo)
    if s is None:
        abort(404)
    return s


@dataclass(frozen=True)
class _LinhaHistorico:
    evento: Evento
    titulo: str
    antes: str
    depois: str


def _historico(protocolo: str) -> list[_LinhaHistorico]:
    acoes: dict[str, str] = texto_acoes()
    linhas = []
    for e in store().historico(protocolo):

        def nome(valor: str | None, e: Evento = e) -> str:
            if valor is None:
                return ""
            return (
                STATUS_TITULOS.get(valor, valor) if e.acao in ("situacao", "registrada") else valor
            )

        linhas.append(_LinhaHistorico(e, acoes.get(e.acao, e.acao), nome(e.antes), nome(e.depois)))
    return linhas


def texto_acoes() -> dict[str, str]:
    """Titles of the audit actions."""
    from bot import content

    return dict(content.entrada("painel", "acoes"))


def _campos(s: Solicitacao) -> list[list[tuple[str, str]]]:
    """Every field of every row, labelled; unknown keys keep their names."""
    tipo = TIPOS[s.tipo]
    rotulos = {c.nome: c.coluna for c in tipo.campos}
    rotulos.setdefault("observacoes", "Observações")
    anexos = {c.nome for c in tipo.campos if c.tipo == "anexo"}
    return [
        [
            (
                rotulos.get(chave, chave),
                "" if valor is None else "a imagem abaixo" if chave in anexos else str(valor),
            )
            for chave, valor in linha.items()
        ]
        for linha in s.linhas
    ]


@bp.get("/solicitacoes/<protocolo>")
def solicitacao(protocolo: str) -> ResponseReturnValue:
    s = _solicitacao(protocolo)
    agora = datetime.now(FUSO)
    prazo_texto, atrasada = _prazo(s, agora)
    captura = bool(s.anexo and servicos().anexos.caminho(s.anexo))
    return render_template(
        "solicitacao.html",
        sei=arquivamento.situacao(store(), s.protocolo) if sei_ativo() else None,
        sei_reenviavel=(arquivamento.FALHOU, arquivamento.CONFERIR),
        avisos_falhos=avisos().falhas(s.protocolo),
        s=s,
        tipo=TIPOS[s.tipo],
        campos=_campos(s),
        historico=_historico(s.protocolo),
        status=STATUS_TITULOS,
        prazo_texto=prazo_texto,
        atrasada=atrasada,
        captura=captura,
        responsavel=store().responsavel(s.protocolo),
    )


def sei_ativo() -> bool:
    """The SEI web service is configured (its table exists, its side is shown)."""
    return bool(current_app.extensions.get("sei_ativo"))


def _de_volta(s: Solicitacao) -> ResponseReturnValue:
    return redirect(url_for("paginas.solicitacao", protocolo=s.protocolo))


@bp.post("/solicitacoes/<protocolo>/situacao")
def situacao(protocolo: str) -> ResponseReturnValue:
    s = _solicitacao(protocolo)
    try:
        novo = atendimento.mudar_situacao(
            store(),
            s.protocolo,
            request.form.get("situacao", ""),
            autor=usuario_atual().login,
            observacao=request.form.get("observacao"),
            visivel=request.form.get("visivel") == "1",
        )
    except (ValueError, LookupError) as erro:
        flash(str(erro), "erro")
    else:
        flash(
            texto("situacao_salva", protocolo=novo.protocolo, situacao=STATUS_TITULOS[novo.status]),
            "info",
        )
    return _de_volta(s)


@bp.post("/solicitacoes/<protocolo>/sei/reenviar")
def reenviar_sei(protocolo: str) -> ResponseReturnValue:
    """Queue a failed (or to-be-checked) SEI filing again (issue 14), audited."""
    s = _solicitacao(protocolo)
    if sei_ativo() and arquivamento.reenviar(store(), s.protocolo):
        store().auditar(autor=usuario_atual().login, acao="sei_reenviado", alvo=s.protocolo)
        flash(texto("sei_reenviado", protocolo=s.protocolo), "info")
    else:
        flash(texto("sei_nao_reenviavel", protocolo=s.protocolo), "erro")
    return _de_volta(s)


@bp.post("/solicitacoes/<protocolo>/avisos/<int:notificacao>/reenviar")
def reenviar_aviso(protocolo: str, notificacao: int) -> ResponseReturnValue:
    """Queue a notice given up on again (issue 13), audited."""
    s = _solicitacao(protocolo)
    if any(f.id == notificacao for f in avisos().falhas(s.protocolo)) and avisos().reenviar(
        notificacao
    ):
        store().auditar(autor=usuario_atual().login, acao="aviso_reenviado", alvo=s.protocolo)
        flash(texto("aviso_reenviado", protocolo=s.protocolo), "info")
    else:
        flash(texto("aviso_nao_reenviavel"), "erro")
    return _de_volta(s)


@bp.post("/solicitacoes/<protocolo>/nota")
def nota(protocolo: str) -> ResponseReturnValue:
    s = _solicitacao(protocolo)
    try:
        atendimento.anotar(
            store(), s.protocolo, autor=usuario_atual().login, texto=request.form.get("nota", "")
        )
    except (ValueError, LookupError) as erro:
        flash(str(erro), "erro")
    else:
        flash(texto("nota_salva"), "info")
    return _de_volta(s)


@bp.post("/solicitacoes/<protocolo>/atribuir")
def atribuir(protocolo: str) -> ResponseReturnValue:
    s = _solicitacao(protocolo)
    eu = usuario_atual().login
    atendimento.atribuir(store(), s.protocolo, eu, autor=eu)
    flash(texto("atribuida", protocolo=s.protocolo), "info")
    return _de_volta(s)


@bp.get("/solicitacoes/<protocolo>/captura")
def captura(protocolo: str) -> ResponseReturnValue:
    s = _solicitacao(protocolo)
    caminho = servicos().anexos.caminho(s.anexo) if s.anexo else None
    if caminho is None or not caminho.is_file():
        abort(404)
    tipo = "image/png" if caminho.suffix == ".png" else "image/jpeg"
    return send_file(caminho, mimetype=tipo, max_age=0)


@bp.get("/solicitacoes/<protocolo>/planilha")
def planilha(protocolo: str) -> ResponseReturnValue:
    s = _solicitacao(protocolo)
    if TIPOS[s.tipo].planilha is None:
        flash(texto("sem_planilha"), "erro")
        return _de_volta(s)
    caminho = servicos().caminho_planilha(s.protocolo)
    if not caminho.is_file():  # purged by retention, or never written: write it again
        servicos().gerar_planilha(s)
    return send_file(
        caminho,
        as_attachment=True,
        download_name=caminho.name,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        max_age=0,
    )


# ------------------------------------------------------------------ users
@bp.get("/usuarios")
@admin_obrigatorio
def lista_usuarios() -> ResponseReturnValue:
    return render_template("usuarios.html", usuarios=store().usuarios(), papeis=PAPEIS)


def _acao_usuario(executar: Any, mensagem: str, **campos: Any) -> ResponseReturnValue:
    try:
        usuario = executar()
    except (ValueError, LookupError) as erro:
        flash(str(erro), "erro")
    else:
        flash(texto(mensagem, login=usuario.login, **campos), "info")
    return redirect(url_for("paginas.lista_usuarios"))


@bp.post("/usuarios")
@admin_obrigatorio
def novo_usuario() -> ResponseReturnValue:
    f = request.form
    return _acao_usuario(
        lambda: usuarios.criar(
            store(),
            f.get("login", ""),
            f.get("nome", ""),
            f.get("papel", ""),
            f.get("senha", ""),
            autor=usuario_atual().login,
        ),
        "usuario_criado",
    )


def _nao_a_si(login: str) -> bool:
    if login == usuario_atual().login:
        flash(texto("nao_pode_a_si"), "erro")
        return True
    return False


@bp.post("/usuarios/<login>/desativar")
@admin_obrigatorio
def desativar(login: str) -> ResponseReturnValue:
    if _nao_a_si(login):
        return redirect(url_for("paginas.lista_usuarios"))
    return _acao_usuario(
        lambda: usuarios.desativar(store(), login, autor=usuario_atual().login),
        "usuario_desativado",
    )


@bp.post("/usuarios/<login>/reativar")
@admin_obrigatorio
def reativar(login: str) -> ResponseReturnValue:
    return _acao_usuario(
        lambda: usuarios.reativar(store(), login, autor=usuario_atual().login),
        "usuario_reativado",
    )


@bp.post("/usuarios/<login>/senha")
@admin_obrigatorio
def senha(login: str) -> ResponseReturnValue:
    return _acao_usuario(
        lambda: usuarios.redefinir_senha(
            store(), login, request.form.get("senha", ""), autor=usuario_atual().login
        ),
        "senha_redefinida",
    )


@bp.post("/usuarios/<login>/papel")
@admin_obrigatorio
def papel(login: str) -> ResponseReturnValue:
    novo = request.form.get("papel", "")
    if novo != "admin" and _nao_a_si(login):
        return redirect(url_for("paginas.lista_usuarios"))
    return _acao_usuario(
        lambda: usuarios.mudar_papel(store(), login, novo, autor=usuario_atual().login),
        "papel_alterado",
        papel=novo,
    )
