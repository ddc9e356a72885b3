"""The staff console `sei-nts`."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from geradores import gerar_cpf

from bot.ops import cli

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture()
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("SEI_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("REQUESTS_DB_URL", raising=False)
    return tmp_path


def _run(*args):
    out = io.StringIO()
    code = cli.main(list(args), out=out)
    return code, out.getvalue()


@pytest.fixture()
def filed(env, rng):
    from bot import settings
    from bot.solicitacoes.servicos import Servicos

    servicos = Servicos(settings.load())
    protocolos = []
    for i, tipo in enumerate(["cadastro_usuario", "cadastro_usuario", "correcao_cargo"]):
        linha = {
            "nome": f"Pessoa Teste {chr(65 + i)}",
            "cpf": gerar_cpf(rng, True),
            "cargo": "Enfermeiro",
        }
        if tipo == "cadastro_usuario":
            linha.update(email=f"pessoa{i}@example.com", sigla="NTS")
        s, _ = servicos.store.registrar(
            tipo=tipo,
            linhas=[linha],
            canal="rest",
            contato=f"c{i}",
            unidade="GETIN",
            chave_envio=f"k{i}",
        )
        protocolos.append(s.protocolo)
    servicos.store.fechar()
    return protocolos


def test_list_filters_and_json(filed):
    code, out = _run("requests", "list", "--kind", "cadastro_usuario", "--json")
    data = json.loads(out)
    assert code == 0 and [d["protocol"] for d in data] == filed[:2]
    assert set(data[0]) >= {"protocol", "kind", "status", "created_at", "channel", "rows"}
    assert data[0]["rows"][0]["nome"] == "Pessoa Teste A"
    code, out = _run("requests", "list", "--status", "concluida")
    assert code == 0 and "Nenhuma solicitação" in out
    code, out = _run("requests", "list", "--since", "2000-01-01")
    assert all(p in out for p in filed)


def test_show_and_status_update_with_history(filed):
    code, out = _run("requests", "status", filed[2], "em_andamento", "--note", "enviado à SEPLAG")
    assert code == 0 and "Em andamento" in out
    code, out = _run("requests", "show", filed[2].lower(), "--json")
    data = json.loads(out)
    assert data["status"] == "em_andamento"
    assert data["history"][-1]["nota"] == "enviado à SEPLAG"
    code, out = _run("requests", "show", filed[2])
    assert "Situação: Em andamento" in out and "Cargo correto: Enfermeiro" in out


def test_export_consolidates_one_kind(filed, env):
    destino = env / "export.xlsx"
    code, out = _run("requests", "export", "--kind", "cadastro_usuario", "--out", str(destino))
    assert code == 0 and "2 solicitação" in out
    ws = openpyxl.load_workbook(destino)["Cadastro de Usuários"]
    protocolos = [ws.cell(row=r, column=1).value for r in range(2, 4)]
    assert protocolos == filed[:2]


def test_errors_are_portuguese_with_exit_codes(filed, capsys):
    assert _run("requests", "show", "NTS-2026-999999")[0] == 1
    assert "não encontrado" in capsys.readouterr().err
    assert _run("requests", "status", filed[0], "aprovada")[0] == 2
    assert "opção inválida" in capsys.readouterr().err
    assert _run("requests", "list", "--since", "ontem")[0] == 2
    assert "AAAA-MM-DD" in capsys.readouterr().err
    assert _run("requests", "export", "--kind", "cadastro_usuario")[0] == 2
    assert "faltam os argumentos" in capsys.readouterr().err
    assert _run()[0] == 2


def test_catalog_check_ok_and_broken(env, monkeypatch):
    code, out = _run("catalog", "check")
    assert code == 0 and "unidades" in out
    broken = env / "cat"
    broken.mkdir()
    (broken / "unidades.csv").write_text("sigla,nome,sigla_superior\nGETIN,Ger,XYZ\n")
    (broken / "cargos.csv").write_text("cargo\nEnfermeiro\n")
    monkeypatch.setenv("SEI_CATALOGS_DIR", str(broken))
    code, _ = _run("catalog", "check")
    assert code == 1


def test_console_script_help_is_portuguese(env):
    exe = Path(sys.executable).parent / "sei-nts"
    result = subprocess.run(
        [str(exe), "requests", "list", "--help"],
        check=False,
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=60,
    )
    assert result.returncode == 0
    assert "uso: sei-nts requests list" in result.stdout and "opções" in result.stdout
    assert "mostra esta ajuda" in result.stdout


def test_bad_environment_variable_is_named(env, monkeypatch, capsys):
    monkeypatch.setenv("SEI_RASA_PORT", "abc")
    assert _run("catalog", "check") == (1, "")
    assert capsys.readouterr().err == (
        "Configuração inválida: SEI_RASA_PORT: esperado um número inteiro, recebido 'abc'\n"
    )


def test_closed_output_ends_quietly(filed, env):
    """`sei-nts requests list | head`: the reader is gone before the table is written."""
    exe = Path(sys.executable).parent / "sei-nts"
    proc = subprocess.Popen(
        [str(exe), "requests", "list"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=dict(os.environ),
    )
    proc.stdout.close()
    _, erro = proc.communicate(timeout=60)
    assert proc.returncode == 1 and erro == b""


def test_argparse_errors_are_portuguese_too(filed, capsys):
    assert _run("requests", "list", "--s", "x")[0] == 2
    assert "opção ambígua: --s (--status, --since)" in capsys.readouterr().err
    assert _run("requests", "list", "a-mais")[0] == 2
    assert "argumentos não reconhecidos: a-mais" in capsys.readouterr().err
    assert _run("requests", "list", "--kind")[0] == 2
    assert "erro: argumento --kind: esperava um valor" in capsys.readouterr().err


# ------------------------------------------------------------ panel users
def _run_com_entrada(entrada, *args):
    out = io.StringIO()
    code = cli.main(list(args), out=out, entrada=io.StringIO(entrada))
    return code, out.getvalue()


def test_users_add_list_disable(env, capsys):
    code, out = _run("users", "list")
    assert code == 0 and "sei-nts users add" in out  # none yet: how to create the first
    code, out = _run_com_entrada(
        "uma senha longa de teste\n",
        "users",
        "add",
        "Maria.Silva",
        "--name",
        "Maria da Silva",
        "--role",
        "admin",
        "--password-stdin",
    )
    assert code == 0 and "maria.silva" in out
    code, _ = _run_com_entrada(
        "curta\n", "users", "add", "bia", "--name", "Bia", "--role", "analista", "--password-stdin"
    )
    assert code == 1 and "pelo menos 12" in capsys.readouterr().err
    code, out = _run("users", "list", "--json")
    assert json.loads(out) == [
        {"login": "maria.silva", "name": "Maria da Silva", "role": "admin", "active": True}
    ]
    assert _run("users", "disable", "maria.silva")[0] == 0
    assert "desativado" in _run("users", "list")[1]
    assert _run("users", "enable", "maria.silva")[0] == 0
    code, out = _run_com_entrada(
        "outra senha bem longa\n", "users", "password", "maria.silva", "--password-stdin"
    )
    assert code == 0 and "redefinida" in out
    from bot import settings
    from bot.painel import usuarios
    from bot.solicitacoes.store import RequestStore

    with RequestStore(settings.load().requests_db_url) as store:
        assert usuarios.autenticar(store, "maria.silva", "outra senha bem longa", "x") is not None
        acoes = [e.acao for e in store.auditoria()]
    assert acoes[:3] == ["senha_redefinida", "usuario_reativado", "usuario_desativado"]
    assert _run("users", "disable", "ninguem")[0] == 1
    assert "Nenhum usuário" in capsys.readouterr().err
    code, _ = _run("users", "add", "x", "--name", "X", "--role", "chefe", "--password-stdin")
    assert code == 2  # argparse: a role that does not exist


def test_users_add_prompts_twice_without_the_flag(env):
    """Interactive: getpass reads the terminal; no terminal here, so a pty drives it."""
    import pty

    pid, fd = pty.fork()
    if pid == 0:  # child: the real console script entry point
        os.execvpe(
            sys.executable,
            [
                sys.executable,
                "-m",
                "bot.ops.cli",
                "users",
                "add",
                "eva",
                "--name",
                "Eva",
                "--role",
                "analista",
            ],
            dict(os.environ),
        )
    saida = b""
    for resposta in (b"uma senha longa de teste\n", b"uma senha longa de teste\n"):
        while b"enha" not in saida.rsplit(b"\n", 1)[-1]:
            saida += os.read(fd, 1024)
        os.write(fd, resposta)
        saida += os.read(fd, 1024)
    _, status = os.waitpid(pid, 0)
    while True:
        try:
            pedaco = os.read(fd, 1024)
        except OSError:
            break
        if not pedaco:
            break
        saida += pedaco
    assert os.waitstatus_to_exitcode(status) == 0, saida
    assert b"Repita a senha" in saida and b"uma senha longa" not in saida  # not echoed
    assert json.loads(_run("users", "list", "--json")[1])[0]["login"] == "eva"


def test_status_through_the_shared_service_with_author_and_visibility(filed):
    code, _ = _run(
        "requests",
        "status",
        filed[0],
        "concluida",
        "--note",
        "feito; CPF 529.982.247-25",
        "--visible",
        "--by",
        "ana",
    )
    assert code == 0
    data = json.loads(_run("requests", "show", filed[0], "--json")[1])
    assert data["audit"][0]["action"] == "registrada" and data["audit"][0]["by"] == "assistente"
    ultimo = data["audit"][-1]
    assert {k: ultimo[k] for k in ("by", "action", "before", "after", "note", "visible")} == {
        "by": "ana",
        "action": "situacao",
        "before": "recebida",
        "after": "concluida",
        "note": "feito; CPF [CPF omitido]",
        "visible": True,
    }
    code, _ = _run("requests", "status", filed[0], "concluida")  # same status, no note
    assert code == 1
    assert _run("requests", "status", filed[1], "concluida", "--by", "529.982.247-25")[0] == 1
    code, _ = _run("requests", "status", filed[1], "em_andamento")
    autor = json.loads(_run("requests", "show", filed[1], "--json")[1])["audit"][-1]["by"]
    assert autor.startswith("console:")


def test_a_status_change_from_the_console_notifies_like_the_panel(filed, monkeypatch):
    """Issue 13: `sei-nts requests status` queues the requester's notice (same hook)."""
    import sqlalchemy as sa

    from bot import settings
    from bot.notificacoes.avisos import Avisos
    from bot.notificacoes.tabelas import notifications
    from bot.solicitacoes.servicos import Servicos

    monkeypatch.setenv("SEI_SMTP_URL", "smtp://127.0.0.1:9")
    monkeypatch.setenv("SEI_EMAIL_REMETENTE", "assistente@example.com")
    servicos = Servicos(settings.load())
    Avisos(servicos.store, servicos.settings).assinar(filed[0], "email", "ana.lima@gmail.com")
    code, _ = _run(
        "requests", "status", filed[0], "em_andamento", "--note", "Na SEPLAG.", "--visible"
    )
    assert code == 0
    with servicos.store.na_transacao() as conn:
        eventos = [
            (r.protocolo, r.evento, r.canal)
            for r in conn.execute(
                sa.select(notifications).where(notifications.c.evento == "situacao")
            )
        ]
    servicos.store.fechar()
    assert eventos == [(filed[0], "situacao", "email")]
