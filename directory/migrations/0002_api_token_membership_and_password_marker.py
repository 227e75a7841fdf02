"""Bearer tokens act in one membership and die with the password they were issued under.

Tokens issued before this acted in every membership of their person and carry no password marker:
they are revoked, and people ask for a new token (they live hours, not days).
"""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models.functions import Now


def revoke_live_tokens(apps, schema_editor):
    ApiToken = apps.get_model("directory", "ApiToken")
    ApiToken.objects.filter(revoked_at__isnull=True).update(revoked_at=Now())


class Migration(migrations.Migration):

    dependencies = [
        ('directory', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='apitoken',
            name='membership',
            field=models.ForeignKey(blank=True, help_text='The organisation and role the token acts in; empty for a person without any.', null=True, on_delete=django.db.models.deletion.CASCADE, related_name='api_tokens', to='directory.membership', verbose_name='membership'),
        ),
        migrations.AddField(
            model_name='apitoken',
            name='password_marker',
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.RunPython(revoke_live_tokens, migrations.RunPython.noop),
    ]
