"""Channels: the Telegram adapter and the web chat gateway, and what they share.

Shared: ``identidade`` (sender ids, signed download links), ``rasa_client``
(Rasa's REST channel), ``replies`` (buttons and spreadsheets of Rasa's
replies), ``anexos`` (the screenshot limit and how a screenshot reaches the form).
"""
