from django.urls import path

from . import inbox, views

urlpatterns = [
    path("", views.home, name="home"),
    path("my-work/filters/", views.work_filters, name="work-filters"),
    path("inbox/", inbox.inbox, name="inbox"),
    path("inbox/read-all/", inbox.inbox_read_all, name="inbox-read-all"),
    path("inbox/email/", inbox.inbox_email, name="inbox-email"),
    path("inbox/<uuid:public_id>/read/", inbox.inbox_read, name="inbox-read"),
]
