"""What the API answers for a patient's overview: the coming dates and a page of the timeline."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ..selectors import MAX_PAGE, MAX_PAGE_SIZE, PAGE_SIZE, Kind

KINDS = [
    Kind.CASE,
    Kind.SIP,
    Kind.RISK_ANALYSIS,
    Kind.RE_REVIEW,
    Kind.COMPETENCE_TRANSFER,
    Kind.DELEGATION,
    Kind.ENROLMENT,
]


class ComingDateSerializer(serializers.Serializer[Any]):
    on = serializers.DateField()
    kind = serializers.ChoiceField(choices=KINDS, help_text=_("What the date is about."))
    what = serializers.CharField(help_text=_("The date in words, in the caller's language."))
    reference = serializers.CharField(help_text=_("The case number, the plan, the unit or the person."))
    record = serializers.UUIDField(source="record_id", help_text=_("The id of the record the date is on."))
    case = serializers.UUIDField(source="case_id", allow_null=True)
    overdue = serializers.BooleanField(help_text=_("The date has passed."))


class TimelineEntrySerializer(serializers.Serializer[Any]):
    at = serializers.DateTimeField()
    kind = serializers.ChoiceField(choices=KINDS)
    what = serializers.CharField()
    detail = serializers.CharField(allow_blank=True)
    reference = serializers.CharField(allow_blank=True)
    record = serializers.UUIDField(source="record_id")
    case = serializers.UUIDField(source="case_id", allow_null=True)
    organisation = serializers.CharField(allow_blank=True)
    person = serializers.CharField(allow_blank=True)


class PatientOverviewSerializer(serializers.Serializer[Any]):
    patient = serializers.UUIDField()
    upcoming = ComingDateSerializer(
        many=True, help_text=_("Coming dates, earliest first; passed ones are overdue.")
    )
    count = serializers.IntegerField(help_text=_("Entries in the whole timeline."))
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = TimelineEntrySerializer(many=True, help_text=_("This page of the timeline, newest first."))


class OverviewQuerySerializer(serializers.Serializer[Any]):
    page = serializers.IntegerField(required=False, min_value=1, max_value=MAX_PAGE, default=1)
    page_size = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_PAGE_SIZE, default=PAGE_SIZE
    )
