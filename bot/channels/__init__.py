"""Channels: Telegram adapter, web widget gateway, and what they share."""
