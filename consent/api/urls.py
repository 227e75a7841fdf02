"""The legal-basis operations on a case (mounted under /api/v1/)."""

from django.urls import URLPattern, URLResolver, path

from . import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("cases/<uuid:id>/legal-basis", views.legal_basis, name="case-legal-basis"),
    path(
        "cases/<uuid:id>/legal-basis/withdraw", views.legal_basis_withdraw, name="case-legal-basis-withdraw"
    ),
    path("cases/<uuid:id>/objections", views.objections, name="case-objections"),
    path(
        "cases/<uuid:id>/objections/<str:objection_id>/lift",
        views.objection_lift,
        name="case-objection-lift",
    ),
    path("cases/<uuid:id>/blocks", views.blocks, name="case-blocks"),
    path("cases/<uuid:id>/blocks/<str:block_id>/lift", views.block_lift, name="case-block-lift"),
]
