"""Fixtures for the agreements tests: the shipped demo agreements, imported into Region Halland's directory.

The directory (``region_halland``, in ``tests/fixtures/world.py``) names organisations as the demo
agreement (``agreements/data/region_halland.yaml``) names them, so the real file is what the tests
import. A second region ("Region Skåne") exists so that tests can act as another region's administrator.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.utils import translation

from agreements.importer import agreement_import
from agreements.models import AgreementVersion
from tests.fixtures.world import World

DATA = Path(__file__).resolve().parents[2] / "agreements" / "data"
REGIONAL_FILE = DATA / "region_halland.yaml"
LOCAL_FILE = DATA / "varberg_centrum_lokal.yaml"


@pytest.fixture(autouse=True)
def in_english() -> Iterator[None]:
    """Messages are asserted in English (the msgids); Swedish is the product's default language."""
    with translation.override("en"):
        yield


@pytest.fixture
def demo_version(region_halland: World) -> AgreementVersion:
    """The shipped demo agreement, imported and in force."""
    return agreement_import(text=REGIONAL_FILE.read_text(encoding="utf-8"), source_name=REGIONAL_FILE.name)


@pytest.fixture
def local_version(demo_version: AgreementVersion) -> AgreementVersion:
    """The shipped local agreement Varberg – Vårdcentralen Centrum Varberg, in force from 2025-03-01."""
    return agreement_import(text=LOCAL_FILE.read_text(encoding="utf-8"), source_name=LOCAL_FILE.name)
