"""Two finalisations of the same draft at once, on separate database connections: exactly one wins."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from hemsjukvard.errors import StaleVersionError, StateConflictError
from sip import services
from sip.models import Sip, SipEvent, SipVersion, VersionStatus
from tests.fixtures.sip import fill


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_finalisations_exactly_one_wins(transactional_db, world, sip_from_case, nurse):
    fill(sip_from_case, nurse, world)
    sip = Sip.objects.get(pk=sip_from_case.pk)
    revision = sip.revision
    barrier = threading.Barrier(2)
    results: list[object] = []

    def finalise() -> None:
        try:
            barrier.wait()
            results.append(services.sip_finalise(actor=nurse, sip=sip, expected_revision=revision))
        except (StaleVersionError, StateConflictError) as exc:
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=finalise) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    winners = [r for r in results if isinstance(r, SipVersion)]
    losers = [r for r in results if isinstance(r, StaleVersionError | StateConflictError)]
    assert len(winners) == 1, results
    assert len(losers) == 1, results
    assert SipVersion.objects.filter(sip=sip, status=VersionStatus.FINALISED).count() == 1
    assert SipEvent.objects.filter(sip=sip, kind="finalised").count() == 1
