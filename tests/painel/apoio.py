"""What the panel tests share: settings in a temp folder, filing requests
through the real store API, logging in through the real login form."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from bot import settings
from bot.solicitacoes.store import RequestStore, Solicitacao

ROOT = Path(__file__).resolve().parents[2]
SENHA = "uma senha longa de teste"


def configuracao(tmp_path: Path, **env: str) -> settings.Settings:
    """Settings with every file under ``tmp_path`` (never the tracked tree)."""
    return settings.load(
        {"SEI_PROJECT_ROOT": str(ROOT), "SEI_VAR_DIR": str(tmp_path / "var"), **env}
    )


def registrar(
    store: RequestStore,
    n: int,
    tipo: str = "cadastro_usuario",
    unidade: str = "GETIN",
    **campos: Any,
) -> Solicitacao:
    """File request number ``n`` (its fields overridable) through ``registrar``."""
    from bot.solicitacoes.tipos import TIPOS

    linha: dict[str, Any] = {
        "nome": f"Pessoa Teste {n}",
        "cpf": campos.pop("cpf", "529.982.247-25"),
        "email": f"pessoa{n}@example.com",
        "sigla": unidade,
        "cargo": "Enfermeiro",
    }
    if tipo == "relato_erro":
        linha = {"descricao": f"Erro {n} ao assinar", "sigla": unidade}
    elif tipo == "correcao_cargo":
        linha = {"nome": linha["nome"], "cpf": linha["cpf"], "cargo": "Enfermeiro"}
    linha.update(campos)
    assert tipo in TIPOS
    solicitacao, _ = store.registrar(
        tipo,
        [linha],
        canal="rest",
        contato=f"contato-{n}",
        unidade=unidade,
        chave_envio=f"chave-{n}-{tipo}",
        anexo=linha.get("captura"),
    )
    return solicitacao


def token(html: str) -> str:
    """The CSRF token of the first form of a page."""
    achado = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert achado, "página sem token CSRF"
    return achado.group(1)


def entrar(cliente: Any, login: str, senha: str = SENHA) -> Any:
    """Log in through the form (Flask test client); the response."""
    pagina = cliente.get("/entrar")
    return cliente.post(
        "/entrar", data={"login": login, "senha": senha, "csrf_token": token(pagina.text)}
    )
