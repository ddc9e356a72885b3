"""What both channels share: buttons and spreadsheets of Rasa's replies, attachment limits."""

from bot.channels import anexos, replies
from bot.channels.replies import Botao


def test_buttons_need_a_payload_text_and_fall_back_to_it_for_the_title():
    resposta = {
        "text": "Quer começar?",
        "buttons": [
            {"title": "Preencher agora", "payload": '/abrir{"tipo":"cadastro"}'},
            {"payload": "/sem_titulo"},
            {"title": "", "payload": "/titulo_vazio"},
            {"title": "Sem payload"},
            {"title": "Payload vazio", "payload": ""},
            {"title": "Payload número", "payload": 5},
            "não é um botão",
        ],
    }
    assert replies.botoes(resposta) == [
        Botao("Preencher agora", '/abrir{"tipo":"cadastro"}'),
        Botao("/sem_titulo", "/sem_titulo"),
        Botao("/titulo_vazio", "/titulo_vazio"),
    ]
    assert replies.botoes({"text": "x"}) == [] == replies.botoes({"buttons": None})


def test_only_a_custom_of_kind_planilha_is_a_spreadsheet():
    planilha = {"tipo": "planilha", "arquivo": "NTS-2026-000001.xlsx"}
    assert replies.planilha({"custom": planilha}) is planilha
    for outra in ({}, {"custom": "planilha"}, {"custom": {"tipo": "outro"}}, {"text": "x"}):
        assert replies.planilha(outra) is None


def test_only_well_named_spreadsheets_from_the_folder_are_served(tmp_path):
    pasta = tmp_path / "planilhas"
    pasta.mkdir()
    (pasta / "NTS-2026-000001.xlsx").write_bytes(b"x")
    (tmp_path / "NTS-2026-000002.xlsx").write_bytes(b"x")
    (pasta / "NTS-2026-000003.xlsx").symlink_to(tmp_path / "NTS-2026-000002.xlsx")
    (pasta / "NTS-2026-000004.xlsx").mkdir()
    assert replies.planilha_segura(pasta, "NTS-2026-000001.xlsx") == pasta / "NTS-2026-000001.xlsx"
    for ruim in (
        "../NTS-2026-000002.xlsx",
        "NTS-2026-000003.xlsx",  # symlink out of the folder
        "NTS-2026-000004.xlsx",  # not a file
        "NTS-2026-000009.xlsx",  # missing
        "/etc/passwd",
        "segredo-remetente",
        "NTS-2026-000001.xlsx\n",
        None,
        3,
    ):
        assert replies.planilha_segura(pasta, ruim) is None, ruim


def test_attachments_above_the_limit_are_refused_and_the_form_gets_the_reference():
    assert not anexos.grande_demais(anexos.LIMITE_ANEXO)
    assert anexos.grande_demais(anexos.LIMITE_ANEXO + 1)
    assert not anexos.grande_demais(None) and not anexos.grande_demais(0)
    assert anexos.mensagem_com_anexo("ab" * 16) == (
        "[captura de tela enviada]",
        {"anexo": "ab" * 16},
    )
