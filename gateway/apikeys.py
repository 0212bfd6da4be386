"""API keys: created once and shown once; only a SHA-256 of each is stored.

The keys are long random tokens, so a plain hash (not a slow password hash) is what they need:
it makes a stolen table useless without slowing every API call.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.models import ApiKey

CITY = "city"  # scope that sees every unit's cases


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def create_key(session: Session, name: str, scope: str, now: datetime) -> tuple[ApiKey, str]:
    """A new key for `name`, limited to `scope` (a unit code, or "city"). Returns (row, the key)."""
    key = "gk_" + secrets.token_urlsafe(32)
    row = ApiKey(name=name, key_hash=_hash(key), prefix=key[:10], scope=scope, created_at=now)
    session.add(row)
    session.flush()
    return row, key


def verify(session: Session, key: str | None) -> ApiKey | None:
    if not key or len(key) > 200:
        return None
    digest = _hash(key)
    row = session.scalars(select(ApiKey).where(ApiKey.key_hash == digest, ApiKey.revoked_at.is_(None))).one_or_none()
    # The lookup is by hash, so timing reveals nothing of the key; compare again to be explicit.
    if row is None or not hmac.compare_digest(row.key_hash, digest):
        return None
    return row


def may_see(key: ApiKey, unit: str | None) -> bool:
    return key.scope == CITY or (unit is not None and key.scope == unit)
