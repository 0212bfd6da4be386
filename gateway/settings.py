"""Settings from the environment: safe defaults for development, strict checks for production.

Parsing is strict (a bad boolean or number is an error, not a guess), and a production
deployment that lacks a required secret fails at start-up with a message naming it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path

from gateway.config import DEFAULT_CONFIG_DIR

PROJECT_DIR = Path(__file__).resolve().parent.parent
INSTANCE_DIR = Path(os.environ.get("GATEWAY_INSTANCE_DIR", PROJECT_DIR / "instance"))

DEV_TWILIO_AUTH_TOKEN = "dev-auth-token-not-secret"


class SettingsError(RuntimeError):
    """A setting is missing or malformed; the message names it."""


def _bool(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name}={raw!r} is not a boolean (use true/false)")


def _int(name: str, raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not a whole number") from None


@dataclass(frozen=True)
class Settings:
    env: str = "development"  # development | test | production (GATEWAY_ENV)
    database_url: str = f"sqlite:///{INSTANCE_DIR / 'gateway.db'}"
    redis_url: str = "redis://127.0.0.1:6379/0"
    config_dir: str = str(DEFAULT_CONFIG_DIR)
    secret_key: str = "dev-secret-key-not-secret"
    public_base_url: str = "http://localhost:5000"
    max_content_length: int = 64 * 1024
    twilio_validate_signatures: bool = True
    twilio_auth_token: str = ""
    twilio_account_sid: str = ""
    twilio_from_number: str = ""
    twilio_messaging_service_sid: str = ""
    twilio_api_base_url: str = ""  # tests point the real client at a local server
    sms_transport: str = "outbox"  # outbox | twilio
    reconcile_grace_seconds: int = 30
    ack_reply_within_days: int = 3
    abuse_cases_per_hour: int = 5  # new cases from one number in an hour before merging for review
    outbox_send_lease_seconds: int = 300  # a claimed SMS whose sender died is sent again after this

    ENV_NAMES = {
        "env": "GATEWAY_ENV",
        "database_url": "DATABASE_URL",
        "redis_url": "REDIS_URL",
        "config_dir": "GATEWAY_CONFIG_DIR",
        "secret_key": "SECRET_KEY",
        "public_base_url": "PUBLIC_BASE_URL",
        "max_content_length": "MAX_CONTENT_LENGTH",
        "twilio_validate_signatures": "TWILIO_VALIDATE_SIGNATURES",
        "twilio_auth_token": "TWILIO_AUTH_TOKEN",
        "twilio_account_sid": "TWILIO_ACCOUNT_SID",
        "twilio_from_number": "TWILIO_FROM_NUMBER",
        "twilio_messaging_service_sid": "TWILIO_MESSAGING_SERVICE_SID",
        "twilio_api_base_url": "TWILIO_API_BASE_URL",
        "sms_transport": "SMS_TRANSPORT",
        "reconcile_grace_seconds": "RECONCILE_GRACE_SECONDS",
        "ack_reply_within_days": "ACK_REPLY_WITHIN_DAYS",
        "abuse_cases_per_hour": "ABUSE_CASES_PER_HOUR",
        "outbox_send_lease_seconds": "OUTBOX_SEND_LEASE_SECONDS",
    }

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides) -> Settings:
        environ = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for f in fields(cls):
            name = cls.ENV_NAMES.get(f.name)
            if name is None or name not in environ:
                continue
            raw = environ[name]
            if f.type == "bool":
                values[f.name] = _bool(name, raw)
            elif f.type == "int":
                values[f.name] = _int(name, raw)
            else:
                values[f.name] = raw
        values.update(overrides)
        return cls(**values).validated()

    def with_(self, **changes) -> Settings:
        return replace(self, **changes).validated()

    @property
    def production(self) -> bool:
        return self.env == "production"

    def validated(self) -> Settings:
        if self.env not in ("development", "test", "production"):
            raise SettingsError(f"GATEWAY_ENV={self.env!r}: use development, test or production")
        if self.sms_transport not in ("outbox", "twilio"):
            raise SettingsError(f"SMS_TRANSPORT={self.sms_transport!r}: use outbox or twilio")
        missing = []
        if self.production:
            if self.twilio_validate_signatures and not self.twilio_auth_token:
                missing.append("TWILIO_AUTH_TOKEN (signature checks are on)")
            if self.secret_key == Settings.secret_key:
                missing.append("SECRET_KEY")
            if self.public_base_url == Settings.public_base_url:
                missing.append("PUBLIC_BASE_URL (the URL Twilio calls, for signature checks)")
        if self.sms_transport == "twilio":
            if not (self.twilio_account_sid and self.twilio_auth_token):
                missing.append("TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN (SMS_TRANSPORT=twilio)")
            if not (self.twilio_from_number or self.twilio_messaging_service_sid):
                missing.append("TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID (SMS_TRANSPORT=twilio)")
        if missing:
            raise SettingsError("missing required settings: " + "; ".join(missing))
        return self

    @property
    def auth_token(self) -> str:
        """The token webhooks are checked against; development gets a fixed, printed one."""
        return self.twilio_auth_token or DEV_TWILIO_AUTH_TOKEN
