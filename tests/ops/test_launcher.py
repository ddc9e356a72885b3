from pathlib import Path

import yaml

from bot import settings
from bot.ops import launcher


def _cfg(**env):
    return settings.load({"SEI_PROJECT_ROOT": str(Path(__file__).resolve().parents[2]), **env})


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
    assert set(cmds) == {"acoes", "rasa", "web", "telegram"}
    for nome, cmd in cmds.items():
        assert cmd[1:3] == ["-m", "bot.ops.processos"], nome
        assert "--debug" not in cmd
    assert cmds["acoes"][3] == "acoes" and cmds["rasa"][3:5] == ["rasa", "run"]
    debug = launcher.commands(_cfg(SEI_LOG_LEVEL="debug"), Path("m.tar.gz"), tmp_path / "e.yml")
    assert "--debug" in debug["rasa"] and "--debug" in debug["acoes"]


def test_endpoints_file_points_to_the_configured_action_port(tmp_path):
    cfg = _cfg(SEI_ACTIONS_PORT="6123")
    out = launcher.render_endpoints(cfg, tmp_path / "endpoints.yml")
    assert yaml.safe_load(out.read_text())["action_endpoint"]["url"] == (
        "http://127.0.0.1:6123/webhook"
    )


def test_malformed_catalogue_stops_the_start_loudly(tmp_path):
    import subprocess
    import sys

    pasta = tmp_path / "catalogos"
    pasta.mkdir()
    (pasta / "unidades.csv").write_text("sigla,nome,sigla_superior\nNTS,Núcleo,GETIN\n")
    (pasta / "cargos.csv").write_text("cargo\nEnfermeiro\n")
    root = Path(__file__).resolve().parents[2]
    env = {"SEI_CATALOGS_DIR": str(pasta), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-m", "bot.ops.launcher"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "Configuração inválida" in result.stderr and "unidades.csv" in result.stderr
    assert "GETIN" in result.stderr


def test_valid_configuration_passes_the_check():
    assert launcher.check_configuration(_cfg()) is None
