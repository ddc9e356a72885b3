"""Web chat: the gateway the widget talks to, and the widget itself (``static/``).

``app`` (entry point, routes, the demo page), ``handlers`` (the JSON API),
``middleware`` (errors, security headers, the log), ``rendering`` (Rasa's
replies for the widget), ``state`` (configuration, retries, app keys).
"""
