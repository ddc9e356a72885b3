"""bot.rasa.lazy_imports: what the Rasa server never runs stays out; all of it is
still there, unchanged, when something uses it. Each check runs in a new process,
installed first as in the server (bot.ops.processos)."""

import json
import subprocess
import sys

from conftest import ROOT

from bot.rasa.lazy_imports import BuiltinChannels

SDKS = ["aiogram", "socketio", "engineio", "webexteamssdk", "slack_sdk", "questionary"]

INSTALL = "import json, sys\nfrom bot.rasa import patches\npatches.install()\n"


def _json_of(codigo: str) -> object:
    """What ``codigo`` prints as JSON on its last line, run by a new process."""
    saida = subprocess.run(
        [sys.executable, "-c", codigo], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return json.loads(saida.stdout.strip().splitlines()[-1])


def test_the_server_starts_its_channel_without_rasas_channel_sdks():
    codigo = INSTALL + (
        "import rasa.__main__, rasa.core.run, rasa.server\n"
        "from rasa.core import channels\n"
        "from rasa.core.channels import UserMessage, channel\n"
        "c = rasa.core.run._create_single_channel('bot.rasa.rest.ReliableRestInput', None)\n"
        f"print(json.dumps({{'carregados': [m for m in {SDKS!r} if m in sys.modules],\n"
        "  'canal': type(c).__module__ + '.' + type(c).__name__,\n"
        "  'mesmo': UserMessage is channel.UserMessage is channels.UserMessage,\n"
        "  'console': 'questionary' in sys.modules}))\n"
    )
    assert _json_of(codigo) == {
        "carregados": [],
        "canal": "bot.rasa.rest.ReliableRestInput",
        "mesmo": True,
        "console": False,
    }


CANAIS = (
    "from rasa.core.channels import BUILTIN_CHANNELS, input_channel_classes, SlackInput\n"
    "import rasa.core.run\n"
    "rest = rasa.core.run._create_single_channel('rest', None)\n"
    "from rasa.core.channels import console\n"
    "print(json.dumps({'builtin': {k: v.__module__ + '.' + v.__name__\n"
    "                              for k, v in BUILTIN_CHANNELS.items()},\n"
    "  'classes': [c.__name__ for c in input_channel_classes],\n"
    "  'slack': SlackInput.name(), 'rest': type(rest).__name__,\n"
    "  'console': console.CmdlineInput.name(), 'record': callable(console.record_messages),\n"
    "  'carregados': sorted(m for m in " + repr(SDKS) + " if m in sys.modules)}))\n"
)


def test_rasas_channels_are_all_there_when_asked_for_as_without_it():
    """Every name of rasa.core.channels gives what Rasa's own package gives."""
    com = _json_of(INSTALL + "import rasa.__main__, rasa.core.run\n" + CANAIS)
    sem = _json_of("import json, sys\n" + CANAIS)
    assert com == sem
    assert com["carregados"] == sorted(SDKS)  # the SDKs were imported at last
    assert len(com["builtin"]) == 15 and com["rest"] == "RestInput"
    # what BuiltinChannels relies on: no built-in channel name has a dot
    assert not [nome for nome in sem["builtin"] if "." in nome]


def test_builtin_channels_loads_rasas_only_for_a_built_in_name():
    cargas: list[int] = []

    def carregar():
        cargas.append(1)
        return {"rest": "RestInput", "slack": "SlackInput"}

    canais = BuiltinChannels(carregar)
    assert "bot.rasa.rest.ReliableRestInput" not in canais and cargas == []
    assert "rest" in canais and "telegram" not in canais and len(cargas) == 2
    assert canais["slack"] == "SlackInput" and sorted(canais) == ["rest", "slack"]
    assert len(canais) == 2


def test_installed_after_rasas_channels_it_leaves_them_as_they_are():
    codigo = (
        "import json, sys\n"
        "import rasa.core.channels as antes\n"
        "from bot.rasa import patches\n"
        "patches.install()\n"
        "import rasa.core.channels as depois\n"
        "print(json.dumps([antes is depois, type(depois.BUILTIN_CHANNELS).__name__]))\n"
    )
    assert _json_of(codigo) == [True, "dict"]
