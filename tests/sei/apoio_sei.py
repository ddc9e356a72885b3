"""The SEI stand-in (PHP SoapServer) for the bot.sei tests; skipped without php-soap.

The test modules import these fixtures (``from apoio_sei import cfg, standin``):
a ``conftest.py`` here would shadow the top-level one that other tests import
as ``conftest``.
"""

from __future__ import annotations

import itertools
import os
import random

import pytest
from geradores import gerar_cpf
from sei_standin import StandIn, php_disponivel

_portas = itertools.count(int(os.environ.get("SEI_TEST_PORT_BASE", "15900")) + 200)


def porta_livre() -> int:
    return next(_portas)


@pytest.fixture()
def standin(tmp_path):
    if not php_disponivel():
        pytest.skip("php-cli com php-soap ausente (.ci/install-system-deps instala)")
    servidor = StandIn(tmp_path / "sei", porta_livre()).iniciar()
    yield servidor
    servidor.parar()


@pytest.fixture()
def cfg(standin, tmp_path):
    from bot import settings

    return settings.load(
        {"SEI_PROJECT_ROOT": str(settings.PROJECT_ROOT), "SEI_VAR_DIR": str(tmp_path / "var")}
        | standin.ambiente()
    )


def linha_cadastro(n: int) -> dict:
    """A valid user-registration row, distinct for each ``n`` (generated CPF)."""
    return {
        "nome": f"Joana Exemplo{chr(65 + n % 26)} Teste",
        "cpf": gerar_cpf(random.Random(123456000 + n), mascarado=True),
        "email": f"pessoa{n}@example.com",
        "sigla": "GETIN",
        "cargo": "Assessor Técnico",
    }


def confirmar(servicos, n: int):
    """What the confirmation turn does: file the request (the hook queues it for
    SEI in the same transaction) and write its spreadsheet."""
    s, _ = servicos.store.registrar(
        "cadastro_usuario",
        [linha_cadastro(n)],
        canal="web",
        contato=f"c{n}",
        unidade="GETIN",
        chave_envio=f"k{n}",
    )
    return servicos.gerar_planilha(s)


def avisos_de_situacao(store) -> list[str]:
    """The data of every status-change notice queued in the outbox."""
    import sqlalchemy as sa

    from bot.notificacoes.tabelas import notifications

    with store.na_transacao() as conn:
        consulta = sa.select(notifications.c.dados).where(notifications.c.evento == "situacao")
        return list(conn.execute(consulta).scalars().all())
