"""A small LTI 1.3 platform (an LMS, as far as a tool can tell) for the tests, served over real
HTTP from a thread.

It follows the IMS messages (LTI 1.3 Core, Deep Linking 2.0, AGS 2.0, NRPS 2.0, the IMS Security
Framework) and signs and verifies with jwcrypto itself, so that deepgrade's side (pylti1p3) is
checked against an independent implementation:

- `/auth`: the OIDC authorization endpoint. It checks the authentication request the tool sent
  the browser (scope, response_type, response_mode, prompt, client_id, the registered
  redirect_uri, state and nonce present), then answers with the `form_post` of a signed
  id_token for the user named by `login_hint` and the launch named by `lti_message_hint`.
- `/jwks`: its public keys.
- `/token`: OAuth2 client credentials with a JWT client assertion (RFC 7523): the assertion must
  be signed by a key of the tool's JWKS, with iss = sub = the client id, aud = this URL, not
  expired, its `jti` never seen before; the scopes asked must be ones the tool was granted.
- `/lineitems`, `/lineitems/<n>`, `/lineitems/<n>/scores`: AGS; a score must carry a bearer
  token with the score scope, the score media type and the fields the spec requires.
- `/memberships`: NRPS, the course's members (bearer token with the membership scope).
- `/deep_link_return`: verifies the tool's signed LtiDeepLinkingResponse (iss = client id, aud =
  this issuer, deployment id, the `data` it sent) and creates an activity per content item,
  with a line item when the item asks for one.
- `/launch?user=..&link=..` (or `&deep_link=1`): a page of the course with the tool in an
  iframe, started by third-party login initiation, as an LMS shows a tool.

`stop()` and `start()` simulate an LMS that is down for a while.
"""

from __future__ import annotations

import html
import json
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit
from urllib.request import urlopen

from jwcrypto import jwk, jwt

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
DL_SETTINGS = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
DL_ITEMS = "https://purl.imsglobal.org/spec/lti-dl/claim/content_items"
DL_DATA = "https://purl.imsglobal.org/spec/lti-dl/claim/data"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
LINEITEM_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
MEMBERSHIP_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
GRANTED = (SCORE_SCOPE, LINEITEM_SCOPE, MEMBERSHIP_SCOPE)
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
SCORE_TYPE = "application/vnd.ims.lis.v1.score+json"


@dataclass
class Person:
    sub: str
    given_name: str
    family_name: str
    email: str
    roles: list[str]

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}"


@dataclass
class Activity:
    """A resource link of the course (made by deep linking, or by hand in a test)."""

    id: str
    title: str
    custom: dict[str, str]
    lineitem: int | None = None
    due: str = ""  # ISO 8601; substituted for $ResourceLink.submission.endDateTime


@dataclass
class LmsPlatform:
    tool_login_url: str
    tool_launch_url: str
    # The tool's public keys: a URL (the real thing) or, for tests without a live server, a
    # function returning the key set.
    tool_jwks_url: str = ""
    tool_jwks: Any = None
    client_id: str = "deepgrade-client"
    deployment_id: str = "deployment-1"
    context: dict[str, Any] = field(
        default_factory=lambda: {
            "id": "course-42",
            "label": "DL101",
            "title": "Deep Learning 101",
            "type": ["http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"],
        }
    )
    people: dict[str, Person] = field(default_factory=dict)
    activities: dict[str, Activity] = field(default_factory=dict)
    lineitems: dict[int, dict[str, Any]] = field(default_factory=dict)
    scores: list[dict[str, Any]] = field(default_factory=list)  # (lineitem id added) as received
    refusals: list[str] = field(default_factory=list)  # why requests of the tool were refused
    token_requests: int = 0
    # The host name in its URLs (it listens on 127.0.0.1): the tool's own host name makes the
    # two same-site for the browser, as plain HTTP needs (docs/lti.md).
    host: str = "127.0.0.1"

    def __post_init__(self) -> None:
        self.key = jwk.JWK.generate(kty="RSA", size=2048, kid=uuid.uuid4().hex, alg="RS256")
        self.port = 0
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._tokens: dict[str, tuple[set[str], float]] = {}
        self._jtis: set[str] = set()
        self._dl_data: dict[str, str] = {}
        self.add_person("teacher", "Tess", "Teacher", [INSTRUCTOR])
        self.add_person("student", "Sam", "Student", [LEARNER])

    # -- running ----------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    issuer = url

    def start(self) -> LmsPlatform:
        platform = self

        class Handler(PlatformHandler):
            owner = platform

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Down: nothing listens on its port until `start()` again."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    # -- what a test sets up or reads ---------------------------------------------------------
    def add_person(self, login: str, given: str, family: str, roles: list[str]) -> Person:
        person = Person(
            f"sub-{login}-{uuid.uuid4().hex[:8]}", given, family, f"{login}@uni.example", roles
        )
        self.people[login] = person
        return person

    def registration(self) -> dict[str, str]:
        """What deepgrade's lti_register is given for this platform."""
        return {
            "issuer": self.issuer,
            "client_id": self.client_id,
            "auth_login_url": f"{self.url}/auth",
            "auth_token_url": f"{self.url}/token",
            "key_set_url": f"{self.url}/jwks",
        }

    def login_initiation(self, login: str, message: str) -> dict[str, str]:
        """The third-party login initiation parameters for `login`'s launch of `message`
        ("deep_link", or "link:<activity id>")."""
        return {
            "iss": self.issuer,
            "login_hint": login,
            "target_link_uri": self.tool_launch_url,
            "lti_message_hint": message,
            "lti_deployment_id": self.deployment_id,
            "client_id": self.client_id,
        }

    def scores_for(self, login: str) -> list[dict[str, Any]]:
        sub = self.people[login].sub
        with self._lock:
            return [s for s in self.scores if s["userId"] == sub]

    # -- messages -----------------------------------------------------------------------------
    def claims(self, login: str, message: str, nonce: str) -> dict[str, Any]:
        """The id_token's claims for `login`'s launch of `message` (LTI 1.3 Core §5)."""
        person = self.people[login]
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.client_id,
            "azp": self.client_id,
            "sub": person.sub,
            "exp": now + 300,
            "iat": now,
            "nonce": nonce,
            "name": person.name,
            "given_name": person.given_name,
            "family_name": person.family_name,
            "email": person.email,
            LTI + "version": "1.3.0",
            LTI + "deployment_id": self.deployment_id,
            LTI + "target_link_uri": self.tool_launch_url,
            LTI + "roles": person.roles,
            LTI + "context": self.context,
            LTI + "tool_platform": {
                "guid": "test-lms",
                "name": "Test LMS",
                "product_family_code": "test",
            },
            LTI + "launch_presentation": {
                "document_target": "iframe",
                "return_url": f"{self.url}/course",
            },
            NRPS_CLAIM: {
                "context_memberships_url": f"{self.url}/memberships",
                "service_versions": ["2.0"],
            },
        }
        ags: dict[str, Any] = {"scope": list(GRANTED[:2]), "lineitems": f"{self.url}/lineitems"}
        if message == "deep_link":
            data = secrets.token_hex(8)
            self._dl_data[data] = person.sub
            claims[LTI + "message_type"] = "LtiDeepLinkingRequest"
            claims[DL_SETTINGS] = {
                "deep_link_return_url": f"{self.url}/deep_link_return",
                "accept_types": ["ltiResourceLink"],
                "accept_presentation_document_targets": ["iframe", "window"],
                "accept_multiple": True,
                "auto_create": True,
                "data": data,
            }
        else:
            activity = self.activities[message.removeprefix("link:")]
            claims[LTI + "message_type"] = "LtiResourceLinkRequest"
            claims[LTI + "resource_link"] = {"id": activity.id, "title": activity.title}
            claims[LTI + "custom"] = {
                name: (
                    activity.due
                    if value == "$ResourceLink.submission.endDateTime" and activity.due
                    else value
                )
                for name, value in activity.custom.items()
            }
            if activity.lineitem is not None:
                ags["lineitem"] = f"{self.url}/lineitems/{activity.lineitem}"
        claims[AGS_CLAIM] = ags
        return claims

    def sign(self, claims: dict[str, Any], key: jwk.JWK | None = None) -> str:
        key = key or self.key
        token = jwt.JWT(header={"alg": "RS256", "kid": key.get("kid"), "typ": "JWT"}, claims=claims)
        token.make_signed_token(key)
        return token.serialize()

    def _tool_keys(self) -> jwk.JWKSet:
        if self.tool_jwks is not None:
            data = self.tool_jwks()
        else:
            with urlopen(self.tool_jwks_url, timeout=10) as response:
                data = json.load(response)
        return jwk.JWKSet.from_json(json.dumps(data))

    def verify_tool_jwt(self, token: str, audience: str) -> dict[str, Any]:
        """A JWT signed by the tool (client assertion, deep-linking response): its claims, or
        ValueError saying what is wrong."""
        try:
            parsed = jwt.JWT(jwt=token, key=self._tool_keys(), algs=["RS256"], expected_type="JWS")
        except Exception as error:  # jwcrypto raises several kinds
            raise ValueError(f"signature: {error}") from None
        claims = json.loads(parsed.claims)
        aud = claims.get("aud")
        if audience not in (aud if isinstance(aud, list) else [aud]):
            raise ValueError(f"audience {aud!r}, expected {audience!r}")
        if claims.get("iss") != self.client_id:
            raise ValueError(f"issuer {claims.get('iss')!r}")
        if "exp" not in claims or claims["exp"] < time.time():
            raise ValueError("expired or no exp")
        return claims

    def token_scopes(self, header: str) -> set[str]:
        if not header.startswith("Bearer "):
            return set()
        with self._lock:
            scopes, expires = self._tokens.get(header.removeprefix("Bearer "), (set(), 0.0))
        return scopes if expires > time.time() else set()


class PlatformHandler(BaseHTTPRequestHandler):
    owner: LmsPlatform

    def log_message(self, format: str, *args: Any) -> None:
        return  # quiet: the tests say what matters

    # -- plumbing ---------------------------------------------------------------------------
    def _send(
        self, status: int, body: Any = b"", content_type: str = "application/json", **headers: str
    ) -> None:
        if isinstance(body, dict | list):
            body = json.dumps(body).encode()
        elif isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def _refuse(self, status: int, why: str) -> None:
        self.owner.refusals.append(f"{self.command} {self.path}: {why}")
        self._send(status, {"error": why})

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _form(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self._body().decode()).items()}

    def _query(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}

    # -- routes -----------------------------------------------------------------------------
    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        if path == "/jwks":
            return self._send(200, {"keys": [json.loads(self.owner.key.export_public())]})
        if path == "/auth":
            return self.auth()
        if path == "/launch":
            return self.launch_page()
        if path == "/memberships":
            return self.memberships()
        if path == "/course":
            return self.course_page()
        if path == "/lineitems":
            return self._send(
                200,
                list(self.owner.lineitems.values()),
                "application/vnd.ims.lis.v2.lineitemcontainer+json",
            )
        if path.startswith("/lineitems/"):
            item = self.owner.lineitems.get(int(path.split("/")[2]))
            return self._send(200, item) if item else self._refuse(404, "no such line item")
        return self._send(404, {"error": "not found"})

    def do_POST(self) -> None:
        path = urlsplit(self.path).path
        if path == "/token":
            return self.token()
        if path == "/deep_link_return":
            return self.deep_link_return()
        if path.startswith("/lineitems/") and path.endswith("/scores"):
            return self.score(int(path.split("/")[2]))
        return self._send(404, {"error": "not found"})

    def auth(self) -> None:
        owner, q = self.owner, self._query()
        expected = {
            "scope": "openid",
            "response_type": "id_token",
            "response_mode": "form_post",
            "prompt": "none",
        }
        for name, value in expected.items():
            if q.get(name) != value:
                return self._refuse(400, f"{name} must be {value!r}")
        if q.get("client_id") != owner.client_id:
            return self._refuse(400, "unknown client_id")
        if q.get("redirect_uri") != owner.tool_launch_url:
            return self._refuse(400, "redirect_uri is not the tool's registered launch URL")
        if not q.get("state") or not q.get("nonce") or q.get("login_hint") not in owner.people:
            return self._refuse(400, "state, nonce and a known login_hint are required")
        claims = owner.claims(q["login_hint"], q.get("lti_message_hint", ""), q["nonce"])
        token = owner.sign(claims)
        page = (
            f'<!doctype html><html><body><form id="f" method="post" action="{html.escape(owner.tool_launch_url)}">'
            f'<input type="hidden" name="id_token" value="{token}">'
            f'<input type="hidden" name="state" value="{html.escape(q["state"])}">'
            "</form><script>document.getElementById('f').submit()</script></body></html>"
        )
        self._send(200, page, "text/html; charset=utf-8")

    def launch_page(self) -> None:
        owner, q = self.owner, self._query()
        message = "deep_link" if q.get("deep_link") else f"link:{q.get('link', '')}"
        src = (
            owner.tool_login_url
            + "?"
            + urlencode(owner.login_initiation(q.get("user", ""), message))
        )
        page = (
            "<!doctype html><html><head><title>Test LMS</title></head><body>"
            f"<h1>{html.escape(owner.context['title'])}</h1>"
            f'<iframe id="tool" title="deepgrade" src="{html.escape(src)}" width="900" height="600"></iframe>'
            "</body></html>"
        )
        self._send(200, page, "text/html; charset=utf-8")

    def course_page(self) -> None:
        items = "".join(
            f'<li data-link="{a.id}" data-lineitem="{a.lineitem}">{html.escape(a.title)}</li>'
            for a in self.owner.activities.values()
        )
        self._send(
            200,
            f"<!doctype html><html><body><h1>Activities</h1><ul id='activities'>{items}</ul></body></html>",
            "text/html",
        )

    def token(self) -> None:
        owner, form = self.owner, self._form()
        owner.token_requests += 1
        if form.get("grant_type") != "client_credentials":
            return self._refuse(400, "grant_type must be client_credentials")
        if (
            form.get("client_assertion_type")
            != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
        ):
            return self._refuse(400, "client_assertion_type")
        try:
            claims = owner.verify_tool_jwt(form.get("client_assertion", ""), f"{owner.url}/token")
        except ValueError as error:
            return self._refuse(401, f"client assertion: {error}")
        if claims.get("sub") != owner.client_id or not claims.get("jti"):
            return self._refuse(401, "client assertion: sub must be the client id, with a jti")
        with owner._lock:
            if claims["jti"] in owner._jtis:
                return self._refuse(401, "client assertion replayed (jti)")
            owner._jtis.add(claims["jti"])
        scopes = set(form.get("scope", "").split())
        if not scopes or not scopes <= set(GRANTED) | {
            "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"
        }:
            return self._refuse(400, f"scopes not granted: {sorted(scopes)}")
        access = secrets.token_urlsafe(24)
        with owner._lock:
            owner._tokens[access] = (scopes, time.time() + 3600)
        self._send(
            200,
            {
                "access_token": access,
                "token_type": "Bearer",
                "expires_in": 3600,
                "scope": " ".join(sorted(scopes)),
            },
        )

    def score(self, lineitem: int) -> None:
        owner = self.owner
        if SCORE_SCOPE not in owner.token_scopes(self.headers.get("Authorization", "")):
            return self._refuse(401, "a bearer token with the score scope is required")
        if lineitem not in owner.lineitems:
            return self._refuse(404, "no such line item")
        if (self.headers.get("Content-Type") or "").split(";")[0] != SCORE_TYPE:
            return self._refuse(415, f"Content-Type must be {SCORE_TYPE}")
        body = json.loads(self._body() or b"{}")
        for name in ("userId", "activityProgress", "gradingProgress", "timestamp"):
            if name not in body:
                return self._refuse(400, f"{name} is required")
        if "scoreGiven" in body and ("scoreMaximum" not in body or body["scoreGiven"] < 0):
            return self._refuse(400, "scoreGiven needs a scoreMaximum, and is never negative")
        with owner._lock:
            owner.scores.append({**body, "lineitem": lineitem})
        self._send(204)

    def memberships(self) -> None:
        owner = self.owner
        if MEMBERSHIP_SCOPE not in owner.token_scopes(self.headers.get("Authorization", "")):
            return self._refuse(401, "a bearer token with the membership scope is required")
        members = [
            {
                "status": "Active",
                "name": p.name,
                "given_name": p.given_name,
                "family_name": p.family_name,
                "email": p.email,
                "user_id": p.sub,
                "roles": p.roles,
            }
            for p in owner.people.values()
        ]
        self._send(
            200,
            {"id": f"{owner.url}/memberships", "context": owner.context, "members": members},
            "application/vnd.ims.lti-nrps.v2.membershipcontainer+json",
        )

    def deep_link_return(self) -> None:
        owner, form = self.owner, self._form()
        try:
            claims = owner.verify_tool_jwt(form.get("JWT", ""), owner.issuer)
        except ValueError as error:
            return self._refuse(401, f"deep linking response: {error}")
        if claims.get(LTI + "message_type") != "LtiDeepLinkingResponse":
            return self._refuse(400, "message_type must be LtiDeepLinkingResponse")
        if claims.get(LTI + "deployment_id") != owner.deployment_id:
            return self._refuse(400, "deployment_id")
        if claims.get(DL_DATA) not in owner._dl_data or not claims.get("nonce"):
            return self._refuse(400, "the data claim must be the request's own, with a nonce")
        added = []
        for item in claims.get(DL_ITEMS) or []:
            if item.get("type") != "ltiResourceLink":
                continue
            activity = Activity(
                id=f"rl-{uuid.uuid4().hex[:8]}",
                title=item.get("title", ""),
                custom=dict(item.get("custom") or {}),
            )
            if "lineItem" in item:
                number = len(owner.lineitems) + 1
                owner.lineitems[number] = {
                    "id": f"{owner.url}/lineitems/{number}",
                    "scoreMaximum": item["lineItem"]["scoreMaximum"],
                    "label": item["lineItem"].get("label", activity.title),
                    "resourceId": item["lineItem"].get("resourceId", ""),
                    "resourceLinkId": activity.id,
                }
                activity.lineitem = number
            owner.activities[activity.id] = activity
            added.append(activity)
        items = "".join(f'<li data-link="{a.id}">{html.escape(a.title)}</li>' for a in added)
        self._send(
            200,
            f"<!doctype html><html><body><h1>{len(added)} activities added</h1><ul id='added'>{items}</ul></body></html>",
            "text/html",
        )
