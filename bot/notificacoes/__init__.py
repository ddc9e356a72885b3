"""Notifications to requesters and to the NTS, through a durable outbox.

- ``tabelas``: the outbox and the requesters' addressing, in the request
  store's database (own schema version, ``notification_schema``).
- ``fila``: enqueue in the caller's transaction (``instalar`` hooks the store),
  claim, finish, retry with backoff, "reenviar" for the panel.
- ``assinaturas``: per-request addressing (e-mail, Telegram chat encrypted at
  rest, web sender), "parar avisos" and its signed link, the web widget's
  pending notices, the retention purge.
- ``textos``: the messages (``bot/content/notificacoes.yml``).
- ``envio``: SMTP (smtplib) and Telegram Bot API (httpx) senders.
- ``worker``: the delivery process (``python -m bot.ops.processos notificacoes``).

Framework-free: no Rasa, Telegram library or web server here.
"""
