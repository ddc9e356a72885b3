"""The one module that reads the environment.

Everything else receives its settings as arguments; ``load()`` is called by
entry points (launcher, actions, CLI), never at import time.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PERFIS = ("desenvolvimento", "producao")
POSTGRES_URL_PADRAO = "postgresql://postgres@127.0.0.1:5432/sei"
REDIS_URL_PADRAO = "redis://127.0.0.1:6379/1"


@dataclass(frozen=True)
class Settings:
    """Runtime settings of every process of the assistant."""

    project_root: Path
    links_file: Path
    host: str
    rasa_port: int
    actions_port: int
    rasa_api_token: str | None = field(repr=False)
    log_level: str
    var_dir: Path
    requests_db_url: str = field(repr=False)  # may carry a password
    catalogs_dir: Path
    web_port: int = 8080
    web_frame_ancestors: str = "'self'"
    telegram_token: str | None = field(default=None, repr=False)
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: str | None = field(default=None, repr=False)
    telegram_webhook_port: int = 8443
    telegram_api_url: str | None = None
    sender_secret_file: Path | None = None
    download_ttl_s: int = 24 * 3600
    # "desenvolvimento": SQLite trackers under var/, in-process locks, one Rasa.
    # "producao": trackers and requests in PostgreSQL, locks in Redis, replicas.
    perfil: str = "desenvolvimento"
    postgres_url: str = field(default=POSTGRES_URL_PADRAO, repr=False)
    redis_url: str = field(default=REDIS_URL_PADRAO, repr=False)
    redis_key_prefix: str = "sei"
    rasa_replicas: int = 1
    # days conversations, attachments and spreadsheets are kept (bot.ops.privacidade)
    retencao_dias: int = 90
    # test-only: seconds Servicos.registrar waits after filing (crash tests)
    pausa_envio_teste_s: float = 0.0

    @property
    def producao(self) -> bool:
        """Shared stores (PostgreSQL + Redis): several Rasa replicas possible."""
        return self.perfil == "producao"

    @property
    def rasa_ports(self) -> list[int]:
        """Ports of the Rasa replicas: ``rasa_port``, ``rasa_port + 1``..."""
        return [self.rasa_port + i for i in range(self.rasa_replicas)]

    @property
    def tracker_db(self) -> Path:
        """SQLite file of the conversation trackers (development profile)."""
        return self.var_dir / "trackers.db"

    @property
    def trackers_db_url(self) -> str:
        """SQLAlchemy URL of Rasa's tracker store (the ``events`` table)."""
        return self.postgres_url if self.producao else f"sqlite:///{self.tracker_db}"

    @property
    def run_dir(self) -> Path:
        """Files the launcher renders for its children (endpoints)."""
        return self.var_dir / "run"

    @property
    def rasa_url(self) -> str:
        """Base URL of the Rasa server (the REST channel lives under it)."""
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def planilhas_dir(self) -> Path:
        """One spreadsheet per filed request, named by protocol."""
        return self.var_dir / "planilhas"

    @property
    def anexos_dir(self) -> Path:
        """Screenshots received in error reports."""
        return self.var_dir / "anexos"

    @property
    def actions_url(self) -> str:
        """URL of the action server's webhook."""
        return f"http://127.0.0.1:{self.actions_port}/webhook"


def load(environ: Mapping[str, str] | None = None) -> Settings:
    """Read settings from the environment (or the mapping given)."""
    env = os.environ if environ is None else environ
    root = Path(env.get("SEI_PROJECT_ROOT", PROJECT_ROOT))
    var_dir = Path(env.get("SEI_VAR_DIR", root / "var"))
    perfil = (env.get("SEI_PERFIL") or "desenvolvimento").strip().lower()
    perfil = perfil.replace("ç", "c").replace("ã", "a")  # "produção" too
    if perfil not in PERFIS:
        raise ValueError(f"SEI_PERFIL inválido: {perfil!r}. Use um destes: {', '.join(PERFIS)}.")
    postgres_url = env.get("SEI_POSTGRES_URL") or POSTGRES_URL_PADRAO
    requests_db_url = env.get("REQUESTS_DB_URL") or (
        postgres_url if perfil == "producao" else f"sqlite:///{var_dir / 'requests.db'}"
    )
    return Settings(
        project_root=root,
        links_file=Path(env.get("SEI_LINKS_FILE", root / "config" / "links.yml")),
        host=env.get("SEI_HOST", "127.0.0.1"),
        rasa_port=int(env.get("SEI_RASA_PORT", "5005")),
        actions_port=int(env.get("SEI_ACTIONS_PORT", "5055")),
        rasa_api_token=env.get("RASA_API_TOKEN") or None,
        log_level=env.get("SEI_LOG_LEVEL", "INFO").upper(),
        var_dir=var_dir,
        requests_db_url=requests_db_url,
        catalogs_dir=Path(env.get("SEI_CATALOGS_DIR", root / "data" / "catalogs")),
        web_port=int(env.get("SEI_WEB_PORT", "8080")),
        web_frame_ancestors=env.get("SEI_WEB_FRAME_ANCESTORS") or "'self'",
        telegram_token=env.get("TELEGRAM_BOT_TOKEN") or None,
        telegram_webhook_url=env.get("TELEGRAM_WEBHOOK_URL") or None,
        telegram_webhook_secret=env.get("TELEGRAM_WEBHOOK_SECRET") or None,
        telegram_webhook_port=int(env.get("TELEGRAM_WEBHOOK_PORT", "8443")),
        telegram_api_url=env.get("TELEGRAM_API_URL") or None,
        sender_secret_file=Path(env.get("SEI_SENDER_SECRET_FILE", var_dir / "segredo-remetente")),
        download_ttl_s=int(env.get("SEI_DOWNLOAD_TTL_S", str(24 * 3600))),
        perfil=perfil,
        postgres_url=postgres_url,
        redis_url=env.get("SEI_REDIS_URL") or REDIS_URL_PADRAO,
        redis_key_prefix=env.get("SEI_REDIS_PREFIX") or "sei",
        rasa_replicas=int(env.get("SEI_RASA_REPLICAS") or (2 if perfil == "producao" else 1)),
        retencao_dias=int(env.get("SEI_RETENCAO_DIAS") or 90),
        pausa_envio_teste_s=float(env.get("SEI_TEST_PAUSA_ENVIO") or 0),
    )
