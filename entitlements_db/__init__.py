"""A curated, sourced knowledge base of Apple entitlements.

    >>> import entitlements_db
    >>> db = entitlements_db.load()
    >>> db.get("aps-environment").value.allowed
    ['development', 'production']
    >>> db.suggest("com.apple.developer.push-notifications", "macOS")[0].key
    'com.apple.developer.aps-environment'
"""

from __future__ import annotations

from entitlements_db.database import (
    DISTRIBUTIONS,
    PLATFORMS,
    Database,
    Entitlement,
    NonExistentKey,
    load,
)

__all__ = ["DISTRIBUTIONS", "PLATFORMS", "Database", "Entitlement", "NonExistentKey", "load"]
