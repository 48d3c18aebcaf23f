"""deepgrade's own key pairs: made, rotated and published with jwcrypto; no JWT is built here.

The private keys live in the database (ToolKey), never in the repository or the settings. The
newest key not retired signs; `key_rotate` retires the current one and makes a new one, and a
retired key stays in the JWKS for LTI_KEY_GRACE_DAYS, so that a platform holding our old key
set in its cache still verifies what was signed just before the rotation.
"""

from __future__ import annotations

import json
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from jwcrypto.jwk import JWK

from lti.models import ToolKey

KEY_BITS = 2048


def _published() -> Q:
    grace = timezone.now() - timedelta(days=settings.LTI_KEY_GRACE_DAYS)
    return Q(retired_at__isnull=True) | Q(retired_at__gt=grace)


def key_create() -> ToolKey:
    jwk = JWK.generate(kty="RSA", size=KEY_BITS)
    public = json.loads(jwk.export_public())
    kid = jwk.thumbprint()
    public.update(kid=kid, alg="RS256", use="sig")
    return ToolKey.objects.create(
        kid=kid,
        private_pem=jwk.export_to_pem(private_key=True, password=None).decode(),
        public_jwk=public,
    )


def signing_key() -> ToolKey:
    """The key that signs now; the first one is made when first needed."""
    key = ToolKey.objects.filter(retired_at__isnull=True).first()
    return key if key is not None else key_create()


@transaction.atomic
def key_rotate() -> tuple[ToolKey, int]:
    """A new signing key; the others retire now (still published for the grace period). Keys
    retired before the grace period are deleted. Returns the new key and how many went."""
    now = timezone.now()
    ToolKey.objects.filter(retired_at__isnull=True).update(retired_at=now)
    key = key_create()
    deleted, _ = ToolKey.objects.exclude(_published()).delete()
    return key, deleted


def jwks() -> dict[str, list[dict[str, str]]]:
    """The public keys a platform verifies our signatures with (the current and those in their
    grace period); makes the first key if there is none yet."""
    signing_key()
    return {"keys": [key.public_jwk for key in ToolKey.objects.filter(_published())]}


def public_pem(key: ToolKey) -> str:
    """The PEM of a key's public half (for platforms that take a key rather than a URL)."""
    return JWK(**key.public_jwk).export_to_pem().decode()
