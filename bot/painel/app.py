"""The panel's Flask application: security set-up, login and the pages.

``criar_app(settings)`` builds it; ``bot.painel.servidor`` serves it with
waitress. Sessions are Flask's signed cookies (key in ``SEI_PAINEL_SECRET_FILE``)
holding only the Flask-Login id ``login:geração``; the user is read from the
store on every request, so disabling a user or changing the password ends
their sessions. CSRF: Flask-WTF on every POST (403). Idle timeout: the cookie
is re-signed on every request and refused ``SEI_PAINEL_SESSAO_MIN`` after the
last one. CSP without any script.
"""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta

from flask import (
    Flask,
    Response,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import LoginManager, current_user, login_user, logout_user
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException

from bot.arquivos import carregar_segredo
from bot.painel import usuarios
from bot.painel.contexto import UsuarioPainel, store, texto
from bot.settings import Settings
from bot.solicitacoes.servicos import Servicos

logger = logging.getLogger(__name__)

CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)


def endereco_cliente() -> str:
    """The client's address (waitress takes it from X-Forwarded-For when
    ``SEI_PAINEL_PROXIES`` trusts the proxy; see ``servidor.opcoes_waitress``)."""
    return request.remote_addr or "?"


def criar_app(cfg: Settings, servicos_: Servicos | None = None) -> Flask:
    """The panel application for these settings."""
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=carregar_segredo(cfg.painel_secret_file),
        SESSION_COOKIE_NAME="__Host-sei-painel" if cfg.painel_https else "sei-painel",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_SECURE=cfg.painel_https,
        SESSION_REFRESH_EACH_REQUEST=True,
        PERMANENT_SESSION_LIFETIME=timedelta(minutes=cfg.painel_sessao_min),
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session
        WTF_CSRF_SSL_STRICT=cfg.painel_https,
        MAX_CONTENT_LENGTH=4 * 1024 * 1024,  # a catalogue CSV (2 MB, bot.painel.catalogo)
        TEMPLATES_AUTO_RELOAD=False,
    )
    servicos_ = servicos_ or Servicos(cfg)
    app.extensions["sei_servicos"] = servicos_
    # status changes and visible notes queue the requester's notices (issue 13)
    from bot.notificacoes.avisos import Avisos

    app.extensions["sei_avisos"] = Avisos.de(servicos_)
    # with the SEI web service configured, the request page shows its SEI side (issue 14)
    from bot.sei.arquivamento import instalar_se_configurado

    app.extensions["sei_ativo"] = instalar_se_configurado(servicos_.store, cfg)
    CSRFProtect(app)
    _login(app)
    _seguranca(app)
    from bot.painel import gestao, paginas
    from bot.painel.indicadores import Indicadores

    app.extensions["sei_indicadores"] = Indicadores(cfg.trackers_db_url, cfg.requests_db_url)
    app.register_blueprint(paginas.bp)
    app.register_blueprint(gestao.bp)
    app.jinja_env.globals.update(texto=texto, texto_acoes=paginas.texto_acoes)
    return app


def _login(app: Flask) -> None:
    gerente = LoginManager(app)
    gerente.login_view = "entrar"
    gerente.login_message = texto("login_necessario")
    gerente.login_message_category = "info"
    gerente.session_protection = "basic"

    def carregar(identificador: str) -> UsuarioPainel | None:
        login, _, sessao = identificador.partition(":")
        dados = store().usuario(login) if login else None
        if dados is None or not dados.ativo or not secrets.compare_digest(dados.sessao, sessao):
            return None
        return UsuarioPainel(dados)

    gerente.user_loader(carregar)

    @app.route("/entrar", methods=["GET", "POST"])
    def entrar() -> ResponseReturnValue:
        if current_user.is_authenticated:
            return redirect(url_for("paginas.fila"))
        erro = None
        if request.method == "POST":
            try:
                dados = usuarios.autenticar(
                    store(),
                    request.form.get("login", ""),
                    request.form.get("senha", ""),
                    endereco_cliente(),
                )
            except usuarios.Bloqueado:
                dados, erro = None, texto("login_bloqueado")
            else:
                erro = None if dados else texto("login_invalido")
            if dados is not None:
                session.clear()
                session.permanent = True
                login_user(UsuarioPainel(dados))
                logger.info("Panel login: %s.", dados.login)
                return redirect(_destino(request.args.get("next")))
            logger.info("Panel login refused.")
        return render_template(
            "entrar.html",
            erro=erro,
            sem_admin=not store().ha_admin(),
        ), (401 if erro else 200)

    @app.post("/sair")
    def sair() -> ResponseReturnValue:
        logout_user()
        session.clear()
        flash(texto("saiu"), "info")
        return redirect(url_for("entrar"))


def _destino(proxima: str | None) -> str:
    """Where to go after logging in: the page that asked for it, if it is one of
    ours (a path, never another site), else the queue."""
    if proxima and proxima.startswith("/") and not proxima.startswith(("//", "/\\")):
        return proxima
    return url_for("paginas.fila")


def _seguranca(app: Flask) -> None:
    @app.before_request
    def sessao_permanente() -> None:
        session.permanent = True  # idle timeout: PERMANENT_SESSION_LIFETIME

    @app.after_request
    def cabecalhos(resposta: Response) -> Response:
        resposta.headers["Content-Security-Policy"] = CSP
        resposta.headers["X-Content-Type-Options"] = "nosniff"
        resposta.headers["X-Frame-Options"] = "DENY"
        resposta.headers["Referrer-Policy"] = "same-origin"  # Flask-WTF checks it under https
        resposta.headers.setdefault("Cache-Control", "no-store")
        if app.config["SESSION_COOKIE_SECURE"]:
            resposta.headers["Strict-Transport-Security"] = "max-age=31536000"
        return resposta

    @app.errorhandler(CSRFError)
    def csrf(_erro: CSRFError) -> ResponseReturnValue:
        logger.info("Panel: POST refused by the CSRF check.")
        return render_template("erro.html", mensagem=texto("sessao_expirada")), 403

    @app.errorhandler(HTTPException)
    def http(erro: HTTPException) -> ResponseReturnValue:
        mensagens = {
            400: "requisicao_invalida",
            403: "proibido",
            404: "nao_encontrada",
            405: "requisicao_invalida",
            413: "muito_grande",
        }
        chave = mensagens.get(erro.code or 500)
        if chave is None:
            return erro
        return render_template("erro.html", mensagem=texto(chave)), erro.code or 500

    @app.errorhandler(Exception)
    def inesperado(erro: Exception) -> ResponseReturnValue:
        logger.error("Panel: unexpected %s.", type(erro).__name__, exc_info=erro)
        return render_template("erro.html", mensagem=texto("erro_interno")), 500
