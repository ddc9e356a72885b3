"""Telegram adapter (python-telegram-bot 22).

``app`` (entry point, configuration, wiring), ``handlers`` (one per kind of
update), ``rendering`` (Rasa's replies as messages), ``state`` (what the
handlers share), ``redaction`` (the log without the token or secret).
"""
