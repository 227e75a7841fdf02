"""The product's URLs plus the baseline endpoint the case list is measured against (bench only)."""

from typing import cast

from django.urls import URLPattern, URLResolver, include, path
from rest_framework.routers import SimpleRouter

from bench.baseline import PlainCaseViewSet
from hemsjukvard.urls import handler404, handler500
from hemsjukvard.urls import urlpatterns as product_urlpatterns

router = SimpleRouter(trailing_slash=False, use_regex_path=False)
router.register("plain-cases", PlainCaseViewSet, basename="plain-case")

urlpatterns: list[URLPattern | URLResolver] = [
    path("bench/v1/", include(router.urls)),
    *cast(list[URLPattern | URLResolver], product_urlpatterns),
]

__all__ = ["handler404", "handler500", "urlpatterns"]
