"""The handoff walks' fixtures live with the schema-only client in ``contract``."""

from .contract import integration, journal, schema

__all__ = ["integration", "journal", "schema"]
