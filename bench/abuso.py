"""Issue 17, "one abuser must not hurt everyone": normal conversations' latency
with and without one web session flooding the gateway.

Rasa + action server (``BotServers``) and the web chat gateway, started the way
``make run`` starts its "web" child (``bot.ops.launcher``), development profile,
the default limits (``SEI_LIMITE_SESSAO``, ``SEI_LIMITE_ENDERECO``,
``SEI_LIMITE_TENTATIVAS``). Two runs
with the same schedule and seed, open loop (each message leaves at its
scheduled time, whether the previous one was answered or not; latency counts
from the scheduled time):

- ``sem_abuso``: ``NORMAIS`` users at ``TAXA_NORMAL`` msg/s each, through
  ``POST /api/mensagem`` as the widget sends it (``{sessao, texto, id}``);
  each user runs conversations of ``bench.scenarios`` (FAQ and fallback; the
  registration form is left out: its button turns need the previous answer,
  which an open-loop client does not wait for), each conversation in a new
  browser session;
- ``com_abuso``: the same, plus one session sending FAQ questions at
  ``TAXA_ABUSO`` msg/s.

The abuser's client runs in a process of its own, on the same schedule (the
system's monotonic clock): a real abuser pays for its client on its own
machine, and its ~2,000 refused requests must not delay the event loop that
times the normal users (until 2026-12-02 both shared one loop). It still
shares the 2 cores with the servers here.

Distinct clients: every client comes from 127.0.0.1 here, so the gateway runs
as behind one trusted reverse proxy (``SEI_WEB_PROXIES=1``, the README's
advice) and each simulated user sends its own ``X-Forwarded-For`` address;
without that, the per-address limit would put the abuser and everyone else in
one bucket.

With ``--mesmo-endereco``, a third run puts every user behind the abuser's
address (one office NAT, or a proxy without ``SEI_WEB_PROXIES``): outside the
targets, it shows what the per-address limit does to them.

Usage: python -m bench.abuso --out /tmp/abuso.json [--work DIR] [--duracao 40]
           [--mesmo-endereco]
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import json
import math
import multiprocessing
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.common import MODEL, PORT_BASE, loadavg, machine_info, save_json, say, summary_ms
from bench.formatting import get, integer, num, ratio
from bench.scenarios import MIX, ScenarioFactory
from bench.servers import READY_TIMEOUT_S, BotServers, ServerError, free_ports, port_free

NORMAIS = 10
TAXA_NORMAL = 1.0  # msg/s of each normal user
TAXA_ABUSO = 50.0  # msg/s of the abuser's one session
DURACAO_S = 40.0
SEMENTE = 17
META_P99 = 1.5  # p99 with the abuser / p99 without it
TIPOS = tuple((k, w) for k, w in MIX if k != "cadastro")  # see the module docstring
PROXIES = 1
# a baseline p50 above this: Rasa did not keep up with the normal load alone (busy
# machine), so the with/without ratio says little about the limits
SATURADO_MS = 1000.0
AGUARDE = "aguarde um instante"  # bot/content/canais.yml web_aguarde
TIMEOUT_S = 60
AQUECIMENTO_S = 8.0  # seconds of the normal mix before the first run


class BotServersWeb(BotServers):
    """``BotServers`` plus the web gateway, started as the launcher's "web" child
    (its command line and environment), stopped with the others."""

    def __init__(self, *args: Any, web_port: int, proxies: int = PROXIES, **kwargs: Any):
        extra = dict(kwargs.pop("env", None) or {})
        extra.update({"SEI_WEB_PORT": str(web_port), "SEI_WEB_PROXIES": str(proxies)})
        super().__init__(*args, env=extra, **kwargs)
        self.web_port = web_port
        self.limites: dict[str, str] = {}

    @property
    def web_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    def start(self, timeout: float = READY_TIMEOUT_S) -> BotServersWeb:
        from bot import settings
        from bot.ops import launcher

        if not port_free(self.web_port):
            raise ServerError(f"{self.name}: porta {self.web_port} já em uso em 127.0.0.1")
        super().start(timeout)
        try:
            env_vars = self._env()
            cfg = settings.load({**os.environ, **env_vars})
            self.limites = {
                "sessao": cfg.limite_sessao,
                "endereco": cfg.limite_endereco,
                "tentativas": cfg.limite_tentativas,
                "proxies": str(cfg.web_proxies),
            }
            endpoints = self.workdir / f"endpoints-{self.name}.yml"
            cmd = launcher.commands(cfg, self.model, endpoints)["web"]
            env = launcher.child_env(cfg)
            env.update(env_vars)
            with open(self.workdir / f"{self.name}-web.log", "wb") as log:
                self.procs["web"] = subprocess.Popen(
                    cmd,
                    cwd=self.project_root,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            if not launcher.wait_ready([self.web_url + "/"], self.procs, timeout):
                raise ServerError(f"{self.name}: gateway web não respondeu\n{self.log_tail()}")
        except BaseException:
            self.stop()
            raise
        return self


# ------------------------------------------------------------------ schedule
@dataclass(frozen=True)
class Envio:
    """One message of the plan: who, when (s from the start), what."""

    cliente: int  # normal user index; -1: the abuser
    em_s: float
    conversa: int  # the user's conversation number (a browser session each)
    texto: str
    tipo: str  # faq / fallback / abuso


def plano_normais(
    duracao_s: float, usuarios: int = NORMAIS, taxa: float = TAXA_NORMAL, semente: int = SEMENTE
) -> list[Envio]:
    """The normal users' messages: user ``u`` sends one every ``1/taxa`` s from
    ``u / (usuarios * taxa)``, going through conversations of the mix (FAQ and
    fallback) one after another; deterministic from ``semente``."""
    factory = ScenarioFactory(semente)
    por_usuario = math.floor(duracao_s * taxa)
    envios: list[Envio] = []
    for u in range(usuarios):
        fase = u / (usuarios * taxa)
        n, conversa = 0, 0
        while n < por_usuario:
            kind = factory.rng.choices([k for k, _ in TIPOS], [w for _, w in TIPOS])[0]
            for turn in factory.conversation(kind).turns:
                if n >= por_usuario:
                    break
                envios.append(Envio(u, fase + n / taxa, conversa, turn.text, turn.kind))
                n += 1
            conversa += 1
    return sorted(envios, key=lambda e: e.em_s)


def plano_abusador(
    duracao_s: float, taxa: float = TAXA_ABUSO, semente: int = SEMENTE
) -> list[Envio]:
    """The abuser's messages: FAQ questions, one every ``1/taxa`` s, one session."""
    faq = ScenarioFactory(semente).faq
    return [
        Envio(-1, k / taxa, 0, faq[k % len(faq)], "abuso")
        for k in range(math.floor(duracao_s * taxa))
    ]


def sessao(rodada: str, envio: Envio) -> str:
    """The widget's session id of a message (``SESSAO_RE``: 16-64 of [A-Za-z0-9_-])."""
    quem = "abusador" if envio.cliente < 0 else f"u{envio.cliente:02d}"
    return f"bench-abuso-{rodada}-{quem}-c{envio.conversa:03d}"


def endereco(rodada: int, cliente: int) -> str:
    """The client address the trusted proxy reports (X-Forwarded-For)."""
    return f"10.17.{rodada}.{200 if cliente < 0 else cliente + 1}"


# ---------------------------------------------------------------- measuring
@dataclass
class Contagem:
    """What happened to one group's messages."""

    enviadas: int = 0
    respondidas: int = 0  # 200 with at least one reply
    vazias: int = 0  # 200 without replies
    recusadas: int = 0  # 429
    recusas_com_retry_after: int = 0
    recusas_com_aguarde: int = 0
    retry_after_s: list[int] = field(default_factory=list)
    erros: int = 0  # anything else (other status, timeout, connection)
    amostras_erro: list[str] = field(default_factory=list)
    latencias: dict[str, list[float]] = field(default_factory=dict)  # tipo -> s, answered
    latencias_recusa: list[float] = field(default_factory=list)
    atrasos_envio: list[float] = field(default_factory=list)  # client late on its schedule, s

    def erro(self, texto: str) -> None:
        self.erros += 1
        if len(self.amostras_erro) < 5:
            self.amostras_erro.append(texto[:300])

    def resumo(self) -> dict[str, Any]:
        todas = [x for v in self.latencias.values() for x in v]
        return {
            "enviadas": self.enviadas,
            "respondidas": self.respondidas,
            "vazias": self.vazias,
            "recusadas_429": self.recusadas,
            "recusas_com_retry_after": self.recusas_com_retry_after,
            "recusas_com_aguarde": self.recusas_com_aguarde,
            "retry_after_s": (
                {"min": min(self.retry_after_s), "max": max(self.retry_after_s)}
                if self.retry_after_s
                else None
            ),
            "erros": self.erros,
            "amostras_erro": self.amostras_erro,
            "latencia_ms": summary_ms(todas),
            "latencia_ms_por_tipo": {k: summary_ms(v) for k, v in sorted(self.latencias.items())},
            "latencia_recusa_ms": summary_ms(self.latencias_recusa),
            "atraso_envio_ms": summary_ms(self.atrasos_envio),
        }


async def _enviar(
    http: Any, url: str, envio: Envio, *, inicio: float, rodada: str, xff: str, conta: Contagem
) -> None:
    loop = asyncio.get_running_loop()
    await asyncio.sleep(max(0.0, inicio + envio.em_s - loop.time()))
    conta.enviadas += 1
    conta.atrasos_envio.append(loop.time() - inicio - envio.em_s)
    corpo = {"sessao": sessao(rodada, envio), "texto": envio.texto, "id": uuid.uuid4().hex}
    try:
        async with http.post(url, json=corpo, headers={"X-Forwarded-For": xff}) as resp:
            texto = await resp.text()
            decorrido = loop.time() - inicio - envio.em_s
            if resp.status == 200:
                respostas = json.loads(texto).get("respostas") or []
                if respostas:
                    conta.respondidas += 1
                    conta.latencias.setdefault(envio.tipo, []).append(decorrido)
                else:
                    conta.vazias += 1
            elif resp.status == 429:
                conta.recusadas += 1
                conta.latencias_recusa.append(decorrido)
                espera = resp.headers.get("Retry-After", "")
                if espera.isdigit() and int(espera) >= 1:
                    conta.recusas_com_retry_after += 1
                    conta.retry_after_s.append(int(espera))
                if AGUARDE in str(json.loads(texto).get("erro", "")):
                    conta.recusas_com_aguarde += 1
            else:
                conta.erro(f"HTTP {resp.status}: {texto[:200]}")
    except Exception as erro:  # timeout, connection: counted, never raised
        conta.erro(f"{type(erro).__name__}: {erro}")


async def _disparar(
    url: str, nome: str, indice: int, envios: list[Envio], *, inicio: float, xff: str | None
) -> Contagem:
    """Send ``envios`` on their schedule from ``inicio`` (``time.monotonic``, the loop's
    clock); ``xff``: one address for all (else each client's own)."""
    import aiohttp

    conta = Contagem()
    timeout = aiohttp.ClientTimeout(total=TIMEOUT_S)
    async with aiohttp.ClientSession(
        timeout=timeout, connector=aiohttp.TCPConnector(limit=0)
    ) as http:
        await asyncio.gather(
            *(
                _enviar(
                    http,
                    url,
                    e,
                    inicio=inicio,
                    rodada=nome,
                    xff=xff or endereco(indice, e.cliente),
                    conta=conta,
                )
                for e in envios
            )
        )
    return conta


def _abusador_em_processo(
    url: str, nome: str, indice: int, envios: list[Envio], inicio: float
) -> tuple[dict[str, Any], float]:
    """The abuser's client, in a process of its own: a real abuser pays for its own
    client, and its thousands of refused requests must not delay the event loop
    that times the normal users. (Its summary, its CPU seconds.)"""
    comeco = time.process_time()
    conta = asyncio.run(
        _disparar(url, nome, indice, envios, inicio=inicio, xff=endereco(indice, -1))
    )
    return conta.resumo(), time.process_time() - comeco


ARRANQUE_S = 3.0  # s before the first send: room for the abuser's process to start


async def rodada(
    base_url: str,
    nome: str,
    indice: int,
    normais: list[Envio],
    abusador: list[Envio],
    *,
    mesmo_endereco: bool = False,
) -> dict[str, Any]:
    """One open-loop run; normal users here, the abuser's client in a process of
    its own, both on one schedule (``mesmo_endereco``: all of them behind the
    abuser's address, like one NAT)."""
    url = base_url + "/api/mensagem"
    loop = asyncio.get_running_loop()
    inicio = loop.time() + ARRANQUE_S  # the same in both runs
    xff = endereco(indice, -1) if mesmo_endereco else None
    with concurrent.futures.ProcessPoolExecutor(
        1, mp_context=multiprocessing.get_context("spawn")
    ) as processo:
        do_abusador = (
            loop.run_in_executor(
                processo, _abusador_em_processo, url, nome, indice, abusador, inicio
            )
            if abusador
            else None
        )
        conta_n = await _disparar(url, nome, indice, normais, inicio=inicio, xff=xff)
        resumo_a, cpu_a = await do_abusador if do_abusador else ({}, 0.0)
        parede = loop.time() - inicio  # from the first scheduled send
    saida: dict[str, Any] = {"normais": conta_n.resumo(), "wall_s": round(parede, 1)}
    if abusador:
        saida["abusador"] = resumo_a
        saida["cpu_cliente_abusador_s"] = cpu_a
    return saida


def medir(
    work: Path, port_base: int, duracao_s: float = DURACAO_S, *, mesmo_endereco: bool = False
) -> dict[str, Any]:
    """Both runs against one set of servers (started here, stopped in ``finally``);
    ``mesmo_endereco``: a third run with everyone behind the abuser's address."""
    work.mkdir(parents=True, exist_ok=True)
    comeco, carga_inicio = time.perf_counter(), loadavg()
    rasa_port, actions_port = free_ports(port_base)
    web_port = next(
        p
        for p in range(port_base + 25, port_base + 50)
        if p not in (rasa_port, actions_port) and port_free(p)
    )
    normais = plano_normais(duracao_s)
    abusador = plano_abusador(duracao_s)
    srv = BotServersWeb(MODEL, work, rasa_port, actions_port, name="abuso", web_port=web_port)
    rodadas: dict[str, Any] = {}
    try:
        srv.start()
        # warm-up, not kept: the normal mix for a few seconds, sessions and addresses of its own
        asyncio.run(
            rodada(
                srv.web_url, "aquecimento", 0, plano_normais(AQUECIMENTO_S, semente=SEMENTE + 1), []
            )
        )
        planos = [("sem_abuso", [], False), ("com_abuso", abusador, False)]
        if mesmo_endereco:
            planos.append(("mesmo_endereco", abusador, True))
        for indice, (nome, abuso, junto) in enumerate(planos, 1):
            time.sleep(2)  # let the previous run's tail settle
            antes, cpu, cliente = loadavg(), srv.cpu(), time.process_time()
            say(f"abuso: rodada {nome} ({duracao_s:.0f} s)")
            r = asyncio.run(rodada(srv.web_url, nome, indice, normais, abuso, mesmo_endereco=junto))
            depois = srv.cpu()
            r["loadavg_antes"] = antes
            r["cpu_s"] = {k: round(depois[k] - cpu.get(k, 0.0), 1) for k in depois}
            # the load clients share the cores too (a real abuser pays for its own)
            r["cpu_s"]["cliente"] = round(
                time.process_time() - cliente + r.pop("cpu_cliente_abusador_s", 0.0), 1
            )
            rodadas[nome] = r
    finally:
        srv.stop()
    return {
        "machine": machine_info(),
        "config": {
            "normais": NORMAIS,
            "taxa_normal_msg_s": TAXA_NORMAL,
            "taxa_abuso_msg_s": TAXA_ABUSO,
            "duracao_s": duracao_s,
            "semente": SEMENTE,
            "tipos": dict(TIPOS),
            "limite_sessao": srv.limites.get("sessao"),
            "limite_endereco": srv.limites.get("endereco"),
            "limite_tentativas": srv.limites.get("tentativas"),
            "web_proxies": srv.limites.get("proxies"),
            "conversas_normais": len({(e.cliente, e.conversa) for e in normais}),
        },
        "partida_s": round(srv.start_s, 1),
        "loadavg_inicio": carga_inicio,
        "rodadas": rodadas,
        "elapsed_s": round(time.perf_counter() - comeco, 1),
    }


# ----------------------------------------------------------------- reading
def _p99(data: Mapping[str, Any], nome: str) -> float | None:
    valor = get(data, "rodadas", nome, "normais", "latencia_ms", "p99")
    return None if valor is None or (isinstance(valor, float) and math.isnan(valor)) else valor


def _nada_perdido(n: Mapping[str, Any] | None) -> bool | None:
    """Every normal message answered: no error, no 429, no empty answer."""
    if not n:
        return None
    return (
        n["respondidas"] == n["enviadas"]
        and n["erros"] == 0
        and n["recusadas_429"] == 0
        and n["vazias"] == 0
    )


def _abusador_ok(a: Mapping[str, Any] | None) -> bool | None:
    """Every abuser message answered or refused with 429 + Retry-After + "aguarde"."""
    if not a:
        return None
    return (
        a["respondidas"] + a["vazias"] + a["recusadas_429"] == a["enviadas"]
        and a["erros"] == 0
        and a["recusas_com_retry_after"] == a["recusadas_429"]
        and a["recusas_com_aguarde"] == a["recusadas_429"]
    )


def _saturado(data: Mapping[str, Any]) -> bool:
    """The baseline's p50 shows a growing queue (see ``SATURADO_MS``)."""
    p50 = get(data, "rodadas", "sem_abuso", "normais", "latencia_ms", "p50")
    return p50 is not None and not math.isnan(p50) and p50 > SATURADO_MS


def metas(data: Mapping[str, Any]) -> list[tuple[str, str, bool | None]]:
    """(target, what was measured, met?) rows, like ``bench.targets.assess``."""
    sem, com = _p99(data, "sem_abuso"), _p99(data, "com_abuso")
    r = ratio(com, sem)
    n_sem = get(data, "rodadas", "sem_abuso", "normais")
    n_com = get(data, "rodadas", "com_abuso", "normais")
    a = get(data, "rodadas", "com_abuso", "abusador")
    perdidas = [_nada_perdido(n) for n in (n_sem, n_com)]

    def falhas(n: Mapping[str, Any] | None) -> str:
        if not n:
            return "—"
        return (
            f"{integer(n['respondidas'])}/{integer(n['enviadas'])} respondidas, "
            f"{n['recusadas_429']} × 429, {n['erros']} erros"
        )

    return [
        (
            f"p99 das conversas normais com um abusador a {num(TAXA_ABUSO, 0)} msg/s "
            f"≤ {num(META_P99, 1)} × sem ele",
            f"{num(com, 0)} ms vs {num(sem, 0)} ms → {num(r, 2)} ×"
            + (" (já saturado sem o abusador)" if _saturado(data) else ""),
            None if r is None else r <= META_P99,
        ),
        (
            "nada perdido: toda mensagem normal respondida (sem erro, sem 429)",
            f"sem abusador {falhas(n_sem)}; com abusador {falhas(n_com)}",
            None if None in perdidas else all(perdidas),
        ),
        (
            "toda mensagem do abusador respondida ou recusada com 429 "
            "(Retry-After e “aguarde um instante”)",
            (
                f"{integer(a['respondidas'])} respondidas, {integer(a['recusadas_429'])} × 429 "
                f"({integer(a['recusas_com_retry_after'])} com Retry-After, "
                f"{integer(a['recusas_com_aguarde'])} com a mensagem), {a['erros']} erros"
            )
            if a
            else "—",
            _abusador_ok(a),
        ),
    ]


def _linha(r: Mapping[str, Any] | None, titulo: str) -> list[str]:
    """The table row of one run (none when it did not run)."""
    if not r:
        return []
    n, lat = r["normais"], r["normais"]["latencia_ms"]
    return [
        f"| {titulo} | {integer(n['enviadas'])} | {integer(n['respondidas'])} "
        f"| {num(lat['p50'], 0)} ms | {num(lat['p95'], 0)} ms | {num(lat['p99'], 0)} ms "
        f"| {num(lat['max'], 0)} ms | {integer(n['recusadas_429'])} | {n['erros']} "
        f"| {num(get(n, 'atraso_envio_ms', 'p99'), 0, ' ms')} "
        f"| {num(r.get('loadavg_antes'), 2)} |"
    ]


def tabela(data: Mapping[str, Any]) -> list[str]:
    """The section's Markdown lines (Portuguese), like ``bench.tables``."""
    if not data or "error" in data:
        motivo = f": {str(data['error'])[:300]}" if data else ""
        return [f"Não medido{motivo}."]
    cfg = data.get("config") or {}
    linhas = [
        f"{cfg.get('normais')} usuários normais a {num(cfg.get('taxa_normal_msg_s'), 0)} "
        f"msg/s cada ({cfg.get('conversas_normais')} conversas da mistura de "
        "`bench/scenarios.py`, só FAQ e fallback: os turnos de botão do cadastro dependem "
        "da resposta anterior, que um cliente de laço aberto não espera; cada conversa numa "
        f"sessão nova do navegador) e um abusador a {num(cfg.get('taxa_abuso_msg_s'), 0)} "
        "msg/s numa única sessão (perguntas da FAQ), todos pelo gateway web "
        "(`POST /api/mensagem`, como o widget) diante do Rasa (perfil desenvolvimento, "
        f"`models/sei.tar.gz`); limites padrão: sessão `{cfg.get('limite_sessao')}`, "
        f"endereço `{cfg.get('limite_endereco')}`"
        + (
            f", tentativas da sessão (recusadas contam) `{cfg['limite_tentativas']}`"
            if cfg.get("limite_tentativas")
            else ""
        )
        + ". Laço aberto: cada mensagem sai na hora "
        "marcada, respondida a anterior ou não, e a latência conta da hora marcada. Duas "
        f"rodadas de {num(cfg.get('duracao_s'), 0)} s com o mesmo cronograma e a mesma "
        "semente, sem e com o abusador.",
        "",
        f"Clientes distintos: aqui todos vêm de 127.0.0.1, então o gateway roda como atrás "
        f"de um proxy reverso confiável (`SEI_WEB_PROXIES={cfg.get('web_proxies')}`, o "
        "conselho do README) e cada usuário simulado manda seu próprio `X-Forwarded-For`; "
        "sem isso o limite por endereço poria o abusador e todos os outros num só balde.",
        "",
        "| rodada | mensagens normais | respondidas | p50 | p95 | p99 | máx "
        "| 429 | erros | atraso do cliente (p99) | carga antes |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for nome, titulo in (("sem_abuso", "sem abusador"), ("com_abuso", "com abusador")):
        linhas += _linha(get(data, "rodadas", nome), titulo)
    sem = get(data, "rodadas", "sem_abuso", "normais", "latencia_ms") or {}
    com = get(data, "rodadas", "com_abuso", "normais", "latencia_ms") or {}
    if sem and com:
        linhas.append(
            "| **razão com/sem** | | | "
            + " | ".join(f"{num(ratio(com[k], sem[k]), 2)} ×" for k in ("p50", "p95", "p99"))
            + " | | | | | |"
        )
    linhas += _linha(get(data, "rodadas", "mesmo_endereco"), "com abusador, todos no endereço dele")
    if _saturado(data):
        linhas += [
            "",
            f"**Sem o abusador o Rasa já não acompanhou a carga normal** (p50 "
            f"{num(sem.get('p50'), 0)} ms > {num(SATURADO_MS, 0)} ms: fila crescendo, máquina "
            "ocupada por outro trabalho): a razão com/sem mede a fila, não os limites.",
        ]
    a = get(data, "rodadas", "com_abuso", "abusador")
    if a:
        ra = a.get("retry_after_s") or {}
        linhas += [
            "",
            f"Abusador: {integer(a['enviadas'])} mensagens; {integer(a['respondidas'])} "
            f"respondidas (p50 {num(get(a, 'latencia_ms', 'p50'), 0)} ms, "
            f"máx {num(get(a, 'latencia_ms', 'max'), 0)} ms; o gateway deixa uma mensagem "
            "da sessão no Rasa por vez), "
            f"{integer(a['recusadas_429'])} recusadas com 429 (p50 "
            f"{num(get(a, 'latencia_recusa_ms', 'p50'), 0)} ms), "
            f"{integer(a['recusas_com_retry_after'])} delas com `Retry-After` "
            f"({ra.get('min', '—')}–{ra.get('max', '—')} s) e "
            f"{integer(a['recusas_com_aguarde'])} com “aguarde um instante”; "
            f"{a['erros']} erros.",
        ]
    junto = get(data, "rodadas", "mesmo_endereco", "normais")
    if junto:
        linhas += [
            "",
            "Última linha (rodada extra, `--mesmo-endereco`): os usuários normais atrás do "
            "mesmo endereço do abusador (o NAT de uma repartição, ou o gateway atrás de um "
            f"proxy sem `SEI_WEB_PROXIES`): {integer(junto['recusadas_429'])} das "
            f"{integer(junto['enviadas'])} mensagens normais recusadas com 429.",
        ]
    cpu = {k: get(data, "rodadas", k, "cpu_s") or {} for k in ("sem_abuso", "com_abuso")}
    if cpu["sem_abuso"] and cpu["com_abuso"]:
        linhas += [
            "",
            "CPU por rodada (s), sem → com abusador: "
            + ", ".join(
                f"{k} {num(cpu['sem_abuso'].get(k), 1)} → {num(cpu['com_abuso'].get(k), 1)}"
                for k in cpu["com_abuso"]
            )
            + ".",
        ]
    return linhas


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--work", type=Path, default=Path("/tmp/sei-bench-abuso"))
    parser.add_argument("--port-base", type=int, default=PORT_BASE + 400)
    parser.add_argument("--duracao", type=float, default=DURACAO_S)
    parser.add_argument(
        "--mesmo-endereco",
        action="store_true",
        help="uma terceira rodada: todos atrás do endereço do abusador (um NAT)",
    )
    args = parser.parse_args(argv)
    dados = medir(args.work, args.port_base, args.duracao, mesmo_endereco=args.mesmo_endereco)
    save_json(args.out, dados)
    print("\n".join(tabela(dados)))
    for meta, medido, ok in metas(dados):
        print(f"- {meta}: {medido} ({'—' if ok is None else 'sim' if ok else 'não'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
