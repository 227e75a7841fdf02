from django.urls import path

from . import views

app_name = "consent"

urlpatterns = [
    path("<uuid:public_id>/sharing/", views.sharing, name="sharing"),
    path("<uuid:public_id>/sharing/basis/", views.basis_record, name="basis"),
    path("<uuid:public_id>/sharing/withdraw/", views.basis_withdraw, name="withdraw"),
    path("<uuid:public_id>/sharing/objections/", views.objection_record, name="objection"),
    path(
        "<uuid:public_id>/sharing/objections/<uuid:objection_id>/lift/",
        views.objection_lift,
        name="objection-lift",
    ),
    path("<uuid:public_id>/sharing/blocks/", views.block_set, name="block"),
    path("<uuid:public_id>/sharing/blocks/<uuid:block_id>/lift/", views.block_lift, name="block-lift"),
]
