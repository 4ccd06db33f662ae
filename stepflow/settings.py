"""stepflow's one settings file, driven by the environment.

Defaults give the embedded shape (SQLite in WAL mode, django-q2's ORM broker, an in-memory
channel layer); ``DATABASE_URL`` switches to PostgreSQL and ``REDIS_URL`` to Redis for the
django-q2 broker and the channel layer. ``STEPFLOW_ENV=production`` turns on the
deployment checks' requirements (a real ``DJANGO_SECRET_KEY``, ``DJANGO_ALLOWED_HOSTS``,
HTTPS-only cookies and HSTS). Every bad value stops the process at start with a message
that names the variable (see ``stepflow/env.py``).
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from stepflow.env import (
    env_bool,
    env_choice,
    env_float,
    env_headers,
    env_int,
    env_list,
    env_rate,
    env_str,
    env_url,
    persistent_secret,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("STEPFLOW_VAR_DIR", str(BASE_DIR / "var")))

STEPFLOW_ENV = env_choice("STEPFLOW_ENV", ("development", "production"), "development")
PRODUCTION = STEPFLOW_ENV == "production"

DEBUG = env_bool("DJANGO_DEBUG", default=not PRODUCTION)
if PRODUCTION:
    SECRET_KEY = env_str("DJANGO_SECRET_KEY", required=True)
    if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be at least 50 varied characters")
else:
    # A development key is generated once per checkout, never written into the repository.
    SECRET_KEY = env_str("DJANGO_SECRET_KEY", "") or persistent_secret(VAR_DIR / "secret-key")

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", [] if PRODUCTION else ["localhost", "127.0.0.1", "[::1]", "testserver"]
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must list the host names served in production")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "django_q",
    "channels",
    "stepflow.access",
    "workflows",
    "executions",
    "stepflow.sfn",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "stepflow.limits.RequestSizeMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "stepflow.access.origin.OriginMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "stepflow.urls"
WSGI_APPLICATION = "stepflow.wsgi.application"
ASGI_APPLICATION = "stepflow.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------

DATABASE_URL = env_url(
    "DATABASE_URL",
    ("sqlite", "postgres", "postgresql", "pgsql"),
    default=f"sqlite:///{VAR_DIR / 'stepflow.sqlite3'}",
)
assert DATABASE_URL is not None
_database = dj_database_url.parse(DATABASE_URL)
if _database["ENGINE"] == "django.db.backends.sqlite3":
    if _database["NAME"] != ":memory:":
        Path(_database["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    _database["OPTIONS"] = {
        # Several processes (web, workers, timer) write one file: WAL lets readers run
        # beside the writer, IMMEDIATE takes the write lock at BEGIN so two writers queue
        # on the busy timeout instead of deadlocking on a lock upgrade.
        "init_command": "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA busy_timeout=20000",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # Tests need a file (not :memory:) so a real qcluster process can share the database;
    # one per test run, so two runs in one checkout never share it.
    _database["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
elif env_bool("STEPFLOW_DATABASE_POOL", False):
    # The web process (stepflow/asgi.py turns this on). Under ASGI every request runs its
    # sync code in a thread of its own, so Django's persistent connections would open a
    # PostgreSQL connection per request (measured: a tenth of a start request's time) and
    # leave the old ones to the garbage collector. A pool (psycopg_pool) serves them instead.
    # Not in the workers: django-q2 forks them, and a pool's threads do not survive a fork.
    _database["CONN_MAX_AGE"] = 0
    # With a pool, Django checks each connection as it leaves it: a restarted PostgreSQL
    # costs no request an error.
    _database["CONN_HEALTH_CHECKS"] = True
    _database["OPTIONS"] = {
        **_database.get("OPTIONS", {}),
        "pool": {"min_size": 1, "max_size": env_int("DATABASE_POOL_MAX_SIZE", 10, minimum=1), "timeout": 10},
    }
else:
    _database["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0)
    _database["CONN_HEALTH_CHECKS"] = True
DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Queue and channel layer ----------------------------------------------------------

REDIS_URL = env_url("REDIS_URL", ("redis", "rediss", "unix"))
STEPFLOW_QUEUE_NAME = env_str("STEPFLOW_QUEUE_NAME", "stepflow")

_worker_timeout = env_int("STEPFLOW_WORKER_TIMEOUT", 360, minimum=10)
Q_CLUSTER: dict[str, object] = {
    "name": STEPFLOW_QUEUE_NAME,
    "workers": env_int("STEPFLOW_WORKERS", 2, minimum=1, maximum=256),
    # A unit of work is bounded by one Task call (300 s at most on Fn) plus a time slice;
    # past this django-q2 kills the worker and our claim lease lets another resume the run.
    "timeout": _worker_timeout,
    "retry": _worker_timeout + 60,
    "max_attempts": 1,  # the timer loop re-enqueues lost work; broker retries would duplicate it
    "save_limit": -1,  # keep no row per successful task: one per transition batch is waste
    "ack_failures": True,
    "catch_up": False,
    "poll": 0.05,
    "label": "Task queue",
    # One line per task at INFO would drown the logs: a run makes several.
    "log_level": env_str("STEPFLOW_QUEUE_LOG_LEVEL", "WARNING").upper(),
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
    CHANNEL_LAYERS = {
        # redis-py 8 reads with a 5 s socket timeout by default, which cuts the channel
        # layer's idle blocking receive and drops every websocket (django/channels_redis#422).
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [{"address": REDIS_URL, "socket_timeout": None}]},
        }
    }
    # Shared counters (API throttling) must be shared by every web process.
    CACHES = {
        "default": {
            "BACKEND": "stepflow.redis_cache.SharedRedisCache",  # one client per process, not per request
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": STEPFLOW_QUEUE_NAME,
        }
    }
else:
    Q_CLUSTER["orm"] = "default"
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# --- Auth, i18n, static ---------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Every password form goes through the throttled backend (stepflow/access/login.py).
AUTHENTICATION_BACKENDS = ["stepflow.access.login.ThrottledModelBackend"]
STEPFLOW_LOGIN_FAILURE_LIMIT = env_int("STEPFLOW_LOGIN_FAILURE_LIMIT", 5, minimum=1)
STEPFLOW_LOGIN_IP_FAILURE_LIMIT = env_int("STEPFLOW_LOGIN_IP_FAILURE_LIMIT", 50, minimum=1)
STEPFLOW_LOGIN_WINDOW_SECONDS = env_int("STEPFLOW_LOGIN_WINDOW_SECONDS", 900, minimum=1)
# Proxies in front that append to X-Forwarded-For (0: trust only the socket's address).
STEPFLOW_PROXY_COUNT = env_int("STEPFLOW_PROXY_COUNT", 0, minimum=0, maximum=10)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Serve from the finders in development so `make run` needs no collectstatic.
WHITENOISE_USE_FINDERS = not PRODUCTION

# --- Limits on what clients send (stepflow/limits.py; README "Limits") ----------------
# A request body past this is refused with 413 before it is read: it must fit a 1 MiB
# definition sent as JSON text inside JSON (escaping can double it).
STEPFLOW_MAX_REQUEST_BYTES = env_int("STEPFLOW_MAX_REQUEST_BYTES", 4 * 1024 * 1024, minimum=64 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = STEPFLOW_MAX_REQUEST_BYTES
# JSON nested deeper than this (request bodies, definitions sent as text) is refused with
# 400: deep nesting is how a small body exhausts a parser's or an evaluator's stack.
STEPFLOW_MAX_JSON_DEPTH = env_int("STEPFLOW_MAX_JSON_DEPTH", 128, minimum=8, maximum=900)
# States in one definition, counting those inside Parallel branches and Map processors.
STEPFLOW_MAX_STATES = env_int("STEPFLOW_MAX_STATES", 2000, minimum=1)
# Items one Map state may iterate over; more fails the state (Catch can handle it).
STEPFLOW_MAX_MAP_ITEMS = env_int("STEPFLOW_MAX_MAP_ITEMS", 10_000, minimum=1)
# Children (branches and iterations) of one execution started at once, across all its
# Parallel and Map states: a new fork gets what is left of it, but always at least one.
STEPFLOW_MAX_RUNNING_CHILDREN = env_int("STEPFLOW_MAX_RUNNING_CHILDREN", 1000, minimum=1)

# --- Security (what `check --deploy` asks for in production) ---------------------------

SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", PRODUCTION)
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31_536_000 if PRODUCTION else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", PRODUCTION)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", PRODUCTION)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# The pages load only their own scripts (no inline script anywhere; the API docs use the
# split Swagger view for that reason). Styles allow inline: the graph library sets them.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
if env_bool("DJANGO_BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- REST API -------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "stepflow.access.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # Rates are read per request from the two settings below (stepflow/access/throttling.py).
    "DEFAULT_THROTTLE_CLASSES": ["stepflow.access.throttling.UserThrottle", "stepflow.access.throttling.AnonThrottle"],
    "NUM_PROXIES": STEPFLOW_PROXY_COUNT or None,
    "DEFAULT_PAGINATION_CLASS": "stepflow.api.NewestFirstPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "stepflow.api.exception_handler",
    "DEFAULT_PARSER_CLASSES": [
        "stepflow.limits.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": [
        "stepflow.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
}
# "<n>/<second|minute|hour|day>" or "off".
STEPFLOW_API_THROTTLE_USER = env_rate("STEPFLOW_API_THROTTLE_USER", "1200/minute")
STEPFLOW_API_THROTTLE_ANON = env_rate("STEPFLOW_API_THROTTLE_ANON", "60/minute")
SPECTACULAR_SETTINGS = {
    "TITLE": "stepflow API",
    "DESCRIPTION": "Run Amazon States Language state machines; Task states call Fn Project.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Every operation may answer with the one error body; the hook documents it once.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "stepflow.api_schema.add_error_responses",
    ],
}

# --- stepflow -------------------------------------------------------------------------

STEPFLOW_MAX_PAYLOAD_BYTES = 256 * 1024  # execution input and any state's output (AWS's limit)
STEPFLOW_MAX_DEFINITION_BYTES = 1024 * 1024
# How long one unit of work may advance a run before handing off to the queue, so one
# busy run cannot starve the others.
STEPFLOW_TIME_SLICE_SECONDS = env_float("STEPFLOW_TIME_SLICE_SECONDS", 0.2, minimum=0.0)
# Transitions that only move on (Pass, Choice, a zero-length Wait) commit together, up to
# this many in one transaction or for this long: a group commit. 1 commits each on its own.
STEPFLOW_TRANSITIONS_PER_COMMIT = env_int("STEPFLOW_TRANSITIONS_PER_COMMIT", 64, minimum=1, maximum=10_000)
STEPFLOW_COMMIT_WINDOW_SECONDS = env_float("STEPFLOW_COMMIT_WINDOW_SECONDS", 0.02, minimum=0.0, maximum=1.0)
# A claim not renewed within this long is presumed dead and another worker may take over.
STEPFLOW_CLAIM_LEASE_SECONDS = env_float("STEPFLOW_CLAIM_LEASE_SECONDS", 30.0, minimum=1.0)
STEPFLOW_TASK_TIMEOUT_SECONDS = env_float("STEPFLOW_TASK_TIMEOUT_SECONDS", 300.0, minimum=1.0)
STEPFLOW_TIMER_INTERVAL_SECONDS = env_float("STEPFLOW_TIMER_INTERVAL_SECONDS", 0.1, minimum=0.01, maximum=1.0)
# How often the live views read the executions followed in a process (one query for all of
# them): the only path on the embedded shape, a safety net behind Redis's pushes.
STEPFLOW_LIVE_POLL_SECONDS = env_float("STEPFLOW_LIVE_POLL_SECONDS", 0.25 if REDIS_URL else 0.02, minimum=0.005, maximum=5.0)
# `manage.py worker` restarts its cluster when work has waited this long while a worker sat
# idle (a process killed while holding one of the cluster's locks): executions/workers.py.
STEPFLOW_WORKER_STALL_SECONDS = env_float("STEPFLOW_WORKER_STALL_SECONDS", 15.0, minimum=1.0)
# daphnes `manage.py web` runs on one socket (one request's sync code at a time each).
STEPFLOW_WEB_PROCESSES = env_int("STEPFLOW_WEB_PROCESSES", 1, minimum=1, maximum=64)
# Children of one Parallel or Map started at once, whatever MaxConcurrency allows.
STEPFLOW_FORK_WINDOW = env_int("STEPFLOW_FORK_WINDOW", 1000, minimum=1)
# Effect-free Parallel/Map children run in-process within these limits (executions/inline.py).
STEPFLOW_INLINE_FORK_CHILDREN = env_int("STEPFLOW_INLINE_FORK_CHILDREN", 1000, minimum=0)
STEPFLOW_INLINE_FORK_STEPS = env_int("STEPFLOW_INLINE_FORK_STEPS", 10_000, minimum=0)
# --- Fn Project (executions/fn_client.py) ----------------------------------------------
# The Fn server's API root; when set, Task states call it (unless STEPFLOW_FN_CLIENT says otherwise).
FN_API_URL = env_url("FN_API_URL", ("http", "https"))
# Further hosts whose http(s):// invoke URLs a Resource may name: host or host:port (trusted
# wherever it resolves), .domain or * (public addresses only); see executions/fn_hosts.py.
FN_ALLOWED_HOSTS = env_list("FN_ALLOWED_HOSTS", [])
# How long an fn:<app>/<function> resolution is trusted before asking the Fn API again.
FN_RESOLVE_CACHE_SECONDS = env_float("FN_RESOLVE_CACHE_SECONDS", 60.0, minimum=0.0)
# The local runner (manage.py fn_runner): its port and the folder of its apps.
FN_PORT = env_int("FN_PORT", 8080, minimum=1, maximum=65535)
FN_FUNCTIONS_DIR = Path(env_str("FN_FUNCTIONS_DIR", str(BASE_DIR / "examples" / "functions")))
# A callable returning the Fn client (executions/fn.py): the real one when FN_API_URL is set.
STEPFLOW_FN_CLIENT = env_str(
    "STEPFLOW_FN_CLIENT", "executions.fn_client.from_settings" if FN_API_URL else "executions.fn.unconfigured_client"
)
# Run queued tasks inline (django-q2's per-task ``sync``); tests turn this on.
STEPFLOW_TASKS_SYNC = env_bool("STEPFLOW_TASKS_SYNC", False)
# Callables that wrap the Fn client (client -> client), applied in order: the Step
# Functions API's runs imported Lambda ARNs on the Fn functions its mapping table names.
STEPFLOW_FN_CLIENT_WRAPPERS = ["stepflow.sfn.lambda_map.wrap"]

# --- Step Functions API (stepflow/sfn/) -------------------------------------------------
# The region and account in the ARNs it issues; clients sign for this region.
STEPFLOW_SFN_REGION = env_str("STEPFLOW_SFN_REGION", "us-east-1")
STEPFLOW_SFN_ACCOUNT = env_str("STEPFLOW_SFN_ACCOUNT", "000000000000")
if not (STEPFLOW_SFN_ACCOUNT.isdigit() and len(STEPFLOW_SFN_ACCOUNT) == 12):
    raise ImproperlyConfigured("STEPFLOW_SFN_ACCOUNT must be 12 digits, like an AWS account id")
# How far a signed request's X-Amz-Date may be from the server's clock (AWS allows 5 minutes).
STEPFLOW_SFN_MAX_CLOCK_SKEW_SECONDS = env_int("STEPFLOW_SFN_MAX_CLOCK_SKEW_SECONDS", 300, minimum=1)
# Requests per access key, "<n>/<second|minute|hour|day>" or "off"; past it: ThrottlingException.
STEPFLOW_SFN_THROTTLE_RATE = env_rate("STEPFLOW_SFN_THROTTLE_RATE", "100/second")
# How long StartSyncExecution waits for the run before stopping it (AWS's Express limit).
STEPFLOW_SFN_SYNC_TIMEOUT_SECONDS = env_float("STEPFLOW_SFN_SYNC_TIMEOUT_SECONDS", 300.0, minimum=1.0)

# --- Retention (executions/retention/) -------------------------------------------------
# Finished executions older than their window are exported, then deleted. A machine may
# override the window (1-30 days); legal holds keep runs out entirely.
STEPFLOW_RETENTION_DAYS = env_int("STEPFLOW_RETENTION_DAYS", 7, minimum=1, maximum=30)
STEPFLOW_RETENTION_INTERVAL_MINUTES = env_int("STEPFLOW_RETENTION_INTERVAL_MINUTES", 60, minimum=1, maximum=1440)
STEPFLOW_RETENTION_EXPORTER = env_choice("STEPFLOW_RETENTION_EXPORTER", ("jsonl", "http", "syslog"), "jsonl")
# Executions per export batch, and per delete transaction (kept small: short write locks).
STEPFLOW_RETENTION_BATCH_SIZE = env_int("STEPFLOW_RETENTION_BATCH_SIZE", 500, minimum=1, maximum=10_000)
STEPFLOW_RETENTION_DELETE_CHUNK = env_int("STEPFLOW_RETENTION_DELETE_CHUNK", 50, minimum=1, maximum=1000)
# A running retention pass renews its heartbeat at every batch; one silent for longer than
# this died (crash, kill) and the next pass marks it abandoned instead of waiting on it.
STEPFLOW_RETENTION_LEASE_SECONDS = env_int("STEPFLOW_RETENTION_LEASE_SECONDS", 900, minimum=60)
STEPFLOW_RETENTION_DIR = Path(env_str("STEPFLOW_RETENTION_DIR", str(VAR_DIR / "retention")))
STEPFLOW_RETENTION_HTTP_URL = env_url("STEPFLOW_RETENTION_HTTP_URL", ("http", "https"))
STEPFLOW_RETENTION_HTTP_HEADERS = env_headers("STEPFLOW_RETENTION_HTTP_HEADERS")
STEPFLOW_RETENTION_HTTP_TIMEOUT_SECONDS = env_float("STEPFLOW_RETENTION_HTTP_TIMEOUT_SECONDS", 10.0, minimum=0.1)
STEPFLOW_RETENTION_HTTP_RETRIES = env_int("STEPFLOW_RETENTION_HTTP_RETRIES", 3, minimum=0, maximum=20)
STEPFLOW_RETENTION_HTTP_BACKOFF_SECONDS = env_float("STEPFLOW_RETENTION_HTTP_BACKOFF_SECONDS", 1.0, minimum=0.0)
STEPFLOW_RETENTION_SYSLOG_URL = env_url("STEPFLOW_RETENTION_SYSLOG_URL", ("udp", "tcp"), "udp://127.0.0.1:514")
STEPFLOW_RETENTION_SYSLOG_TIMEOUT_SECONDS = env_float("STEPFLOW_RETENTION_SYSLOG_TIMEOUT_SECONDS", 10.0, minimum=0.1)
if STEPFLOW_RETENTION_EXPORTER == "http" and not STEPFLOW_RETENTION_HTTP_URL:
    raise ImproperlyConfigured("STEPFLOW_RETENTION_HTTP_URL must be set when STEPFLOW_RETENTION_EXPORTER=http")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("STEPFLOW_LOG_LEVEL", "INFO").upper()},
    "loggers": {"django_q": {"level": env_str("STEPFLOW_QUEUE_LOG_LEVEL", "WARNING").upper()}},
}
