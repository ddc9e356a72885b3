"""``make run``: start the action server, Rasa, the web chat gateway, the NTS
panel and (with a token) the Telegram adapter; stop them all on Ctrl-C.

Each child runs in its own process group; the launcher forwards SIGINT and
SIGTERM to every group, waits for them, and exits when any child dies (so a
crashed server never leaves the other one orphaned).

Profiles (``SEI_PERFIL``): "desenvolvimento" (default) keeps the
conversations in SQLite under the data folder (``var/trackers.db``), so a
restart loses nothing; "producao" (``make run-prod``) renders
``endpoints.producao.yml``: conversations in PostgreSQL, per-conversation
locks in Redis, requests in PostgreSQL, and ``SEI_RASA_REPLICAS`` Rasa
servers (default 2, on ``SEI_RASA_PORT`` and the next ports) that any load
balancer can spread messages over.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path
from types import FrameType

import yaml
from sqlalchemy.engine import make_url

from bot import settings as settings_module
from bot.settings import Settings

STOP_TIMEOUT_S = 15
READY_TIMEOUT_S = 180
CONNECT_TIMEOUT_S = 5
# Rasa expands ${VAR} in endpoints files: passwords stay in the environment
POSTGRES_PASSWORD_VAR = "SEI_POSTGRES_PASSWORD"
REDIS_PASSWORD_VAR = "SEI_REDIS_PASSWORD"
# SQLTrackerStore with an in-process cache (SEI_TRACKER_CACHE, development profile only)
CACHED_TRACKER_STORE = "bot.rasa.tracker_cache.CachedSQLTrackerStore"


def endpoints_template(cfg: Settings) -> Path:
    """``endpoints.producao.yml`` in the production profile, else ``endpoints.yml``."""
    return cfg.project_root / ("endpoints.producao.yml" if cfg.producao else "endpoints.yml")


def postgres_tracker_store(url: str) -> dict[str, object]:
    """Rasa SQL tracker store settings for a PostgreSQL URL (password as ${VAR})."""
    u = make_url(url)
    store: dict[str, object] = {
        "type": "SQL",
        "dialect": u.drivername,
        "url": u.host or "127.0.0.1",
        "port": u.port or 5432,
        "db": u.database or "sei",
    }
    if u.username:
        store["username"] = u.username
    if u.password:
        store["password"] = f"${{{POSTGRES_PASSWORD_VAR}}}"
    if u.query:
        store["query"] = dict(u.query)
    return store


def redis_lock_store(url: str, key_prefix: str) -> dict[str, object]:
    """Rasa Redis lock store settings for a ``redis://`` URL (password as ${VAR})."""
    u = urllib.parse.urlsplit(url)
    if u.scheme not in ("redis", "rediss"):
        raise ValueError(f"SEI_REDIS_URL precisa começar com redis:// ou rediss:// ({u.scheme}).")
    db = u.path.strip("/") or "1"
    if not db.isdigit():
        raise ValueError("SEI_REDIS_URL: o número do banco (depois da barra) precisa ser inteiro.")
    if not key_prefix.isalnum():
        raise ValueError("SEI_REDIS_PREFIX precisa ter só letras e números.")
    store: dict[str, object] = {
        "type": "redis",
        "url": u.hostname or "127.0.0.1",
        "port": u.port or 6379,
        "db": int(db),
        "key_prefix": key_prefix,
    }
    if u.username:
        store["username"] = urllib.parse.unquote(u.username)
    if u.password:
        store["password"] = f"${{{REDIS_PASSWORD_VAR}}}"
    if u.scheme == "rediss":
        store["use_ssl"] = True
    return store


def render_endpoints(cfg: Settings, out: Path) -> Path:
    """Write the endpoints file of the profile: action server URL and stores."""
    data = yaml.safe_load(endpoints_template(cfg).read_text()) or {}
    data.setdefault("action_endpoint", {})["url"] = cfg.actions_url
    if cfg.producao:  # the URLs win; other keys of the template (e.g. query) stay
        data["tracker_store"] = {
            **(data.get("tracker_store") or {}),
            **postgres_tracker_store(cfg.postgres_url),
        }
        data["lock_store"] = {
            **(data.get("lock_store") or {}),
            **redis_lock_store(cfg.redis_url, cfg.redis_key_prefix),
        }
    else:
        tracker = data.get("tracker_store") or {}
        if str(tracker.get("type", "")).lower() == "sql" and tracker.get("dialect") == "sqlite":
            tracker["db"] = str(cfg.tracker_db)
            if cfg.tracker_cache:
                tracker["type"] = CACHED_TRACKER_STORE
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(yaml.safe_dump(data, sort_keys=False))
    return out


def _senha(url: str) -> str:
    """The password of a database URL ('' when none)."""
    return urllib.parse.unquote(urllib.parse.urlsplit(url).password or "")


def commands(cfg: Settings, model: Path, endpoints: Path) -> dict[str, list[str]]:
    """Command lines of the processes to start, by name. Every one runs through
    ``bot.ops.processos`` so CPF and e-mail are masked in its logs; SEI_LOG_LEVEL=DEBUG
    turns on Rasa's and the action server's debug logs."""
    processo = [str(Path(sys.executable)), "-m", "bot.ops.processos"]
    debug = ["--debug"] if cfg.log_level == "DEBUG" else []
    actions = [
        *processo,
        "acoes",
        "--actions",
        "actions",
        "--port",
        str(cfg.actions_port),
        *debug,
    ]
    processos = {"acoes": actions}
    for i, port in enumerate(cfg.rasa_ports):
        rasa = [
            *processo,
            "rasa",
            "run",
            "--model",
            str(model),
            "--interface",
            cfg.host,
            "--port",
            str(port),
            "--credentials",
            str(cfg.project_root / "credentials.yml"),
            "--endpoints",
            str(endpoints),
            *debug,
        ]
        if cfg.rasa_api_token:
            rasa += ["--enable-api", "--auth-token", cfg.rasa_api_token]
        processos["rasa" if i == 0 else f"rasa-{i + 1}"] = rasa
    processos["web"] = [*processo, "web"]
    processos["painel"] = [*processo, "painel"]
    # issue 13: the notification worker (bot.notificacoes) delivers the outbox; without
    # SEI_SMTP_URL (and no Telegram token) it says so once and only waits
    processos["notificacoes"] = [*processo, "notificacoes"]
    # issue 14: with the SEI web service configured, the worker that files each request
    # as a SEI process and follows its steps (bot.sei); without it, today's manual flow
    from bot.sei.config import ConfigSei

    if ConfigSei.de_settings(cfg) is not None:
        processos["sei"] = [*processo, "sei"]
    if cfg.telegram_token:
        processos["telegram"] = [*processo, "telegram"]
    return processos


def child_env(cfg: Settings) -> dict[str, str]:
    """Environment of the children: action server bound to the host too; in
    production the request store URL and the passwords the endpoints name."""
    env = settings_module.inherited_environ()
    env["SANIC_HOST"] = cfg.host
    env.setdefault("RASA_TELEMETRY_ENABLED", "false")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")  # Rasa's SQL tracker store
    if cfg.producao:
        env["REQUESTS_DB_URL"] = cfg.requests_db_url
        env[POSTGRES_PASSWORD_VAR] = _senha(cfg.postgres_url)
        env[REDIS_PASSWORD_VAR] = _senha(cfg.redis_url)
    return env


def wait_ready(urls: list[str], procs: dict[str, subprocess.Popen[bytes]], timeout: float) -> bool:
    """Poll every URL until all answer, a child dies, or the timeout passes."""
    deadline = time.monotonic() + timeout
    pending = list(urls)
    while pending and time.monotonic() < deadline:
        if any(p.poll() is not None for p in procs.values()):
            return False
        try:
            with urllib.request.urlopen(pending[0], timeout=2):
                pending.pop(0)
        except OSError:
            time.sleep(0.5)
    return not pending


def stop_all(procs: dict[str, subprocess.Popen[bytes]]) -> None:
    """SIGTERM every child group, then SIGKILL what is left."""
    for proc in procs.values():
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_S
    for proc in procs.values():
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def check_configuration(cfg: Settings) -> str | None:
    """Load catalogues and links once: a malformed file stops the start."""
    from bot.faq import respostas
    from bot.solicitacoes.catalogos import CatalogoInvalido, Catalogos

    try:
        Catalogos.carregar(cfg.catalogs_dir)
        respostas.carregar_links(cfg.links_file)
    except (CatalogoInvalido, respostas.ConteudoInvalido, OSError) as erro:
        return f"Configuração inválida: {erro}"
    if cfg.rasa_replicas < 1:
        return "Configuração inválida: SEI_RASA_REPLICAS precisa ser 1 ou mais."
    if cfg.rasa_replicas > 1 and not cfg.producao:
        return (
            "Configuração inválida: várias réplicas do Rasa (SEI_RASA_REPLICAS) exigem "
            "SEI_PERFIL=producao (conversas no PostgreSQL e travas no Redis)."
        )
    if cfg.producao:
        try:
            redis_lock_store(cfg.redis_url, cfg.redis_key_prefix)
        except ValueError as erro:
            return f"Configuração inválida: {erro}"
    return None


def check_shared_stores(cfg: Settings) -> str | None:
    """Production: PostgreSQL and Redis answer (else Rasa would wait forever)."""
    import redis
    import sqlalchemy as sa

    u = make_url(cfg.postgres_url)
    try:
        engine = sa.create_engine(u, connect_args={"connect_timeout": CONNECT_TIMEOUT_S})
        try:
            with engine.connect() as conn:
                conn.execute(sa.text("SELECT 1"))
        finally:
            engine.dispose()
    except Exception as erro:
        motivo = str(getattr(erro, "orig", erro)).strip().splitlines()[0:1]
        return (
            f"PostgreSQL inacessível em {u.host}:{u.port or 5432}/{u.database} "
            f"(SEI_POSTGRES_URL): {motivo[0] if motivo else type(erro).__name__}"
        )
    r = urllib.parse.urlsplit(cfg.redis_url)
    try:
        cliente = redis.Redis.from_url(cfg.redis_url, socket_connect_timeout=CONNECT_TIMEOUT_S)
        try:
            cliente.ping()
        finally:
            cliente.close()
    except Exception as erro:
        return (
            f"Redis inacessível em {r.hostname}:{r.port or 6379} (SEI_REDIS_URL): "
            f"{type(erro).__name__}"
        )
    return None


def remove_stale_temporaries(folder: Path) -> int:
    """Delete what a killed spreadsheet writer left (``.NAME.*.tmp``); no writer
    runs yet when the launcher starts. Returns how many were removed."""
    removed = 0
    for path in folder.glob(".*.tmp") if folder.is_dir() else ():
        try:
            path.unlink()
            removed += 1
        except OSError:
            pass
    return removed


def main() -> int:
    """Start everything and supervise until Ctrl-C or a child exits."""
    try:
        cfg = settings_module.load()
    except ValueError as erro:
        print(f"Configuração inválida: {erro}", file=sys.stderr)
        return 1
    model = cfg.project_root / "models" / "sei.tar.gz"
    if not model.exists():
        print(f"Modelo não encontrado em {model}: rode 'make train'.", file=sys.stderr)
        return 1
    problema = check_configuration(cfg) or (check_shared_stores(cfg) if cfg.producao else None)
    if problema:
        print(problema, file=sys.stderr)
        return 1
    cfg.var_dir.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(cfg.planilhas_dir)
    endpoints = render_endpoints(cfg, cfg.run_dir / "endpoints.yml")
    env = child_env(cfg)
    procs: dict[str, subprocess.Popen[bytes]] = {}
    stopping = False

    def on_signal(signum: int, frame: FrameType | None) -> None:  # noqa: ARG001 - signal API
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        for name, cmd in commands(cfg, model, endpoints).items():
            procs[name] = subprocess.Popen(
                cmd, cwd=cfg.project_root, env=env, start_new_session=True
            )
        bases = [f"http://{cfg.host}:{port}" for port in cfg.rasa_ports]
        base = bases[0]
        if wait_ready([b + "/" for b in bases], procs, READY_TIMEOUT_S):
            replicas = (
                "".join(
                    f"  Réplica {i + 1}: {b}/webhooks/rest/webhook\n" for i, b in enumerate(bases)
                )
                if len(bases) > 1
                else ""
            )
            print(
                f"\nAssistente do SEI pronto. Canal REST: {base}/webhooks/rest/webhook\n"
                + (
                    f"  Perfil: {cfg.perfil} (conversas no PostgreSQL, travas no Redis)\n"
                    if cfg.producao
                    else ""
                )
                + replicas
                + f"  Chat web (página de demonstração): http://{cfg.host}:{cfg.web_port}/\n"
                + f"  Painel do NTS: http://127.0.0.1:{cfg.painel_port}/\n"
                + (  # issue 13: say once whether notices go out by e-mail
                    "  Avisos por e-mail: ligados\n"
                    if cfg.smtp_url
                    else "  Avisos por e-mail: desligados (defina SEI_SMTP_URL)\n"
                )
                + (
                    "  Telegram: ligado\n"
                    if cfg.telegram_token
                    else "  Telegram: desligado (defina TELEGRAM_BOT_TOKEN)\n"
                )
                + f"  curl -s {base}/webhooks/rest/webhook -H 'Content-Type: application/json' "
                '-d \'{"sender": "teste", "message": "esqueci minha senha"}\'\n'
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
