"""The one module that reads the environment.

Everything else receives its settings as arguments; ``load()`` is called by
entry points (launcher, actions, CLI), never at import time. Each field of
``Settings`` names its variable (``alias``); pydantic parses and checks them,
and a bad value raises ``ConfiguracaoInvalida`` naming the variable, e.g.
``SEI_RASA_PORT: esperado um número inteiro, recebido 'abc'``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, ValidationError, root_validator, validator

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PERFIS = ("desenvolvimento", "producao")
POSTGRES_URL_PADRAO = "postgresql://postgres@127.0.0.1:5432/sei"
REDIS_URL_PADRAO = "redis://127.0.0.1:6379/1"
_NIVEIS_LOG = ("DEBUG", "INFO", "WARNING", "WARN", "ERROR", "CRITICAL", "FATAL", "NOTSET")

# pydantic's error types -> what was expected, in Portuguese
_ESPERADO = {
    "type_error.integer": "esperado um número inteiro",
    "type_error.float": "esperado um número",
    "type_error.bool": "esperado 1 ou 0 (ou true/false)",
}


# message limits (bot.limites rules): an empty value means "no limit", not "the default"
_LIMITES = ("limite_sessao", "limite_endereco", "limite_chat", "limite_tentativas")


class ConfiguracaoInvalida(ValueError):
    """An environment variable with a bad value; the message names it (Portuguese)."""


def _perfil(texto: object) -> str:
    """``SEI_PERFIL`` normalised: lower case, "produção" accepted for "producao"."""
    return str(texto or "desenvolvimento").strip().lower().replace("ç", "c").replace("ã", "a")


class Settings(BaseModel):
    """Runtime settings of every process of the assistant (immutable)."""

    project_root: Path = Field(alias="SEI_PROJECT_ROOT")
    var_dir: Path = Field(alias="SEI_VAR_DIR")
    links_file: Path = Field(alias="SEI_LINKS_FILE")
    host: str = Field("127.0.0.1", alias="SEI_HOST")
    rasa_port: int = Field(5005, alias="SEI_RASA_PORT")
    actions_port: int = Field(5055, alias="SEI_ACTIONS_PORT")
    rasa_api_token: str | None = Field(None, alias="RASA_API_TOKEN", repr=False)
    log_level: str = Field("INFO", alias="SEI_LOG_LEVEL")
    requests_db_url: str = Field(alias="REQUESTS_DB_URL", repr=False)  # may carry a password
    catalogs_dir: Path = Field(alias="SEI_CATALOGS_DIR")
    web_port: int = Field(8080, alias="SEI_WEB_PORT")
    web_frame_ancestors: str = Field("'self'", alias="SEI_WEB_FRAME_ANCESTORS")
    telegram_token: str | None = Field(None, alias="TELEGRAM_BOT_TOKEN", repr=False)
    telegram_webhook_url: str | None = Field(None, alias="TELEGRAM_WEBHOOK_URL")
    telegram_webhook_secret: str | None = Field(None, alias="TELEGRAM_WEBHOOK_SECRET", repr=False)
    telegram_webhook_port: int = Field(8443, alias="TELEGRAM_WEBHOOK_PORT")
    telegram_api_url: str | None = Field(None, alias="TELEGRAM_API_URL")
    sender_secret_file: Path | None = Field(None, alias="SEI_SENDER_SECRET_FILE")
    download_ttl_s: int = Field(24 * 3600, alias="SEI_DOWNLOAD_TTL_S")
    # "desenvolvimento": SQLite trackers under var/, in-process locks, one Rasa.
    # "producao": trackers and requests in PostgreSQL, locks in Redis, replicas.
    perfil: str = Field("desenvolvimento", alias="SEI_PERFIL")
    postgres_url: str = Field(POSTGRES_URL_PADRAO, alias="SEI_POSTGRES_URL", repr=False)
    redis_url: str = Field(REDIS_URL_PADRAO, alias="SEI_REDIS_URL", repr=False)
    redis_key_prefix: str = Field("sei", alias="SEI_REDIS_PREFIX")
    rasa_replicas: int = Field(alias="SEI_RASA_REPLICAS")
    # development profile: trackers also kept in the Rasa process, written through to
    # SQLite (bot.rasa.tracker_cache); never with replicas (the production profile)
    tracker_cache: bool = Field(False, alias="SEI_TRACKER_CACHE")
    # days conversations, attachments and spreadsheets are kept (bot.ops.privacidade)
    retencao_dias: int = Field(90, alias="SEI_RETENCAO_DIAS")
    # NTS panel (bot.painel): port, idle minutes, session key file, https cookies
    # (behind the reverse proxy) and how many proxies set X-Forwarded-For/-Proto
    painel_port: int = Field(8090, alias="SEI_PAINEL_PORT")
    painel_sessao_min: int = Field(30, alias="SEI_PAINEL_SESSAO_MIN")
    painel_secret_file: Path = Field(alias="SEI_PAINEL_SECRET_FILE")
    painel_https: bool = Field(False, alias="SEI_PAINEL_HTTPS")
    painel_proxies: int = Field(0, alias="SEI_PAINEL_PROXIES")
    # SEI web service (bot.sei; all optional: without URL and key, the manual flow).
    # The key is a secret: environment only, never logged, stored or shown.
    sei_ws_url: str | None = Field(None, alias="SEI_WS_URL")
    sei_ws_sigla_sistema: str | None = Field(None, alias="SEI_WS_SIGLA_SISTEMA")
    sei_ws_chave: str | None = Field(None, alias="SEI_WS_CHAVE", repr=False)
    sei_ws_id_unidade_nts: str | None = Field(None, alias="SEI_WS_ID_UNIDADE_NTS")
    sei_ws_id_tipo_procedimento: str | None = Field(None, alias="SEI_WS_ID_TIPO_PROCEDIMENTO")
    sei_ws_id_serie: str | None = Field(None, alias="SEI_WS_ID_SERIE")
    sei_ws_id_hipotese_legal: str | None = Field(None, alias="SEI_WS_ID_HIPOTESE_LEGAL")
    sei_ws_timeout_s: float = Field(30.0, alias="SEI_WS_TIMEOUT_S")
    sei_ws_connect_timeout_s: float = Field(5.0, alias="SEI_WS_CONNECT_TIMEOUT_S")
    # notifications (bot.notificacoes): SMTP server (smtp:// STARTTLS, smtps:// TLS; unset:
    # no e-mail), sender, NTS addresses (comma-separated), panel base URL for links, NTS
    # Telegram group, daily digest time (HH:MM, Maceio), attempts before "failed", first
    # retry wait (doubles each time), the key file of the chat references and stop links
    smtp_url: str | None = Field(None, alias="SEI_SMTP_URL", repr=False)  # may carry a password
    email_remetente: str | None = Field(None, alias="SEI_EMAIL_REMETENTE")
    email_nts: str | None = Field(None, alias="SEI_EMAIL_NTS")
    painel_url: str | None = Field(None, alias="SEI_PAINEL_URL")
    telegram_nts_chat: str | None = Field(None, alias="SEI_TELEGRAM_NTS_CHAT")
    avisos_resumo_hora: str = Field("08:00", alias="SEI_AVISOS_RESUMO_HORA")
    avisos_tentativas: int = Field(12, alias="SEI_AVISOS_TENTATIVAS")
    avisos_espera_s: float = Field(30.0, alias="SEI_AVISOS_ESPERA_S")
    avisos_secret_file: Path = Field(alias="SEI_AVISOS_SECRET_FILE")
    # public prefix of the one-click "parar avisos" link (served by the web gateway, e.g.
    # https://chat.saude.al.gov.br/avisos/parar); unset: e-mails say to write "parar avisos"
    avisos_parar_url: str | None = Field(None, alias="SEI_AVISOS_PARAR_URL")
    # message limits (bot.limites; "MENSAGENS/SEGUNDOS,...", empty: none): per web
    # session, per client address (behind SEI_WEB_PROXIES trusted proxies), per
    # Telegram chat; in the production profile the counters live in Redis.
    # SEI_LIMITE_TENTATIVAS: per web session and per Telegram chat, counting the
    # refused messages too (a script that keeps sending stays refused)
    limite_sessao: str = Field("12/10,60/60", alias="SEI_LIMITE_SESSAO")
    limite_endereco: str = Field("300/60", alias="SEI_LIMITE_ENDERECO")
    limite_chat: str = Field("12/10,60/60", alias="SEI_LIMITE_CHAT")
    limite_tentativas: str = Field("60/60", alias="SEI_LIMITE_TENTATIVAS")
    web_proxies: int = Field(0, alias="SEI_WEB_PROXIES")
    # requests one conversation may file per day (bot.solicitacoes.cota; 0: no cap)
    limite_registros_dia: int = Field(20, alias="SEI_LIMITE_REGISTROS_DIA")
    # test-only: seconds Servicos.registrar waits after filing (crash tests)
    pausa_envio_teste_s: float = Field(0.0, alias="SEI_TEST_PAUSA_ENVIO")

    class Config:
        frozen = True
        extra = "ignore"

    @root_validator(pre=True)
    @classmethod
    def _derived_defaults(cls, brutos: dict[str, Any]) -> dict[str, Any]:
        """Defaults that depend on other variables (folders, profile)."""
        sem_limite = {cls.__fields__[campo].alias for campo in _LIMITES}
        valores = {
            nome: valor
            for nome, valor in brutos.items()
            if valor is not None and (valor != "" or nome in sem_limite)
        }
        root = Path(valores.setdefault("SEI_PROJECT_ROOT", PROJECT_ROOT))
        var_dir = Path(valores.setdefault("SEI_VAR_DIR", root / "var"))
        valores.setdefault("SEI_LINKS_FILE", root / "config" / "links.yml")
        valores.setdefault("SEI_CATALOGS_DIR", root / "data" / "catalogs")
        valores.setdefault("SEI_SENDER_SECRET_FILE", var_dir / "segredo-remetente")
        valores.setdefault("SEI_PAINEL_SECRET_FILE", var_dir / "segredo-painel")
        valores.setdefault("SEI_AVISOS_SECRET_FILE", var_dir / "segredo-avisos")
        producao = _perfil(valores.get("SEI_PERFIL")) == "producao"
        valores.setdefault(
            "REQUESTS_DB_URL",
            valores.get("SEI_POSTGRES_URL", POSTGRES_URL_PADRAO)
            if producao
            else f"sqlite:///{var_dir / 'requests.db'}",
        )
        valores.setdefault("SEI_RASA_REPLICAS", 2 if producao else 1)
        return valores

    @validator("perfil", pre=True)
    @classmethod
    def _check_perfil(cls, valor: object) -> str:
        perfil = _perfil(valor)
        if perfil not in PERFIS:
            raise ValueError("esperado " + " ou ".join(PERFIS))
        return perfil

    @validator("log_level")
    @classmethod
    def _check_log_level(cls, valor: str) -> str:
        nivel = valor.strip().upper()
        if nivel not in _NIVEIS_LOG:
            raise ValueError("esperado um nível de log (DEBUG, INFO, WARNING, ERROR ou CRITICAL)")
        return nivel

    @validator(*_LIMITES)
    @classmethod
    def _check_limite(cls, valor: str) -> str:
        from bot.limites import ler_regras

        ler_regras(valor)  # RegraInvalida (a ValueError): the message says the format
        return valor

    @validator("painel_sessao_min", "painel_proxies", "web_proxies", "limite_registros_dia")
    @classmethod
    def _check_painel(cls, valor: int, field: Any) -> int:
        minimo = 1 if field.name == "painel_sessao_min" else 0
        if valor < minimo:
            raise ValueError(f"esperado um número inteiro maior ou igual a {minimo}")
        return valor

    @validator("rasa_port", "actions_port", "web_port", "telegram_webhook_port", "painel_port")
    @classmethod
    def _check_port(cls, valor: int) -> int:
        if not 1 <= valor <= 65535:
            raise ValueError("esperada uma porta TCP (um número inteiro de 1 a 65535)")
        return valor

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


# every variable read, in the order of the fields
VARIAVEIS = tuple(campo.alias for campo in Settings.__fields__.values())
# read but not for operators: tests point them elsewhere (README leaves them out)
VARIAVEIS_DE_TESTE = ("SEI_PROJECT_ROOT", "SEI_TEST_PAUSA_ENVIO")


def _explicar(erro: Mapping[str, Any], env: Mapping[str, str]) -> str:
    """One pydantic error as ``VARIAVEL: esperado ..., recebido '...'``."""
    nome = str(erro["loc"][0])
    esperado = _ESPERADO.get(erro["type"], erro["msg"])
    return f"{nome}: {esperado}, recebido {env.get(nome, '')!r}"


def load(environ: Mapping[str, str] | None = None) -> Settings:
    """Read settings from the environment (or the mapping given).

    Empty variables count as unset. Raises ``ConfiguracaoInvalida`` (a
    ``ValueError``) naming every bad variable.
    """
    env = os.environ if environ is None else environ
    try:
        return Settings.parse_obj({nome: env[nome] for nome in VARIAVEIS if nome in env})
    except ValidationError as erro:
        motivos = "; ".join(_explicar(e, env) for e in erro.errors())
        raise ConfiguracaoInvalida(motivos) from None


def inherited_environ() -> dict[str, str]:
    """A copy of this process's environment, for a child process to inherit."""
    return dict(os.environ)
