import os
import stat

from bot.arquivos import carregar_segredo
from bot.channels.identidade import Links, remetente


def test_secret_created_once_private_and_reused(tmp_path):
    caminho = tmp_path / "var" / "segredo"
    primeiro = carregar_segredo(caminho)
    assert len(primeiro) == 32 and carregar_segredo(caminho) == primeiro
    assert stat.S_IMODE(os.stat(caminho).st_mode) == 0o600


def test_sender_is_stable_and_hides_the_chat_id():
    s = b"k" * 32
    a = remetente("telegram", "123456789", s)
    assert a == remetente("telegram", "123456789", s) and "123456789" not in a
    assert (
        a != remetente("telegram", "123456780", s) != remetente("telegram", "123456789", b"x" * 32)
    )


def test_links_are_bound_signed_and_expire():
    links = Links(b"s" * 32, validade_s=60)
    token = links.emitir("NTS-2026-000001.xlsx", "web-abc", agora=1000)
    assert links.verificar(token, "web-abc", agora=1030) == "NTS-2026-000001.xlsx"
    assert links.verificar(token, "web-outra", agora=1030) is None  # other conversation
    assert links.verificar(token, "web-abc", agora=1061) is None  # expired
    adulterado = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    assert links.verificar(adulterado, "web-abc", agora=1030) is None  # forged
    assert Links(b"t" * 32, 60).verificar(token, "web-abc", agora=1030) is None
    assert links.verificar("lixo", "web-abc") is None
    assert links.verificar(token, "web-abc", agora=1060) == "NTS-2026-000001.xlsx"  # 60 s: ok
    assert links.verificar(token, "web-abc", agora=990) is None  # from the future
    # another file's payload, or another instant, under this token's signature
    outro = links.emitir("NTS-2026-000002.xlsx", "web-abc", agora=1000)
    carga, instante, assinatura = token.split(".")
    for montado in (
        ".".join([outro.split(".")[0], instante, assinatura]),
        ".".join([carga, links.emitir("x", "web-abc", agora=2000).split(".")[1], assinatura]),
    ):
        assert links.verificar(montado, "web-abc", agora=1030) is None, montado
