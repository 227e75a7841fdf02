"""People, organisations and memberships (user × organisation × role, with validity)."""

from __future__ import annotations

import datetime
import hashlib

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hemsjukvard.db import PublicIdModel


class User(PublicIdModel, AbstractUser):
    """A person who logs in. HSA-id is the national directory id for health-care staff."""

    hsa_id = models.CharField(_("HSA-id"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(
                fields=["hsa_id"], condition=~Q(hsa_id=""), name="user_hsa_id_unique_when_set"
            )
        ]

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class OrganisationKind(models.TextChoices):
    REGION = "region", _("Region")
    KOMMUN = "kommun", _("Kommun")
    VARDCENTRAL = "vardcentral", _("Vårdcentral")
    SPECIALIST_CLINIC = "specialist_clinic", _("Specialist clinic")
    MOBILE_TEAM = "mobile_team", _("Mobile team")
    JOINT_BODY = "joint_body", _("Joint body")
    # A private company that performs the kommun's health care under a contract (LOV, 2008:962, or LOU,
    # 2016:1145): it performs, the kommun stays the principal (huvudman, HSL 12 kap. 1-2 §, KL 10 kap. 7 §).
    PRIVATE_PERFORMER = "private_performer", _("Private performer for a kommun")


class Ownership(models.TextChoices):
    PUBLIC = "public", _("Public")
    PRIVATE = "private", _("Private")


PRIVATELY_RUN_KINDS = frozenset({OrganisationKind.VARDCENTRAL, OrganisationKind.PRIVATE_PERFORMER})


class Organisation(PublicIdModel):
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=32, choices=OrganisationKind.choices)
    ownership = models.CharField(
        _("ownership"), max_length=16, choices=Ownership.choices, default=Ownership.PUBLIC
    )
    region = models.ForeignKey(
        "self",
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members_of_region",
        limit_choices_to={"kind": OrganisationKind.REGION},
        help_text=_("The region a kommun, vårdcentral, clinic, team or joint body belongs to."),
    )
    kommun = models.ForeignKey(
        "self",
        verbose_name=_("kommun"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="located_here",
        limit_choices_to={"kind": OrganisationKind.KOMMUN},
        help_text=_(
            "For a vårdcentral or a local joint body: the kommun it is in. For a private performer: the "
            "kommun it performs for, which stays the principal (huvudman)."
        ),
    )
    hsa_id = models.CharField(_("HSA-id"), max_length=64, blank=True)
    kommun_code = models.CharField(
        _("kommun code"), max_length=4, blank=True, help_text=_("SCB's four-digit code.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind=OrganisationKind.REGION, region__isnull=True)
                | (~Q(kind=OrganisationKind.REGION) & Q(region__isnull=False)),
                name="organisation_region_iff_not_region",
            ),
            models.UniqueConstraint(
                fields=["hsa_id"],
                condition=~Q(hsa_id=""),
                name="organisation_hsa_id_unique_when_set",
            ),
            models.UniqueConstraint(fields=["region", "name"], name="organisation_name_unique_in_region"),
        ]
        indexes = [models.Index(fields=["kind", "region"])]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.kind == OrganisationKind.REGION and self.region_id is not None:
            raise ValidationError({"region": _("A region cannot belong to another region.")})
        if self.kind != OrganisationKind.REGION and self.region_id is None:
            raise ValidationError({"region": _("Choose the region this organisation belongs to.")})
        if self.ownership == Ownership.PRIVATE and self.kind not in PRIVATELY_RUN_KINDS:
            raise ValidationError(
                {"ownership": _("Only a vårdcentral or a private performer can be privately run.")}
            )
        if self.kind == OrganisationKind.PRIVATE_PERFORMER:
            if self.ownership != Ownership.PRIVATE:
                raise ValidationError({"ownership": _("A private performer is privately run.")})
            if self.kommun_id is None:
                raise ValidationError({"kommun": _("Choose the kommun the private performer works for.")})

    @property
    def is_private_performer(self) -> bool:
        return self.kind == OrganisationKind.PRIVATE_PERFORMER


class Role(models.TextChoices):
    NURSE = "nurse", _("Municipal nurse")
    REHAB = "rehab", _("Occupational therapist / physiotherapist")
    GP = "gp", _("GP (vårdcentral physician)")
    SPECIALIST = "specialist", _("Specialist physician")
    MAS = "mas", _("MAS (medically responsible nurse)")
    MAR = "mar", _("MAR (medically responsible for rehabilitation)")
    COORDINATOR = "coordinator", _("Coordinator")
    GOVERNANCE = "governance", _("Joint body member")
    # Reviews the access log of the region's own staff (HSLF-FS 2016:40 4 kap. 9 §): the region and its
    # units (vårdcentraler, clinics, mobile teams) are one care provider, the kommun another.
    LOG_REVIEWER = "log_reviewer", _("Log reviewer")
    ADMIN = "admin", _("System administrator")
    # Socialtjänst: decides and follows up the kommun's insatser under SoL; a party to the SIP.
    BISTANDSHANDLAGGARE = "bistandshandlaggare", _("Biståndshandläggare (social services case officer)")


# Which roles make sense in which kind of organisation. Coordinators and administrators work on
# either side; the others belong to one side by law or by the agreement. The region's log reviewer may
# sit in the region or in one of its units; either way they review the whole region's staff.
ROLES_BY_ORGANISATION_KIND: dict[str, frozenset[str]] = {
    OrganisationKind.REGION: frozenset({Role.COORDINATOR, Role.LOG_REVIEWER, Role.ADMIN}),
    OrganisationKind.KOMMUN: frozenset(
        {Role.NURSE, Role.REHAB, Role.MAS, Role.MAR, Role.COORDINATOR, Role.BISTANDSHANDLAGGARE, Role.ADMIN}
    ),
    OrganisationKind.VARDCENTRAL: frozenset({Role.GP, Role.COORDINATOR, Role.LOG_REVIEWER, Role.ADMIN}),
    OrganisationKind.SPECIALIST_CLINIC: frozenset(
        {Role.SPECIALIST, Role.COORDINATOR, Role.LOG_REVIEWER, Role.ADMIN}
    ),
    OrganisationKind.MOBILE_TEAM: frozenset(
        {Role.SPECIALIST, Role.NURSE, Role.COORDINATOR, Role.LOG_REVIEWER, Role.ADMIN}
    ),
    OrganisationKind.JOINT_BODY: frozenset({Role.GOVERNANCE, Role.COORDINATOR, Role.ADMIN}),
    # Its staff perform for the kommun; the kommun's MAS and MAR answer for patient safety (HSL 11 kap. 4 §).
    OrganisationKind.PRIVATE_PERFORMER: frozenset({Role.NURSE, Role.REHAB, Role.COORDINATOR, Role.ADMIN}),
}


class MembershipQuerySet(models.QuerySet["Membership"]):
    def active(self, on: datetime.date | None = None) -> MembershipQuerySet:
        day = on or timezone.localdate()
        return self.filter(Q(valid_from__lte=day), Q(valid_to__isnull=True) | Q(valid_to__gte=day))


class Membership(PublicIdModel):
    """A user's role in an organisation for a period. A user may hold many at once."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    valid_from = models.DateField(_("valid from"), default=datetime.date.today)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role", "valid_from"],
                name="membership_unique_start",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="membership_valid_to_after_from",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "role"])]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.organisation}"

    def clean(self) -> None:
        if self.valid_to and self.valid_from and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("The end date cannot be before the start date.")})
        if self.organisation_id is not None and self.role:
            allowed = ROLES_BY_ORGANISATION_KIND[self.organisation.kind]
            if self.role not in allowed:
                raise ValidationError(
                    {
                        "role": _("The role %(role)s does not exist in a %(kind)s.")
                        % {
                            "role": self.get_role_display(),
                            "kind": self.organisation.get_kind_display(),
                        }
                    }
                )

    def is_active_on(self, day: datetime.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or self.valid_to >= day)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token handed out by ``POST /api/v1/auth/token``. Only its hash is stored.

    A token acts in one membership, as a browser session does after the person chose it; it stops
    working when the password it was issued under changes (``password_marker``).
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    membership = models.ForeignKey(
        Membership,
        verbose_name=_("membership"),
        # Deleting a membership leaves its tokens acting in none, which they then refuse
        # (directory.authentication); the tokens stay as a record of what was issued.
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="api_tokens",
        help_text=_("The organisation and role the token acts in; empty for a person without any."),
    )
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8, help_text=_("The first characters, to tell tokens apart."))
    password_marker = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"


class AdminEventAction(models.TextChoices):
    CREATED = "created", _("Created")
    CHANGED = "changed", _("Changed")
    DELETED = "deleted", _("Deleted")
    PASSWORD_LINK_SENT = "password_link_sent", _("Password link sent")
    REVOKED = "revoked", _("Revoked")
    SECRET_ROTATED = "secret_rotated", _("Secret rotated")


class AppendOnlyError(Exception):
    """A row of an append-only table was about to be changed or deleted."""


class AdminEvent(models.Model):
    """One change made in the administration to a user, membership, API token or API client.

    Who made it (and whether as superuser or in which administrator membership: organisation and role),
    which object, what changed field by field (before and after; never a password or secret), when and
    from where. Person and organisations are also kept as text as they were, so the history stays readable
    when they are renamed. Rows are only ever inserted: ``save()`` and ``delete()`` refuse to change one,
    the admin shows them read-only, and on PostgreSQL and SQLite a trigger refuses UPDATE and DELETE
    (migration ``0003_admin_event``).
    """

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        User, verbose_name=_("changed by"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    actor_label = models.CharField(_("changed by, as shown"), max_length=200)
    as_superuser = models.BooleanField(_("as superuser"), default=False)
    acting_membership = models.UUIDField(_("administrator membership"), null=True, blank=True)
    acting_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("acting for organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    acting_organisation_label = models.CharField(_("acting for, as shown"), max_length=200, blank=True)
    action = models.CharField(_("action"), max_length=32, choices=AdminEventAction.choices)
    object_type = models.CharField(_("record type"), max_length=32)
    object_id = models.CharField(_("record id"), max_length=64)
    object_label = models.CharField(_("record, as shown"), max_length=200)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation concerned"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    client_address = models.GenericIPAddressField(_("client address"), null=True, blank=True)

    class Meta:
        verbose_name = _("administration event")
        verbose_name_plural = _("administration events")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="admin_event_object_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_label}"

    def save(self, *args: object, **kwargs: object) -> None:
        if not self._state.adding:
            raise AppendOnlyError("administration events are append-only")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("administration events are append-only")


class Team(PublicIdModel):
    """A group of people of one organisation who share cases (e.g. "Hemsjukvården Varberg dagtid").

    A case handed to a team waits for every member until one of them takes it. The members are
    memberships of the team's organisation (``directory.teams`` checks that on every write).
    """

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="teams"
    )
    name = models.CharField(_("name"), max_length=120)
    members = models.ManyToManyField(Membership, verbose_name=_("members"), blank=True, related_name="teams")
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="team_name_unique_in_organisation")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation})"
