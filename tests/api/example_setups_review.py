"""The request examples of the access-log review and of My work's kept filters (see ``example_setups``)."""

from __future__ import annotations

from audit.models import AccessLogEntry
from patients.models import Patient

from .example_setups import Prepared, Setup
from .examples_world import KOMMUN, ExampleWorld, as_user, kommun_nurse


def access_log_entries_review_create(w: ExampleWorld) -> Prepared:
    """Varberg's nurse reads one of the kommun's patients; the kommun's MAS reviews that read, naming the
    entry's time as the list gives it."""
    nurse = kommun_nurse()
    patient = (
        Patient.objects.filter(enrolments__kommun__name=KOMMUN, enrolments__ends_on__isnull=True)
        .order_by("pk")
        .first()
    )
    assert patient is not None, "the demo world has no patient enrolled in Varbergs kommun"
    assert w.call(nurse, "patients_retrieve", path_params={"id": patient.public_id}).status == 200
    entry = AccessLogEntry.objects.filter(
        user__username="nurse.varberg", organisation__name=KOMMUN, patient=patient
    ).latest("pk")
    return Prepared(
        as_user("mas.varberg"),
        path_params={"id": entry.pk},
        values={"at": entry.at.isoformat()},
    )


def me_work_filters_update(w: ExampleWorld) -> Prepared:
    """The nurse reads her filters of My work first and sends their ETag with the new ones."""
    nurse = kommun_nurse()
    answer = w.call(nurse, "me_work_filters_retrieve")
    assert answer.status == 200, answer.body
    assert answer.etag, "the read gives no ETag"
    return Prepared(nurse, headers={"If-Match": answer.etag})


REVIEW_SETUPS: dict[str, Setup] = {
    "access_log_entries_review_create": access_log_entries_review_create,
    "me_work_filters_update": me_work_filters_update,
}
