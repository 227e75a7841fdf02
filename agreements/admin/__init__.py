"""Admin for agreements, sections, task types and rules, for the region's systemförvaltare.

A version's rules are shown as a readable table (task, who orders / performs / follows up, conditions,
section) and edited in rows below it or one by one in a full form. Only a draft version can be changed;
one in force is shown read-only, and the action "Create a new draft version" copies it for editing.
The law's hard rules live in the models' ``clean()``, so a rule that breaks them is refused with the
reason shown next to the field.

Every change made here goes through ``agreements.services`` as the signed-in person, exactly as through
the API: the same permission check, the same lock, the same one event per change. A refusal the form
could not foresee (the version was put in force meanwhile) is shown as a message, and nothing is saved.

``writing`` says who may change what here and writes every change through the services; ``versions``
holds agreements and their versions with their parts, ``rules`` the rules one by one, and
``catalogue`` the shared task catalogue, ``hard_rules`` when the law's hard rules are in force. Importing
them registers them with the admin site.
"""

from . import catalogue, hard_rules, rules, versions

__all__ = ["catalogue", "hard_rules", "rules", "versions"]
