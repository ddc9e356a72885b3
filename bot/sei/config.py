"""SEI web service settings, taken from ``bot.settings.Settings``.

``ConfigSei.de_settings`` returns None unless the WSDL address, the system's
sigla and the access key are all set: without them the assistant keeps the
manual flow. The key never appears in ``repr`` (nor anywhere else).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.settings import Settings

# what filing a process needs beyond the connection, by variable name
_PARA_ARQUIVAR = {
    "SEI_WS_ID_UNIDADE_NTS": "id_unidade_nts",
    "SEI_WS_ID_TIPO_PROCEDIMENTO": "id_tipo_procedimento",
    "SEI_WS_ID_SERIE": "id_serie",
    "SEI_WS_ID_HIPOTESE_LEGAL": "id_hipotese_legal",
}


@dataclass(frozen=True)
class ConfigSei:
    """Where SEI is and how the assistant identifies itself to it."""

    url: str
    sigla: str
    chave: str = field(repr=False)
    id_unidade_nts: str = ""
    id_tipo_procedimento: str = ""
    id_serie: str = ""
    id_hipotese_legal: str = ""
    timeout_s: float = 30.0
    connect_timeout_s: float = 5.0

    @classmethod
    def de_settings(cls, settings: Settings) -> ConfigSei | None:
        """The configuration, or None when the service is not configured."""
        if not (settings.sei_ws_url and settings.sei_ws_sigla_sistema and settings.sei_ws_chave):
            return None
        return cls(
            url=settings.sei_ws_url.strip(),
            sigla=settings.sei_ws_sigla_sistema.strip(),
            chave=settings.sei_ws_chave.strip(),
            id_unidade_nts=(settings.sei_ws_id_unidade_nts or "").strip(),
            id_tipo_procedimento=(settings.sei_ws_id_tipo_procedimento or "").strip(),
            id_serie=(settings.sei_ws_id_serie or "").strip(),
            id_hipotese_legal=(settings.sei_ws_id_hipotese_legal or "").strip(),
            timeout_s=settings.sei_ws_timeout_s,
            connect_timeout_s=settings.sei_ws_connect_timeout_s,
        )

    def faltando_para_arquivar(self) -> list[str]:
        """Variables still unset that filing a process needs."""
        return [nome for nome, campo in _PARA_ARQUIVAR.items() if not getattr(self, campo)]
