"""Notifications end to end in one process: the store's hooks write the outbox in
the change's transaction, the worker's loop delivers to a real SMTP server
(aiosmtpd) and to the Telegram stand-in; SQLite and PostgreSQL."""

from __future__ import annotations

import logging
import random
import re
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa
from avisos_apoio import ServidorSmtp, configurar, corpo, html, porta_livre
from geradores import gerar_cpf
from telegram_standin import TelegramStandin

from bot.notificacoes import assinaturas, fila, textos, worker
from bot.notificacoes.envio import message_id
from bot.notificacoes.segredo import Chaves
from bot.notificacoes.tabelas import notification_subscriptions, notifications
from bot.solicitacoes import atendimento
from bot.solicitacoes.store import RequestStore

NTS = ("nts@saude.al.gov.br", "getin@saude.al.gov.br")


@pytest.fixture
def smtp() -> Iterator[ServidorSmtp]:
    """A real SMTP server (aiosmtpd) on a port of SEI_TEST_PORT_BASE's range."""
    servidor = ServidorSmtp(porta_livre()).iniciar()
    yield servidor
    servidor.parar()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The request store on SQLite, then on a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'var' / 'requests.db'}"
        return
    yield request.getfixturevalue("pg_url")


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'var' / 'requests.db'}"


@pytest.fixture
def abrir() -> Iterator[Callable[[str], RequestStore]]:
    """Open stores; all are closed at teardown."""
    abertos: list[RequestStore] = []

    def _abrir(url: str) -> RequestStore:
        abertos.append(RequestStore(url))
        return abertos[-1]

    yield _abrir
    for s in abertos:
        s.fechar()


RNG = random.Random(20261202)


def arquivar(store: RequestStore, n: int, tipo: str = "cadastro_usuario"):
    """File a request with generated personal data; (request, cpf, email)."""
    cpf = gerar_cpf(RNG, mascarado=True)
    email = f"joana.teste{n}@example.com"
    linha = {
        "nome": f"Joana Teste Número{n}",
        "cpf": cpf,
        "email": email,
        "sigla": "GETIN",
        "cargo": "Assessor Técnico",
    }
    s, _ = store.registrar(
        tipo, [linha], canal="web", contato=email, unidade="GETIN", chave_envio=f"k-{n}"
    )
    return s, cpf, email


def rodar(cfg, ate: float = 30.0) -> None:
    """The worker loop until nothing is due (a few seconds at most)."""
    worker.rodar(cfg, threading.Event(), ate_esvaziar=True, intervalo_s=0.05)


def preparar(tmp_path: Path, url: str, smtp: ServidorSmtp | None, **env: str):
    extra = {"SEI_EMAIL_NTS": ", ".join(NTS)}
    if smtp is not None:
        extra["SEI_SMTP_URL"] = smtp.url
    extra.update(env)
    cfg = configurar(tmp_path, url, **extra)
    store = RequestStore(url)
    fila.instalar(store, fila.Destinos.de(cfg))
    return cfg, store, Chaves.do_arquivo(cfg.avisos_secret_file)


def test_new_request_emails_the_nts_with_protocol_and_no_personal_data(tmp_path, db_url, smtp):
    cfg, store, _ = preparar(tmp_path, db_url, smtp)
    s, cpf, email = arquivar(store, 1)
    rodar(cfg)
    for endereco in NTS:
        (msg,) = smtp.caixa.para(endereco)
        texto, pagina = corpo(msg), html(msg)
        assert s.protocolo in msg["Subject"] and s.protocolo in texto
        assert "Cadastro de usuário" in texto or "adastro" in texto
        assert "Unidade solicitante: GETIN" in texto
        assert f"https://painel.exemplo.gov.br/nts/solicitacoes/{s.protocolo}" in texto
        assert s.prazo_em.strftime("%d/%m/%Y") in texto
        digitos = re.sub(r"\D", "", cpf)
        for conteudo in (texto, pagina, str(msg)):
            assert cpf not in conteudo and digitos not in re.sub(r"\D", "", conteudo)
            assert email not in conteudo and "Joana" not in conteudo
        assert msg["From"] == "assistente-sei@saude.al.gov.br"
        chave = f"nova:{s.protocolo}:email:{endereco}"
        assert msg["Message-ID"] == message_id(chave, "saude.al.gov.br")
    assert fila.contagem(store) == {"enviada": 2}
    store.fechar()


def test_status_change_with_visible_note_emails_the_requester_until_stopped(tmp_path, db_url, smtp):
    cfg, store, chaves = preparar(tmp_path, db_url, smtp, SEI_EMAIL_NTS="")
    s, cpf, _ = arquivar(store, 2)
    pessoal = "maria.requerente@gmail.com"
    assinaturas.assinar(store, chaves, s.protocolo, "email", pessoal)
    atendimento.mudar_situacao(
        store, s.protocolo, "em_andamento", autor="ana", observacao="Só interna", visivel=False
    )
    atendimento.mudar_situacao(
        store,
        s.protocolo,
        "concluida",
        autor="ana",
        observacao="Cadastro liberado na unidade GETIN.",
        visivel=True,
    )
    rodar(cfg)
    primeira, segunda = smtp.caixa.para(pessoal)
    assert "Em andamento" in corpo(primeira) and "Só interna" not in corpo(primeira)
    texto = corpo(segunda)
    assert s.protocolo in segunda["Subject"] and "Concluída" in segunda["Subject"]
    assert "Observação do NTS: Cadastro liberado na unidade GETIN." in texto
    assert "o acesso chega por e-mail" in texto
    assert cpf not in texto and "Joana" not in texto
    assert "Cadastro liberado" in html(segunda)
    # the one-click link in the e-mail stops the notices of this request
    link = re.search(r"https://chat\.exemplo\.gov\.br/avisos/parar/(\S+)", texto)
    assert link is not None
    assert segunda["List-Unsubscribe"] == f"<{link.group(0)}>"
    assert segunda["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert assinaturas.parar_por_link(store, chaves, link.group(1) + "x") is None
    assert assinaturas.parar_por_link(store, chaves, link.group(1)) == s.protocolo
    atendimento.mudar_situacao(
        store, s.protocolo, "concluida", autor="ana", observacao="Mais uma", visivel=True
    )
    rodar(cfg)
    assert len(smtp.caixa.para(pessoal)) == 2
    store.fechar()


def test_refused_request_says_why_and_how_to_file_again(tmp_path, sqlite_url, smtp):
    cfg, store, chaves = preparar(tmp_path, sqlite_url, smtp, SEI_EMAIL_NTS="")
    s, _, _ = arquivar(store, 3)
    assinaturas.assinar(store, chaves, s.protocolo, "email", "pessoa@example.org")
    atendimento.mudar_situacao(
        store, s.protocolo, "recusada", autor="ana", observacao="Falta o ofício.", visivel=True
    )
    rodar(cfg)
    (msg,) = smtp.caixa.para("pessoa@example.org")
    texto = corpo(msg)
    assert "Falta o ofício." in texto and "nova solicitação" in texto and "Recusada" in texto
    store.fechar()


def test_parar_avisos_drops_queued_notices_too(tmp_path, sqlite_url, smtp):
    cfg, store, chaves = preparar(tmp_path, sqlite_url, smtp, SEI_EMAIL_NTS="")
    s, _, _ = arquivar(store, 4)
    assinaturas.assinar(store, chaves, s.protocolo, "email", "pessoa@example.org")
    atendimento.mudar_situacao(store, s.protocolo, "em_andamento", autor="ana")
    assert assinaturas.parar(store, s.protocolo) is True
    assert assinaturas.parar(store, s.protocolo) is False
    rodar(cfg)
    assert smtp.caixa.todas() == []
    assert fila.contagem(store) == {"descartada": 1}
    store.fechar()


def test_a_change_that_rolls_back_leaves_no_notification(tmp_path, db_url, smtp):
    _, store, chaves = preparar(tmp_path, db_url, smtp)
    s, _, _ = arquivar(store, 5)
    assinaturas.assinar(store, chaves, s.protocolo, "email", "pessoa@example.org")
    antes = fila.contagem(store)

    def falha(*_args):
        raise RuntimeError("disco cheio")

    store.ganchos.append(falha)
    with pytest.raises(RuntimeError):
        atendimento.mudar_situacao(store, s.protocolo, "concluida", autor="ana")
    store.ganchos.remove(falha)
    assert fila.contagem(store) == antes
    assert store.buscar(s.protocolo).status == "recebida"
    store.fechar()


def test_telegram_status_change_reaches_the_right_chat_and_purge_forgets_it(tmp_path, sqlite_url):
    standin = TelegramStandin().start()
    try:
        cfg, store, chaves = preparar(
            tmp_path,
            sqlite_url,
            None,
            SEI_EMAIL_NTS="",
            TELEGRAM_BOT_TOKEN="123456:TESTE",
            TELEGRAM_API_URL=standin.url,
            SEI_TELEGRAM_NTS_CHAT="-100777",
        )
        s, cpf, _ = arquivar(store, 6)
        outro, _, _ = arquivar(store, 7)
        assinaturas.assinar(store, chaves, s.protocolo, "telegram", "555001")
        assinaturas.assinar(store, chaves, outro.protocolo, "telegram", "555002")
        atendimento.mudar_situacao(
            store, s.protocolo, "concluida", autor="ana", observacao="Pronto.", visivel=True
        )
        rodar(cfg)
        (para_ele,) = standin.chamadas_de("sendMessage", chat_id=555001)
        assert s.protocolo in para_ele.params["text"] and "Pronto." in para_ele.params["text"]
        assert cpf not in para_ele.params["text"]
        assert standin.chamadas_de("sendMessage", chat_id=555002) == []
        grupo = standin.chamadas_de("sendMessage", chat_id=-100777)
        assert {s.protocolo, outro.protocolo} <= {
            p for c in grupo for p in (s.protocolo, outro.protocolo) if p in c.params["text"]
        }
        assert cfg.avisos_secret_file.stat().st_mode & 0o777 == 0o600
        # at rest the chat reference is encrypted
        with store.na_transacao() as conn:
            guardados = [r.endereco for r in conn.execute(sa.select(notification_subscriptions))]
        assert len(guardados) == 2 and not any("55500" in g for g in guardados)
        # the request ended; after the retention period the purge removes its chat
        depois = datetime.now(timezone.utc) + timedelta(days=91)
        assert assinaturas.purgar(store, 90, simular=True, agora=depois) == 1
        assert assinaturas.purgar(store, 90, agora=depois) == 1
        with store.na_transacao() as conn:
            restantes = (
                conn.execute(sa.select(notification_subscriptions.c.protocolo)).scalars().all()
            )
        assert restantes == [outro.protocolo]  # still open: kept
        store.fechar()
    finally:
        standin.stop()


def test_privacy_purge_command_removes_chat_references(tmp_path, sqlite_url):
    from bot.ops import privacidade

    cfg, store, chaves = preparar(tmp_path, sqlite_url, None, SEI_EMAIL_NTS="")
    s, _, _ = arquivar(store, 8)
    assinaturas.assinar(store, chaves, s.protocolo, "telegram", "555003")
    atendimento.mudar_situacao(store, s.protocolo, "cancelada", autor="ana")
    relatorio = privacidade.purgar(
        store,
        cfg.trackers_db_url,
        cfg.anexos_dir,
        cfg.planilhas_dir,
        0,
        agora=datetime.now(timezone.utc) + timedelta(seconds=5),
    )
    assert relatorio.avisos == 1
    assert assinaturas.endereco(store, chaves, 1) is None
    store.fechar()


def test_smtp_down_for_a_while_then_delivered(tmp_path, sqlite_url, smtp):
    cfg, store, chaves = preparar(tmp_path, sqlite_url, smtp, SEI_EMAIL_NTS="")
    s, _, _ = arquivar(store, 9)
    assinaturas.assinar(store, chaves, s.protocolo, "email", "pessoa@example.org")
    smtp.parar()
    atendimento.mudar_situacao(store, s.protocolo, "em_andamento", autor="ana")
    parar = threading.Event()
    t = threading.Thread(target=worker.rodar, args=(cfg, parar), kwargs={"intervalo_s": 0.05})
    t.start()
    try:
        limite = time.monotonic() + 20
        tentativas = 0
        while tentativas < 3 and time.monotonic() < limite:  # ~0, 0.2, 0.6 s: all refused
            time.sleep(0.05)
            with store.na_transacao() as conn:
                estado, tentativas = conn.execute(
                    sa.select(notifications.c.estado, notifications.c.tentativas)
                ).one()
        assert tentativas >= 3 and estado in ("pendente", "enviando")
        smtp.iniciar()
        limite = time.monotonic() + 20
        while not smtp.caixa.todas() and time.monotonic() < limite:
            time.sleep(0.05)
    finally:
        parar.set()
        t.join(10)
    assert len(smtp.caixa.para("pessoa@example.org")) == 1
    assert fila.contagem(store) == {"enviada": 1}
    store.fechar()


def test_refused_address_fails_alone_and_can_be_sent_again(tmp_path, db_url, smtp):
    cfg, store, chaves = preparar(tmp_path, db_url, smtp, SEI_EMAIL_NTS="")
    a, _, _ = arquivar(store, 10)
    b, _, _ = arquivar(store, 11)
    smtp.caixa.recusar.add("nao.existe@example.org")
    assinaturas.assinar(store, chaves, a.protocolo, "email", "nao.existe@example.org")
    assinaturas.assinar(store, chaves, b.protocolo, "email", "existe@example.org")
    for protocolo in (a.protocolo, b.protocolo):
        atendimento.mudar_situacao(store, protocolo, "em_andamento", autor="ana")
    rodar(cfg)
    assert len(smtp.caixa.para("existe@example.org")) == 1
    (falha,) = fila.falhas(store, a.protocolo)
    assert falha.canal == "email" and not falha.para_nts and "550" in (falha.erro or "")
    assert fila.falhas(store, b.protocolo) == []
    smtp.caixa.recusar.clear()  # the requester's mailbox exists again
    assert fila.reenviar(store, falha.id) is True
    assert fila.reenviar(store, falha.id) is False
    rodar(cfg)
    assert len(smtp.caixa.para("nao.existe@example.org")) == 1
    assert fila.falhas(store, a.protocolo) == []
    store.fechar()


def test_web_widget_notices_shown_once_on_the_next_message(tmp_path, sqlite_url):
    _, store, chaves = preparar(tmp_path, sqlite_url, None, SEI_EMAIL_NTS="")
    s, _, _ = arquivar(store, 12)
    assinaturas.assinar(store, chaves, s.protocolo, "web", "web-abc123")
    assert assinaturas.pendentes_para(store, chaves, "web-abc123") == []
    atendimento.mudar_situacao(
        store, s.protocolo, "concluida", autor="ana", observacao="Feito.", visivel=True
    )
    (aviso,) = assinaturas.pendentes_para(store, chaves, "web-abc123")
    assert s.protocolo in aviso and "Feito." in aviso
    assert assinaturas.pendentes_para(store, chaves, "web-abc123") == []
    assert assinaturas.pendentes_para(store, chaves, "web-outro") == []
    store.fechar()


def test_claims_by_concurrent_workers_never_overlap(tmp_path, db_url, abrir):
    _, store, _ = preparar(tmp_path, db_url, None, SEI_EMAIL_NTS="")
    with store.na_transacao() as conn:
        for i in range(120):
            fila.enfileirar(conn, chave=f"t:{i}", evento="situacao", canal="email", dados={})
    lojas = [abrir(db_url) for _ in range(4)]
    tomadas: list[list[int]] = [[] for _ in lojas]

    def trabalhar(i: int) -> None:
        while lote := fila.reivindicar(lojas[i], ["email"], limite=7):
            tomadas[i].extend(t.id for t in lote)
            for t in lote:
                fila.concluir(lojas[i], t.id)

    threads = [threading.Thread(target=trabalhar, args=(i,)) for i in range(len(lojas))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    todas = [i for lista in tomadas for i in lista]
    assert len(todas) == 120 and len(set(todas)) == 120
    assert fila.contagem(store) == {"enviada": 120}
    store.fechar()


def test_daily_digest_lists_due_and_late_requests_once(tmp_path, sqlite_url, smtp):
    from bot.notificacoes import resumo
    from bot.solicitacoes.tipos import FUSO

    cfg, store, _ = preparar(tmp_path, sqlite_url, smtp, SEI_EMAIL_NTS="nts@saude.al.gov.br")
    velha, _, _ = arquivar(store, 13)
    destinos = fila.Destinos.de(cfg)
    agora = velha.prazo_em + timedelta(hours=1)
    assert resumo.enfileirar_resumo(store, destinos, resumo.hora("00:00"), agora) == 1
    assert resumo.enfileirar_resumo(store, destinos, resumo.hora("00:00"), agora) == 0
    rodar(cfg)
    msgs = [m for m in smtp.caixa.para("nts@saude.al.gov.br") if "Resumo" in m["Subject"]]
    (msg,) = msgs
    assert velha.protocolo in corpo(msg) and "Atrasadas" in corpo(msg)
    assert agora.astimezone(FUSO).strftime("%d/%m/%Y") in msg["Subject"]
    with pytest.raises(ValueError, match="SEI_AVISOS_RESUMO_HORA"):
        resumo.hora("8h")
    store.fechar()


def test_texts_exist_for_every_status():
    from bot import content
    from bot.solicitacoes.tipos import STATUS

    assert set(content.entrada("notificacoes", "proximo")) == set(STATUS)
    assert "parar avisos" in textos.texto("parar_texto")


def test_ligar_hooks_a_processs_services_once(servicos):
    fila.ligar(servicos)
    fila.ligar(servicos)
    assert len(servicos.store.ganchos) == 1
    s, _, _ = arquivar(servicos.store, 14)
    assert s.protocolo and fila.contagem(servicos.store) == {}  # no NTS address configured


def test_the_callers_api_in_a_few_lines(servicos):
    from bot.notificacoes.avisos import Avisos

    avisos = Avisos.de(servicos)
    s, _, _ = arquivar(servicos.store, 15)
    assert s.protocolo in avisos.assinar(s.protocolo, "web", "web-xyz")
    with pytest.raises(ValueError, match="Canal de avisos desconhecido"):
        avisos.assinar(s.protocolo, "sms", "82999990000")
    with pytest.raises(LookupError):
        avisos.assinar("NTS-2020-999999", "web", "web-xyz")
    for ruim in ("a@b.com\nBcc: x@y.com", "sem-arroba", "a@b@c.com", "  "):
        with pytest.raises(ValueError):
            avisos.assinar(s.protocolo, "email", ruim)
    atendimento.mudar_situacao(servicos.store, s.protocolo, "em_andamento", autor="ana")
    (aviso,) = avisos.pendentes_para("web-xyz")
    assert "Em andamento" in aviso
    assert "não vai mais receber" in avisos.parar(s.protocolo)
    assert "não tinha avisos" in avisos.parar(s.protocolo)
    assert "não é válido" in avisos.parar_por_link("forjado")
    token = avisos.chaves.assinar_parada(s.protocolo)
    assert s.protocolo in avisos.parar_por_link(token)
    assert avisos.falhas(s.protocolo) == [] and avisos.reenviar(999) is False
    assert not avisos.email_ligado


def test_a_store_restored_without_the_tables_gets_them_back_on_the_next_change(
    tmp_path, sqlite_url, smtp
):
    cfg, store, _ = preparar(tmp_path, sqlite_url, smtp)
    s, _, _ = arquivar(store, 16)
    with store.na_transacao() as conn:  # what a copy from before issue 13 looks like
        for tabela in ("notifications", "notification_subscriptions", "notification_schema"):
            conn.execute(sa.text(f"DROP TABLE {tabela}"))
    atendimento.mudar_situacao(store, s.protocolo, "em_andamento", autor="ana")
    outra, _, _ = arquivar(store, 17)
    rodar(cfg)
    assert any(outra.protocolo in m["Subject"] for m in smtp.caixa.para(NTS[0]))
    assert store.buscar(s.protocolo).status == "em_andamento"
    store.fechar()


def test_a_bad_stored_row_fails_alone_and_the_worker_goes_on(tmp_path, sqlite_url, smtp):
    cfg, store, chaves = preparar(tmp_path, sqlite_url, smtp, SEI_EMAIL_NTS="")
    a, _, _ = arquivar(store, 18)
    b, _, _ = arquivar(store, 19)
    for s in (a, b):
        assinaturas.assinar(store, chaves, s.protocolo, "email", f"{s.protocolo}@example.org")
    with store.na_transacao() as conn:  # an address with a header injected, stored directly
        conn.execute(
            notification_subscriptions.update()
            .where(notification_subscriptions.c.protocolo == a.protocolo)
            .values(endereco=chaves.cifrar("x@example.org\nBcc: y@example.org"))
        )
    for s in (a, b):
        atendimento.mudar_situacao(store, s.protocolo, "em_andamento", autor="ana")
    rodar(cfg)
    assert [m["To"] for m in smtp.caixa.todas()] == [f"{b.protocolo}@example.org"]
    (falha,) = fila.falhas(store, a.protocolo)
    assert "erro inesperado" in (falha.erro or "")
    store.fechar()


def test_the_worker_waits_for_a_database_that_is_not_there_yet(
    tmp_path, monkeypatch, caplog, pg_admin
):
    import uuid

    from conftest import pg_url_de

    admin = pg_admin
    nome = f"sei_avisos_tarde_{uuid.uuid4().hex[:10]}"
    url = pg_url_de(nome)
    cfg = configurar(tmp_path, url)
    monkeypatch.setattr(worker, "ESPERA_BANCO_S", 0.1)
    parar = threading.Event()
    t = threading.Thread(target=worker.rodar, args=(cfg, parar), kwargs={"intervalo_s": 0.05})
    with caplog.at_level(logging.INFO, logger="bot.notificacoes"):
        t.start()
        try:
            time.sleep(0.5)
            assert t.is_alive() and "Request store unavailable" in caplog.text
            with admin.connect() as conn:
                conn.execute(sa.text(f'CREATE DATABASE "{nome}"'))
            limite = time.monotonic() + 20
            while "Notification worker started" not in caplog.text:
                assert time.monotonic() < limite
                time.sleep(0.05)
        finally:
            parar.set()
            t.join(10)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{nome}" WITH (FORCE)'))
    assert not t.is_alive()


def test_without_a_public_stop_url_the_email_says_to_write_parar_avisos(tmp_path, sqlite_url, smtp):
    cfg, store, chaves = preparar(tmp_path, sqlite_url, smtp, SEI_EMAIL_NTS="")
    cfg = cfg.copy(update={"avisos_parar_url": None})
    s, _, _ = arquivar(store, 20)
    assinaturas.assinar(store, chaves, s.protocolo, "email", "pessoa@example.org")
    atendimento.mudar_situacao(store, s.protocolo, "em_andamento", autor="ana")
    rodar(cfg)
    (msg,) = smtp.caixa.para("pessoa@example.org")
    assert 'escreva "parar avisos"' in corpo(msg) and "/avisos/parar/" not in corpo(msg)
    assert msg["List-Unsubscribe"] is None
    store.fechar()


def test_a_process_that_never_installed_can_still_ask_for_web_notices(tmp_path, sqlite_url):
    from bot.notificacoes.avisos import Avisos

    cfg = configurar(tmp_path, sqlite_url)
    store = RequestStore(sqlite_url)  # e.g. the web gateway: nothing migrated the tables
    assert Avisos(store, cfg).pendentes_para("web-novo") == []
    store.fechar()


def test_rows_of_a_worker_that_died_come_back_when_its_lease_ends(tmp_path, db_url, abrir):
    _, store, _ = preparar(tmp_path, db_url, None, SEI_EMAIL_NTS="")
    with store.na_transacao() as conn:
        fila.enfileirar(conn, chave="lease:1", evento="situacao", canal="email", dados={})
    (tomada,) = fila.reivindicar(store, ["email"], prazo_s=0.3)  # then the worker dies
    outro = abrir(db_url)
    assert fila.reivindicar(outro, ["email"]) == []  # still leased
    time.sleep(0.4)
    (de_novo,) = fila.reivindicar(outro, ["email"])
    assert de_novo.id == tomada.id and de_novo.tentativas == 2
    store.fechar()
