"""Web chat: the gateway the widget talks to, and the widget itself."""
