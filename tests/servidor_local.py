"""A real aiohttp HTTP server on 127.0.0.1 for the length of one coroutine."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any


async def servir(
    caminho: str,
    handler: Callable[..., Awaitable[Any]],
    coro_factory: Callable[[str], Awaitable[Any]],
) -> Any:
    """Serve ``handler`` at ``caminho`` (a free port) while ``coro_factory(url)`` runs."""
    from aiohttp import web

    app = web.Application()
    app.router.add_post(caminho, handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    try:
        return await coro_factory(f"http://127.0.0.1:{port}{caminho}")
    finally:
        await runner.cleanup()
