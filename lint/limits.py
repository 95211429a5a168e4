"""Budgets for hostile input, named in one place so that every surface enforces the same ones."""

from __future__ import annotations

#: The largest document the language server and the agent tools hold and lint; an editor
#: buffer or an agent's argument is kept whole in memory and linted on every change.
LSP_MAX_DOCUMENT_BYTES = 4 * 1024 * 1024
