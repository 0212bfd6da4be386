"""What the web app, jobs and commands share: settings, database, Redis, units, policy, classifier.

Built lazily, never at import: a worker that forks (or a test that installs its own runtime)
must not inherit connections opened by the parent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from redis import Redis

from gateway.alerts import EmergencyAlerts
from gateway.db import Database
from gateway.intake import Deployment
from gateway.model_store import ClassifierProvider
from gateway.settings import Settings
from gateway.units import Units, load_units


@dataclass
class Runtime:
    settings: Settings
    database: Database = field(init=False)

    def __post_init__(self) -> None:
        self.database = Database(self.settings.database_url)

    @cached_property
    def redis(self) -> Redis:
        return redis_from_url(self.settings.redis_url)

    @cached_property
    def units(self) -> Units:
        return load_units(self.settings.config_dir)

    @cached_property
    def deployment(self) -> Deployment:
        b = self.units.bureau
        return Deployment(case_prefix=b.case_prefix, timezone=b.timezone, region=b.default_region)

    @cached_property
    def policy(self):
        from gateway.deadlines import load_policy

        return load_policy(self.settings.config_dir)

    @cached_property
    def alerts(self) -> EmergencyAlerts:
        command = self.units.unit_for("command", "city")
        return EmergencyAlerts(self.settings.config_dir, command.code, command.duty_number)

    def service_notices(self, session, case, text: str, now) -> object:
        from gateway.conversation.notices import send_service_notice

        return send_service_notice(session, case, text, now, kind=case.kind, config_dir=self.settings.config_dir)

    def sms_context(self, session):
        """What the SMS conversation needs; the classifier is consulted only for possible threads."""
        from gateway.conversation.inbound import SmsContext

        return SmsContext(
            deployment=self.deployment,
            units=self.units,
            config_dir=self.settings.config_dir,
            ack_reply_days=self.settings.ack_reply_within_days,
            abuse_limit=self.settings.abuse_cases_per_hour,
            classify=lambda text: self.classifiers.get(session).classify(text, channel="sms"),
        )

    @cached_property
    def classifiers(self) -> ClassifierProvider:
        return ClassifierProvider(self.settings.config_dir)

    def close(self) -> None:
        self.database.dispose()


def redis_from_url(url: str) -> Redis:
    # Short timeouts: when Redis is down a webhook must still answer well inside Twilio's 15 s.
    return Redis.from_url(url, socket_connect_timeout=1, socket_timeout=5, health_check_interval=30)
