"""Panel users (bot.painel.usuarios): validation, argon2 hashes, audit, and the
login throttling, on a real SQLite store (and PostgreSQL for the audit log)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from apoio import SENHA, registrar

from bot.painel import usuarios
from bot.solicitacoes.store import RequestStore

AGORA = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)


@pytest.fixture()
def store(tmp_path):
    s = RequestStore(f"sqlite:///{tmp_path / 'requests.db'}")
    yield s
    s.fechar()


def test_user_is_created_with_an_argon2_hash_and_audited(store):
    u = usuarios.criar(store, " Maria.Silva ", "Maria  da Silva", "analista", SENHA, autor="x")
    assert (u.login, u.nome, u.papel, u.ativo) == (
        "maria.silva",
        "Maria da Silva",
        "analista",
        True,
    )
    assert u.senha_hash.startswith("$argon2id$") and SENHA not in u.senha_hash
    [evento] = store.auditoria()
    assert (evento.acao, evento.alvo, evento.autor, evento.depois) == (
        "usuario_criado",
        "maria.silva",
        "x",
        "analista",
    )
    assert SENHA not in repr(store.auditoria())


@pytest.mark.parametrize(
    ("dados", "motivo"),
    [
        (("1abc", "Nome", "analista", SENHA), "Login inválido"),
        (("ana maria", "Nome", "analista", SENHA), "Login inválido"),
        (("ana", "", "analista", SENHA), "Informe o nome"),
        (("ana", "Nome", "chefe", SENHA), "Papel inválido"),
        (("ana", "Nome", "admin", "curta"), "pelo menos 12"),
        (("ana", "Nome", "admin", "a" * 14), "repete"),
    ],
)
def test_bad_user_data_is_refused_in_portuguese(store, dados, motivo):
    with pytest.raises(ValueError, match=motivo):
        usuarios.criar(store, *dados, autor="x")
    assert store.usuarios() == []


def test_duplicate_login_and_unknown_user(store):
    usuarios.criar(store, "ana", "Ana", "admin", SENHA, autor="x")
    with pytest.raises(ValueError, match="Já existe"):
        usuarios.criar(store, "ANA", "Outra", "admin", SENHA, autor="x")
    with pytest.raises(LookupError, match="Nenhum usuário"):
        usuarios.desativar(store, "bia", autor="x")


def test_login_checks_password_and_active_flag(store):
    usuarios.criar(store, "ana", "Ana", "admin", SENHA, autor="x")
    assert usuarios.autenticar(store, "Ana", SENHA, "10.0.0.1", AGORA).login == "ana"
    assert usuarios.autenticar(store, "ana", SENHA + "x", "10.0.0.1", AGORA) is None
    assert usuarios.autenticar(store, "ninguem", SENHA, "10.0.0.1", AGORA) is None
    usuarios.desativar(store, "ana", autor="x")
    assert usuarios.autenticar(store, "ana", SENHA, "10.0.0.1", AGORA) is None


def test_role_password_and_disable_change_the_session_generation(store):
    u0 = usuarios.criar(store, "ana", "Ana", "admin", SENHA, autor="x")
    u1 = usuarios.mudar_papel(store, "ana", "analista", autor="x")
    u2 = usuarios.redefinir_senha(store, "ana", "outra senha bem longa", autor="x")
    u3 = usuarios.desativar(store, "ana", autor="x")
    assert len({u0.sessao, u1.sessao, u2.sessao, u3.sessao}) == 4
    assert u2.senha_hash != u0.senha_hash and not u3.ativo
    assert [e.acao for e in store.auditoria()] == [
        "usuario_desativado",
        "senha_redefinida",
        "papel_alterado",
        "usuario_criado",
    ]
    assert usuarios.reativar(store, "ana", autor="x").ativo


def _falhar(store, login, endereco, vezes, agora=AGORA):
    for _ in range(vezes):
        assert usuarios.autenticar(store, login, "errada errada", endereco, agora) is None


def test_five_wrong_passwords_block_the_login_for_15_minutes(store):
    usuarios.criar(store, "ana", "Ana", "admin", SENHA, autor="x")
    _falhar(store, "ana", "10.0.0.1", 4)
    with pytest.raises(usuarios.Bloqueado):  # the fifth
        usuarios.autenticar(store, "ana", "errada", "10.0.0.2", AGORA)
    for endereco in ("10.0.0.1", "10.0.0.9"):  # even with the right password, any address
        with pytest.raises(usuarios.Bloqueado):
            usuarios.autenticar(store, "ana", SENHA, endereco, AGORA + timedelta(minutes=14))
    depois = AGORA + timedelta(minutes=15, seconds=1)
    assert usuarios.autenticar(store, "ana", SENHA, "10.0.0.3", depois).login == "ana"


def test_unknown_login_is_blocked_the_same_way(store):
    """The refusal does not tell whether the login exists."""
    _falhar(store, "nao.existe", "10.0.0.1", 4)
    with pytest.raises(usuarios.Bloqueado):
        usuarios.autenticar(store, "nao.existe", "x", "10.0.0.5", AGORA)


def test_five_failures_from_one_address_block_it(store):
    usuarios.criar(store, "ana", "Ana", "admin", SENHA, autor="x")
    for i in range(4):
        _falhar(store, f"login{i}", "10.9.9.9", 1)
    with pytest.raises(usuarios.Bloqueado):
        usuarios.autenticar(store, "outro", "x", "10.9.9.9", AGORA)
    with pytest.raises(usuarios.Bloqueado):  # the right password from that address too
        usuarios.autenticar(store, "ana", SENHA, "10.9.9.9", AGORA)
    assert usuarios.autenticar(store, "ana", SENHA, "10.1.1.1", AGORA).login == "ana"


def test_failures_keep_neither_login_nor_address_in_clear(store):
    _falhar(store, "529.982.247-25", "10.0.0.1", 2)  # a CPF typed as the login
    with store._engine.connect() as conn:
        chaves = conn.execute(sa.text("SELECT chave FROM login_failures")).scalars().all()
    assert chaves and all(len(c) == 64 and "529" not in c and "10.0" not in c for c in chaves)


@pytest.mark.parametrize("banco", ["sqlite", "postgresql"])
def test_audit_log_is_append_only(banco, tmp_path, request):
    url = (
        f"sqlite:///{tmp_path / 'r.db'}" if banco == "sqlite" else request.getfixturevalue("pg_url")
    )
    store = RequestStore(url)
    try:
        registrar(store, 1)
        for comando in ("UPDATE audit_log SET autor = 'outro'", "DELETE FROM audit_log"):
            with (
                pytest.raises(sa.exc.DatabaseError, match="append-only"),
                store._engine.begin() as conn,
            ):
                conn.execute(sa.text(comando))
        assert [e.autor for e in store.auditoria()] == ["assistente"]
    finally:
        store.fechar()
