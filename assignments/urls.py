"""Hand-over of a case (on the case page) and the coordinator's teams page."""

from django.urls import path

from . import views

app_name = "assignments"

urlpatterns = [
    path("cases/<uuid:public_id>/handler/", views.hand_over, name="hand-over"),
    path("cases/<uuid:public_id>/handler/release/", views.release, name="release"),
    path("teams/", views.teams, name="teams"),
    path("teams/new/", views.team_create, name="team-create"),
    path("teams/<uuid:public_id>/", views.team_update, name="team-update"),
]
