"""Live emergencies: the 110 command centre hears at once, and the citizen is told to call 110."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from gateway import outbox
from gateway.models import Case
from gateway.templates_text import render
from gateway.timeline import record


@dataclass(frozen=True)
class EmergencyAlerts:
    """A live emergency reaches the 110 command centre at once, and the citizen is told to call 110.

    Both messages carry a dedupe key, so a job that runs twice alerts once.
    """

    config_dir: str
    command_unit: str  # the unit code of the command centre
    duty_number: str | None  # where the command centre wants alerts by SMS

    def raise_alert(self, session: Session, case: Case, body: str, now: datetime) -> None:
        record(session, case, "emergency_alert", now, "system", unit=self.command_unit)
        if self.duty_number:
            text = render(
                self.config_dir,
                "intake",
                "emergency_alert",
                "zh",
                number=case.number,
                place=case.place or "不详",
                sender=case.citizen_number,
                excerpt=body[:40],
            )
            outbox.queue_sms(
                session,
                to=self.duty_number,
                body=text,
                purpose="emergency_alert",
                language="zh",
                now=now,
                case=case,
                dedupe_key=f"emergency-alert:{case.id}",
            )
        advice = render(self.config_dir, "intake", "emergency_advice", case.language, number=case.number)
        outbox.queue_sms(
            session,
            to=case.citizen_number,
            body=advice,
            purpose=outbox.EMERGENCY_ADVICE,
            language=case.language,
            now=now,
            case=case,
            dedupe_key=f"emergency-advice:{case.id}",
        )
