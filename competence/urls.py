"""The registers' pages (mounted under /competence/)."""

from django.urls import path

from . import views

app_name = "competence"

urlpatterns = [
    path("", views.register, name="register"),
    path("trainings/new/", views.transfer_new, name="transfer-new"),
    path("trainings/<uuid:public_id>/revoke/", views.transfer_revoke, name="transfer-revoke"),
    path("delegations/new/", views.delegation_new, name="delegation-new"),
    path("delegations/<uuid:public_id>/revoke/", views.delegation_revoke, name="delegation-revoke"),
    path("delegations/<uuid:public_id>/link/", views.delegation_link, name="delegation-link"),
]
