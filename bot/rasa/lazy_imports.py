"""Modules the Rasa server imports and never runs, kept out of its memory and start.

Installed by ``bot.rasa.patches.install`` before Rasa's CLI is imported. A
module registered unexecuted runs when something uses one of its names
(measured in bench/NOTAS.md):

- JAX: TensorFlow 2.12 imports it only for TFLite's JAX converter (in a
  ``try/except ImportError``), which Rasa never uses: marked absent.
- ``rasa.utils.plotting`` (matplotlib, for the plots of ``rasa test``):
  registered unexecuted.
- ``rasa.core.channels``: its ``__init__`` imports all 15 of Rasa's input
  channels and their SDKs (aiogram, socketio, webexteamssdk, slack_sdk, ...)
  for ``BUILTIN_CHANNELS``; we serve one custom channel, named by module
  path. The package is registered with the names of ``channels.channel``;
  its submodules import as usual and any other name runs the ``__init__``.
  ``BUILTIN_CHANNELS`` answers ``in`` for a module path without it (no
  built-in channel name has a dot; a test checks Rasa's). The console
  channel (questionary, for ``rasa shell``) is registered unexecuted.
- Not kept out: pymongo, imported by ``TrackerStore.create`` for the errors
  it catches, and boto3, imported by TensorBoard's file system under
  TensorFlow; a package registered unexecuted would run its submodules
  before its ``__init__``.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types
from collections.abc import Callable, Iterator, Mapping
from typing import Any

UNUSED_MODULES = ("jax",)  # imported by TensorFlow, never used by Rasa

DEFERRED_MODULES = ("rasa.utils.plotting",)  # matplotlib, for `rasa test` only

CHANNELS = "rasa.core.channels"
CHANNEL_NAMES = ("InputChannel", "OutputChannel", "UserMessage", "CollectingOutputChannel")
DEFERRED_CHANNELS = ("rasa.core.channels.console",)  # questionary, for `rasa shell` only


def _unexecuted(name: str) -> tuple[types.ModuleType, Callable[[], None]] | None:
    """Module ``name`` made from its spec but not run, and the function that runs it
    (once); None if it is already imported or not found."""
    if name in sys.modules:
        return None
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        return None
    module = importlib.util.module_from_spec(spec)
    loader = spec.loader

    def execute() -> None:
        if "__getattr__" in module.__dict__:
            del module.__dict__["__getattr__"]
            loader.exec_module(module)

    return module, execute


def _register(module: types.ModuleType, load_on_use: Callable[[str], Any]) -> None:
    """Put ``module`` in ``sys.modules`` and on its parent, ``load_on_use`` answering
    the names it does not have yet."""
    module.__getattr__ = load_on_use  # type: ignore[method-assign]
    sys.modules[module.__name__] = module
    parent, _, child = module.__name__.rpartition(".")
    setattr(sys.modules[parent], child, module)


def _defer(name: str) -> None:
    """Register module ``name`` unexecuted; its code runs at the first use of a name of it.

    ``importlib.util.LazyLoader`` would not do: Python 3.10's import statement
    reads the module's ``__spec__``, which makes a lazy module load at once.
    Here the dunder attributes are real and only a missing name runs the code.
    """
    made = _unexecuted(name)
    if made is None:
        return
    module, execute = made

    def load_on_use(attribute: str) -> Any:
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        execute()
        return getattr(module, attribute)

    _register(module, load_on_use)


class BuiltinChannels(Mapping[str, Any]):
    """Rasa's ``BUILTIN_CHANNELS``, read from the package once its ``__init__`` ran
    (``load`` runs it); ``in`` with a module path needs none of it."""

    def __init__(self, load: Callable[[], Mapping[str, Any]]) -> None:
        self._load = load

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str) and "." in key:
            return False  # a custom channel's module path: no built-in name has a dot
        return key in self._load()

    def __getitem__(self, key: str) -> Any:
        return self._load()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._load())

    def __len__(self) -> int:
        return len(self._load())


def _defer_channels() -> None:
    """Register ``rasa.core.channels`` with its ``channel`` names, ``__init__`` unexecuted."""
    made = _unexecuted(CHANNELS)
    if made is None:
        return
    package, execute = made

    def builtin_channels() -> Mapping[str, Any]:
        execute()
        return package.__dict__["BUILTIN_CHANNELS"]

    def load_on_use(attribute: str) -> Any:
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        if importlib.util.find_spec(f"{CHANNELS}.{attribute}") is not None:
            return importlib.import_module(f"{CHANNELS}.{attribute}")
        if attribute == "BUILTIN_CHANNELS":
            return BuiltinChannels(builtin_channels)
        execute()
        return getattr(package, attribute)

    _register(package, load_on_use)
    try:
        channel = importlib.import_module(f"{CHANNELS}.channel")
    except BaseException:
        del sys.modules[CHANNELS]
        raise
    for name in CHANNEL_NAMES:
        setattr(package, name, getattr(channel, name))
    for name in DEFERRED_CHANNELS:
        _defer(name)


def install() -> None:
    """Keep the modules above out (idempotent; a module already imported stays as it is)."""
    for name in UNUSED_MODULES:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]  # import -> ImportError
    for name in DEFERRED_MODULES:
        _defer(name)
    _defer_channels()
