"""One real `entlint mcp` subprocess per test module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

pytest.importorskip("mcp", reason="install the test extras (pip install -e '.[test]'), which include the MCP SDK")

from anyio.from_thread import start_blocking_portal  # noqa: E402
from mcp_helpers import Server, connected  # noqa: E402


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with start_blocking_portal() as portal, portal.wrap_async_context_manager(connected()) as session:
        yield Server(portal, session)
