"""``make screenshots``: the README's pictures of the web chat (docs/img/widget-*.png).

Starts the assistant as ``make run`` does (``python -m bot.ops.launcher``: action
server, Rasa with the trained model, web gateway) on free loopback ports with a
throw-away data folder, drives Debian's Chromium (``/usr/bin/chromium``, through
the playwright package) through a FAQ and a cadastro on a desktop-sized window
and a greeting on a phone-sized one, and saves both screenshots. This is the
only command that writes docs/img: the tests never do.

    .venv/bin/python scripts/screenshots.py [--saida docs/img]
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from playwright.sync_api import Page, ViewportSize, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
DESKTOP = ViewportSize(width=1280, height=800)
PHONE = ViewportSize(width=390, height=844)
PRONTO_S = 300
RESPOSTA_MS = 60_000
CPF = "529.982.247-25"  # a valid example number, nobody's data


def _portas_livres(n: int) -> list[int]:
    """``n`` free loopback ports."""
    soquetes = [socket.socket() for _ in range(n)]
    try:
        for s in soquetes:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in soquetes]
    finally:
        for s in soquetes:
            s.close()


def _iniciar(var_dir: Path) -> tuple[subprocess.Popen[bytes], str]:
    """The launcher with its own ports and data folder; (process, web chat URL)."""
    rasa, acoes, web = _portas_livres(3)
    env = dict(
        os.environ,
        SEI_HOST="127.0.0.1",
        SEI_RASA_PORT=str(rasa),
        SEI_ACTIONS_PORT=str(acoes),
        SEI_WEB_PORT=str(web),
        SEI_VAR_DIR=str(var_dir),
    )
    env.pop("TELEGRAM_BOT_TOKEN", None)
    var_dir.mkdir(parents=True, exist_ok=True)
    log = var_dir / "launcher.log"
    with open(log, "wb") as saida:
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot.ops.launcher"],
            cwd=ROOT,
            env=env,
            stdout=saida,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{web}/"
    limite = time.monotonic() + PRONTO_S
    while "Assistente do SEI pronto" not in log.read_text(errors="replace"):
        if proc.poll() is not None or time.monotonic() > limite:
            _parar(proc)
            sys.exit("o assistente não ficou pronto:\n" + log.read_text(errors="replace")[-3000:])
        time.sleep(1)
    while not _responde(base):  # the gateway may come up after Rasa
        if proc.poll() is not None or time.monotonic() > limite:
            _parar(proc)
            sys.exit("o chat web não subiu:\n" + log.read_text(errors="replace")[-3000:])
        time.sleep(0.5)
    return proc, base


def _responde(url: str) -> bool:
    try:
        return httpx.get(url, timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


def _parar(proc: subprocess.Popen[bytes]) -> None:
    """Stop the launcher like Ctrl-C does."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _abrir(page: Page) -> None:
    page.get_by_role("button", name="Abrir o assistente do SEI").click()
    page.get_by_role("dialog", name="Assistente do SEI").wait_for(state="visible")


def _esperar(page: Page, antes: int) -> None:
    """Until the widget is idle with new bot messages."""
    page.wait_for_function(
        "n => document.querySelector('.sei-widget').dataset.ocupado === 'false'"
        " && document.querySelectorAll('.sei-msg-bot, .sei-msg-aviso').length > n",
        arg=antes,
        timeout=RESPOSTA_MS,
    )


def _n_bot(page: Page) -> int:
    return page.locator(".sei-msg-bot, .sei-msg-aviso").count()


def _dizer(page: Page, texto: str) -> None:
    antes = _n_bot(page)
    caixa = page.get_by_role("textbox", name="Mensagem")
    caixa.fill(texto)
    caixa.press("Enter")
    _esperar(page, antes)


def _tocar(page: Page, titulo: str) -> None:
    antes = _n_bot(page)
    page.locator(".sei-opcao", has_text=titulo).last.click()
    _esperar(page, antes)


def _desktop(page: Page) -> None:
    """A FAQ answer, then a whole cadastro ending with its spreadsheet."""
    _abrir(page)
    _dizer(page, "esqueci minha senha do sei")
    _dizer(page, "preciso cadastrar uma servidora nova no sei")
    _tocar(page, "Preencher agora")
    for resposta in ("getin", "maria DA silva", CPF, "maria.silva@gmail.com", "NTS"):
        _dizer(page, resposta)
    _dizer(page, "Enfermeiro")
    _dizer(page, "não")
    _dizer(page, "confirmar")
    page.locator(".sei-baixar").last.wait_for(state="visible")


def _telefone(page: Page) -> None:
    """The full-screen panel after a greeting."""
    _abrir(page)
    _dizer(page, "bom dia")


def main(argv: list[str] | None = None) -> int:
    """Take the screenshots into ``--saida``."""
    parser = argparse.ArgumentParser(description="Refaz as capturas do chat web do README.")
    parser.add_argument("--saida", type=Path, default=ROOT / "docs" / "img")
    args = parser.parse_args(argv)
    if not CHROMIUM.exists():
        print("chromium ausente em /usr/bin/chromium (apt-get install chromium)", file=sys.stderr)
        return 1
    args.saida.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="sei-capturas-") as temporaria:
        proc, base = _iniciar(Path(temporaria) / "var")
        try:
            with sync_playwright() as p:
                for nome, janela, roteiro in (
                    ("widget-desktop.png", DESKTOP, _desktop),
                    ("widget-phone.png", PHONE, _telefone),
                ):
                    navegador = p.chromium.launch_persistent_context(
                        str(Path(temporaria) / f"perfil-{nome}"),
                        executable_path=str(CHROMIUM),
                        headless=True,
                        args=CHROMIUM_ARGS,
                        viewport=janela,
                        locale="pt-BR",
                    )
                    try:
                        page = navegador.new_page()
                        page.goto(base)
                        page.wait_for_selector(".sei-lancador", state="visible")
                        roteiro(page)
                        page.evaluate("document.activeElement.blur()")  # no focus ring
                        page.screenshot(path=str(args.saida / nome))
                    finally:
                        navegador.close()
                    print(f"{args.saida / nome}")
        finally:
            _parar(proc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
