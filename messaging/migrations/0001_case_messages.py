# Messages on a case to one party, with a reply-by date, and their threads.

import django.db.models.deletion
import uuid
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('cases', '0012_merge_case_numbers_and_register_notifications'),
        ('directory', '0004_api_token_membership_set_null'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='CaseMessage',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('public_id', models.UUIDField(default=uuid.uuid4, editable=False, unique=True, verbose_name='public id')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                ('sender_role', models.CharField(max_length=16, verbose_name='role')),
                ('api_client', models.CharField(blank=True, max_length=200, verbose_name='via API client')),
                ('body', models.TextField(max_length=4000, verbose_name='message')),
                ('reply_by', models.DateField(blank=True, null=True, verbose_name='answer by')),
                ('status', models.CharField(choices=[('open', 'Waiting for an answer'), ('answered', 'Answered'), ('closed', 'Closed')], default='open', max_length=16, verbose_name='status')),
                ('answered_at', models.DateTimeField(blank=True, null=True, verbose_name='answered at')),
                ('closed_at', models.DateTimeField(blank=True, null=True, verbose_name='closed at')),
                ('reminded_at', models.DateTimeField(blank=True, null=True, verbose_name='reminded at')),
                ('version', models.PositiveIntegerField(default=1, verbose_name='version')),
                ('addressed_organisation', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='directory.organisation', verbose_name='to')),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='messages', to='cases.responsibilitycase', verbose_name='case')),
                ('closed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='closed by')),
                ('sender', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='sent by')),
                ('sender_organisation', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='directory.organisation', verbose_name='from')),
                ('task', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='cases.casetask', verbose_name='concerns the task')),
            ],
            options={
                'verbose_name': 'message',
                'verbose_name_plural': 'messages',
                'ordering': ['case', '-created_at', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='MessageReply',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('public_id', models.UUIDField(default=uuid.uuid4, editable=False, unique=True, verbose_name='public id')),
                ('role', models.CharField(max_length=16, verbose_name='role')),
                ('api_client', models.CharField(blank=True, max_length=200, verbose_name='via API client')),
                ('body', models.TextField(max_length=4000, verbose_name='reply')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='written at')),
                ('author', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='written by')),
                ('message', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='replies', to='messaging.casemessage', verbose_name='message')),
                ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='directory.organisation', verbose_name='organisation')),
            ],
            options={
                'verbose_name': 'reply',
                'verbose_name_plural': 'replies',
                'ordering': ['message', 'created_at', 'pk'],
            },
        ),
        migrations.AddIndex(
            model_name='casemessage',
            index=models.Index(fields=['addressed_organisation', 'status'], name='messaging_c_address_947a05_idx'),
        ),
        migrations.AddIndex(
            model_name='casemessage',
            index=models.Index(fields=['status', 'reply_by'], name='messaging_c_status_4ffc9d_idx'),
        ),
        migrations.AddIndex(
            model_name='casemessage',
            index=models.Index(fields=['updated_at', 'public_id'], name='messaging_c_updated_7aa176_idx'),
        ),
        migrations.AddConstraint(
            model_name='casemessage',
            constraint=models.CheckConstraint(condition=models.Q(('sender_organisation', models.F('addressed_organisation')), _negated=True), name='case_message_to_another_party'),
        ),
        migrations.AddConstraint(
            model_name='casemessage',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('closed_at__isnull', False), ('status', 'closed')), models.Q(models.Q(('status', 'closed'), _negated=True), ('closed_at__isnull', True)), _connector='OR'), name='case_message_closed_iff_closed_at'),
        ),
        migrations.AddConstraint(
            model_name='casemessage',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'answered'), _negated=True), ('answered_at__isnull', False), _connector='OR'), name='case_message_answered_has_time'),
        ),
    ]
