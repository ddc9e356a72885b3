"""Notification delivery at scale: 1,000 status changes (100 requests with an
e-mail subscription, 10 changes each, a visible note on every one) made while
the worker process runs, delivered to a local SMTP server (aiosmtpd). Reports
the time from the first change to the last e-mail received and the delay of
each e-mail (received - enqueued: p50, p95, max).

Usage: python -m bench.notificacoes --work /tmp/avisos [--changes 1000]
       [--db postgresql://postgres@127.0.0.1:5432/bench_avisos] [--port 17190]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from aiosmtpd.controller import Controller

from bot import settings
from bot.notificacoes import assinaturas, fila
from bot.notificacoes.envio import message_id
from bot.notificacoes.segredo import Chaves
from bot.notificacoes.tabelas import notifications
from bot.solicitacoes import atendimento
from bot.solicitacoes.store import RequestStore

ROOT = Path(__file__).resolve().parent.parent
SITUACOES = ("em_andamento", "recebida")


class Recebidas:
    """aiosmtpd handler: the time each Message-ID arrived."""

    def __init__(self) -> None:
        self.chegadas: dict[str, float] = {}
        self.total = 0
        self._trava = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        agora = time.time()
        for linha in envelope.content.split(b"\r\n"):
            if linha.lower().startswith(b"message-id:"):
                with self._trava:
                    self.total += 1
                    self.chegadas.setdefault(linha.split(b":", 1)[1].strip().decode(), agora)
                break
        return "250 OK"


def _percentil(valores: list[float], p: float) -> float:
    ordenados = sorted(valores)
    return ordenados[min(len(ordenados) - 1, round(p / 100 * (len(ordenados) - 1)))]


def medir(work: Path, mudancas: int, db: str | None, porta: int) -> dict[str, Any]:
    """Run the benchmark; its figures."""
    work.mkdir(parents=True, exist_ok=True)
    url = db or f"sqlite:///{work / 'requests.db'}"
    env = {
        "SEI_PROJECT_ROOT": str(ROOT),
        "SEI_VAR_DIR": str(work / "var"),
        "REQUESTS_DB_URL": url,
        "SEI_SMTP_URL": f"smtp://127.0.0.1:{porta}",
        "SEI_EMAIL_REMETENTE": "assistente-sei@saude.al.gov.br",
        "SEI_AVISOS_ESPERA_S": "0.5",
        "SEI_LOG_LEVEL": "WARNING",
    }
    cfg = settings.load(env)
    store = RequestStore(url)
    fila.instalar(store, fila.Destinos())
    chaves = Chaves.do_arquivo(cfg.avisos_secret_file)
    pedidos = max(1, mudancas // 10)
    protocolos = []
    for n in range(pedidos):
        s, _ = store.registrar(
            "cadastro_usuario",
            [{"nome": f"Pessoa {n}", "sigla": "GETIN"}],
            canal="web",
            contato="",
            unidade="GETIN",
            chave_envio=f"bench-{time.time_ns()}-{n}",
        )
        assinaturas.assinar(store, chaves, s.protocolo, "email", f"pessoa{n}@example.org")
        protocolos.append(s.protocolo)
    recebidas = Recebidas()
    controle = Controller(recebidas, hostname="127.0.0.1", port=porta)
    controle.start()
    ambiente = {k: v for k, v in os.environ.items() if not k.startswith("SEI_")} | env
    worker = subprocess.Popen(
        [sys.executable, "-m", "bot.ops.processos", "notificacoes", "--intervalo", "0.05"],
        cwd=ROOT,
        env=ambiente,
    )
    try:
        time.sleep(2.0)  # the worker is up and idle
        inicio = time.time()
        for i in range(mudancas):
            protocolo = protocolos[i % pedidos]
            atendimento.mudar_situacao(
                store,
                protocolo,
                SITUACOES[(i // pedidos) % 2],
                autor="bench",
                observacao=f"Passo {i}",
                visivel=True,
            )
        fim_mudancas = time.time()
        limite = time.monotonic() + 600
        while len(recebidas.chegadas) < mudancas and time.monotonic() < limite:
            time.sleep(0.05)
        fim = time.time()
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(30)
        controle.stop()
    with store.na_transacao() as conn:
        criadas = {
            r.chave: r.criada_em.replace(tzinfo=timezone.utc).timestamp()
            for r in conn.execute(sa.select(notifications.c.chave, notifications.c.criada_em))
        }
    store.fechar()
    por_id = {message_id(chave, "saude.al.gov.br"): criada for chave, criada in criadas.items()}
    atrasos = [chegada - por_id[mid] for mid, chegada in recebidas.chegadas.items()]
    return {
        "data": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "maquina": f"{platform.node()} {platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}",
        "banco": "postgresql" if url.startswith("postgresql") else "sqlite",
        "mudancas": mudancas,
        "entregues": len(recebidas.chegadas),
        "duplicados": recebidas.total - len(recebidas.chegadas),
        "tempo_mudancas_s": round(fim_mudancas - inicio, 2),
        "tempo_total_s": round(fim - inicio, 2),
        "atraso_p50_s": round(statistics.median(atrasos), 3) if atrasos else None,
        "atraso_p95_s": round(_percentil(atrasos, 95), 3) if atrasos else None,
        "atraso_max_s": round(max(atrasos), 3) if atrasos else None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.notificacoes")
    parser.add_argument("--work", type=Path, required=True, help="pasta de trabalho (temporária)")
    parser.add_argument("--changes", type=int, default=1000, help="mudanças de situação")
    parser.add_argument("--db", default=None, help="URL do banco (padrão: SQLite em --work)")
    parser.add_argument("--port", type=int, default=17190, help="porta do servidor SMTP local")
    args = parser.parse_args(argv)
    resultado = medir(args.work, args.changes, args.db, args.port)
    print(json.dumps(resultado, ensure_ascii=False, indent=2))
    return 0 if resultado["entregues"] == args.changes else 1


if __name__ == "__main__":
    sys.exit(main())
