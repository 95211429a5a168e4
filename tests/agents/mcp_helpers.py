"""Drive a real `entlint mcp` subprocess synchronously through the SDK's own stdio client."""

from __future__ import annotations

import sys
from contextlib import asynccontextmanager
from typing import Any

from anyio.from_thread import BlockingPortal
from mcp.client.session import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client


@asynccontextmanager
async def connected():  # type: ignore[no-untyped-def]
    params = StdioServerParameters(command=sys.executable, args=["-m", "entitlements_lint.main", "mcp"])
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        yield session


class Server:
    """Synchronous calls into the async client session."""

    def __init__(self, portal: BlockingPortal, session: ClientSession) -> None:
        self.portal = portal
        self.session = session

    def __getattr__(self, name: str) -> Any:
        method = getattr(self.session, name)
        return lambda *args, **kwargs: self.portal.call(lambda: method(*args, **kwargs))
