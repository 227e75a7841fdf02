"""The access rule: who may see which patient data, in one package, one module per resource.

Layer order (a module imports only those before it; nothing here imports an app's selectors or
services, and the apps' selectors import from here)::

    roles → seen → parties → pseudonym → patients → legal_basis → cases → sips → documents

* ``roles``: every role set the rule uses, each defined once (who reaches patients, who sees a protected
  identity, who enrols, who approves, who keeps a SIP, who sees figures, who reviews the log).
* ``seen``: ``Seen[T]``, what a read returns: the record, the membership that granted it and whether the
  patient's identity is visible. Selectors return it instead of setting attributes on model instances.
* ``parties``: which organisations a case names; the fact the patient rule and the case rule share.
* ``pseudonym``: which joint bodies see a case pseudonymised (the escalation level's ``identity``).
* ``patients``: who sees a patient (``granting_membership``, ``visible_patients_q``), who sees a
  protected identity (``identity_visible``, ``identity_visible_q``), nödåtkomst
  (``emergency_membership``), and a patient's facts loaded for the rule (``patient_facts``,
  ``patients_granted``, ``identity_visible_many``).
* ``legal_basis``: what of a case is shared with an organisation other than the one that opened it (a
  valid legal basis, spärrar) and whose reads an objection refuses (``sharing_for``, ``objection_blocks``).
* ``cases``: who sees a case (``granting_membership``, ``visible_cases_q``) and cases as seen, with the
  patient's identity decided per row by the patient rule (``cases_seen``).
* ``sips``: who sees a plan (its patient's rule, ``visible_sips_q``) and whether its content is shared
  after consent was withdrawn (``shared_with``, ``sip_ids_shared_with``).
* ``documents``: who sees a printed document: the patient, the printed identity and the source's own
  rule (``document_membership``, ``print_grant``, ``prints_shown_q``, ``source_readable``).

Where each check runs: every read of patient data goes through an app's ``selectors`` (``patients``,
``cases``, ``sip``, ``documents``), which applies these rules, writes the access log for what it returns
(a list is logged by the selector that lists it) and answers 404 for what the person may not see. Who may
*change* a record, and in which state, is the app's ``policies`` module (``patients.policies``,
``cases.policies`` with the transition table, ``sip.policies``), which takes what a selector returned;
its role sets come from ``access.roles``.
"""
