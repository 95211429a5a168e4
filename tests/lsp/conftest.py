"""End-to-end tests start the real server (`python -m entitlements_lint.main lsp`) with pytest-lsp.

pytest-lsp 1.0 builds its client fixtures on pytest-asyncio, which runs in its default
*strict* mode here: each test module marks its tests with
``pytest.mark.asyncio(loop_scope="module")`` so that they share the loop of the
module-scoped client, and one server process serves a whole module (≈1 s to start).
"""

from __future__ import annotations

import pytest_lsp
from lsp_helpers import FIXTURES, SERVER_COMMAND
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities


@pytest_lsp.fixture(scope="module", config=ClientServerConfig(server_command=SERVER_COMMAND))
async def client(lsp_client: LanguageClient):
    """A client that says it is VS Code 1.65 (UTF-16 positions, versioned workspace edits)."""
    params = types.InitializeParams(
        capabilities=client_capabilities("visual-studio-code"),
        root_uri=FIXTURES.as_uri(),
    )
    await lsp_client.initialize_session(params)
    yield
    await lsp_client.shutdown_session()
