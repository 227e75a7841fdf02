# The notification kinds of messages on cases (messaging): to answer, answered, not answered in time.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0012_merge_case_numbers_and_register_notifications'),
    ]

    operations = [
        migrations.AlterField(
            model_name='notification',
            name='kind',
            field=models.CharField(choices=[('deadline_passed', 'Deadline passed'), ('mas_informed', 'MAS informed of a risk analysis'), ('case_referred', 'A case opened by the vårdcentral before enrolment'), ('review_requested', 'Review requested'), ('case_submitted', 'Case submitted'), ('tasks_accepted', 'Tasks accepted'), ('case_disputed', 'Case disputed'), ('position_stated', 'Position stated'), ('case_escalated', 'Case escalated'), ('case_decided', 'Case decided'), ('recommendation_made', 'Recommendation to answer'), ('analysis_requested', 'Risk analysis requested'), ('signature_requested', 'Signature requested'), ('approval_requested', 'Approval requested'), ('analysis_rejected', 'Risk analysis rejected'), ('case_agreed', 'Case agreed'), ('case_active', 'Care started'), ('case_withdrawn', 'Case withdrawn'), ('case_closed', 'Case closed'), ('commented', 'New comment'), ('sip_started', 'SIP started'), ('sip_finalised', 'SIP finalised'), ('sip_consent_withdrawn', 'SIP consent withdrawn'), ('sip_closed', 'SIP closed'), ('training_expiring', 'Competence transfer about to expire'), ('delegation_expiring', 'Delegation about to expire'), ('rereview_due', 'Re-review due'), ('message_received', 'Message to answer'), ('message_answered', 'Message answered'), ('message_overdue', 'Message not answered in time')], max_length=32, verbose_name='kind'),
        ),
    ]
