"""Per-key message limits: one abuser must not slow everyone down.

A sliding-window log per key and rule ("12 messages in 10 s and 60 in
60 s"): the gateways call ``Limitador.consumir`` before relaying a message
and refuse it while the key is over a rule. In-process by default (one
gateway); in Redis (sorted sets, one MULTI per rule) in the production
profile, so two gateways or replicas share one limit. Keys are hashed:
no session, address or chat id is stored in clear.

A refused message does not count, so a person who typed too fast is served
again once the window slides. With ``contar_recusadas`` every attempt counts,
refused ones too: a client that keeps sending while told to wait (a script:
the widget waits for each answer) stays refused until it slows down, instead
of getting a fresh quota every window (``SEI_LIMITE_TENTATIVAS``).

Hand-written on purpose, and small: ``limits`` (the well-kept library)
requires ``packaging>=21``, which Rasa 3.6 pins below 21, and
pyrate-limiter keeps one bucket (with its own leak task) per key.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
import uuid
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cachetools import TTLCache

logger = logging.getLogger(__name__)

_REGRA = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*s?\s*$")


class RegraInvalida(ValueError):
    """A limit rule that is not "N/SEGUNDOS"."""


@dataclass(frozen=True)
class Regra:
    """At most ``maximo`` messages in any ``janela_s`` seconds."""

    maximo: int
    janela_s: int


def ler_regras(texto: str) -> tuple[Regra, ...]:
    """Rules from "12/10,60/60" (messages/seconds, comma-separated; empty: no limit)."""
    regras = []
    for parte in (texto or "").split(","):
        if not parte.strip():
            continue
        m = _REGRA.match(parte)
        if not m or int(m.group(1)) < 1 or int(m.group(2)) < 1:
            raise RegraInvalida(
                f"limite {parte.strip()!r} inválido: use MENSAGENS/SEGUNDOS, por exemplo 12/10"
            )
        regras.append(Regra(int(m.group(1)), int(m.group(2))))
    return tuple(regras)


class Limitador:
    """Sliding-window limits of one scope ("sessao", "endereco", "chat")."""

    def __init__(
        self,
        escopo: str,
        regras: Sequence[Regra],
        redis: Any | None = None,
        prefixo: str = "sei",
        *,
        maximo_chaves: int = 100_000,
        contar_recusadas: bool = False,
    ) -> None:
        self.escopo = escopo
        self.regras = tuple(regras)
        self.contar_recusadas = contar_recusadas
        # counting every attempt, a key keeps only its latest ones: enough to
        # tell whether each rule is exceeded, however fast the client sends
        self._guardadas = max((r.maximo for r in self.regras), default=0) + 1
        self._redis = redis  # a redis.asyncio client, or None: in this process
        self._prefixo = f"{prefixo}:limite:{escopo}"
        maior = max((r.janela_s for r in self.regras), default=1)
        self._locais: TTLCache[str, deque[float]] = TTLCache(maximo_chaves, ttl=maior)

    def _chave(self, chave: str) -> str:
        return hashlib.blake2b(chave.encode(), digest_size=12).hexdigest()

    async def fechar(self) -> None:
        """Close the Redis client, if any."""
        if self._redis is not None:
            await self._redis.close()

    async def consumir(self, chave: str) -> float:
        """Count one message of ``chave``: 0 if it may go, else seconds to wait."""
        if not self.regras:
            return 0.0
        hashed = self._chave(chave)
        agora = time.time()
        if self._redis is None:
            return self._consumir_local(hashed, agora)
        try:
            return await self._consumir_redis(hashed, agora)
        except Exception as erro:  # Redis down: serve (fail open), say so
            logger.warning("limite %s sem Redis (%s): mensagem liberada", self.escopo, erro)
            return 0.0

    async def devolver(self, chave: str) -> None:
        """Give back the last message counted for ``chave`` (another limit refused it)."""
        if not self.regras:
            return
        hashed = self._chave(chave)
        if self._redis is None:
            log = self._locais.get(hashed)
            if log:
                log.pop()
            return
        try:
            pipe = self._redis.pipeline(transaction=True)
            for regra in self.regras:
                pipe.zpopmax(f"{self._prefixo}:{regra.janela_s}:{hashed}")
            await pipe.execute()
        except Exception as erro:  # Redis down: the slot expires with its window
            logger.warning("limite %s sem Redis (%s): vaga não devolvida", self.escopo, erro)

    def _consumir_local(self, hashed: str, agora: float) -> float:
        log = self._locais.get(hashed)
        if log is None:
            log = deque(maxlen=self._guardadas if self.contar_recusadas else None)
        maior = max(r.janela_s for r in self.regras)
        while log and log[0] <= agora - maior:
            log.popleft()
        if self.contar_recusadas:
            log.append(agora)  # counts whatever the answer
        espera = 0.0
        for regra in self.regras:
            recentes = [t for t in log if t > agora - regra.janela_s]
            # refused when the earlier messages already fill the rule; the wait
            # runs until the oldest of the latest ``maximo`` leaves the window
            if len(recentes) - int(self.contar_recusadas) >= regra.maximo:
                espera = max(espera, recentes[-regra.maximo] + regra.janela_s - agora)
        if espera <= 0 and not self.contar_recusadas:
            log.append(agora)
        self._locais[hashed] = log  # refreshes the entry's time to live
        return max(espera, 0.0)

    async def _consumir_redis(self, hashed: str, agora: float) -> float:
        redis: Any = self._redis
        membro = f"{agora:.6f}:{uuid.uuid4().hex[:8]}"
        chaves = [f"{self._prefixo}:{regra.janela_s}:{hashed}" for regra in self.regras]
        pipe = redis.pipeline(transaction=True)
        for chave, regra in zip(chaves, self.regras, strict=True):
            pipe.zremrangebyscore(chave, 0, agora - regra.janela_s)
            pipe.zadd(chave, {membro: agora})
            if self.contar_recusadas:  # the latest attempts are enough
                pipe.zremrangebyrank(chave, 0, -(self._guardadas + 1))
            pipe.zcard(chave)
            pipe.expire(chave, regra.janela_s + 1)
        resultados = await pipe.execute()
        passos = 5 if self.contar_recusadas else 4  # commands per rule
        contagens = resultados[passos - 2 :: passos]
        excedidas = [
            (chave, regra)
            for chave, regra, n in zip(chaves, self.regras, contagens, strict=True)
            if n > regra.maximo
        ]
        if not excedidas:
            return 0.0
        pipe = redis.pipeline(transaction=True)
        if not self.contar_recusadas:  # a refused message does not count
            for chave in chaves:
                pipe.zrem(chave, membro)
        for chave, regra in excedidas:
            pipe.zrange(chave, -regra.maximo, -regra.maximo, withscores=True)
        resultados = await pipe.execute()
        lidas = resultados[0 if self.contar_recusadas else len(chaves) :]
        espera = 0.0
        for (_chave, regra), item in zip(excedidas, lidas, strict=True):
            if item:
                espera = max(espera, float(item[0][1]) + regra.janela_s - agora)
        return max(espera, 0.1)
