"""The LTI 1.3 core launch, checked by pylti1p3: OIDC login initiation, then the id_token.

pylti1p3 does the protocol and the JWT work (docs/lti.md#the-library): the state against the
browser's state cookie, the nonce against the ones our login issued, the registration
(issuer + client id = the token's audience), the RS256 signature against the platform's JWKS,
expiry, the deployment and the message's required claims. What it leaves to the tool is here:

- every refusal becomes a `LaunchRefused` with a code and a sentence for a person, by the step
  that failed (never by parsing the library's messages);
- `exp`, `iat` and `nonce` are required claims (PyJWT checks `exp` only when present);
- a nonce is accepted once (UsedNonce): the library checks that we issued it, not that it was
  not used before, so a captured id_token and its state cookie could otherwise be posted again;
- outgoing calls (the platform's JWKS, token and service endpoints) have a timeout;
- the launch data is not kept in the cache: the tool keeps what it needs in its own rows.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import jwt
import requests
from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from pylti1p3.contrib.django import DjangoCacheDataStorage, DjangoMessageLaunch, DjangoOIDCLogin
from pylti1p3.deployment import Deployment as LibDeployment
from pylti1p3.exception import LtiException, OIDCException
from pylti1p3.registration import Registration
from pylti1p3.tool_config import ToolConfAbstract

from core.errors import DomainError
from lti.keys import public_pem, signing_key
from lti.models import Deployment, Platform, UsedNonce

logger = logging.getLogger(__name__)

DEPLOYMENT_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/deployment_id"
JWKS_CACHE_SECONDS = 300


class LaunchRefused(DomainError):
    """A launch deepgrade does not accept; `code` names the check that failed."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class HttpSession(requests.Session):
    """requests with a timeout on every call: a platform that hangs must not hang a web
    request or a worker (LTI_HTTP_TIMEOUT seconds)."""

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        kwargs.setdefault("timeout", settings.LTI_HTTP_TIMEOUT)
        return super().request(*args, **kwargs)


def http_session() -> HttpSession:
    session = HttpSession()
    session.headers["User-Agent"] = f"{settings.SITE_NAME} LTI tool"
    return session


def registration_of(platform: Platform) -> Registration:
    """The library's view of a platform, with our current signing key."""
    key = signing_key()
    registration = (
        Registration()
        .set_issuer(platform.issuer)
        .set_client_id(platform.client_id)
        .set_auth_login_url(platform.auth_login_url)
        .set_auth_token_url(platform.auth_token_url)
        .set_key_set_url(platform.key_set_url)
        .set_tool_private_key(key.private_pem)
        .set_tool_public_key(public_pem(key))
    )
    if platform.auth_audience:
        registration.set_auth_audience(platform.auth_audience)
    return registration


class ToolConfig(ToolConfAbstract):
    """Registrations and deployments from our tables. An issuer may have many client ids (one
    per registration), so the library always asks by (issuer, client id)."""

    def __init__(self) -> None:
        super().__init__()
        self.platform: Platform | None = None

    def check_iss_has_one_client(self, iss: str) -> bool:
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    def find_registration_by_issuer(self, iss: str, *args: Any, **kwargs: Any) -> Registration:
        raise NotImplementedError("registrations are found by issuer and client id")

    def find_registration_by_params(
        self, iss: str, client_id: str, *args: Any, **kwargs: Any
    ) -> Registration:
        known = Platform.objects.filter(issuer=iss, is_active=True)
        if not known.exists():
            raise LaunchRefused(
                "unknown_issuer",
                f"deepgrade has no active registration for the platform {iss!r}: an "
                "administrator registers it first (docs/lti.md).",
            )
        self.platform = known.filter(client_id=client_id).first()
        if self.platform is None:
            raise LaunchRefused(
                "wrong_audience",
                f"this launch is meant for the client id {client_id!r}, which is not "
                f"deepgrade's registration at {iss!r}.",
            )
        return registration_of(self.platform)

    def find_deployment(self, iss: str, deployment_id: str) -> LibDeployment | None:
        raise NotImplementedError("deployments are found by issuer, client id and id")

    def find_deployment_by_params(
        self, iss: str, deployment_id: str, client_id: str, *args: Any, **kwargs: Any
    ) -> LibDeployment | None:
        if not Deployment.objects.filter(
            platform__issuer=iss,
            platform__client_id=client_id,
            platform__is_active=True,
            deployment_id=deployment_id,
        ).exists():
            raise LaunchRefused(
                "unknown_deployment",
                f"the deployment {deployment_id!r} of this platform is not registered in "
                "deepgrade: an administrator adds it to the platform's registration.",
            )
        return LibDeployment().set_deployment_id(deployment_id)


def _storage() -> DjangoCacheDataStorage:
    # State and nonce in the shared cache (Redis in production), not in Django's session: the
    # session cookie is SameSite=Lax and is not sent in the LMS's frame (docs/lti.md).
    return DjangoCacheDataStorage(cache_name="default")


def login_redirect(request: HttpRequest, launch_url: str) -> HttpResponse:
    """OIDC login initiation: sets the state cookie and sends the browser to the platform's
    authorisation endpoint. LaunchRefused for an unknown platform or a malformed request."""
    config = ToolConfig()
    try:
        login = DjangoOIDCLogin(request, config, launch_data_storage=_storage())
        return login.redirect(launch_url)
    except LaunchRefused:
        raise
    except (OIDCException, LtiException) as error:
        raise LaunchRefused("bad_login", f"the login request is incomplete: {error}") from None


@dataclass(frozen=True)
class ValidLaunch:
    platform: Platform
    deployment_id: str
    claims: dict[str, Any]
    message: DjangoMessageLaunch


class ToolMessageLaunch(DjangoMessageLaunch):
    """pylti1p3's launch, with each failing step named (see the module docstring)."""

    def __init__(self, request: HttpRequest, config: ToolConfig) -> None:
        super().__init__(
            request, config, launch_data_storage=_storage(), requests_session=http_session()
        )
        self.set_jwt_verify_options({"verify_aud": False, "require": ["exp", "iat", "nonce"]})

    def save_launch_data(self) -> ToolMessageLaunch:
        return self

    def fetch_public_key(self, key_set_url: str) -> Any:
        # Cached a few minutes: a class launching at once should not fetch it per student. A
        # key the cached set lacks (the platform rotated) is fetched anew (get_public_key).
        cached = cache.get(f"lti:jwks:{key_set_url}")
        if cached is not None:
            return cached
        keys = super().fetch_public_key(key_set_url)
        cache.set(f"lti:jwks:{key_set_url}", keys, JWKS_CACHE_SECONDS)
        return keys

    def get_public_key(self) -> Any:
        try:
            return super().get_public_key()
        except LtiException:
            assert self._registration is not None
            url = self._registration.get_key_set_url() or ""
            if cache.get(f"lti:jwks:{url}") is None:
                raise
            cache.delete(f"lti:jwks:{url}")
            self._registration.set_key_set(None)
            return super().get_public_key()

    def validate(self) -> ToolMessageLaunch:
        # The library's own order, each step under the code of its refusal.
        self._validated = True  # read by the steps' claim getters: no recursion into validate
        steps = (
            ("state", self.validate_state),
            ("malformed", self.validate_jwt_format),
            ("nonce", self.validate_nonce),
            ("registration", self.validate_registration),
            ("signature", self.validate_jwt_signature),
            ("deployment", self.validate_deployment),
            ("invalid_message", self.validate_message),
        )
        try:
            for code, step in steps:
                try:
                    step()
                except LtiException as error:
                    raise _refusal(code, error) from None
        except Exception:
            self._validated = False
            raise
        return self


MESSAGES = {
    "state": "the launch did not come back to the browser that started it (deepgrade's state "
    "cookie is missing or does not match). If your LMS shows deepgrade inside its page and "
    "your browser blocks third-party cookies, set the activity to open in a new window.",
    "malformed": "the id_token is not a well-formed JWT.",
    "nonce": "the id_token's nonce was not issued by deepgrade for this login (or it is more "
    "than a day old): start again from the LMS.",
    "invalid_message": "the launch message lacks claims LTI 1.3 requires",
    "missing_deployment": "the id_token names no deployment (deployment_id claim).",
    "bad_signature": "the id_token's signature does not verify against the platform's public keys.",
    "expired": "the id_token has expired: start again from the LMS.",
    "jwks_unreachable": "deepgrade could not fetch the platform's public keys to check the "
    "launch: try again in a moment.",
    "replayed": "this launch was used already (its nonce came before): start again from the LMS.",
}


def _refusal(code: str, error: LtiException) -> LaunchRefused:
    text = str(error)
    if code == "signature":
        cause = error.__cause__
        if isinstance(cause, jwt.ExpiredSignatureError):
            code = "expired"
        elif isinstance(cause, jwt.MissingRequiredClaimError):
            code = "invalid_message"
        elif text.startswith(("Error during fetch URL", "Invalid response from")):
            code = "jwks_unreachable"
        else:
            code = "bad_signature"
    if code == "deployment" or text.startswith("deployment_id is not set"):
        code = "missing_deployment"
    message = MESSAGES.get(code, text)
    if code == "invalid_message":
        message = f"{message}: {text}"
    logger.info("LTI launch refused (%s): %s", code, text)
    return LaunchRefused(code, message)


def launch_validate(request: HttpRequest) -> ValidLaunch:
    """The id_token posted to the launch URL, fully checked; LaunchRefused otherwise."""
    config = ToolConfig()
    try:
        message = ToolMessageLaunch(request, config)
    except LtiException as error:  # over HTTPS, the nonce's session cookie did not come back
        raise _refusal("state", error) from None
    message.validate()
    claims = dict(message.get_launch_data())
    assert config.platform is not None  # validate_registration found it
    _use_nonce(config.platform.issuer, str(claims["nonce"]), int(claims["exp"]))
    return ValidLaunch(
        platform=config.platform,
        deployment_id=str(claims[DEPLOYMENT_CLAIM]),
        claims=claims,
        message=message,
    )


def _use_nonce(issuer: str, nonce: str, exp: int) -> None:
    """Accept a nonce once per issuer; a second time is a replay."""
    now = timezone.now()
    UsedNonce.objects.filter(expires_at__lt=now).delete()  # expired tokens are refused anyway
    try:
        with transaction.atomic():
            UsedNonce.objects.create(
                issuer=issuer, nonce=nonce[:255], expires_at=datetime.fromtimestamp(exp, UTC)
            )
    except IntegrityError:
        raise LaunchRefused("replayed", MESSAGES["replayed"]) from None
