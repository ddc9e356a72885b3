"""Panel users: creation, role, password (argon2id), disabling, and the login
check with its throttling. Framework-free: ``sei-nts users`` and the panel's
users page call these same functions; every change is audited by the store.

Throttling: 5 wrong passwords for one login, or from one address, within
``JANELA`` block that login/address for ``JANELA`` from the fifth failure.
Logins and addresses are kept only as SHA-256 keys; the refusal message is
the same whether the login exists or not.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from bot.solicitacoes.store import PAPEIS, RequestStore, Usuario
from bot.text import clean_text

MAX_FALHAS = 5
JANELA = timedelta(minutes=15)
SENHA_MINIMA = 12
_LOGIN = re.compile(r"^[a-z][a-z0-9._-]{1,31}$")


class Bloqueado(Exception):
    """Too many failed logins for this login or address: wait ``JANELA``."""


@cache
def _hasher() -> PasswordHasher:
    return PasswordHasher()  # argon2id, the library's current recommended parameters


@cache
def _hash_falso() -> str:
    """A hash to verify against when the login does not exist (same time taken)."""
    return _hasher().hash(secrets.token_urlsafe(16))


def validar_login(login: str) -> str:
    """The login in lower case, or ValueError saying what a login may hold."""
    normalizado = (login or "").strip().lower()
    if not _LOGIN.match(normalizado):
        raise ValueError(
            f"Login inválido: {login!r}. Use de 2 a 32 caracteres: letras minúsculas sem "
            "acento, números, ponto, hífen ou sublinhado, começando por uma letra "
            "(ex.: maria.silva)."
        )
    return normalizado


def validar_nome(nome: str) -> str:
    """The display name, trimmed; ValueError if empty or too long."""
    limpo = " ".join(clean_text(nome or "").split())
    if not limpo:
        raise ValueError('Informe o nome da pessoa (ex.: --name "Maria da Silva").')
    if len(limpo) > 120:
        raise ValueError("O nome tem mais de 120 caracteres; abrevie.")
    return limpo


def validar_papel(papel: str) -> str:
    """``analista`` or ``admin``; ValueError otherwise."""
    if papel not in PAPEIS:
        raise ValueError(f"Papel inválido: {papel!r}. Use analista ou admin.")
    return papel


def validar_senha(senha: str) -> str:
    """The password if it is long enough; ValueError explaining the rule."""
    if len(senha or "") < SENHA_MINIMA:
        raise ValueError(
            f"A senha precisa ter pelo menos {SENHA_MINIMA} caracteres "
            "(uma frase com espaços serve)."
        )
    if len(senha) > 256:
        raise ValueError("A senha tem mais de 256 caracteres.")
    if len(set(senha)) < 4:
        raise ValueError("A senha repete quase só um caractere; escolha outra.")
    return senha


def _nova_sessao() -> str:
    """A new session generation: changing it ends every open session of the user."""
    return secrets.token_hex(16)


def criar(
    store: RequestStore, login: str, nome: str, papel: str, senha: str, *, autor: str
) -> Usuario:
    """Add a user (ValueError with the reason if anything is wrong)."""
    login = validar_login(login)
    nome = validar_nome(nome)
    validar_papel(papel)
    validar_senha(senha)
    return store.criar_usuario(
        login, nome, papel, _hasher().hash(senha), _nova_sessao(), autor=autor
    )


def _existente(store: RequestStore, login: str) -> Usuario:
    usuario = store.usuario(validar_login(login))
    if usuario is None:
        raise LookupError(f"Nenhum usuário com o login {login!r} (veja sei-nts users list).")
    return usuario


def desativar(store: RequestStore, login: str, *, autor: str) -> Usuario:
    """Disable a user: no more logins, open sessions end."""
    usuario = _existente(store, login)
    return store.alterar_usuario(
        usuario.login,
        autor=autor,
        acao="usuario_desativado",
        antes="ativo" if usuario.ativo else "inativo",
        depois="inativo",
        ativo=False,
        sessao=_nova_sessao(),
    )


def reativar(store: RequestStore, login: str, *, autor: str) -> Usuario:
    """Enable a disabled user again."""
    usuario = _existente(store, login)
    return store.alterar_usuario(
        usuario.login,
        autor=autor,
        acao="usuario_reativado",
        antes="ativo" if usuario.ativo else "inativo",
        depois="ativo",
        ativo=True,
    )


def redefinir_senha(store: RequestStore, login: str, senha: str, *, autor: str) -> Usuario:
    """Set a new password; open sessions of the user end."""
    usuario = _existente(store, login)
    validar_senha(senha)
    return store.alterar_usuario(
        usuario.login,
        autor=autor,
        acao="senha_redefinida",
        senha_hash=_hasher().hash(senha),
        sessao=_nova_sessao(),
    )


def mudar_papel(store: RequestStore, login: str, papel: str, *, autor: str) -> Usuario:
    """Change the role; open sessions of the user end (they log in again)."""
    usuario = _existente(store, login)
    validar_papel(papel)
    return store.alterar_usuario(
        usuario.login,
        autor=autor,
        acao="papel_alterado",
        antes=usuario.papel,
        depois=papel,
        papel=papel,
        sessao=_nova_sessao(),
    )


def _chave(tipo: str, valor: str) -> str:
    return hashlib.sha256(f"{tipo}:{valor}".encode()).hexdigest()


@dataclass(frozen=True)
class _Chaves:
    login: str
    endereco: str

    @property
    def todas(self) -> tuple[str, str]:
        return (self.login, self.endereco)


def _bloqueio(chave: str) -> str:
    return "b" + chave[1:]


def autenticar(
    store: RequestStore,
    login: str,
    senha: str,
    endereco: str,
    agora: datetime | None = None,
) -> Usuario | None:
    """The active user whose password this is, or None (wrong login or password:
    the failure is counted). ``Bloqueado`` while the login or the address is
    blocked, before any password is checked."""
    agora = agora or datetime.now(timezone.utc)
    normalizado = (login or "").strip().lower()[:64]
    chaves = _Chaves(_chave("login", normalizado), _chave("endereco", endereco or "?"))
    for chave in chaves.todas:
        if store.falhas_desde(_bloqueio(chave), agora - JANELA)[0]:
            raise Bloqueado
    usuario = store.usuario(normalizado) if _LOGIN.match(normalizado) else None
    try:
        _hasher().verify(usuario.senha_hash if usuario else _hash_falso(), senha or "")
        correta = usuario is not None
    except (VerificationError, InvalidHashError):
        correta = False
    if correta and usuario is not None and usuario.ativo:
        store.limpar_falhas(chaves.login)
        return usuario
    store.registrar_falha(chaves.todas, agora)
    bloquear = [
        _bloqueio(c) for c in chaves.todas if store.falhas_desde(c, agora - JANELA)[0] >= MAX_FALHAS
    ]
    if bloquear:
        store.registrar_falha(bloquear, agora)
        raise Bloqueado
    return None
