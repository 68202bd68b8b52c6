"""Typed settings from the environment; one ConfigError names every problem at once."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
)

from sharedcalling.domain.errors import SharedCallingError

DEMO_TENANT_ID = "8f2b0f5e-1c2d-4e3f-9a4b-5c6d7e8f9a0b"
DEMO_ADMIN_GROUP_ID = "00000000-0000-4000-a000-000000000001"  # "Voice Admins"
DEMO_APPROVER_GROUP_ID = "00000000-0000-4000-a000-000000000002"  # "Voice Approvers"
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///var/sharedcalling.db"

SUPPORTED_DATABASE_SCHEMES = ("sqlite+aiosqlite", "postgresql+asyncpg")


class ConfigError(SharedCallingError):
    """The configuration is invalid; `problems` lists each bad key with what it accepts."""

    def __init__(self, problems: list[str]):
        super().__init__("Invalid configuration:\n" + "\n".join(f"  - {p}" for p in problems))
        self.problems = problems


class AppType(StrEnum):
    MULTI_TENANT = "MultiTenant"
    SINGLE_TENANT = "SingleTenant"
    USER_ASSIGNED_MSI = "UserAssignedMSI"


class TenantBackend(StrEnum):
    EMULATED = "emulated"
    GRAPH_POWERSHELL = "graph+powershell"


def _guid(value: str) -> str:
    if value == "":
        return value
    try:
        return str(uuid.UUID(value))
    except ValueError as exc:
        raise ValueError(f"must be a GUID like {DEMO_TENANT_ID}, got {value!r}") from exc


def _database_url(value: str) -> str:
    scheme = value.split("://", 1)[0]
    if "://" not in value or scheme not in SUPPORTED_DATABASE_SCHEMES:
        raise ValueError(
            f"must start with one of {', '.join(s + '://' for s in SUPPORTED_DATABASE_SCHEMES)}"
        )
    return value


def _http_url(value: str) -> str:
    if not value.startswith(("https://", "http://")):
        raise ValueError(f"must be an http(s) URL, got {value!r}")
    return value.rstrip("/")


def _optional_http_url(value: str) -> str:
    return _http_url(value) if value else value


Guid = Annotated[str, AfterValidator(_guid)]
HttpUrl = Annotated[str, AfterValidator(_http_url)]


class Settings(BaseModel):
    """Everything the bot reads from its environment. Field aliases are the variable names."""

    model_config = ConfigDict(frozen=True, populate_by_name=True, extra="ignore")

    # Bot Framework credentials (names as in the Bot Framework samples).
    app_id: str = Field("", alias="MicrosoftAppId")
    app_password: SecretStr = Field(SecretStr(""), alias="MicrosoftAppPassword")
    app_type: AppType = Field(AppType.MULTI_TENANT, alias="MicrosoftAppType")
    app_tenant_id: Guid = Field("", alias="MicrosoftAppTenantId")
    # Where the Bot Connector's token signing keys are published (sovereign clouds differ).
    bot_openid_metadata_url: HttpUrl = Field(
        "https://login.botframework.com/v1/.well-known/openidconfiguration",
        alias="BOT_OPENID_METADATA_URL",
    )

    host: str = Field("127.0.0.1", alias="HOST")
    port: int = Field(3978, alias="PORT", ge=1, le=65535)
    database_url: Annotated[str, AfterValidator(_database_url)] = Field(
        DEFAULT_DATABASE_URL, alias="DATABASE_URL"
    )
    log_level: str = Field("INFO", alias="LOG_LEVEL", pattern="^(DEBUG|INFO|WARNING|ERROR)$")
    log_format: str = Field("text", alias="LOG_FORMAT", pattern="^(text|json)$")
    """`json`: one JSON object per line (time, level, logger, correlation id, message)."""

    # The tenant the bot serves and who administers it there.
    tenant_backend: TenantBackend = Field(TenantBackend.EMULATED, alias="TENANT_BACKEND")
    tenant_id: Guid = Field(DEMO_TENANT_ID, alias="TENANT_ID")
    admin_group_id: Guid = Field(DEMO_ADMIN_GROUP_ID, alias="ADMIN_GROUP_ID")
    approver_group_id: Guid = Field(DEMO_APPROVER_GROUP_ID, alias="APPROVER_GROUP_ID")

    # Approval policy (issue 11): distinct approvals needed, how long a request waits, when the
    # one reminder goes out, and an optional channel that gets a copy of every approval card.
    approvals_required: int = Field(1, alias="APPROVALS_REQUIRED", ge=1, le=10)
    approval_expiry_hours: float = Field(72.0, alias="APPROVAL_EXPIRY_HOURS", gt=0, le=24 * 30)
    approval_reminder_hours: float = Field(24.0, alias="APPROVAL_REMINDER_HOURS", gt=0, le=24 * 30)
    approvals_channel_id: str = Field("", alias="APPROVALS_CHANNEL_ID", max_length=400)
    # The bot's app id in the organisation's Teams app catalog (Teams admin center, Manage apps:
    # "App ID"); with graph+powershell it lets admins install the app for unreachable approvers
    # (Graph permission TeamsAppInstallation.ReadWriteSelfForUser.All).
    teams_app_catalog_id: Guid = Field("", alias="TEAMS_APP_CATALOG_ID")
    # The bot's public base URL as people's browsers reach it (the messaging endpoint without
    # /api/messages), for download links (plan and audit exports); empty: http://HOST:PORT.
    public_url: Annotated[str, AfterValidator(_optional_http_url)] = Field("", alias="PUBLIC_URL")

    # Real tenant backends (issue 4): Graph endpoint, sign-in authority, app-only credentials.
    graph_base_url: HttpUrl = Field("https://graph.microsoft.com", alias="GRAPH_BASE_URL")
    authority_host: HttpUrl = Field("https://login.microsoftonline.com", alias="AUTHORITY_HOST")
    graph_client_id: str = Field("", alias="GRAPH_CLIENT_ID")
    graph_client_secret: SecretStr = Field(SecretStr(""), alias="GRAPH_CLIENT_SECRET")
    graph_certificate_path: Path | None = Field(None, alias="GRAPH_CERTIFICATE_PATH")
    graph_certificate_thumbprint: str = Field("", alias="GRAPH_CERTIFICATE_THUMBPRINT")
    pwsh_path: str = Field("pwsh", alias="PWSH_PATH")
    powershell_timeout_seconds: float = Field(120.0, alias="POWERSHELL_TIMEOUT_SECONDS", gt=0)

    # Emulated tenant only: injected faults for demos, e.g. "grant_policy=throttle:2:1.5"
    # (format: sharedcalling/adapters/tenant/emulated_faults.py, docs/demo-tenant.md).
    emulated_faults: str = Field("", alias="EMULATED_FAULTS")
    # Emulated tenant only: a shipped seed's name, or the path of a tenant file (the seed format,
    # docs/demo-tenant.md), e.g. one written by `python -m sharedcalling export-tenant`.
    emulated_seed: str = Field("contoso", alias="EMULATED_SEED", min_length=1)

    # Hazard watch (issue 14): how often the check runs (seconds), when an open hazard is
    # announced again (seconds; 0 never), a channel that gets every announcement too (its
    # conversation id, e.g. 19:...@thread.tacv2), and whether affected people are told.
    hazard_check_interval: float = Field(3600.0, alias="HAZARD_CHECK_INTERVAL", ge=10)
    hazard_reminder_after: float = Field(86400.0, alias="HAZARD_REMINDER_AFTER", ge=0)
    hazard_channel_id: str = Field("", alias="HAZARD_CHANNEL_ID", max_length=1024)
    hazard_notify_users: bool = Field(True, alias="HAZARD_NOTIFY_USERS")
    # The admin set-up dialog (issue 10): how long a set-up nobody touches is kept, and how
    # long a plan export download link lives.
    setup_expiry_hours: float = Field(72.0, alias="SETUP_EXPIRY_HOURS", gt=0, le=720)
    export_link_minutes: float = Field(10.0, alias="EXPORT_LINK_MINUTES", gt=0, le=1440)
    # The apply engine (issue 12; docs/operator-guide.md, "Applying changes").
    apply_concurrency: int = Field(8, alias="APPLY_CONCURRENCY", ge=1, le=64)
    apply_calls_per_second: float = Field(0.0, alias="APPLY_CALLS_PER_SECOND", ge=0)
    apply_retry_budget_seconds: float = Field(300.0, alias="APPLY_RETRY_BUDGET_SECONDS", gt=0)
    apply_lease_seconds: float = Field(30.0, alias="APPLY_LEASE_SECONDS", ge=1, le=3600)
    apply_poll_seconds: float = Field(2.0, alias="APPLY_POLL_SECONDS", gt=0, le=300)
    apply_max_jobs: int = Field(2, alias="APPLY_MAX_JOBS", ge=1, le=16)
    apply_progress_interval_seconds: float = Field(
        5.0, alias="APPLY_PROGRESS_INTERVAL_SECONDS", ge=2, le=600
    )
    apply_group_reverify_seconds: float = Field(900.0, alias="APPLY_GROUP_REVERIFY_SECONDS", gt=0)
    apply_group_verify_hours: float = Field(48.0, alias="APPLY_GROUP_VERIFY_HOURS", gt=0)

    # Self-service (issue 15): what a user may request for themselves. Off unless both the
    # resource account and the policy are set (docs/operator-guide.md, "Self-service").
    self_service_resource_account: str = Field(
        "", alias="SELF_SERVICE_RESOURCE_ACCOUNT", max_length=256
    )
    self_service_policy: str = Field("", alias="SELF_SERVICE_POLICY", max_length=256)
    self_service_group_ids: str = Field("", alias="SELF_SERVICE_GROUP_IDS", max_length=4000)
    self_service_max_requests: int = Field(3, alias="SELF_SERVICE_MAX_REQUESTS", ge=1, le=100)
    self_service_window_hours: float = Field(
        24.0, alias="SELF_SERVICE_WINDOW_HOURS", gt=0, le=24 * 30
    )
    self_service_acknowledged: str = Field("", alias="SELF_SERVICE_ACKNOWLEDGED", max_length=400)

    @property
    def self_service_enabled(self) -> bool:
        return bool(self.self_service_resource_account and self.self_service_policy)

    @property
    def self_service_groups(self) -> tuple[str, ...]:
        """SELF_SERVICE_GROUP_IDS as normalised GUIDs (validated by load_settings)."""
        return tuple(str(uuid.UUID(g)) for g in _items(self.self_service_group_ids))

    @property
    def self_service_codes(self) -> tuple[str, ...]:
        return tuple(c.upper() for c in _items(self.self_service_acknowledged))

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def bot_url(self) -> str:
        """Where browsers reach the bot (download links): PUBLIC_URL or http://HOST:PORT."""
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")


def _describe(error: Mapping[str, Any]) -> str:
    location = ".".join(str(part) for part in error.get("loc", ())) or "settings"
    message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
    return f"{location}: {message}"


def _combination_problems(values: Mapping[str, str]) -> list[str]:
    """Problems that only show in combination, checked on the raw values so that they are
    reported together with every single-key problem."""
    problems = []
    app_type = values.get("MicrosoftAppType", AppType.MULTI_TENANT.value)
    if app_type == AppType.SINGLE_TENANT.value and not values.get("MicrosoftAppTenantId"):
        problems.append("MicrosoftAppTenantId: required when MicrosoftAppType is SingleTenant")
    if (
        values.get("MicrosoftAppId")
        and app_type != AppType.USER_ASSIGNED_MSI.value
        and not values.get("MicrosoftAppPassword")
    ):
        problems.append("MicrosoftAppPassword: required when MicrosoftAppId is set")
    if values.get("TENANT_BACKEND") == TenantBackend.GRAPH_POWERSHELL.value:
        if not values.get("GRAPH_CLIENT_ID"):
            problems.append("GRAPH_CLIENT_ID: required for TENANT_BACKEND=graph+powershell")
        # The Teams PowerShell module signs in app-only with a certificate only; Graph may use
        # GRAPH_CLIENT_SECRET instead, and uses the certificate when no secret is set.
        for key in ("GRAPH_CERTIFICATE_PATH", "GRAPH_CERTIFICATE_THUMBPRINT"):
            if not values.get(key):
                problems.append(
                    f"{key}: required for TENANT_BACKEND=graph+powershell (the Teams PowerShell "
                    "module connects app-only with a certificate)"
                )
    problems.extend(_approval_problems(values))
    problems.extend(_self_service_problems(values))
    return problems


def _items(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]


_RULE_CODE = re.compile(r"^SC-[TURPE]\d{2}$", re.IGNORECASE)


def _self_service_problems(values: Mapping[str, str]) -> list[str]:
    """Self-service is on with an account and a policy; then groups are required, and the
    other SELF_SERVICE_ variables mean nothing without it."""
    account = values.get("SELF_SERVICE_RESOURCE_ACCOUNT", "").strip()
    policy = values.get("SELF_SERVICE_POLICY", "").strip()
    groups = _items(values.get("SELF_SERVICE_GROUP_IDS", ""))
    codes = _items(values.get("SELF_SERVICE_ACKNOWLEDGED", ""))
    problems = []
    if bool(account) != bool(policy):
        missing = "SELF_SERVICE_POLICY" if account else "SELF_SERVICE_RESOURCE_ACCOUNT"
        problems.append(
            f"{missing}: required when the other of SELF_SERVICE_RESOURCE_ACCOUNT and "
            "SELF_SERVICE_POLICY is set (self-service needs both)"
        )
    if not (account and policy) and (groups or codes):
        problems.append(
            "SELF_SERVICE_GROUP_IDS, SELF_SERVICE_ACKNOWLEDGED: only with "
            "SELF_SERVICE_RESOURCE_ACCOUNT and SELF_SERVICE_POLICY (self-service is off)"
        )
    if account and policy and not groups:
        problems.append(
            "SELF_SERVICE_GROUP_IDS: required when self-service is on (comma-separated ids of "
            "the Entra groups whose direct members may ask)"
        )
    for group in groups:
        try:
            uuid.UUID(group)
        except ValueError:
            problems.append(f"SELF_SERVICE_GROUP_IDS: {group!r} is not a GUID")
    if policy and (policy.casefold() == "global" or policy.casefold().startswith("tag:")):
        problems.append(
            "SELF_SERVICE_POLICY: name a Shared Calling policy other than Global, without Tag:"
        )
    for code in codes:
        if not _RULE_CODE.match(code):
            problems.append(f"SELF_SERVICE_ACKNOWLEDGED: {code!r} is not a rule code like SC-R07")
    return problems


def _approval_problems(values: Mapping[str, str]) -> list[str]:
    try:
        expiry = float(values.get("APPROVAL_EXPIRY_HOURS", "72"))
        reminder = float(values.get("APPROVAL_REMINDER_HOURS", "24"))
    except ValueError:
        return []  # reported by the field itself
    if 0 < expiry <= reminder:
        return [
            "APPROVAL_REMINDER_HOURS: must be less than APPROVAL_EXPIRY_HOURS (the reminder goes "
            "out that many hours before a request expires)"
        ]
    return []


def load_settings(environ: Mapping[str, str]) -> Settings:
    """Build Settings from an environment mapping; raise ConfigError naming every problem."""
    aliases = {f.alias for f in Settings.model_fields.values() if f.alias}
    values = {k: v for k, v in environ.items() if k in aliases and v != ""}
    problems: list[str] = []
    settings: Settings | None = None
    try:
        settings = Settings.model_validate(values)
    except ValidationError as exc:
        problems.extend(_describe(error) for error in exc.errors())
    problems.extend(_combination_problems(values))
    if problems or settings is None:
        raise ConfigError(problems)
    return settings
