"""SEI's own web service (SeiWS): file the request's process, follow it, read
SEI's unit and cargo lists, answer "where is process X".

Framework-free (no Rasa, Telegram or web server). Everything is off unless
``SEI_WS_URL``, ``SEI_WS_SIGLA_SISTEMA`` and ``SEI_WS_CHAVE`` are set
(``config.ConfigSei.de_settings`` is then None and the manual flow stays).
"""
