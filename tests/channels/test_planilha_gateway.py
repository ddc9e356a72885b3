"""Planilha uploads and downloads in the web gateway, with aiohttp's test client and a fake Rasa."""

from __future__ import annotations

import aiohttp
from aiohttp.test_utils import TestClient
from test_web_gateway import OUTRA, SEGREDO, SENDER, SESSAO, RasaFalso, rodar

from bot import content
from bot.channels.identidade import remetente
from bot.solicitacoes.recebidas import PlanilhaRecebidaStore

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _formulario(dados: bytes, nome: str = "cadastro.xlsx", sessao: str = SESSAO):
    form = aiohttp.FormData()
    form.add_field("sessao", sessao)
    form.add_field("arquivo", dados, filename=nome, content_type=XLSX)
    return form


def test_planilha_is_stored_for_this_conversation_and_handed_to_the_check(tmp_path):
    rasa = RasaFalso([{"text": "Conferi a planilha."}])

    async def corpo(c: TestClient) -> None:
        r = await c.post("/api/planilha", data=_formulario(b"PK\x03\x04 qualquer coisa"))
        assert r.status == 200
        assert (await r.json())["respostas"] == [{"tipo": "texto", "texto": "Conferi a planilha."}]

    rodar(tmp_path, rasa, corpo)
    [(sender, texto, metadata)] = rasa.chamadas
    assert sender == SENDER and texto == "/enviar_planilha"
    store = PlanilhaRecebidaStore.junto_dos_anexos(tmp_path / "anexos")
    assert store.ler(metadata["planilha"], SENDER) == b"PK\x03\x04 qualquer coisa"
    assert store.ler(metadata["planilha"], remetente("web", OUTRA, SEGREDO)) is None


def test_planilha_too_big_empty_or_missing_is_refused_before_rasa(tmp_path):
    rasa = RasaFalso()

    async def corpo(c: TestClient) -> None:
        r = await c.post("/api/planilha", data=_formulario(b"x" * (5 * 1024 * 1024 + 1)))
        assert r.status == 413 and "limite é 5 MB" in (await r.json())["erro"]
        r = await c.post("/api/planilha", data=_formulario(b""))
        assert r.status == 400
        assert (await r.json())["erro"] == content.texto("planilhas", "recusa_vazio")
        form = aiohttp.MultipartWriter("form-data")
        form.append("x" * 40).set_content_disposition("form-data", name="sessao")
        r = await c.post("/api/planilha", data=form)
        assert r.status == 400
        assert (await r.json())["erro"] == content.texto("planilhas", "canal_planilha_faltando")
        r = await c.post("/api/planilha", json={"sessao": SESSAO})
        assert r.status == 415

    rodar(tmp_path, rasa, corpo)
    assert rasa.chamadas == []


def test_blank_and_checked_planilhas_get_a_download_button_and_are_served(tmp_path):
    pasta = tmp_path / "planilhas"
    pasta.mkdir()
    modelo, conferida = "Modelo-Cadastro-de-usuario.xlsx", f"Conferida-{'a' * 32}.xlsx"
    for nome in (modelo, conferida):
        (pasta / nome).write_bytes(b"PK\x03\x04 " + nome.encode())
    respostas = [
        {
            "text": "Aqui está.",
            "custom": {"tipo": "planilha", "arquivo": modelo, "rotulo": "Em branco"},
        },
        {"custom": {"tipo": "planilha", "arquivo": conferida, "rotulo": "Conferida"}},
        {"custom": {"tipo": "planilha", "arquivo": "../segredo-remetente", "rotulo": "x"}},
        {"custom": {"tipo": "planilha", "arquivo": "Modelo-../x.xlsx"}},
    ]

    async def corpo(c: TestClient) -> None:
        r = await c.post("/api/mensagem", json={"sessao": SESSAO, "texto": "planilha"})
        itens = (await r.json())["respostas"]
        planilhas = [i for i in itens if i["tipo"] == "planilha"]
        assert [(p["arquivo"], p["rotulo"]) for p in planilhas] == [
            (modelo, "Em branco"),
            (conferida, "Conferida"),
        ]
        for p in planilhas:
            r = await c.get(p["url"], headers={"X-Sei-Sessao": SESSAO})
            assert r.status == 200 and await r.read() == b"PK\x03\x04 " + p["arquivo"].encode()
            assert p["arquivo"] in r.headers["Content-Disposition"]
            r = await c.get(p["url"], headers={"X-Sei-Sessao": OUTRA})
            assert r.status == 404

    rodar(tmp_path, RasaFalso(respostas), corpo)
