"""Every mutable resource: an ETag on GET; writes without If-Match are 428, with ``*`` 428 (it would
act on whatever state it finds), with a stale one 412."""

from __future__ import annotations

import pytest

from agreements.models import AgreementVersion
from patients.models import Enrolment

pytestmark = pytest.mark.django_db

STALE = '"0000000000000000"'


def _case(world, case_in, sip_from_case):
    return f"/api/v1/cases/{case_in().public_id}", "patch", {"background": "Ny bakgrund."}


def _case_action(world, case_in, sip_from_case):
    return f"/api/v1/cases/{case_in().public_id}", "post:/submit", {}


def _patient(world, case_in, sip_from_case):
    return f"/api/v1/patients/{world.patient().public_id}", "patch", {"city": "Varberg"}


def _enrolment(world, case_in, sip_from_case):
    enrolment = Enrolment.objects.get(patient=world.patient())
    return f"/api/v1/enrolments/{enrolment.public_id}", "post:/end", {"ends_on": "2030-01-01", "reason": "x"}


def _sip(world, case_in, sip_from_case):
    return f"/api/v1/sips/{sip_from_case.public_id}", "patch:/draft", {"own_goals": "Klara PD själv."}


def _sip_finalise(world, case_in, sip_from_case):
    return f"/api/v1/sips/{sip_from_case.public_id}", "post:/finalise", {}


def _agreement_version(world, case_in, sip_from_case):
    version = AgreementVersion.objects.get(agreement__code="halland-test")
    return f"/api/v1/agreement-versions/{version.public_id}", "patch", {"title": "Ny titel"}


def _agreement_rule(world, case_in, sip_from_case):
    rule = AgreementVersion.objects.get(agreement__code="halland-test").rules.first()
    return f"/api/v1/responsibility-rules/{rule.public_id}", "patch", {"conditions": {"note": "x"}}


@pytest.mark.parametrize(
    "resource",
    [_case, _case_action, _patient, _enrolment, _sip, _sip_finalise, _agreement_version, _agreement_rule],
    ids=lambda f: f.__name__,
)
def test_etag_and_if_match(world, halland, case_in, sip_from_case, api, resource):
    url, how, body = resource(world, case_in, sip_from_case)
    method, _sep, suffix = how.partition(":")
    client = api(world.users["nurse_a"])
    read = client.get(url)
    assert read.status_code == 200, read.content
    assert read["ETag"].startswith('"')
    write = getattr(client, method)
    missing = write(url + suffix, body, format="json")
    assert missing.status_code == 428, missing.content
    assert missing.json()["error"]["code"] == "precondition_required"
    wildcard = write(url + suffix, body, format="json", HTTP_IF_MATCH="*")
    assert wildcard.status_code == 428, wildcard.content
    assert wildcard.json()["error"]["code"] == "if_match_wildcard"
    assert client.get(url)["ETag"] == read["ETag"]
    stale = write(url + suffix, body, format="json", HTTP_IF_MATCH=STALE)
    assert stale.status_code == 412
    assert stale.json()["error"]["code"] == "precondition_failed"
    fresh = write(url + suffix, body, format="json", HTTP_IF_MATCH=read["ETag"])
    assert fresh.status_code not in (412, 428), fresh.content
    if fresh.status_code == 200:
        assert fresh["ETag"] != read["ETag"]
