"""The case tests' fixtures (a Halland-like agreement and cases in any status), for the query guards."""

from tests.cases.conftest import case_in, halland  # noqa: F401 (fixtures)
