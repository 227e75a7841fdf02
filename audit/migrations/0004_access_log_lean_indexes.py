"""Drop the ``(patient, at)``, ``(user, at)`` and ``(organisation, at)`` indexes of the access log.

Each read of patient data inserts one row per record shown, and each index costs that insert a leaf page
(for ``(patient, at)`` a random one, with its full-page image in the WAL after every checkpoint). At
20 M rows none of the three served a query the single-column indexes do not serve as well: the review
walks ``at`` newest first, the extract and the review by patient use the foreign key's own
``patient_id`` index (deduplicated, 136 MB against 602 MB for ``(patient, at)``; a patient's entries are
a few dozen rows, sorted in memory), and nothing filters the log by user or organisation over a period
without the kommun's conditions. Plans before and after: audit/README.md, "Indexes".
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_access_review")]

    operations = [
        migrations.RemoveIndex(model_name="accesslogentry", name="audit_acces_patient_08a19e_idx"),
        migrations.RemoveIndex(model_name="accesslogentry", name="audit_acces_user_id_802c15_idx"),
        migrations.RemoveIndex(model_name="accesslogentry", name="audit_acces_organis_fcd563_idx"),
    ]
