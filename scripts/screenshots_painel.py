"""The README's pictures of the NTS panel (docs/img/painel-{fila,solicitacao}.png).

No Rasa needed: the panel app (``bot.painel.app``) served by waitress on a free
loopback port, on a throw-away data folder whose request store gets a few
made-up requests (generated CPFs, example names) and one analyst; Debian's
Chromium (``/usr/bin/chromium``, through the playwright package) logs in and
photographs the queue and a request's page. Only this command (from
``make screenshots``) writes these files: the tests never do.

    .venv/bin/python scripts/screenshots_painel.py [--saida docs/img]
"""

from __future__ import annotations

import argparse
import io
import socket
import sys
import tempfile
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

from PIL import Image
from playwright.sync_api import ViewportSize, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
DESKTOP = ViewportSize(width=1280, height=900)
SENHA = "senha de demonstracao do painel"
PESSOAS = (
    ("Maria Aparecida Santos", "529.982.247-25", "GETIN"),
    ("José Carlos Lima", "111.444.777-35", "SUVISA"),
    ("Ana Beatriz Souza", "390.533.447-05", "HGE"),
)


def _porta_livre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _preencher(store, anexos) -> str:
    """A few requests of several kinds and ages; the protocol of the error report."""
    from bot.painel import usuarios
    from bot.solicitacoes import atendimento

    usuarios.criar(store, "ana.nts", "Ana (NTS)", "analista", SENHA, autor="demonstracao")
    agora = datetime.now(timezone.utc)
    for i, (nome, cpf, sigla) in enumerate(PESSOAS):
        store.registrar(
            "cadastro_usuario",
            [
                {
                    "nome": nome,
                    "cpf": cpf,
                    "email": f"pessoa{i}@gmail.com",
                    "sigla": sigla,
                    "cargo": "Enfermeiro",
                }
            ],
            canal="web",
            contato=f"demo-{i}",
            unidade=sigla,
            chave_envio=f"demo-{i}",
            agora=agora - timedelta(hours=20 * i + 3),
        )
    imagem = io.BytesIO()
    Image.new("RGB", (480, 270), (235, 240, 248)).save(imagem, format="PNG")
    ref = anexos.salvar(imagem.getvalue(), "demo-erro")
    relato, _ = store.registrar(
        "relato_erro",
        [
            {
                "descricao": "Ao assinar o ofício aparece 'Erro ao gerar PDF'.",
                "captura": ref,
                "sigla": "GETIN",
                "processo": "E:02000.0000012345/2026",
            }
        ],
        canal="telegram",
        contato="demo-erro",
        unidade="GETIN",
        chave_envio="demo-erro",
        anexo=ref,
        agora=agora - timedelta(hours=30),
    )
    atendimento.atribuir(store, relato.protocolo, "ana.nts", autor="ana.nts")
    atendimento.mudar_situacao(
        store,
        relato.protocolo,
        "em_andamento",
        autor="ana.nts",
        observacao="Encaminhado à equipe do SEI",
        visivel=True,
    )
    return relato.protocolo


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saida", type=Path, default=ROOT / "docs" / "img")
    args = parser.parse_args(argv)
    if not CHROMIUM.exists():
        print("chromium ausente em /usr/bin/chromium (apt-get install chromium)", file=sys.stderr)
        return 1
    import waitress

    from bot import settings
    from bot.painel.app import criar_app
    from bot.painel.servidor import opcoes_waitress

    with tempfile.TemporaryDirectory(prefix="painel-fotos-") as pasta:
        porta = _porta_livre()
        cfg = settings.load(
            {"SEI_PROJECT_ROOT": str(ROOT), "SEI_VAR_DIR": pasta, "SEI_PAINEL_PORT": str(porta)}
        )
        app = criar_app(cfg)
        servicos = app.extensions["sei_servicos"]
        protocolo = _preencher(servicos.store, servicos.anexos)
        servidor = waitress.create_server(app, **opcoes_waitress(cfg))
        threading.Thread(target=servidor.run, daemon=True).start()
        base = f"http://127.0.0.1:{porta}"
        args.saida.mkdir(parents=True, exist_ok=True)
        try:
            with sync_playwright() as p:
                navegador = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
                page = navegador.new_page(viewport=DESKTOP, locale="pt-BR")
                page.goto(base + "/entrar")
                page.get_by_label("Usuário").fill("ana.nts")
                page.get_by_label("Senha").fill(SENHA)
                page.get_by_role("button", name="Entrar").click()
                page.get_by_role("heading", name="Solicitações").wait_for()
                page.screenshot(path=str(args.saida / "painel-fila.png"), full_page=True)
                page.goto(f"{base}/solicitacoes/{protocolo}")
                page.get_by_role("heading", name=protocolo, exact=False).wait_for()
                page.screenshot(path=str(args.saida / "painel-solicitacao.png"), full_page=True)
                navegador.close()
        finally:
            servidor.close()
            app.extensions["sei_indicadores"].fechar()
            servicos.store.fechar()
    print(f"Capturas do painel gravadas em {args.saida}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
