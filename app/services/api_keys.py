"""API keys: create (the key is returned once, only its digest is stored), list, revoke, and check a presented key.

A key looks like `whosaid_<43 url-safe characters>` (256 random bits). The first PREFIX_CHARS characters after
`whosaid_` are stored in clear to find the row; the SHA-256 digest of the whole key is compared with
`hmac.compare_digest`, so the time taken does not depend on how much of a guess was right.
"""
from __future__ import annotations

import enum
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.errors import NotFound
from app.models import ApiKey, utcnow

KEY_START = "whosaid_"
PREFIX_CHARS = 8
MAX_KEY_CHARS = 200          # anything longer is not one of ours; not even hashed


class KeyCheck(enum.Enum):
    VALID = "valid"
    UNKNOWN = "unknown"
    REVOKED = "revoked"


class DuplicateKeyName(ValueError):
    pass


@dataclass(slots=True)
class NewKey:
    row: ApiKey
    key: str          # the only time the key exists in clear


def digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _prefix(key: str) -> str:
    return key[len(KEY_START):len(KEY_START) + PREFIX_CHARS]


def create_key(*, session: Session, name: str) -> NewKey:
    name = name.strip()
    if not name or len(name) > 100 or not name.isprintable():
        raise ValueError("a key name is 1 to 100 printable characters")
    key = KEY_START + secrets.token_urlsafe(32)
    row = ApiKey(name=name, prefix=_prefix(key), key_hash=digest(key))
    session.add(row)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise DuplicateKeyName(f"an API key named {name!r} already exists") from None
    session.refresh(row)
    return NewKey(row=row, key=key)


def list_keys(*, session: Session) -> list[ApiKey]:
    return list(session.exec(select(ApiKey).order_by(ApiKey.id)).all())


def revoke_key(*, session: Session, name: str) -> ApiKey:
    row = session.exec(select(ApiKey).where(ApiKey.name == name.strip())).first()
    if row is None:
        raise NotFound("API key", repr(name))
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        session.add(row)
        session.commit()
        session.refresh(row)
    return row


def check_key(*, session: Session, presented: str) -> tuple[KeyCheck, ApiKey | None]:
    """Whether `presented` is a stored key, and whether it was revoked."""
    if not presented.startswith(KEY_START) or len(presented) > MAX_KEY_CHARS:
        return KeyCheck.UNKNOWN, None
    presented_hash = digest(presented)
    for row in session.exec(select(ApiKey).where(ApiKey.prefix == _prefix(presented))).all():
        if hmac.compare_digest(row.key_hash, presented_hash):
            return (KeyCheck.REVOKED if row.revoked_at is not None else KeyCheck.VALID), row
    return KeyCheck.UNKNOWN, None
