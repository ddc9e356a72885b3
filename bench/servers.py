"""The Rasa server and the action server of one model, started the way
``make run`` starts them (``bot.ops.launcher``'s command lines, environment and
rendered endpoints), on loopback ports of their own and with their own
``var/`` folder. The web gateway and Telegram are not started: the load goes
straight to Rasa's REST channel.

Extra environment (thread settings, ``SANIC_WORKERS``) and endpoint
sections (tracker store, lock store) are how the levers are measured. With
``SEI_PERFIL=producao`` in the environment, every Rasa replica the launcher
would start runs (``rasa``, ``rasa-2``... on consecutive ports), its stores
in a throw-away PostgreSQL database (``scratch_database``) and Redis.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import time
import urllib.parse
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path

import httpx
import yaml

from bench.common import ROOT, cpu_seconds, tree_rss_mb

READY_TIMEOUT_S = 300
PROBE = "esqueci minha senha"
# a PostgreSQL database the benchmark may connect to and CREATE DATABASE from
POSTGRES_ADMIN_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
IDLE_CPU_SHARE = 0.1  # settle(): servers using less than this share of one core are idle


class ServerError(RuntimeError):
    """A server did not come up (the log tail is in the message)."""


def port_free(port: int) -> bool:
    """True when nothing listens on 127.0.0.1:``port`` (so a stale server
    cannot answer in place of the one being started)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_ports(first: int, tries: int = 40) -> tuple[int, int]:
    """The first (rasa, actions = rasa + 50) pair of free ports from ``first``."""
    for port in range(first, first + tries):
        if port_free(port) and port_free(port + 50):
            return port, port + 50
    raise ServerError(f"nenhum par de portas livre a partir de {first}")


def launcher_view(workdir: Path, project_root: Path = ROOT) -> tuple[dict, dict[str, list]]:
    """The endpoints and command lines the launcher would use now (rendered
    into ``workdir``): what the levers compare against."""
    from bot import settings
    from bot.ops import launcher

    cfg = settings.load(
        {
            **os.environ,
            "SEI_PROJECT_ROOT": str(project_root),
            "SEI_VAR_DIR": str(workdir / "var-view"),
        }
    )
    path = launcher.render_endpoints(cfg, workdir / "endpoints-view.yml")
    data = yaml.safe_load(path.read_text()) or {}
    return data, launcher.commands(cfg, project_root / "models" / "sei.tar.gz", path)


class BotServers:
    """Rasa (REST channel) + action server for ``model``; a context manager."""

    def __init__(
        self,
        model: Path,
        workdir: Path,
        rasa_port: int,
        actions_port: int,
        *,
        name: str = "bot",
        env: Mapping[str, str] | None = None,
        endpoints: Mapping[str, object] | None = None,
        project_root: Path = ROOT,
        actions_cmd: list | None = None,
    ) -> None:
        self.model = Path(model).resolve()
        self.workdir = Path(workdir)
        self.rasa_port, self.actions_port = rasa_port, actions_port
        self.name = name
        self.extra_env = dict(env or {})
        self.extra_endpoints = dict(endpoints or {})
        self.project_root = Path(project_root)
        self.actions_cmd = actions_cmd
        self.procs: dict[str, subprocess.Popen] = {}
        self.rasa_ports = [rasa_port]  # every replica's, set by start()
        self.start_s = 0.0  # seconds to the first answer, set by start()
        self.actions_ready_s: float | None = None

    # ------------------------------------------------------------ lifecycle
    @property
    def url(self) -> str:
        """The REST channel webhook (of the first replica)."""
        return self.urls[0]

    @property
    def urls(self) -> list[str]:
        """The REST channel webhook of every Rasa replica."""
        return [f"http://127.0.0.1:{port}/webhooks/rest/webhook" for port in self.rasa_ports]

    @property
    def var_dir(self) -> Path:
        return self.workdir / f"var-{self.name}"

    def _env(self) -> dict[str, str]:
        return {
            "SEI_PROJECT_ROOT": str(self.project_root),
            "SEI_RASA_PORT": str(self.rasa_port),
            "SEI_ACTIONS_PORT": str(self.actions_port),
            "SEI_VAR_DIR": str(self.var_dir),
            "SEI_LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(self.project_root),
            "RASA_TELEMETRY_ENABLED": "false",
            "TF_CPP_MIN_LOG_LEVEL": "2",
            **self.extra_env,
        }

    def start(self, timeout: float = READY_TIMEOUT_S) -> BotServers:
        """Start both servers; return when a REST message gets an answer."""
        from bot import settings
        from bot.ops import launcher

        env_vars = self._env()
        cfg = settings.load({**os.environ, **env_vars})
        self.rasa_ports = cfg.rasa_ports
        busy = [p for p in (*self.rasa_ports, self.actions_port) if not port_free(p)]
        if busy:
            raise ServerError(f"{self.name}: porta(s) {busy} já em uso em 127.0.0.1")
        problem = launcher.check_shared_stores(cfg) if cfg.producao else None
        if problem:
            raise ServerError(f"{self.name}: {problem}")
        self.var_dir.mkdir(parents=True, exist_ok=True)
        endpoints = launcher.render_endpoints(cfg, self.workdir / f"endpoints-{self.name}.yml")
        if self.extra_endpoints:
            data = yaml.safe_load(endpoints.read_text()) or {}
            data.update(self.extra_endpoints)
            endpoints.write_text(yaml.safe_dump(data, sort_keys=False))
        cmds = launcher.commands(cfg, self.model, endpoints)
        if self.actions_cmd:
            cmds["acoes"] = [*self.actions_cmd, "--port", str(self.actions_port)]
        env = launcher.child_env(cfg)
        env.update(env_vars)
        started = time.perf_counter()
        for key in ("acoes", *(k for k in cmds if k.startswith("rasa"))):
            with open(self.workdir / f"{self.name}-{key}.log", "wb") as log:
                self.procs[key] = subprocess.Popen(
                    cmds[key],
                    cwd=self.project_root,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
        try:
            self._wait(started, timeout)
        except BaseException:
            self.stop()
            raise
        self.start_s = time.perf_counter() - started
        return self

    def _wait(self, started: float, timeout: float) -> None:
        deadline = started + timeout
        health = f"http://127.0.0.1:{self.actions_port}/health"
        while time.perf_counter() < deadline:
            self._check_alive()
            if self.actions_ready_s is None:
                try:
                    httpx.get(health, timeout=2).raise_for_status()
                    self.actions_ready_s = time.perf_counter() - started
                except httpx.HTTPError:
                    pass
            try:
                if self.actions_ready_s is not None and all(
                    self.say_sync("bench-probe", PROBE, url=url) for url in self.urls
                ):
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise ServerError(f"{self.name}: sem resposta em {timeout:.0f} s\n{self.log_tail()}")

    def _check_alive(self) -> None:
        for key, proc in self.procs.items():
            if proc.poll() is not None:
                raise ServerError(
                    f"{self.name}: processo '{key}' terminou "
                    f"(código {proc.returncode})\n{self.log_tail()}"
                )

    def say_sync(self, sender: str, text: str, timeout: float = 60, url: str | None = None) -> list:
        """One message through the REST channel (blocking; the first replica
        unless ``url``); the replies."""
        resp = httpx.post(
            url or self.url, json={"sender": sender, "message": text}, timeout=timeout
        )
        resp.raise_for_status()
        return resp.json()

    def log_tail(self, chars: int = 2500) -> str:
        out = []
        for key in self.procs:
            path = self.workdir / f"{self.name}-{key}.log"
            if path.exists():
                out.append(f"--- {path.name}\n" + path.read_text(errors="replace")[-chars:])
        return "\n".join(out)

    def stop(self) -> None:
        """SIGTERM both process groups, SIGKILL what is left (launcher rules)."""
        from bot.ops import launcher

        launcher.stop_all(self.procs)

    def __enter__(self) -> BotServers:
        return self.start() if not self.procs else self

    def __exit__(self, *_exc) -> None:
        self.stop()

    # ------------------------------------------------------------- readings
    def pids(self) -> dict[str, int]:
        return {key: proc.pid for key, proc in self.procs.items()}

    def rss(self) -> dict[str, float]:
        """RSS (MB) of each server (``rasa``, ``rasa-2``..., ``acoes``; with workers)."""
        return {key: round(tree_rss_mb(pid), 1) for key, pid in self.pids().items()}

    def cpu(self) -> dict[str, float]:
        """CPU seconds used so far by each server."""
        return {key: cpu_seconds(pid) for key, pid in self.pids().items()}

    def settle(self, timeout: float = 30, every: float = 0.5) -> float:
        """Wait until the servers are idle (all together under ``IDLE_CPU_SHARE``
        of a core over ``every`` seconds: a backlog left by an overloaded step
        is done), at most ``timeout`` s; the seconds waited."""
        started = last_at = time.perf_counter()
        last = sum(self.cpu().values())
        while time.perf_counter() - started < timeout:
            time.sleep(every)
            now, used = time.perf_counter(), sum(self.cpu().values())
            if used - last < IDLE_CPU_SHARE * (now - last_at):
                break
            last, last_at = used, now
        return time.perf_counter() - started


@contextlib.contextmanager
def scratch_database(admin_url: str = POSTGRES_ADMIN_URL, name: str = "") -> Iterator[str]:
    """A new PostgreSQL database (created from ``admin_url``'s, dropped at the
    end); yields its URL. Raises ServerError when PostgreSQL does not answer."""
    import psycopg2

    try:
        admin = psycopg2.connect(admin_url, connect_timeout=5)
    except psycopg2.Error as err:
        raise ServerError(f"PostgreSQL inacessível: {str(err).strip()[:200]}") from None
    admin.autocommit = True
    db = f"seibench_{name}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    try:
        with admin.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{db}"')
        parts = urllib.parse.urlsplit(admin_url)
        yield urllib.parse.urlunsplit(parts._replace(path=f"/{db}"))
    finally:
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        admin.close()
