"""Zuzhi settings, read from the environment (ZUZHI_*)."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(os.environ.get("ZUZHI_VAR_DIR", Path.cwd() / "var"))
NODE_MODULES_DIR = Path(os.environ.get("ZUZHI_NODE_MODULES", PROJECT_DIR / "node_modules"))

DEBUG = env_bool("ZUZHI_DEBUG", False)
SECRET_KEY = os.environ.get("ZUZHI_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("请设置 ZUZHI_SECRET_KEY（生产环境必须提供随机密钥）。")
    SECRET_KEY = "insecure-dev-key-only-for-debug-mode-0123456789abcdefghijklmnop"
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("ZUZHI_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("ZUZHI_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",
    # Serves the API docs (Swagger UI) from local static files instead of a CDN.
    "ninja",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "zuzhi.core",
    "zuzhi.accounts",
    "zuzhi.orgs",
    "zuzhi.members",
    "zuzhi.dues",
    "zuzhi.orglife",
    "zuzhi.recruitment",
    "zuzhi.appraisal",
    "zuzhi.points",
    "zuzhi.contests",
    "zuzhi.ratings",
    "zuzhi.cadres",
    "zuzhi.training",
    "zuzhi.promotions",
    "zuzhi.archive",
    "zuzhi.three_ones",
    "zuzhi.village_work",
    "zuzhi.team_appraisal",
    "zuzhi.adjustments",
    "zuzhi.reserve_appraisals",
    "zuzhi.reserve_use",
    "zuzhi.reserve_training",
    "zuzhi.households",
    "zuzhi.talent",
    "zuzhi.subsidies",
    "zuzhi.apartments",
    "zuzhi.talent_demands",
    "zuzhi.challenges",
    "zuzhi.tickets",
    "zuzhi.reserves",
    "zuzhi.joint_reviews",
    "zuzhi.overview",
    "zuzhi.party_stats",
    "zuzhi.dashboard",
    "zuzhi.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "zuzhi.core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "zuzhi.core.middleware.RequestContextMiddleware",
    "zuzhi.core.middleware.RefuseNulMiddleware",
    "zuzhi.core.middleware.PublicAnswerMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "zuzhi.accounts.middleware.SessionGuardMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "zuzhi.accounts.middleware.PasswordExpiryMiddleware",
    "zuzhi.accounts.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "zuzhi.urls"
WSGI_APPLICATION = "zuzhi.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

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
                "zuzhi.core.context_processors.navigation",
                "zuzhi.accounts.context_processors.navigation",
                "zuzhi.three_ones.context_processors.navigation",
                "zuzhi.village_work.context_processors.navigation",
                "zuzhi.reserves.context_processors.navigation",
                "zuzhi.joint_reviews.context_processors.navigation",
            ],
        },
    },
]

VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("ZUZHI_DATABASE_URL", f"sqlite:///{VAR_DIR / 'zuzhi.sqlite3'}"),
        conn_max_age=env_int("ZUZHI_DB_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the db_worker write while pages read; IMMEDIATE avoids "database is locked"
    # upgrades in concurrent write transactions.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    # PostgreSQL's JIT compiler spends about a second compiling the big scoring statements
    # (contest rankings) before running them in a fraction of that; this workload never
    # gains from it.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
# PostgreSQL streaming replicas (one URL, or several comma-separated): the aliases `replica`,
# `replica2`, … read by pages and the API; writes, a writer's reads for
# ZUZHI_READ_YOUR_WRITES_SECONDS, transactions, the worker and commands use the primary
# (core.db_router). Tests use the primary itself as the replica (no test database is created
# on a read-only standby).
REPLICA_URLS = [
    u.strip() for u in os.environ.get("ZUZHI_REPLICA_DATABASE_URL", "").split(",") if u.strip()
]
for n, url in enumerate(REPLICA_URLS, 1):
    replica = dj_database_url.parse(url, conn_max_age=DATABASES["default"]["CONN_MAX_AGE"])
    replica["OPTIONS"] = {**DATABASES["default"].get("OPTIONS", {}), **replica.get("OPTIONS", {})}
    replica["TEST"] = {"MIRROR": "default"}
    DATABASES["replica" if n == 1 else f"replica{n}"] = replica
if REPLICA_URLS:
    DATABASE_ROUTERS = ["zuzhi.core.db_router.PrimaryReplicaRouter"]
    MIDDLEWARE.insert(
        MIDDLEWARE.index("zuzhi.core.middleware.RefuseNulMiddleware") + 1,
        "zuzhi.core.middleware.ReadReplicaMiddleware",
    )
ZUZHI_READ_YOUR_WRITES_SECONDS = env_int("ZUZHI_READ_YOUR_WRITES_SECONDS", 10)
# Behind pgbouncer in transaction pooling, consecutive transactions of one connection may run
# in different server sessions: server-side cursors and named prepared statements (the public
# vote's, core.db.fetch_one_prepared) must not outlive a transaction. Session pooling needs
# nothing.
ZUZHI_PGBOUNCER_TRANSACTION_POOLING = env_bool("ZUZHI_PGBOUNCER_TRANSACTION_POOLING", False)
if ZUZHI_PGBOUNCER_TRANSACTION_POOLING:
    for database in DATABASES.values():
        database["DISABLE_SERVER_SIDE_CURSORS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Import progress is shared between the web process and the task worker through files,
# because the import's transaction is invisible to others until it commits.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "progress": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": VAR_DIR / "cache" / "progress",
    },
    # Counters every server process must share: per-IP vote rate limits, live vote totals.
    "shared": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": VAR_DIR / "cache" / "shared",
    },
}

# Public voting (群众投票): SMS codes go through this backend; the console backend prints them
# (demo and tests). A real deployment points this at its SMS gateway's adapter.
# Formal reports as PDF: Noto Sans CJK from Debian's fonts-noto-cjk (index 2 of the
# collection is Simplified Chinese).
ZUZHI_PDF_FONT = os.environ.get(
    "ZUZHI_PDF_FONT", "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
)
ZUZHI_PDF_FONT_INDEX = env_int("ZUZHI_PDF_FONT_INDEX", 2)

ZUZHI_SMS_BACKEND = os.environ.get(
    "ZUZHI_SMS_BACKEND", "zuzhi.contests.voting.sms.ConsoleSmsBackend"
)
ZUZHI_VOTE_IP_PER_MINUTE = env_int("ZUZHI_VOTE_IP_PER_MINUTE", 60)
ZUZHI_VOTE_CODES_PER_PHONE_PER_DAY = env_int("ZUZHI_VOTE_CODES_PER_PHONE_PER_DAY", 5)
ZUZHI_VOTE_TOTALS_SECONDS = env_int("ZUZHI_VOTE_TOTALS_SECONDS", 5)
# Households' public request page (群众扫码提交, /h/<token>/): the phone is verified by the
# vote's SMS code (same backend, same per-IP and per-phone code limits); requests accepted
# per household and per IP address a day. Texts (the callback link) point at ZUZHI_PUBLIC_URL.
ZUZHI_HOUSEHOLD_TICKETS_PER_DAY = env_int("ZUZHI_HOUSEHOLD_TICKETS_PER_DAY", 3)
ZUZHI_HOUSEHOLD_TICKETS_PER_IP_PER_DAY = env_int("ZUZHI_HOUSEHOLD_TICKETS_PER_IP_PER_DAY", 20)
ZUZHI_PUBLIC_URL = os.environ.get("ZUZHI_PUBLIC_URL", "http://localhost:8000")

# Required frequency of each kind of meeting (支部工作条例): "month", "quarter" or "year".
# Group meetings are left out by default because many village branches have no groups.
ZUZHI_MEETING_FREQUENCY = {
    "member_assembly": "quarter",
    "committee": "month",
    "lecture": "quarter",
    "theme_day": "month",
    "life_meeting": "year",
}
ZUZHI_NO_MEETING_DAYS = 60
# Days after a meeting's date during which its branch may still edit or delete the record;
# later only township or county staff may, giving a reason.
ZUZHI_MEETING_EDIT_DAYS = env_int("ZUZHI_MEETING_EDIT_DAYS", 30)
# Share of a branch's members who may be rated 优秀 in the democratic appraisal.
ZUZHI_APPRAISAL_EXCELLENT_CAP = "0.333"
# Annual assessment of cadres (公务员考核规定): 优秀 at most this share of a round's cadres,
# rounded down. Promotion rounds: grades in the counted years that bar promotion, the points
# each grade adds to the record score, and an optional hook naming cadres under an open
# negative case, `f(cadre_ids, on) -> {cadre_id: reason}` (see zuzhi.promotions.rules).
ZUZHI_EXCELLENT_SHARE = os.environ.get("ZUZHI_EXCELLENT_SHARE", "0.20")
ZUZHI_PROMOTION_BARRING_GRADES = ["basically", "incompetent"]
ZUZHI_PROMOTION_GRADE_POINTS = {"excellent": 2, "competent": 1}
# Democratic appraisal of a team's cadres (民主测评, DOMAIN.md §8), exact fractions: weighted
# 优秀+称职 below APPROVAL_MIN → admonish or adjust; 不称职 above UNFIT_MAX → removal.
ZUZHI_APPRAISAL_APPROVAL_MIN = os.environ.get("ZUZHI_APPRAISAL_APPROVAL_MIN", "2/3")
ZUZHI_APPRAISAL_UNFIT_MAX = os.environ.get("ZUZHI_APPRAISAL_UNFIT_MAX", "1/3")
# Half-year appraisal of village reserves (后备力量半年考评), an exact fraction: a reserve whose
# 优秀+称职 marks on 德能勤绩廉 are strictly below this share of all marks is flagged as weak.
ZUZHI_RESERVE_APPRAISAL_PASS_SHARE = os.environ.get("ZUZHI_RESERVE_APPRAISAL_PASS_SHARE", "2/3")
# Open records of the supervision file bar a promotion (excused and cleared ones do not).
ZUZHI_PROMOTION_EXCLUDED = "zuzhi.archive.selectors.promotion_bars"
# The five triggers (五个即调): a team post empty for more than this many days; the kinds of
# supervision records that are 纪法出事; the last N places of a published contest or index and
# the annual grades that are 业绩倒数; 能力 problems within 12 months that make a person-post
# mismatch (人岗不适, with the democratic appraisal's thresholds); quarters without an
# achievement that, with a 作风 problem, are inaction (躺平无为).
ZUZHI_TRIGGER_VACANT_DAYS = 30
ZUZHI_TRIGGER_DISCIPLINE_KINDS = [
    "admonishment",
    "party_discipline",
    "government_sanction",
    "investigation",
]
ZUZHI_TRIGGER_BOTTOM_PLACES = 2
ZUZHI_TRIGGER_BOTTOM_GRADES = ["basically", "incompetent"]
ZUZHI_TRIGGER_ABILITY_PROBLEMS = 3
ZUZHI_TRIGGER_INACTION_QUARTERS = 2
# Called with `version=` inside the transaction that publishes a contest's result.
ZUZHI_RESULT_PUBLISHED_HOOKS = ["zuzhi.adjustments.services.on_result_published"]
# Called when a county joint review round closes (reserves enter the pool or leave).
ZUZHI_JOINT_REVIEW_CLOSED_HOOKS = ["zuzhi.reserves.lifecycle.on_round_closed"]
# Called when reserves leave the pool (exit, election into the village committee).
ZUZHI_RESERVE_LEFT_POOL_HOOKS = ["zuzhi.reserve_training.services.on_reserves_left_pool"]
# Rankings of individual members by points are off by default (DOMAIN.md §9); branch
# summaries are always available.
ZUZHI_POINTS_INDIVIDUAL_RANKING = env_bool("ZUZHI_POINTS_INDIVIDUAL_RANKING", False)
# How many households one member of a county unit may be linked to at once (千名党员联万户).
ZUZHI_HOUSEHOLD_LINK_CAP = env_int("ZUZHI_HOUSEHOLD_LINK_CAP", 10)
# A request past its deadline climbs one level (branch secretary, community, town) per step.
ZUZHI_TICKET_ESCALATION_STEP_HOURS = env_int("ZUZHI_TICKET_ESCALATION_STEP_HOURS", 24)

# Excel imports by kind: the import mechanism lives in core, the row rules in each app.
ZUZHI_IMPORTERS = {
    "orgs": "zuzhi.orgs.importers.ORG_IMPORTER",
    "members": "zuzhi.members.importers.MEMBER_IMPORTER",
    "indicator_values": "zuzhi.contests.importers.INDICATOR_VALUE_IMPORTER",
    "training": "zuzhi.training.importers.TRAINING_IMPORTER",
    "assessments": "zuzhi.promotions.importers.ASSESSMENT_IMPORTER",
    "households": "zuzhi.households.importers.HOUSEHOLD_IMPORTER",
    "talents": "zuzhi.talent.importers.TALENT_IMPORTER",
    "talent_demands": "zuzhi.talent_demands.importers.DEMAND_ENTRY_IMPORTER",
}

# Excel exports of lists that may run in the task worker, by kind: the job mechanism lives in
# core (core.export_jobs), each list's rows and filters in its app.
ZUZHI_EXPORTERS = {
    "members": "zuzhi.members.exports.member_export",
    "orgs": "zuzhi.orgs.exports.org_export",
    "households": "zuzhi.households.exports.household_export",
    "tickets": "zuzhi.tickets.exports.ticket_export",
    "audit": "zuzhi.core.views.audit_export",
    "points": "zuzhi.points.exports.points_export",
    "dues_arrears": "zuzhi.dues.exports.arrears_export",
}
# A home page whose scope holds more members than this (a province, a city) is counted by the
# worker (`refresh-home-figures`, every 15 minutes) and read as kept; a county's is live.
ZUZHI_HOME_LIVE_MAX_MEMBERS = env_int("ZUZHI_HOME_LIVE_MAX_MEMBERS", 200_000)
# Reports laid out by their own module, by kind: over ZUZHI_EXPORT_INLINE_MAX members in their
# scope they are computed by the worker and their pages show the figures it kept (数据截至).
ZUZHI_REPORTS = {
    "party_stats": "zuzhi.party_stats.exports.stats_report",
    "overview": "zuzhi.overview.exports.overview_report",
}
# An export of more rows than this runs in the worker with a progress page; up to it, at once.
ZUZHI_EXPORT_INLINE_MAX = env_int("ZUZHI_EXPORT_INLINE_MAX", 10_000)
# Where the worker writes export files, and how long a written file is kept (it holds
# personal data): deleted when the next export job is created after that.
ZUZHI_EXPORT_DIR = Path(os.environ.get("ZUZHI_EXPORT_DIR", VAR_DIR / "exports"))
ZUZHI_EXPORT_KEEP_DAYS = env_int("ZUZHI_EXPORT_KEEP_DAYS", 3)

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "zuzhi.accounts.validators.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username",), "max_similarity": 0.7},
    },
    {"NAME": "zuzhi.accounts.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "zuzhi.accounts.validators.CharacterClassValidator"},
    {"NAME": "zuzhi.accounts.validators.NotUsernameValidator"},
    {"NAME": "zuzhi.accounts.validators.CommonPasswordValidator"},
    # The current password and the last five may not be chosen again (history kept per user).
    {"NAME": "zuzhi.accounts.validators.PasswordHistoryValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("ZUZHI_STATIC_ROOT", VAR_DIR / "static"))
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/htmx", NODE_MODULES_DIR / "htmx.org" / "dist"),
    # Alpine's CSP build reads x-data and @click expressions with its own parser instead of
    # new Function, so the Content-Security-Policy needs no 'unsafe-eval'.
    ("vendor/alpinejs-csp", NODE_MODULES_DIR / "@alpinejs" / "csp" / "dist"),
    ("vendor/echarts", NODE_MODULES_DIR / "echarts" / "dist"),
]
WHITENOISE_USE_FINDERS = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = Path(os.environ.get("ZUZHI_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"
# Backups (`zuzhi backup`, core.backup): one archive per run is written here (0600 files).
ZUZHI_BACKUP_DIR = Path(os.environ.get("ZUZHI_BACKUP_DIR", VAR_DIR / "backups"))

# Uploads: files over this size are refused with a message before being read.
ZUZHI_MAX_UPLOAD_BYTES = env_int("ZUZHI_MAX_UPLOAD_MB", 20) * 1024 * 1024
ZUZHI_IMPORT_BACKGROUND_ROWS = env_int("ZUZHI_IMPORT_BACKGROUND_ROWS", 2000)
# A sheet larger than this many cells (rows × columns) is refused before it is read: the reader
# builds a dense grid, and a stray value far away would make it enormous. 5 million holds a
# roster of 125,000 rows × 40 columns; a 5 KB file reaching that far costs some 270 MB to read
# (at 20 million it was 880 MB).
ZUZHI_IMPORT_MAX_CELLS = env_int("ZUZHI_IMPORT_MAX_CELLS", 5_000_000)
# A refused or unconfirmed upload is kept this long for its marked copy and a re-check.
ZUZHI_IMPORT_KEEP_HOURS = env_int("ZUZHI_IMPORT_KEEP_HOURS", 24)
# Audit rows about these object types (label prefixes) are read by the audit administrator
# only: county staff of the organization section must not read cadre records through them.
ZUZHI_AUDIT_ADMIN_ONLY_TYPES = [
    "cadres.",
    "promotions.",
    "archive.",
    "three_ones.",
    "village_work.",
    "team_appraisal.",
    "adjustments.",
]
# Resident village work: last month's report (一月一述职) is overdue after this day of the month;
# terms ending within this many days are listed for renewal or replacement.
ZUZHI_VILLAGE_REPORT_DUE_DAY = env_int("ZUZHI_VILLAGE_REPORT_DUE_DAY", 5)
ZUZHI_VILLAGE_TERM_ENDING_DAYS = env_int("ZUZHI_VILLAGE_TERM_ENDING_DAYS", 60)
# Village reserve targets (村级后备力量, issue #15; reserves.targets): reserves per village
# (two or three wanted), the pool's highest average age, and its lowest share with a college
# degree (大专及以上) as an exact fraction; a value on the boundary meets its target.
ZUZHI_RESERVE_TARGET_PER_VILLAGE = env_int("ZUZHI_RESERVE_TARGET_PER_VILLAGE", 2)
ZUZHI_RESERVE_TARGET_MAX_AVG_AGE = env_int("ZUZHI_RESERVE_TARGET_MAX_AVG_AGE", 37)
ZUZHI_RESERVE_TARGET_MIN_COLLEGE_SHARE = os.environ.get(
    "ZUZHI_RESERVE_TARGET_MIN_COLLEGE_SHARE", "3/5"
)
# Appointment-form uploads (.lrmx zips) with more files than this are written by the worker.
ZUZHI_LRMX_BACKGROUND_FILES = env_int("ZUZHI_LRMX_BACKGROUND_FILES", 200)
# A confirmed import no worker has taken after this long says the worker is not running.
ZUZHI_WORKER_WAIT_SECONDS = env_int("ZUZHI_WORKER_WAIT_SECONDS", 20)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Security baseline (等保): lockout, sessions, password expiry, audit retention.
# Failures of one username from one address lock that pair; failures of any username from one
# address past the much higher ceiling pause logins from that address (accounts.services).
ZUZHI_LOCKOUT_FAILURES = env_int("ZUZHI_LOCKOUT_FAILURES", 5)
ZUZHI_LOCKOUT_IP_FAILURES = env_int("ZUZHI_LOCKOUT_IP_FAILURES", 50)
ZUZHI_LOCKOUT_MINUTES = env_int("ZUZHI_LOCKOUT_MINUTES", 30)
ZUZHI_PASSWORD_MAX_AGE_DAYS = env_int("ZUZHI_PASSWORD_MAX_AGE_DAYS", 90)
ZUZHI_AUDIT_RETENTION_DAYS = max(180, env_int("ZUZHI_AUDIT_RETENTION_DAYS", 180))
# Tamper-evident audit (core.audit_chain, core.audit_guard). The database refuses changes to
# the log; only members of this PostgreSQL role may delete old rows, connecting through
# ZUZHI_AUDIT_PRUNE_DATABASE_URL (the alias `audit_prune`, used by `zuzhi prune-audit` only).
ZUZHI_AUDIT_GUARD = True
ZUZHI_AUDIT_PRUNE_ROLE = os.environ.get("ZUZHI_AUDIT_PRUNE_ROLE", "zuzhi_audit_pruner")
AUDIT_PRUNE_URL = os.environ.get("ZUZHI_AUDIT_PRUNE_DATABASE_URL", "")
if AUDIT_PRUNE_URL:
    DATABASES["audit_prune"] = dj_database_url.parse(AUDIT_PRUNE_URL)
    DATABASES["audit_prune"]["OPTIONS"] = {
        **DATABASES["default"].get("OPTIONS", {}),
        **DATABASES["audit_prune"].get("OPTIONS", {}),
    }
    # The same database under another role: tests have no second one to create.
    DATABASES["audit_prune"]["TEST"] = {"MIRROR": "default"}
# Each sealed audit row is also sent to syslog, as a line of JSON: "udp://host:514",
# "tcp://host:514" or a local socket such as "/dev/log". Empty: not sent.
ZUZHI_AUDIT_SYSLOG = os.environ.get("ZUZHI_AUDIT_SYSLOG", "")
ZUZHI_API_TOKEN_HOURS = env_int("ZUZHI_API_TOKEN_HOURS", 12)
# Personal data encrypted at rest (core.crypto: format of the key entries, rotation). The key
# is never in the database: ZUZHI_DATA_KEY holds it, or ZUZHI_DATA_KEY_FILE names a file of
# keys (`zuzhi generate-key`). Without either the server refuses to start; in DEBUG (the demo,
# development) var/data.key is used, made at first use if missing.
ZUZHI_DATA_KEY = os.environ.get("ZUZHI_DATA_KEY", "")
ZUZHI_DATA_KEY_FILE = os.environ.get("ZUZHI_DATA_KEY_FILE", "")
ZUZHI_DATA_KEY_AUTOCREATE = DEBUG and not ZUZHI_DATA_KEY and not ZUZHI_DATA_KEY_FILE
if ZUZHI_DATA_KEY_AUTOCREATE:
    ZUZHI_DATA_KEY_FILE = str(VAR_DIR / "data.key")
# The cipher of new writes: "aes-gcm" (AES-256-GCM) or "sm4-gcm" (SM4, GB/T 32907); values
# written under either are always read.
ZUZHI_DATA_CIPHER = os.environ.get("ZUZHI_DATA_CIPHER", "aes-gcm")
UNMASKED_BY_DEFAULT = "county_staff,cadre_staff,talent_staff"
ZUZHI_UNMASKED_ROLES = [
    r.strip()
    for r in os.environ.get("ZUZHI_UNMASKED_ROLES", UNMASKED_BY_DEFAULT).split(",")
    if r.strip()
]
# Two-factor login (两步验证): these roles must confirm each login with an authenticator app's
# code; anyone else may turn it on. Failed codes count towards the lockout above, so
# django-otp's own back-off is off.
OTP_REQUIRED_BY_DEFAULT = "sysadmin,auditor,county_staff,cadre_staff,talent_staff"
ZUZHI_OTP_REQUIRED_ROLES = [
    r.strip()
    for r in os.environ.get("ZUZHI_OTP_REQUIRED_ROLES", OTP_REQUIRED_BY_DEFAULT).split(",")
    if r.strip()
]
ZUZHI_OTP_PENDING_MINUTES = 5
ZUZHI_LOCKOUT_CODE_FAILURES = env_int("ZUZHI_LOCKOUT_CODE_FAILURES", 10)
OTP_TOTP_ISSUER = os.environ.get("ZUZHI_OTP_ISSUER", "组织工作平台")
OTP_TOTP_THROTTLE_FACTOR = 0
SESSION_COOKIE_AGE = env_int("ZUZHI_SESSION_IDLE_MINUTES", 30) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy of every answer (core.middleware): everything is served from this
# site. Scripts only from static files: no inline <script>, no onclick=, no javascript: links,
# no eval (Alpine is its CSP build; an htmx trigger filter "[...]" would need eval, so none is
# used). Styles may be inline: style="" attributes and the styles htmx, Alpine (x-show) and
# ECharts set; a style cannot run code.
ZUZHI_CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

HTTPS = env_bool("ZUZHI_HTTPS", not DEBUG)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
if HTTPS:
    SECURE_HSTS_SECONDS = env_int("ZUZHI_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
# Behind the county's reverse proxy (nginx): trust its X-Forwarded-Proto, and take the client's
# address from the last X-Forwarded-For entry, the one it appends (core.context.client_ip).
ZUZHI_BEHIND_PROXY = env_bool("ZUZHI_BEHIND_PROXY", False)
if ZUZHI_BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

DEFAULT_EXCEPTION_REPORTER_FILTER = "zuzhi.core.reporting.ReporterFilter"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("ZUZHI_LOG_LEVEL", "WARNING")},
}
