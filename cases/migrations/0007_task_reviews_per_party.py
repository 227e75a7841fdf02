"""Each party's answer per task (``TaskReview``), append-only like the rest of a case's history (0002)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


TABLE = "cases_taskreview"
POSTGRES_UP = f"""
CREATE TRIGGER {TABLE}_no_update_delete
    BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION cases_history_refuse_change();
"""
POSTGRES_DOWN = f"DROP TRIGGER {TABLE}_no_update_delete ON {TABLE};"
SQLITE_UP = [
    f"""CREATE TRIGGER {TABLE}_no_update BEFORE UPDATE ON {TABLE}
       BEGIN SELECT RAISE(ABORT, 'case history is append-only: UPDATE is not allowed'); END;""",
    f"""CREATE TRIGGER {TABLE}_no_delete BEFORE DELETE ON {TABLE}
       BEGIN SELECT RAISE(ABORT, 'case history is append-only: DELETE is not allowed'); END;""",
]
SQLITE_DOWN = [f"DROP TRIGGER {TABLE}_no_update;", f"DROP TRIGGER {TABLE}_no_delete;"]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_UP, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_UP:
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_DOWN, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_DOWN:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_notifications_for_every_step"),
        ("directory", "0004_api_token_membership_set_null"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="TaskReview",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("role", models.CharField(max_length=16, verbose_name="role")),
                (
                    "answer",
                    models.CharField(
                        choices=[("accepted", "Accepted"), ("disputed", "Disputed")],
                        max_length=16,
                        verbose_name="answer",
                    ),
                ),
                ("text", models.TextField(blank=True, verbose_name="position")),
                (
                    "arrangement",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("", "No arrangement"),
                            (
                                "kommun_engages_physician",
                                "The kommun engages a physician at the region's expense",
                            ),
                        ],
                        max_length=32,
                        verbose_name="arrangement",
                    ),
                ),
                ("arrangement_note", models.TextField(blank=True, verbose_name="arrangement: note")),
                ("at", models.DateTimeField(auto_now_add=True, verbose_name="time")),
                (
                    "case",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="task_reviews",
                        to="cases.responsibilitycase",
                        verbose_name="case",
                    ),
                ),
                (
                    "follows_up",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="directory.organisation",
                    ),
                ),
                (
                    "orders",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="directory.organisation",
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="directory.organisation",
                        verbose_name="party",
                    ),
                ),
                (
                    "performs",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="directory.organisation",
                    ),
                ),
                (
                    "task",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="reviews",
                        to="cases.casetask",
                        verbose_name="task",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="answered by",
                    ),
                ),
            ],
            options={
                "verbose_name": "task review",
                "verbose_name_plural": "task reviews",
                "ordering": ["case", "at", "pk"],
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
