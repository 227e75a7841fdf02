"""The handoff walks' fixtures live with the schema-only client in ``contract``."""

from .contract import integration, journal, more_rules, schema

__all__ = ["integration", "journal", "more_rules", "schema"]
