"""What the panel's views share: the current user, the store, the texts, the
admin check (apart from ``app`` so the pages do not import the app factory)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import abort, current_app
from flask_login import UserMixin, current_user

from bot import content
from bot.notificacoes.avisos import Avisos
from bot.solicitacoes.servicos import Servicos
from bot.solicitacoes.store import RequestStore, Usuario

F = TypeVar("F", bound=Callable[..., Any])


def texto(chave: str, **campos: object) -> str:
    """One text of ``bot/content/painel.yml``."""
    return content.texto("painel", chave, **campos)


class UsuarioPainel(UserMixin):  # type: ignore[misc]
    """The logged-in user as Flask-Login sees it."""

    def __init__(self, dados: Usuario) -> None:
        self.dados = dados

    def get_id(self) -> str:
        """Login and session generation: a new generation logs the user out."""
        return f"{self.dados.login}:{self.dados.sessao}"

    @property
    def is_active(self) -> bool:
        return self.dados.ativo

    @property
    def login(self) -> str:
        return self.dados.login

    @property
    def admin(self) -> bool:
        return self.dados.papel == "admin"


def usuario_atual() -> UsuarioPainel:
    """The logged-in user (pages behind ``login_required``)."""
    return cast(UsuarioPainel, current_user._get_current_object())


def store() -> RequestStore:
    """The request store of this app."""
    return servicos().store


def avisos() -> Avisos:
    """The notifications over this app's store (failed ones, "reenviar")."""
    return cast(Avisos, current_app.extensions["sei_avisos"])


def servicos() -> Servicos:
    """Store, attachments and spreadsheets of this app."""
    return cast(Servicos, current_app.extensions["sei_servicos"])


def admin_obrigatorio(funcao: F) -> F:
    """Only admins (403 for analysts)."""

    @wraps(funcao)
    def verificar(*args: Any, **kwargs: Any) -> Any:
        if not usuario_atual().admin:
            abort(403)
        return funcao(*args, **kwargs)

    return cast(F, verificar)
