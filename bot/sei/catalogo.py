"""``sei-nts catalog sync``: unidades.csv and cargos.csv from SEI's own lists.

Both lists are fetched (``listarUnidades``, ``listarCargos``) before anything
is written; each file is written beside the old one, checked by the same
loader the assistant uses, and only then renamed over it, so a failed call,
an empty or malformed answer leaves the previous files as they were. SEI has
no unit hierarchy in this list: ``sigla_superior`` is kept from the previous
file for the siglas that remain (when the superior remains too).
"""

from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass
from pathlib import Path

from bot.arquivos import substituir_atomico
from bot.sei.cliente import ClienteSei, ErroSei
from bot.solicitacoes.catalogos import (
    ARQUIVO_CARGOS,
    ARQUIVO_UNIDADES,
    CatalogoCargos,
    CatalogoUnidades,
)

logger = logging.getLogger(__name__)


class CatalogoSeiInvalido(ErroSei):
    """SEI's list was empty or malformed; nothing was written."""

    tipo = "catalogo"


@dataclass(frozen=True)
class Sincronizacao:
    unidades: int
    cargos: int
    unidades_adicionadas: tuple[str, ...]
    unidades_removidas: tuple[str, ...]
    cargos_adicionados: tuple[str, ...]
    cargos_removidos: tuple[str, ...]


def _csv(cabecalho: list[str], linhas: list[list[str]]) -> str:
    saida = io.StringIO()
    escritor = csv.writer(saida, lineterminator="\n")
    escritor.writerow(cabecalho)
    escritor.writerows(linhas)
    return saida.getvalue()


def _anteriores_unidades(pasta: Path) -> dict[str, str | None]:
    try:
        return {
            u.sigla: u.sigla_superior for u in CatalogoUnidades.do_csv(pasta / ARQUIVO_UNIDADES)
        }
    except (OSError, ValueError):
        return {}


def _anteriores_cargos(pasta: Path) -> list[str]:
    try:
        return CatalogoCargos.do_csv(pasta / ARQUIVO_CARGOS).nomes()
    except (OSError, ValueError):
        return []


def _superior(anterior: str | None, siglas: set[str]) -> str:
    """The previous file's superior, when SEI still lists it."""
    return anterior if anterior and anterior in siglas else ""


def sincronizar(cliente: ClienteSei, pasta: Path) -> Sincronizacao:
    """Replace the two catalogue files of ``pasta`` with SEI's lists (see module)."""
    unidades = cliente.listar_unidades()
    cargos = cliente.listar_cargos()
    if not unidades or not cargos:
        vazia = "de unidades" if not unidades else "de cargos"
        raise CatalogoSeiInvalido(f"O SEI devolveu a lista {vazia} vazia; nada foi alterado.")
    if any(not u.sigla or not u.descricao for u in unidades) or any(
        not c.expressao for c in cargos
    ):
        raise CatalogoSeiInvalido(
            "O SEI devolveu unidades sem sigla ou nome, ou cargos sem nome; nada foi alterado."
        )
    antes_u = _anteriores_unidades(pasta)
    siglas = {u.sigla for u in unidades}
    antes_c = _anteriores_cargos(pasta)
    texto_u = _csv(
        ["sigla", "nome", "sigla_superior"],
        [[u.sigla, u.descricao, _superior(antes_u.get(u.sigla), siglas)] for u in unidades],
    )
    texto_c = _csv(["cargo"], [[c.expressao] for c in cargos])
    try:
        with (
            substituir_atomico(pasta / ARQUIVO_UNIDADES) as tmp_u,
            substituir_atomico(pasta / ARQUIVO_CARGOS) as tmp_c,
        ):
            tmp_u.write_text(texto_u, encoding="utf-8")
            tmp_c.write_text(texto_c, encoding="utf-8")
            novas_u = CatalogoUnidades.do_csv(tmp_u).siglas()
            novos_c = CatalogoCargos.do_csv(tmp_c).nomes()
    except ValueError as erro:
        raise CatalogoSeiInvalido(
            f"A lista do SEI não forma um catálogo válido; nada foi alterado. {erro}"
        ) from None
    logger.info("Catalogues synced from SEI: %d units, %d cargos.", len(novas_u), len(novos_c))
    return Sincronizacao(
        unidades=len(novas_u),
        cargos=len(novos_c),
        unidades_adicionadas=tuple(s for s in novas_u if s not in antes_u),
        unidades_removidas=tuple(s for s in antes_u if s not in set(novas_u)),
        cargos_adicionados=tuple(c for c in novos_c if c not in set(antes_c)),
        cargos_removidos=tuple(c for c in antes_c if c not in set(novos_c)),
    )
