"""The NTS panel: the web back office where the analysts work the requests.

Flask app (``app``) served by waitress (``servidor``), reading and writing
only the request store; framework-free services for users (``usuarios``).
Never imports Rasa, rasa-sdk, Telegram, aiohttp or Sanic.
"""
