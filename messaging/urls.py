"""Message pages (mounted under /messages/)."""

from django.urls import path

from . import views

app_name = "messaging"

urlpatterns = [
    path("cases/<uuid:public_id>/new/", views.message_send, name="send"),
    path("<uuid:public_id>/reply/", views.message_reply, name="reply"),
    path("<uuid:public_id>/close/", views.message_close, name="close"),
]
