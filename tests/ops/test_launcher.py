import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import ROOT

from bot import settings
from bot.ops import launcher


def _cfg(**env):
    return settings.load({"SEI_PROJECT_ROOT": str(ROOT), **env})


def test_servers_bind_to_loopback_and_api_is_off_by_default(tmp_path):
    cfg = _cfg()
    cmds = launcher.commands(cfg, Path("models/sei.tar.gz"), tmp_path / "e.yml")
    rasa = cmds["rasa"]
    assert rasa[rasa.index("--interface") + 1] == "127.0.0.1"
    assert "--enable-api" not in rasa and "--auth-token" not in rasa
    assert launcher.child_env(cfg)["SANIC_HOST"] == "127.0.0.1"
    assert launcher.child_env(cfg)["RASA_TELEMETRY_ENABLED"] == "false"


def test_api_only_with_a_token(tmp_path):
    cfg = _cfg(RASA_API_TOKEN="s3gr3d0")
    rasa = launcher.commands(cfg, Path("m.tar.gz"), tmp_path / "e.yml")["rasa"]
    assert rasa[rasa.index("--enable-api") + 1 : rasa.index("--enable-api") + 3] == [
        "--auth-token",
        "s3gr3d0",
    ]


def test_every_process_starts_through_the_masking_entrypoints(tmp_path):
    """CPF/e-mail masking (bot.ops.processos) wraps every child; DEBUG reaches Rasa and actions."""
    cmds = launcher.commands(_cfg(TELEGRAM_BOT_TOKEN="1:x"), Path("m.tar.gz"), tmp_path / "e.yml")
    assert set(cmds) == {"acoes", "rasa", "web", "painel", "notificacoes", "telegram"}
    for nome, cmd in cmds.items():
        assert cmd[1:3] == ["-m", "bot.ops.processos"], nome
        assert "--debug" not in cmd
    assert cmds["acoes"][3] == "acoes" and cmds["rasa"][3:5] == ["rasa", "run"]
    debug = launcher.commands(_cfg(SEI_LOG_LEVEL="debug"), Path("m.tar.gz"), tmp_path / "e.yml")
    assert "--debug" in debug["rasa"] and "--debug" in debug["acoes"]


def test_the_sei_worker_starts_only_with_the_sei_web_service_configured(tmp_path):
    """Issue 14: without SEI_WS_URL/SIGLA/CHAVE, today's manual flow and no SEI worker."""
    assert "sei" not in launcher.commands(_cfg(), Path("m.tar.gz"), tmp_path / "e.yml")
    com_sei = _cfg(
        SEI_WS_URL="http://127.0.0.1:9/sei.wsdl",
        SEI_WS_SIGLA_SISTEMA="ASSISTENTE",
        SEI_WS_CHAVE="chave-de-teste",
        SEI_WS_ID_UNIDADE_NTS="110000001",
        SEI_WS_ID_TIPO_PROCEDIMENTO="100000001",
        SEI_WS_ID_SERIE="1",
        SEI_WS_ID_HIPOTESE_LEGAL="1",
    )
    cmd = launcher.commands(com_sei, Path("m.tar.gz"), tmp_path / "e.yml")["sei"]
    assert cmd[1:4] == ["-m", "bot.ops.processos", "sei"]
    assert "chave-de-teste" not in " ".join(cmd)  # the key stays in the environment


def test_endpoints_file_points_to_the_configured_action_port(tmp_path):
    cfg = _cfg(SEI_ACTIONS_PORT="6123")
    out = launcher.render_endpoints(cfg, tmp_path / "endpoints.yml")
    assert yaml.safe_load(out.read_text())["action_endpoint"]["url"] == (
        "http://127.0.0.1:6123/webhook"
    )


def _launcher(tmp_path, modelo=True, **env):
    """Run ``python -m bot.ops.launcher`` on a copy of the project root that has a
    stand-in model file (the start stops at the checks, before any server)."""
    raiz = tmp_path / "raiz"
    (raiz / "models").mkdir(parents=True)
    if modelo:
        (raiz / "models" / "sei.tar.gz").write_bytes(b"")
    ambiente = {
        "PATH": "/usr/bin:/bin",
        "SEI_PROJECT_ROOT": str(raiz),
        "SEI_VAR_DIR": str(tmp_path / "var"),
        "SEI_LINKS_FILE": str(ROOT / "config" / "links.yml"),
        "SEI_CATALOGS_DIR": str(ROOT / "data" / "catalogs"),
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "bot.ops.launcher"],
        check=False,
        cwd=ROOT,
        env=ambiente,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_malformed_catalogue_stops_the_start_loudly(tmp_path):
    pasta = tmp_path / "catalogos"
    pasta.mkdir()
    (pasta / "unidades.csv").write_text("sigla,nome,sigla_superior\nNTS,Núcleo,GETIN\n")
    (pasta / "cargos.csv").write_text("cargo\nEnfermeiro\n")
    result = _launcher(tmp_path, SEI_CATALOGS_DIR=str(pasta))
    assert result.returncode == 1
    assert "Configuração inválida" in result.stderr and "unidades.csv" in result.stderr
    assert "GETIN" in result.stderr
    assert not (tmp_path / "var" / "run").exists()  # nothing was started


def test_bad_variable_names_itself_in_one_line(tmp_path):
    result = _launcher(tmp_path, SEI_RASA_PORT="abc")
    assert result.returncode == 1
    assert result.stderr == (
        "Configuração inválida: SEI_RASA_PORT: esperado um número inteiro, recebido 'abc'\n"
    )


def test_missing_model_says_how_to_train(tmp_path):
    result = _launcher(tmp_path, modelo=False)
    assert result.returncode == 1 and "rode 'make train'" in result.stderr


def test_valid_configuration_passes_the_check():
    assert launcher.check_configuration(_cfg()) is None


def test_settings_name_every_bad_variable_and_keep_the_defaults(tmp_path):
    with pytest.raises(settings.ConfiguracaoInvalida) as erro:
        _cfg(SEI_WEB_PORT="70000", SEI_PERFIL="homologacao", SEI_DOWNLOAD_TTL_S="1 dia")
    assert str(erro.value) == (
        "SEI_WEB_PORT: esperada uma porta TCP (um número inteiro de 1 a 65535), recebido '70000'; "
        "SEI_DOWNLOAD_TTL_S: esperado um número inteiro, recebido '1 dia'; "
        "SEI_PERFIL: esperado desenvolvimento ou producao, recebido 'homologacao'"
    )
    cfg = _cfg(SEI_VAR_DIR=str(tmp_path), SEI_LOG_LEVEL="debug", SEI_HOST="", TELEGRAM_BOT_TOKEN="")
    assert cfg.log_level == "DEBUG" and cfg.host == "127.0.0.1"  # empty: the default
    assert cfg.telegram_token is None and cfg.sender_secret_file == tmp_path / "segredo-remetente"
    assert cfg.links_file == ROOT / "config" / "links.yml"
    assert (cfg.rasa_port, cfg.actions_port, cfg.web_port, cfg.download_ttl_s) == (
        5005,
        5055,
        8080,
        86400,
    )


def test_process_entry_point_reports_a_bad_variable_without_traceback(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "bot.ops.processos", "web"],
        check=False,
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "SEI_VAR_DIR": str(tmp_path), "SEI_WEB_PORT": "oito"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "SEI_WEB_PORT: esperado um número inteiro, recebido 'oito'" in result.stderr


def test_readme_documents_every_variable():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    tabela = readme.split("## Configuração", 1)[1].split("\n## ", 1)[0]
    faltam = [
        nome
        for nome in settings.VARIAVEIS
        if nome not in settings.VARIAVEIS_DE_TESTE and f"`{nome}`" not in tabela
    ]
    assert faltam == []


def test_the_panel_process_serves_the_login_on_loopback_and_stops_on_sigterm(tmp_path):
    """What the launcher starts as "painel": the masked entry point, waitress on
    127.0.0.1:SEI_PAINEL_PORT, the store migrated, SIGTERM ends it cleanly."""
    import signal
    import time

    import httpx
    from conftest import PORT_BASE

    porta = PORT_BASE + 182
    env = dict(os.environ, SEI_VAR_DIR=str(tmp_path), SEI_PAINEL_PORT=str(porta))
    env.pop("REQUESTS_DB_URL", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.ops.processos", "painel"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        limite = time.monotonic() + 60
        while True:
            try:
                resposta = httpx.get(f"http://127.0.0.1:{porta}/entrar", timeout=2)
                break
            except httpx.HTTPError:
                assert proc.poll() is None, proc.stdout.read().decode()
                assert time.monotonic() < limite, "o painel não subiu"
                time.sleep(0.3)
        assert resposta.status_code == 200 and "sei-nts users add" in resposta.text
        assert resposta.headers["Server"] == "painel"
        assert (tmp_path / "requests.db").exists() and (tmp_path / "segredo-painel").exists()
        assert oct((tmp_path / "segredo-painel").stat().st_mode & 0o777) == "0o600"
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0


def test_the_panel_says_when_its_port_is_taken(tmp_path):
    import socket

    from conftest import PORT_BASE

    porta = PORT_BASE + 183
    with socket.socket() as ocupada:
        ocupada.bind(("127.0.0.1", porta))
        ocupada.listen()
        env = dict(os.environ, SEI_VAR_DIR=str(tmp_path), SEI_PAINEL_PORT=str(porta))
        env.pop("REQUESTS_DB_URL", None)
        result = subprocess.run(
            [sys.executable, "-m", "bot.ops.processos", "painel"],
            check=False,
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"127.0.0.1:{porta}" in result.stderr and "SEI_PAINEL_PORT" in result.stderr


def test_a_bad_attempt_limit_is_named_and_an_empty_limit_means_none():
    with pytest.raises(settings.ConfiguracaoInvalida) as erro:
        _cfg(SEI_LIMITE_TENTATIVAS="60 por minuto")
    assert "SEI_LIMITE_TENTATIVAS" in str(erro.value) and "MENSAGENS/SEGUNDOS" in str(erro.value)
    padrao = _cfg()
    assert (padrao.limite_tentativas, padrao.limite_endereco) == ("60/60", "300/60")
    vazios = _cfg(SEI_LIMITE_TENTATIVAS="", SEI_LIMITE_ENDERECO="", SEI_HOST="")
    assert (vazios.limite_tentativas, vazios.limite_endereco) == ("", "")  # the README's "vazio"
    assert vazios.host == "127.0.0.1"  # elsewhere, empty is the default
