"""Model building blocks shared by every app."""

import uuid
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class PublicIdModel(models.Model):
    """A model reached from outside by a random UUID; integer ids never leave the database."""

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        abstract = True


class TimestampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


@models.Field.register_lookup
class IdIn(models.Lookup):  # type: ignore[type-arg]
    """``field__id_in=[...]``: the column is one of ids computed beforehand, once per request.

    On PostgreSQL the ids are one array (``= ANY(ARRAY[…])``) rather than a parameter each, so a
    list of thousands stays one parameter, and the planner sees constants: a set computed by a subquery
    would be rebuilt for every partition a query scans (audit/README.md, "The review per care
    provider"). Elsewhere an ``IN`` list. An empty list matches nothing.
    """

    lookup_name = "id_in"
    prepare_rhs = False

    def get_prep_lookup(self) -> list[int]:
        return [int(value) for value in self.rhs]

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        from django.core.exceptions import EmptyResultSet

        lhs, lhs_params = self.process_lhs(compiler, connection)
        ids = sorted(set(self.rhs))
        if not ids:
            raise EmptyResultSet
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s::bigint[])", [*lhs_params, ids]
        return f"{lhs} IN ({', '.join(['%s'] * len(ids))})", [*lhs_params, *ids]


# A foreign key's lookups are its own set (``ForeignObject``), not a plain field's.
models.ForeignObject.register_lookup(IdIn)
