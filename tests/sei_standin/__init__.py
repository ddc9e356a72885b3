"""Start and steer the SEI web service stand-in (index.php on PHP's SoapServer).

``StandIn(pasta, porta)`` writes ``config.json`` in ``pasta`` and runs
``php -S 127.0.0.1:porta index.php`` with ``SEI_STANDIN_DIR=pasta``; the
processes and steps it creates live in ``pasta/estado.json`` (kept across a
restart). ``estado()``/``editar()`` read and change it under the same flock
PHP takes. By hand: ``python -m tests.sei_standin 17300`` (see __main__).
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

AQUI = Path(__file__).resolve().parent
CHAVE = "k" * 36 + "0123456789abcdef0123456789abcdef0123"  # 72 characters, like SEI 4's
SIGLA = "ASSISTENTE_NTS"
UNIDADES = [
    {"IdUnidade": "110000834", "Sigla": "SESAU-NTS", "Descricao": "Núcleo de Tecnologia em Saúde"},
    {"IdUnidade": "110000900", "Sigla": "SESAU-GETIN", "Descricao": "Gerência de Tecnologia"},
    {"IdUnidade": "110000901", "Sigla": "SEPLAG-SUMOGE", "Descricao": "Superintendência"},
]
CARGOS = [
    {"IdCargo": "1", "ExpressaoCargo": "Analista de Sistemas"},
    {"IdCargo": "2", "ExpressaoCargo": "Assessor Técnico"},
]
OPERACOES = [
    "listarUnidades",
    "listarCargos",
    "gerarProcedimento",
    "consultarProcedimento",
    "listarAndamentos",
]
CONFIG_PADRAO: dict[str, Any] = {
    "sigla": SIGLA,
    "chave": CHAVE,
    "operacoes": OPERACOES,
    "unidades": UNIDADES,
    "cargos": CARGOS,
    "id_tipo_procedimento": "100000346",
    "nome_tipo_procedimento": "Gestão de Acesso a Sistemas",
    "id_serie": "7",
}
ID_HIPOTESE_LEGAL = "34"


def php_disponivel() -> bool:
    """php-cli with the soap extension (Debian php-cli + php-soap)."""
    php = shutil.which("php")
    if not php:
        return False
    saida = subprocess.run([php, "-m"], capture_output=True, text=True, check=False).stdout
    return "soap" in saida.split()


class StandIn:
    """One stand-in server on 127.0.0.1:``porta`` with its state in ``pasta``."""

    def __init__(self, pasta: Path, porta: int, **config: Any) -> None:
        self.pasta = pasta
        self.porta = porta
        self.proc: subprocess.Popen[bytes] | None = None
        pasta.mkdir(parents=True, exist_ok=True)
        self.configurar(**{**CONFIG_PADRAO, **config})

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.porta}/sei/controlador_ws.php?servico=sei"

    def ambiente(self, **extra: str) -> dict[str, str]:
        """SEI_WS_* variables pointing at this stand-in, with every id set."""
        return {
            "SEI_WS_URL": self.url,
            "SEI_WS_SIGLA_SISTEMA": SIGLA,
            "SEI_WS_CHAVE": CHAVE,
            "SEI_WS_ID_UNIDADE_NTS": UNIDADES[0]["IdUnidade"],
            "SEI_WS_ID_TIPO_PROCEDIMENTO": CONFIG_PADRAO["id_tipo_procedimento"],
            "SEI_WS_ID_SERIE": CONFIG_PADRAO["id_serie"],
            "SEI_WS_ID_HIPOTESE_LEGAL": ID_HIPOTESE_LEGAL,
            "SEI_WS_TIMEOUT_S": "10",
            "SEI_WS_CONNECT_TIMEOUT_S": "2",
            **extra,
        }

    def configurar(self, **mudancas: Any) -> None:
        arquivo = self.pasta / "config.json"
        atual = json.loads(arquivo.read_text("utf-8")) if arquivo.exists() else {}
        atual.update(mudancas)
        tmp = arquivo.with_suffix(".tmp")
        tmp.write_text(json.dumps(atual, ensure_ascii=False), "utf-8")
        tmp.replace(arquivo)

    def iniciar(self) -> StandIn:
        pasta = self.pasta
        log = (pasta / "php.log").open("ab")
        self.proc = subprocess.Popen(
            ["php", "-S", f"127.0.0.1:{self.porta}", str(AQUI / "index.php")],
            cwd=AQUI,
            env={
                "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                "SEI_STANDIN_DIR": str(self.pasta),
            },
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        limite = time.monotonic() + 15
        while time.monotonic() < limite:
            try:
                with socket.create_connection(("127.0.0.1", self.porta), timeout=0.5):
                    return self
            except OSError as erro:
                if self.proc.poll() is not None:
                    saida = (pasta / "php.log").read_text()
                    raise RuntimeError("php -S terminou: " + saida) from erro
                time.sleep(0.05)
        raise RuntimeError(f"stand-in do SEI não abriu a porta {self.porta}")

    def parar(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    @contextmanager
    def _trava(self) -> Iterator[None]:
        with (self.pasta / "estado.lock").open("a") as trava:
            fcntl.flock(trava, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(trava, fcntl.LOCK_UN)

    def estado(self) -> dict[str, Any]:
        with self._trava():
            arquivo = self.pasta / "estado.json"
            if not arquivo.exists():
                return {"seq": 0, "processos": {}, "chamadas": []}
            return json.loads(arquivo.read_text("utf-8"))

    def editar(self, mudar: Callable[[dict[str, Any]], None]) -> None:
        with self._trava():
            arquivo = self.pasta / "estado.json"
            dados = json.loads(arquivo.read_text("utf-8"))
            mudar(dados)
            tmp = arquivo.with_suffix(".tmp")
            tmp.write_text(json.dumps(dados, ensure_ascii=False), "utf-8")
            tmp.replace(arquivo)

    def processos(self) -> dict[str, dict[str, Any]]:
        return self.estado()["processos"]

    def andar(self, numero: str, id_tarefa: str, descricao: str, sigla_unidade: str) -> None:
        """Add a step (andamento) to a process, as SEI's users would."""
        unidade = next(u for u in UNIDADES if u["Sigla"] == sigla_unidade)

        def mudar(dados: dict[str, Any]) -> None:
            processo = dados["processos"][numero]
            passos = processo["Andamentos"]
            passos.append(
                {
                    "IdAndamento": str(int(passos[-1]["IdAndamento"]) + 1),
                    "IdTarefa": id_tarefa,
                    "Descricao": descricao,
                    "DataHora": time.strftime("%d/%m/%Y %H:%M:%S"),
                    "Unidade": unidade,
                }
            )
            processo["Abertas"] = [unidade["IdUnidade"]]

        self.editar(mudar)
