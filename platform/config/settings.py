"""deepgrade's settings: read entirely from the environment (see `.env.example`).

Every variable goes through a strict helper of `config.env`; the invariants that tie settings
together are checked at the bottom, so a bad deployment fails at start-up with a clear message.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config.env import envbool, envfloat, envint, envlist, envrate, envsecret, envstr

BASE_DIR = Path(__file__).resolve().parents[2]  # the repository root
PLATFORM_DIR = BASE_DIR / "platform"
VAR_DIR = Path(envstr("VAR_DIR", str(BASE_DIR / "var")))

# Under pytest (or `manage.py test`) the settings are imported before any test code can set the
# environment, so tests get a throw-away key instead of the one production must provide.
TESTING = "pytest" in sys.modules or sys.argv[1:2] == ["test"]

DEBUG = envbool("DEBUG", "False")
SECRET_KEY = envsecret("SECRET_KEY")
if not SECRET_KEY and (DEBUG or TESTING):
    SECRET_KEY = "insecure-development-key-never-use-in-production-0123456789"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")
SITE_NAME = envstr("SITE_NAME", "deepgrade")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "accounts",
    "courses",
    "catalog",
    "submissions",
    "authoring",
    "gradebook",
    "reviews",
    "lti",
    "pages",
]

MIDDLEWARE = [
    # Outermost: every response gets the headers, the 413 and 503 pages included.
    "config.middleware.SecurityHeadersMiddleware",
    # Then an oversized body is refused before anything (CSRF, forms) reads it.
    "config.middleware.RequestBodyLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A password chosen by someone else is changed before anything else (accounts/middleware.py).
    "accounts.middleware.PasswordChangeRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.middleware.DatabaseUnavailableMiddleware",
    # Sets the known-browser cookie of a successful sign-in (config/login_throttle.py).
    "config.login_throttle.DeviceCookieMiddleware",
    # Last, as django-axes asks: it turns a lockout raised by the backend into a 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "pages.context_processors.site",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------------
DATABASE_URL = envsecret("DATABASE_URL")
if not DATABASE_URL:
    VAR_DIR.mkdir(parents=True, exist_ok=True)  # SQLite creates the file, not its folder
    DATABASE_URL = f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=envint("DB_CONN_MAX_AGE", "60"),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the Celery worker write to the same file: WAL lets readers go on while
    # one writes, IMMEDIATE takes the write lock at BEGIN (no deadlock when two transactions
    # both try to upgrade a read lock), and the timeout waits for the lock instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    if TESTING:
        # A file, not pytest-django's in-memory default: the end-to-end tests start a Celery
        # worker in another process, and it must see the live server's database. One name per
        # test run, so concurrent runs on one machine do not share it.
        DATABASES["default"]["TEST"] = {
            "NAME": str(Path(tempfile.gettempdir()) / f"deepgrade-test-{os.getpid()}.sqlite3")
        }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: broker, cache ---------------------------------------------------------------------
REDIS_URL = envsecret("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "dg",
            # A Redis host that hangs (rather than refusing) must not hang web requests.
            "OPTIONS": {"socket_timeout": 2, "socket_connect_timeout": 2},
        }
    }
else:
    # Without Redis (unit tests, a quick look) the cache is per process: the rate limit then
    # counts per web process, which is why production requires REDIS_URL (see the end).
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Grading and the Celery queue ---------------------------------------------------------------
# The sandbox's wall-clock limit is at most 120 s per exercise (graders/schema.py); the task's
# limits sit above it so that the sandbox, not Celery, decides a timeout verdict.
GRADING_SOFT_TIME_LIMIT = envint("GRADING_SOFT_TIME_LIMIT", "150")
GRADING_TIME_LIMIT = envint("GRADING_TIME_LIMIT", "180")
GRADING_MAX_RETRIES = envint("GRADING_MAX_RETRIES", "3")
# Instructors' validations of exercise drafts (authoring.tasks) have a queue of their own,
# consumed only by a worker of one pool process at the lowest CPU priority (scripts/run.py,
# docker-compose.yml): however many authors press Validate, students' submissions keep every
# process of the grading workers. A whole run is stopped after VALIDATION_TIME_LIMIT seconds,
# and no sandbox run of it gets more than what is left of that (the exercise's own per-case
# limits are capped by it). The slowest exercise of the bank validates in ~7.5 s on 2 cores;
# 300 s leaves room for exercises with long per-case limits (up to 120 s: graders/schema.py).
VALIDATION_QUEUE = "validation"
VALIDATION_TIME_LIMIT = envint("VALIDATION_TIME_LIMIT", "300")
# Told to stop this much earlier: time to store a "took too long" report.
VALIDATION_SOFT_TIME_LIMIT = VALIDATION_TIME_LIMIT - 15
# The sweeper (celery beat) re-queues submissions stuck past these deadlines (seconds).
SWEEP_INTERVAL = envfloat("SWEEP_INTERVAL", "30")
SWEEP_QUEUED_AFTER = envint("SWEEP_QUEUED_AFTER", "120")
SWEEP_RUNNING_AFTER = envint("SWEEP_RUNNING_AFTER", "300")
SWEEP_MAX_REQUEUES = envint("SWEEP_MAX_REQUEUES", "3")

EXERCISES_DIR = Path(envstr("EXERCISES_DIR", str(BASE_DIR / "exercises")))
EXERCISE_CACHE_DIR = Path(envstr("EXERCISE_CACHE_DIR", str(VAR_DIR / "exercise-versions")))
INSTANCE_SALT = envstr("INSTANCE_SALT", "")

MAX_CODE_BYTES = envint("MAX_CODE_BYTES", "65536")
MAX_ANSWER_BYTES = envint("MAX_ANSWER_BYTES", "4096")
SUBMISSION_RATE = envrate("SUBMISSION_RATE", "20/60")
PRACTICE_RATE = envrate("PRACTICE_RATE", "30/60")
# "Another one" (a new practice instance), page and API: each may run the engine in the web
# process (a math statement) and caches the result for days (submissions.create).
INSTANCE_RATE = envrate("INSTANCE_RATE", "10/60")
# Any request body, uploaded files included (a 1 MiB CSV of students plus its form):
# refused with a 413 page before it is read (config.middleware.RequestBodyLimitMiddleware).
MAX_REQUEST_BYTES = envint("MAX_REQUEST_BYTES", str(2 * 1024 * 1024))
# One limit for a body, not two: Django's own (fields held in memory) would otherwise refuse a
# 300 KiB form with a bare 400 while the middleware lets it through. Bodies are at most
# MAX_REQUEST_BYTES in memory, and the sizes that matter (code, answers, files) are checked
# by the services with a message that keeps what was typed.
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_REQUEST_BYTES

# The worker (and the graders it starts) runs at this lower CPU priority (nice value), so that
# on a machine it shares with the web, the site's requests go first when both want the CPU.
# With autogroup scheduling (most kernels) it is set on the worker's session and on each sandbox
# run's session, not only on the processes: a rush of 2,000 is then accepted in ~10 s rather
# than 14.9 s on 2 cores (docs/benchmarks.md, "Where the time goes"; 10 gave the web a little more margin than 5,
# with the same throughput). 0 turns it off.
WORKER_NICE = envint("WORKER_NICE", "10")

# --- LTI 1.3 (lti/, docs/lti.md) ---------------------------------------------------------------
# Timeout of every call to an LMS (its keys, tokens, scores, roster), in seconds.
LTI_HTTP_TIMEOUT = envfloat("LTI_HTTP_TIMEOUT", "10")
# A score the LMS could not take is retried after 1, 2, 4... times LTI_SEND_BACKOFF seconds, at
# most LTI_SEND_MAX_RETRIES times; then the sweeper (every LTI_SWEEP_INTERVAL s) sends it again.
LTI_SEND_BACKOFF = envfloat("LTI_SEND_BACKOFF", "10")
LTI_SEND_MAX_RETRIES = envint("LTI_SEND_MAX_RETRIES", "8")
LTI_SWEEP_INTERVAL = envfloat("LTI_SWEEP_INTERVAL", "60")
# How long a rotated-out signing key stays in the JWKS (manage.py lti_keys rotate).
LTI_KEY_GRACE_DAYS = envint("LTI_KEY_GRACE_DAYS", "7")

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing from a web request must fail fast when Redis hangs: the row is already saved as
# queued and the sweeper republishes it once the broker is back.
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_timeout": 5, "socket_connect_timeout": 3}
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True  # results live in the Submission row, not in a result backend
CELERY_RESULT_BACKEND = None
# A message is acknowledged only after the task ran, and given back if the worker process dies:
# a worker killed mid-grade loses nothing. Prefetch 1: a worker holds one message at a time, so
# a slow submission never holds others hostage behind it.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
# A pool process starts the grader's zygotes before it reports for work (import torch: seconds
# on a busy machine); Celery's default 4 s would kill and restart it in a loop.
CELERY_WORKER_PROC_ALIVE_TIMEOUT = 60
# Celery's Django fix-up closes the database connection around every task unless this is set:
# on PostgreSQL each grading then opened a new connection (a server process forked, the
# authentication), ~10% of a pool process's time. With it, connections live by Django's own
# rule (DB_CONN_MAX_AGE, a health check per task: submissions.tasks), and the fix-up still
# closes them every 1,000 tasks.
CELERY_DB_REUSE_MAX = 1000
CELERY_TASK_SOFT_TIME_LIMIT = GRADING_SOFT_TIME_LIMIT
CELERY_TASK_TIME_LIMIT = GRADING_TIME_LIMIT
# Students' submissions go to "grading"; instructors' regrades to "regrade", so a regrade of a
# whole course can be given its own (smaller) workers and never delays a student.
CELERY_TASK_DEFAULT_QUEUE = "grading"
CELERY_TASK_ROUTES = {
    "submissions.tasks.sweep_stuck_submissions": {"queue": "maintenance"},
    # Scores sent to an LMS: quick network calls that must not wait behind gradings.
    "lti.tasks.send_score": {"queue": "maintenance"},
    "lti.tasks.sweep_score_sends": {"queue": "maintenance"},
    "authoring.tasks.sweep_stuck_validations": {"queue": "maintenance"},
    "authoring.tasks.validate_draft": {"queue": VALIDATION_QUEUE},
}
CELERY_BEAT_SCHEDULE = {
    "sweep-stuck-submissions": {
        "task": "submissions.tasks.sweep_stuck_submissions",
        "schedule": SWEEP_INTERVAL,
        # A sweep nobody ran in time is useless: the next one does the same work.
        "options": {"expires": SWEEP_INTERVAL},
    },
    "sweep-stuck-validations": {
        "task": "authoring.tasks.sweep_stuck_validations",
        "schedule": SWEEP_INTERVAL,
        "options": {"expires": SWEEP_INTERVAL},
    },
    # Scores for an LMS left pending (retries spent, message lost) or withheld until an
    # exam-mode release date (lti/outbox.py).
    "sweep-lti-score-sends": {
        "task": "lti.tasks.sweep_score_sends",
        "schedule": LTI_SWEEP_INTERVAL,
        "options": {"expires": LTI_SWEEP_INTERVAL},
    },
}

# --- Authentication ---------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    # Sign-in throttling (config/login_throttle.py): axes locks (address, username), the next
    # backend (address, password); ModelBackend checks the password last.
    "axes.backends.AxesStandaloneBackend",
    "config.login_throttle.PasswordThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    # Hashing with the production hasher costs ~0.3 s per user; tests create hundreds.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AXES_ENABLED = envbool("AXES_ENABLED", "True")
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", "10")
AXES_COOLOFF_TIME = envfloat("AXES_COOLOFF_HOURS", "0.25")
# Never by username alone: failures from one address must not lock the owner out everywhere.
# The (address, password) rule and the known-browser exemption: config/login_throttle.py.
AXES_LOCKOUT_PARAMETERS = [["ip_address", "username"]]
AXES_RESET_ON_SUCCESS = True
# A failure during a lock-out does not make it longer: an attacker could otherwise keep an
# (address, username) locked for good by failing once every few minutes.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "config.login_throttle.client_ip"
AXES_WHITELIST_CALLABLE = "config.login_throttle.trusted_device"
AXES_LOCKOUT_CALLABLE = "config.login_throttle.lockout_response"

# Per client address (as the sign-in throttle sees it): accounts made through invite links, and
# password reset e-mails asked for (pages/accounts.py). A lecture hall behind one NAT signs up
# together: the sign-up limit leaves room for a class, not for a script.
SIGNUP_RATE = envrate("SIGNUP_RATE", "60/600")
PASSWORD_RESET_RATE = envrate("PASSWORD_RESET_RATE", "20/900")
# How long a password reset link works (seconds); once used, it stops working anyway.
PASSWORD_RESET_TIMEOUT = envint("PASSWORD_RESET_TIMEOUT", str(24 * 3600))

# --- E-mail -----------------------------------------------------------------------------------
# Password resets, sign-up confirmations, exercise alerts. SMTP by default; `make run` prints
# e-mails in its log instead (EMAIL_BACKEND=django.core.mail.backends.console.EmailBackend).
EMAIL_BACKEND = envstr("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = envstr("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", "25")
EMAIL_HOST_USER = envstr("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = envsecret("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "False")  # STARTTLS, usually port 587
EMAIL_USE_SSL = envbool("EMAIL_USE_SSL", "False")  # TLS from the start, usually port 465
# A mail server that hangs must not hang the request that sends (a reset, a sign-up).
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", f"{SITE_NAME} <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security ---------------------------------------------------------------------------------
# Tests (and DEBUG) talk plain HTTP to a local server, where Secure cookies would not be sent.
SECURE_COOKIES = envbool("SECURE_COOKIES", "False" if DEBUG or TESTING else "True")
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "False")
# HSTS: sent on HTTPS responses only (behind a proxy: TRUST_X_FORWARDED_PROTO). Start small
# (300), then a year (31536000) once every page works over HTTPS: browsers remember it.
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "0")
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", "False")
if envbool("TRUST_X_FORWARDED_PROTO", "False"):
    # Only behind a proxy that sets this header itself (and strips the client's).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Only behind exactly one proxy of ours that appends the client's address to X-Forwarded-For:
# the sign-in throttle then counts per client, not per proxy (config/login_throttle.py).
TRUST_X_FORWARDED_FOR = envbool("TRUST_X_FORWARDED_FOR", "False")
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
# Sent with every response (config.middleware.SecurityHeadersMiddleware; docs/security.md).
# Scripts, styles, fonts and fetches only from the site itself (KaTeX and CodeMirror are
# vendored); images from the site or data: URLs, so that a statement cannot make every
# student's browser call a tracker. Styles also inline: the CodeMirror editor adds its styles
# as a <style> element (without it the editor breaks: tests/e2e/test_browser_csp.py), and the
# diff and error pages have a <style> or style="" of their own; KaTeX itself needs nothing more
# than 'self' (it sets its styles through the DOM). Statements cannot carry styles
# (catalog/rendering.py strips them), and with img-src, font-src and connect-src closed,
# injected CSS could send nothing off-site.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    ]
)
# Nothing here needs a camera, a microphone, the location, payments or USB.
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

# --- Static files, i18n -----------------------------------------------------------------------
STATIC_URL = "/static/"
# Tests and DEBUG serve static files straight from the apps (no collectstatic needed).
STATIC_ROOT = None if TESTING else Path(envstr("STATIC_ROOT", str(VAR_DIR / "static")))
WHITENOISE_USE_FINDERS = DEBUG or TESTING
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not (DEBUG or TESTING)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
LANGUAGE_CODE = "en-us"
TIME_ZONE = envstr("TIME_ZONE", "UTC")
USE_I18N = False
USE_TZ = True

LOG_LEVEL = envstr("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "axes": {"level": "WARNING"},  # it logs its banner at INFO in every process
    },
}

# --- Invariants -------------------------------------------------------------------------------
if not DEBUG and not TESTING:
    if len(SECRET_KEY) < 32:
        raise ImproperlyConfigured(
            "SECRET_KEY (or SECRET_KEY_FILE) must be set to a random string of 32+ characters "
            "when DEBUG is off; e.g. python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    if not REDIS_URL:
        raise ImproperlyConfigured(
            "REDIS_URL is required when DEBUG is off: without it nothing carries submissions "
            "to the workers and the rate limit is per process"
        )
if not GRADING_SOFT_TIME_LIMIT < GRADING_TIME_LIMIT < SWEEP_RUNNING_AFTER:
    raise ImproperlyConfigured(
        "need GRADING_SOFT_TIME_LIMIT < GRADING_TIME_LIMIT < SWEEP_RUNNING_AFTER: the sweeper "
        "must never re-queue a submission whose task may still be running"
    )
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured(
        "set EMAIL_USE_TLS (STARTTLS, port 587) or EMAIL_USE_SSL (port 465), not both"
    )
if SWEEP_MAX_REQUEUES < 1:
    raise ImproperlyConfigured("SWEEP_MAX_REQUEUES must be at least 1")
if VALIDATION_TIME_LIMIT < 30:
    raise ImproperlyConfigured(
        "VALIDATION_TIME_LIMIT must be at least 30 seconds: a validation grades the reference, "
        "the starter and every solution for two seeds"
    )
