from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [
    path("", views.review_page, name="review"),
    path("export.csv", views.review_export, name="review-export"),
    path("entries/<int:entry_id>/review", views.review_mark, name="review-mark"),
    path("patients/<uuid:patient_id>/extract", views.extract_create, name="extract-create"),
    path("extracts/<uuid:public_id>/", views.extract_detail, name="extract"),
    path("extracts/<uuid:public_id>/pdf", views.extract_pdf, name="extract-pdf"),
]
