"""Figures in the API: aggregates only, with groups of fewer than five patients always suppressed."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from figures.models import FiguresReport, ReportStatus
from figures.selectors import Cell, Share


def cell_data(cell: Cell) -> dict[str, Any]:
    return {"value": None if cell.suppressed else cell.value, "suppressed": cell.suppressed}


def share_data(share: Share) -> dict[str, Any]:
    return {"ratio": None if share.suppressed else share.ratio, "suppressed": share.suppressed}


class CellSerializer(serializers.Serializer[Any]):
    value = serializers.IntegerField(allow_null=True, help_text=_("Null when suppressed."))
    suppressed = serializers.BooleanField(help_text=_("True when fewer than five patients are behind it."))


class ShareSerializer(serializers.Serializer[Any]):
    ratio = serializers.FloatField(allow_null=True, help_text=_("0–1; null when suppressed or no cases."))
    suppressed = serializers.BooleanField()


class ScopeSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    kind = serializers.CharField()
    name = serializers.CharField()


class PeriodSerializer(serializers.Serializer[Any]):
    start = serializers.DateField()
    end = serializers.DateField()


class FlagCellSerializer(serializers.Serializer[Any]):
    count = CellSerializer()
    share = ShareSerializer()


class ShiftRowSerializer(serializers.Serializer[Any]):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # the field is called label
    cases = CellSerializer()
    increased_staff_time = FlagCellSerializer()
    increased_other_costs = FlagCellSerializer()
    competence_needed = FlagCellSerializer()
    patient_safety_risk = FlagCellSerializer()
    planned = FlagCellSerializer()
    unorganised = FlagCellSerializer()


AS_OF_HELP = _(
    "The moment the figures describe: the last refresh of the figures' snapshot (every 15 minutes), "
    "or now when they were counted live."
)
SNAPSHOT_HELP = _("True when read from the snapshot, false when counted live (before the first refresh).")


class ShiftTableSerializer(serializers.Serializer[Any]):
    scope = ScopeSerializer()
    period = PeriodSerializer()
    as_of = serializers.DateTimeField(help_text=AS_OF_HELP)
    snapshot = serializers.BooleanField(help_text=SNAPSHOT_HELP)
    group = serializers.CharField()
    rows = ShiftRowSerializer(many=True)
    total = ShiftRowSerializer()


class StatusCountSerializer(serializers.Serializer[Any]):
    status = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # the field is called label
    cases = CellSerializer()


class LevelSerializer(serializers.Serializer[Any]):
    level = serializers.IntegerField()
    reached = CellSerializer()
    reached_share = ShareSerializer()
    median_days = serializers.FloatField(allow_null=True)


class UnclearSerializer(serializers.Serializer[Any]):
    task_type = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # the field is called label
    unclear = CellSerializer()
    undecided = CellSerializer()


class KpisSerializer(serializers.Serializer[Any]):
    scope = ScopeSerializer()
    period = PeriodSerializer()
    as_of = serializers.DateTimeField(help_text=AS_OF_HELP)
    snapshot = serializers.BooleanField(help_text=SNAPSHOT_HELP)
    submitted = CellSerializer()
    open_by_status = StatusCountSerializer(many=True)
    agreed = CellSerializer()
    lead_time_median_days = serializers.FloatField(allow_null=True)
    lead_time_p90_days = serializers.FloatField(allow_null=True)
    disputed = CellSerializer()
    disputed_share = ShareSerializer()
    escalation_levels = LevelSerializer(many=True)
    unclear_tasks = UnclearSerializer(many=True)
    overdue_reviews = CellSerializer()
    overdue_approvals = CellSerializer()
    sips_past_follow_up = CellSerializer(allow_null=True)
    discharge_cases = CellSerializer()
    readmitted_within_30_days = CellSerializer()
    readmitted_share = ShareSerializer()


class ReportRequestSerializer(serializers.Serializer[Any]):
    scope = serializers.UUIDField(required=False, allow_null=True)
    start = serializers.DateField(required=False, allow_null=True)
    end = serializers.DateField(required=False, allow_null=True)
    language = serializers.ChoiceField(choices=settings.LANGUAGES, default="sv")


class ReportSerializer(serializers.ModelSerializer[FiguresReport]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    scope = serializers.UUIDField(source="scope_organisation.public_id", read_only=True)
    status = serializers.ChoiceField(choices=ReportStatus.choices, read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = FiguresReport
        fields = ["id", "scope", "period_start", "period_end", "language", "as_of", "status", "download_url"]

    def get_download_url(self, report: FiguresReport) -> str | None:
        if report.status != ReportStatus.READY:
            return None
        return reverse("figures:report-pdf", kwargs={"public_id": report.public_id})
