"""Two web instances behind nginx, through PgBouncer's transaction pooling, with two Celery workers.

A mixed load through the proxy: people sign in on one instance and read pages on the other; API clients
create cases with an ``Idempotency-Key`` and repeat them on both instances, also at the same moment;
every case is submitted, which hands e-mail to the workers through the outbox; and the token endpoint's
rate limit is counted across instances. Nothing errs, each create happens once, each e-mail is sent
once, and both instances served.
"""

from __future__ import annotations

import re
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests
from django.contrib.auth import get_user_model
from django.db.models import F, Value
from django.db.models.functions import Concat

from cases.models import Notification, ResponsibilityCase
from directory.authentication import token_issue
from hemsjukvard.models import IdempotencyRecord, OutboxMessage
from tests.fixtures.agreements import PD
from tests.fixtures.world import PASSWORD

from .conftest import Region

pytestmark = [pytest.mark.scaleout, pytest.mark.django_db(transaction=True)]

TIMEOUT = 30


def _sign_in_and_read(region: Region, username: str, errors: list[str]) -> int:
    """The login form from one instance, the sign-in on the other, then pages through the proxy."""
    browser = requests.Session()
    first, second = region.webs
    form = browser.get(f"{first}/accounts/login/", timeout=TIMEOUT)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
    if form.status_code != 200 or token is None:
        errors.append(f"login form {form.status_code}")
        return 1
    signed_in = browser.post(
        f"{second}/accounts/login/",
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)},
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    if signed_in.status_code != 302 or "/accounts/login" in signed_in.headers.get("Location", ""):
        errors.append(f"sign-in {signed_in.status_code} {signed_in.headers.get('Location')}")
        return 2
    requests_made = 2
    for _ in range(2):
        for path in ("/", "/patients/", "/inbox/", "/figures/"):
            page = browser.get(f"{region.proxy}{path}", allow_redirects=False, timeout=TIMEOUT)
            requests_made += 1
            if page.status_code != 200:
                errors.append(f"{username} {path} {page.status_code}")
    return requests_made


def _create_and_submit(
    region: Region, token: str, body: dict[str, Any], key: str, errors: list[str], created: list[str]
) -> int:
    """Create through the proxy, repeat on both instances at once, then submit through the proxy."""
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": key}
    first = requests.post(f"{region.proxy}/api/v1/cases", json=body, headers=headers, timeout=TIMEOUT)
    if first.status_code != 201:
        errors.append(f"create {first.status_code} {first.text[:300]}")
        return 1
    case_id = first.json()["id"]
    created.append(case_id)
    with ThreadPoolExecutor(2) as pool:
        replays = list(
            pool.map(
                lambda url: requests.post(f"{url}/api/v1/cases", json=body, headers=headers, timeout=TIMEOUT),
                region.webs,
            )
        )
    for replay in replays:
        if replay.status_code != 201 or replay.json().get("id") != case_id:
            errors.append(f"replay {replay.status_code} {replay.text[:200]}")
        elif replay.headers.get("Idempotent-Replayed") != "true":
            errors.append("a replay was not marked as one")
    submitted = requests.post(
        f"{region.proxy}/api/v1/cases/{case_id}/submit",
        headers={"Authorization": f"Bearer {token}", "If-Match": first.headers["ETag"]},
        timeout=TIMEOUT,
    )
    if submitted.status_code != 200:
        errors.append(f"submit {submitted.status_code} {submitted.text[:300]}")
    return 4


def _same_key_at_once(region: Region, token: str, body: dict[str, Any], key: str, errors: list[str]) -> int:
    """Three requests with one key at the same moment, one to each instance and one through the proxy."""
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": key}
    barrier = threading.Barrier(3)

    def send(url: str) -> requests.Response:
        barrier.wait(timeout=TIMEOUT)
        return requests.post(f"{url}/api/v1/cases", json=body, headers=headers, timeout=TIMEOUT)

    with ThreadPoolExecutor(3) as pool:
        answers = list(pool.map(send, [region.proxy, *region.webs]))
    if [a.status_code for a in answers] != [201, 201, 201]:
        errors.append(f"same key at once: {[(a.status_code, a.text[:200]) for a in answers]}")
    elif len({a.json()["id"] for a in answers}) != 1:
        errors.append("same key at once made several cases")
    elif sum(a.headers.get("Idempotent-Replayed") != "true" for a in answers) != 1:
        errors.append("same key at once: not exactly one first answer")
    return 3


def _wait_for(check: Any, *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.25)


def test_a_mixed_load_through_the_proxy_errs_nowhere_and_does_everything_once(
    region: Region, world: Any, halland: Any
) -> None:
    get_user_model().objects.update(email=Concat(F("username"), Value("@example.se")))
    nurse = world.users["nurse_a"]
    api_token = token_issue(user=nurse)[0]
    bodies = [
        {
            "patient": str(world.patient(given_name=f"Patient{n}").public_id),
            "trigger": "discharge",
            "urgency": "urgent",
            "specialist_clinic": str(world.orgs["clinic"].public_id),
            "background": "Utskrivningsklar från njurmedicin med PD i hemmet.",
            "tasks": [PD],
        }
        for n in range(8)
    ]
    errors: list[str] = []
    created: list[str] = []
    people = ["nurse.a", "gp.a", "mas.a", "nurse.b", "gp.b", "rehab.a"]
    started = time.monotonic()
    with ThreadPoolExecutor(8) as pool:
        jobs = [pool.submit(_sign_in_and_read, region, username, errors) for username in people]
        jobs += [
            pool.submit(_create_and_submit, region, api_token, body, f"create-{n}", errors, created)
            for n, body in enumerate(bodies[:6])
        ]
        jobs += [
            pool.submit(_same_key_at_once, region, api_token, body, f"at-once-{n}", errors)
            for n, body in enumerate(bodies[6:])
        ]
        requests_made = sum(job.result(timeout=300) for job in jobs)
    elapsed = time.monotonic() - started
    print(f"{requests_made} requests in {elapsed:.1f} s through the proxy and the instances")
    assert errors == [], errors

    # Each idempotent create happened once.
    assert ResponsibilityCase.objects.count() == len(bodies)
    assert IdempotencyRecord.objects.count() == len(bodies)
    assert len(set(created)) == 6

    # The rate limit is the region's: five tokens per minute from one address, whichever instance asks.
    answers = [
        requests.post(
            f"{region.webs[n % 2]}/api/v1/auth/token",
            json={"username": "mar.a", "password": PASSWORD},
            headers={"X-Forwarded-For": "192.0.2.7"},
            timeout=TIMEOUT,
        ).status_code
        for n in range(7)
    ]
    assert answers == [200] * 5 + [429] * 2, answers

    # Both instances served through the proxy.
    upstreams = Counter(
        match.group(1)
        for line in region.stack.proxy_access_log()
        if (match := re.search(r"upstream=(\S+)", line))
    )
    assert set(upstreams) == {url.removeprefix("http://") for url in region.webs}, upstreams
    statuses = Counter(
        match.group(1)
        for line in region.stack.proxy_access_log()
        if (match := re.search(r'" (\d{3}) ', line))
    )
    assert statuses, "the proxy logged its answers"
    assert not any(status.startswith("5") for status in statuses), statuses

    # Every outbox message was published and every e-mail sent, each once.
    _wait_for(
        lambda: not OutboxMessage.objects.filter(sent_at__isnull=True).exists(),
        timeout=60,
        what="the outbox to be published",
    )
    to_mail = Notification.objects.filter(user__email__gt="").exclude(user_id=nurse.pk)
    assert to_mail.exists(), "submitting told someone"
    _wait_for(
        lambda: not to_mail.filter(emailed_at__isnull=True).exists(),
        timeout=60,
        what="the workers to send the e-mail",
    )
    time.sleep(1)  # a duplicate delivery would land now
    mails = region.mails()
    assert len(mails) == to_mail.count(), f"{len(mails)} mails for {to_mail.count()} notifications"
    recipients = Counter(re.search(r"^To: (.+)$", m, re.MULTILINE).group(1) for m in mails)
    expected = Counter(to_mail.values_list("user__email", flat=True))
    assert recipients == expected
    for handle in region.stack.processes:
        assert "Traceback" not in handle.output(), f"{handle.name}:\n{handle.output()}"
