"""LTI 1.3: the LMSs deepgrade is registered in, who and what they stand for here, and the
scores on their way back to them (docs/lti.md).

- A **Platform** is one registration of deepgrade in an LMS (issuer + client id, its OAuth2
  and key-set URLs); its **Deployments** are the deployment ids it may launch from. A launch
  from an unknown deployment is refused.
- **ToolKey**: deepgrade's own RSA key pairs. The newest one not retired signs (deep-linking
  responses, OAuth2 client assertions); every key retired less than LTI_KEY_GRACE_DAYS ago is
  still published in the JWKS, so a platform that cached the old key set keeps verifying.
- **Identity** links an LMS user, `(issuer, sub)`, to a deepgrade account, made on their first
  launch (or roster sync).
- **LinkedCourse**: an LMS course (context) and its deepgrade course, made on the first
  instructor launch; **ResourceLink**: an LMS activity and the assignment it opens.
- **UsedNonce**: the nonces of id_tokens already accepted, refused when they come again.
- **Ticket**: a one-time, short-lived secret that carries a validated launch from the LMS's
  frame to a page of ours (sign in in a new window; pick exercises to deep-link).
- **ScoreSend**: one student's score on one resource link, on its way to the LMS: an outbox
  row that a Celery task claims, sends and marks (lti/tasks.py).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Platform(models.Model):
    name = models.CharField(max_length=200, help_text="What instructors call it: 'Moodle of X'.")
    issuer = models.CharField(
        max_length=255, help_text="The platform's issuer (iss), e.g. https://moodle.example.edu"
    )
    client_id = models.CharField(max_length=255, help_text="The client id it gave deepgrade.")
    auth_login_url = models.URLField(max_length=500, help_text="OIDC authentication request URL.")
    auth_token_url = models.URLField(max_length=500, help_text="OAuth2 access token URL.")
    # Some platforms (Brightspace) expect another audience than the token URL in client
    # assertions; empty: the token URL.
    auth_audience = models.CharField(max_length=500, blank=True)
    key_set_url = models.URLField(max_length=500, help_text="The platform's public keys (JWKS).")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("name", "id")
        constraints = (
            models.UniqueConstraint(fields=["issuer", "client_id"], name="lti_one_registration"),
        )

    def __str__(self) -> str:
        return f"{self.name} ({self.issuer}, {self.client_id})"


class Deployment(models.Model):
    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="deployments")
    deployment_id = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("platform_id", "deployment_id")
        constraints = (
            models.UniqueConstraint(
                fields=["platform", "deployment_id"], name="lti_one_deployment_id"
            ),
        )

    def __str__(self) -> str:
        return f"{self.platform.name}: {self.deployment_id}"


class ToolKey(models.Model):
    # The key's JWK thumbprint (RFC 7638): what the kid header of our signatures names.
    kid = models.CharField(max_length=100, unique=True)
    private_pem = models.TextField()
    public_jwk = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return self.kid


class Identity(models.Model):
    issuer = models.CharField(max_length=255)
    sub = models.CharField(max_length=255)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lti_identities"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = (models.UniqueConstraint(fields=["issuer", "sub"], name="lti_one_identity"),)

    def __str__(self) -> str:
        return f"{self.sub} at {self.issuer}"


class LinkedCourse(models.Model):
    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="courses")
    context_id = models.CharField(max_length=255)
    course = models.ForeignKey("courses.Course", on_delete=models.CASCADE, related_name="lti_links")
    deployment_id = models.CharField(max_length=255)
    title = models.CharField(max_length=255, blank=True)
    # The services the platform offered in its last launch from this course.
    memberships_url = models.URLField(max_length=500, blank=True)
    lineitems_url = models.URLField(max_length=500, blank=True)
    ags_scopes = models.JSONField(default=list, blank=True)
    roster_synced_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=["platform", "context_id"], name="lti_one_context"),
        )

    def __str__(self) -> str:
        return f"{self.title or self.context_id} -> {self.course_id}"


class ResourceLink(models.Model):
    context = models.ForeignKey(LinkedCourse, on_delete=models.CASCADE, related_name="links")
    resource_link_id = models.CharField(max_length=255)
    assignment = models.ForeignKey(
        "courses.Assignment", on_delete=models.CASCADE, related_name="lti_links"
    )
    title = models.CharField(max_length=255, blank=True)
    # Where its scores go (AGS): the line item the platform named in the launch.
    lineitem_url = models.URLField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=["context", "resource_link_id"], name="lti_one_resource_link"
            ),
        )

    def __str__(self) -> str:
        return f"{self.title or self.resource_link_id} -> {self.assignment_id}"


class UsedNonce(models.Model):
    issuer = models.CharField(max_length=255)
    nonce = models.CharField(max_length=255)
    # Past the id_token's own expiry a replay is refused as expired anyway: the row may go.
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = (models.UniqueConstraint(fields=["issuer", "nonce"], name="lti_nonce_once"),)


class Ticket(models.Model):
    class Kind(models.TextChoices):
        ENTER = "enter", "Sign in and open a page"
        DEEP_LINK = "deep_link", "Pick exercises for the LMS"

    # SHA-256 of the secret, which only the browser holds.
    digest = models.CharField(max_length=64, unique=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)
    used_at = models.DateTimeField(null=True, blank=True)


class ScoreSend(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENDING = "sending", "Being sent"
        SENT = "sent", "Sent"
        WITHHELD = "withheld", "Held back until the results are released"
        FAILED = "failed", "Refused by the LMS"

    link = models.ForeignKey(ResourceLink, on_delete=models.CASCADE, related_name="score_sends")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lti_score_sends"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    # Bumped by every change of the student's effective score; what was sent is `sent_version`:
    # a change that lands while a send is on its way is sent again afterwards.
    version = models.PositiveIntegerField(default=0)
    sent_version = models.PositiveIntegerField(default=0)
    score_given = models.FloatField(null=True, blank=True)  # as last sent (None: cleared)
    score_maximum = models.FloatField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)  # failed tries since the last success
    last_error = models.CharField(max_length=500, blank=True)
    claim_token = models.UUIDField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("link_id", "student_id")
        constraints = (
            models.UniqueConstraint(fields=["link", "student"], name="lti_one_send_per_student"),
        )
        indexes = (models.Index(fields=["status", "updated_at"], name="lti_send_status"),)

    def __str__(self) -> str:
        return f"score of {self.student_id} on link {self.link_id}: {self.status}"
