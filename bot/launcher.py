"""``make run``: start the action server, Rasa, the web chat gateway and (with
a token) the Telegram adapter; stop them all on Ctrl-C.

Each child runs in its own process group; the launcher forwards SIGINT and
SIGTERM to every group, waits for them, and exits when any child dies (so a
crashed server never leaves the other one orphaned).
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Dict, List, Optional

import yaml

from bot import settings as settings_module
from bot.settings import Settings

STOP_TIMEOUT_S = 15
READY_TIMEOUT_S = 180


def render_endpoints(cfg: Settings, out: Path) -> Path:
    """Write the endpoints file with the configured action server URL."""
    data = yaml.safe_load((cfg.project_root / "endpoints.yml").read_text()) or {}
    data.setdefault("action_endpoint", {})["url"] = cfg.actions_url
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(yaml.safe_dump(data, sort_keys=False))
    return out


def commands(cfg: Settings, model: Path, endpoints: Path) -> Dict[str, List[str]]:
    """Command lines of the processes to start, by name."""
    bindir = Path(sys.executable).parent
    rasa = [
        str(bindir / "rasa"), "run",
        "--model", str(model),
        "--interface", cfg.host,
        "--port", str(cfg.rasa_port),
        "--credentials", str(cfg.project_root / "credentials.yml"),
        "--endpoints", str(endpoints),
    ]
    if cfg.rasa_api_token:
        rasa += ["--enable-api", "--auth-token", cfg.rasa_api_token]
    actions = [
        str(bindir / "rasa"), "run", "actions",
        "--actions", "actions",
        "--port", str(cfg.actions_port),
    ]
    python = str(Path(sys.executable))
    processos = {"acoes": actions, "rasa": rasa, "web": [python, "-m", "bot.channels.web"]}
    if cfg.telegram_token:
        processos["telegram"] = [python, "-m", "bot.channels.telegram"]
    return processos


def child_env(cfg: Settings) -> Dict[str, str]:
    """Environment of the children: action server bound to the host too."""
    env = dict(os.environ)
    env["SANIC_HOST"] = cfg.host
    env.setdefault("RASA_TELEMETRY_ENABLED", "false")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    return env


def wait_ready(url: str, procs: Dict[str, subprocess.Popen], timeout: float) -> bool:
    """Poll ``url`` until it answers, a child dies, or the timeout passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(p.poll() is not None for p in procs.values()):
            return False
        try:
            with urllib.request.urlopen(url, timeout=2):
                return True
        except OSError:
            time.sleep(0.5)
    return False


def stop_all(procs: Dict[str, subprocess.Popen]) -> None:
    """SIGTERM every child group, then SIGKILL what is left."""
    for proc in procs.values():
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
    deadline = time.monotonic() + STOP_TIMEOUT_S
    for proc in procs.values():
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()


def check_configuration(cfg: Settings) -> Optional[str]:
    """Load catalogues and links once: a malformed file stops the start."""
    from bot import faq
    from bot.catalogos import Catalogos, CatalogoInvalido

    try:
        Catalogos.carregar(cfg.catalogs_dir)
        faq.load_links(cfg.links_file)
    except (CatalogoInvalido, faq.ContentError, OSError) as erro:
        return f"Configuração inválida: {erro}"
    return None


def main(argv: Optional[List[str]] = None) -> int:
    """Start everything and supervise until Ctrl-C or a child exits."""
    cfg = settings_module.load()
    model = cfg.project_root / "models" / "sei.tar.gz"
    if not model.exists():
        print(f"Modelo não encontrado em {model}: rode 'make train'.", file=sys.stderr)
        return 1
    problema = check_configuration(cfg)
    if problema:
        print(problema, file=sys.stderr)
        return 1
    endpoints = render_endpoints(cfg, cfg.project_root / "var" / "run" / "endpoints.yml")
    env = child_env(cfg)
    procs: Dict[str, subprocess.Popen] = {}
    stopping = False

    def on_signal(signum, frame):  # noqa: ARG001 - signal handler signature
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        for name, cmd in commands(cfg, model, endpoints).items():
            procs[name] = subprocess.Popen(
                cmd, cwd=cfg.project_root, env=env, start_new_session=True
            )
        base = f"http://{cfg.host}:{cfg.rasa_port}"
        if wait_ready(base + "/", procs, READY_TIMEOUT_S):
            print(
                f"\nAssistente do SEI pronto. Canal REST: {base}/webhooks/rest/webhook\n"
                f"  Chat web (página de demonstração): http://{cfg.host}:{cfg.web_port}/\n"
                + ("  Telegram: ligado\n" if cfg.telegram_token else
                   "  Telegram: desligado (defina TELEGRAM_BOT_TOKEN)\n") +
                f"  curl -s {base}/webhooks/rest/webhook -H 'Content-Type: application/json' "
                "-d '{\"sender\": \"teste\", \"message\": \"esqueci minha senha\"}'\n"
                "Ctrl-C encerra tudo.\n",
                flush=True,
            )
        while not stopping:
            dead = [n for n, p in procs.items() if p.poll() is not None]
            if dead:
                print(f"Processo '{dead[0]}' terminou; encerrando os demais.", file=sys.stderr)
                return 1
            time.sleep(0.3)
        return 0
    finally:
        stop_all(procs)


if __name__ == "__main__":
    sys.exit(main())
