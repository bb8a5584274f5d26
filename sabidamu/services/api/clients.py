"""API clients and OAuth 2.0 client-credentials tokens (RFC 6749 §4.4), and the per-client rate limit.

An organization client acts through its own service account: a User with no login (no e-mail, phone or usable
password) holding a head's membership of the client's organization. So access.py answers for it exactly as for that
organization's head (active enrolments only, a withdrawn monitoring consent refuses), and its scopes narrow that
further (access.api_role). Revoking a client ends its tokens and takes the membership away in the same transaction.

A region client (`region` set, no organization) reads the counts of one region and its districts, nothing else: it
may hold only models.api.REGION_SCOPES, its service account has no membership (so every child, group and
organization rule refuses it), and only the platform admin (or the operator at the command line) registers or
revokes one, since no organization's head answers for a whole region (access.api_area_allowed).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, col, select

from ... import access
from ...analytics import areas
from ...models import Membership, Organization, User
from ...models.api import API_SCOPES, REGION_SCOPES, ApiClient, ApiRateWindow, ApiToken
from ...models.base import utcnow
from ...models.enums import Role
from .. import AccessDenied, NotFound, ServiceError, fetch
from ..audit import record

TOKEN_SECONDS = 600  # bearer tokens live ten minutes
API_ROLE = "api_client"  # the actor role of every API call in the audit log
MAX_NAME = 100


def _sha(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def parse_scopes(values) -> list[str]:
    """Space- or comma-separated scopes (or a list of them): each a known one, in API_SCOPES order."""
    if isinstance(values, str):
        values = [values]
    wanted = {part for value in values or () for part in value.replace(",", " ").split()}
    unknown = wanted - set(API_SCOPES)
    if unknown or not wanted:
        raise ServiceError("api_bad_scope", field="scopes")
    return [scope for scope in API_SCOPES if scope in wanted]


def _may_manage(db: Session, actor: User | None, org_id: uuid.UUID) -> None:
    if actor is None or actor.is_admin:  # None: the `flask api` command, run by the operator
        return
    if access.org_role(db, actor, org_id) != Role.HEAD:
        raise AccessDenied()


@dataclass(frozen=True)
class NewClient:
    client: ApiClient
    secret: str  # shown once; only its SHA-256 is kept


def _may_manage_regions(actor: User | None) -> None:
    # None: the `flask api` command, run by the operator; a person must pass access.manages_region_clients.
    if actor is not None and not access.manages_region_clients(actor):
        raise AccessDenied()


def _name(name: str) -> str:
    name = (name or "").strip() or "API client"
    if len(name) > MAX_NAME:
        raise ServiceError("api_name_too_long", field="name", max=MAX_NAME)
    return name


def _register(db: Session, actor: User | None, name: str, chosen: list[str], org_id: uuid.UUID | None,
              region: str | None) -> NewClient:
    """The service account, its membership (an organization's only), the client and its audit event (committed)."""
    secret = secrets.token_urlsafe(32)
    account = User(full_name=f"API: {name}"[:200], password_hash="!api-client: no password sign-in")
    db.add(account)
    db.flush()
    if org_id is not None:
        db.add(Membership(user_id=account.id, org_id=org_id, role=Role.HEAD))
    client = ApiClient(org_id=org_id, region=region, user_id=account.id, name=name, scopes=chosen,
                       secret_hash=_sha(secret), created_by=getattr(actor, "id", None))
    db.add(client)
    db.flush()
    detail: dict = {"scopes": chosen, "name": name}
    if region is not None:
        detail["region"] = region
    record(db, actor, "api.client.create", org_id=org_id, object_type="api_client", object_id=client.id,
           detail=detail)
    db.commit()
    return NewClient(client=client, secret=secret)


def create_client(db: Session, actor: User | None, org_id: uuid.UUID, scopes, name: str = "") -> NewClient:
    """Registers a client for one organization (committed)."""
    org = fetch(db, Organization, org_id)
    _may_manage(db, actor, org.id)
    chosen = parse_scopes(scopes)
    return _register(db, actor, _name(name), chosen, org.id, None)


def create_region_client(db: Session, actor: User | None, region: str, scopes, name: str = "") -> NewClient:
    """Registers a client for one region (committed): the platform admin or the operator (actor None) only; the
    region an ISO 3166-2:KZ code (or a name areas.region_code reads); the scopes REGION_SCOPES only, any other is
    refused (api_region_scope) rather than dropped, so nobody believes a region key reads cards."""
    _may_manage_regions(actor)
    code = areas.region_code(region)
    if code is None:
        raise ServiceError("unknown_region", field="region")
    chosen = parse_scopes(scopes)
    if any(scope not in REGION_SCOPES for scope in chosen):
        raise ServiceError("api_region_scope", field="scopes")
    return _register(db, actor, _name(name), chosen, None, code)


def revoke_client(db: Session, actor: User | None, client_id: uuid.UUID,
                  org_id: uuid.UUID | None = None, *, regions_only: bool = False) -> ApiClient:
    """Ends the client: its tokens go, its service account loses the membership (committed). `org_id`: the
    organization the page is about (another organization's client, or a region's, is NotFound there);
    `regions_only`: the admin's page of region clients (an organization's client is NotFound there)."""
    client = fetch(db, ApiClient, client_id)
    if (org_id is not None and client.org_id != org_id) or (regions_only and client.region is None):
        raise NotFound()
    if client.org_id is None:
        _may_manage_regions(actor)
    else:
        _may_manage(db, actor, client.org_id)
    if client.revoked_at is None:
        client.revoked_at = utcnow()
        db.exec(sa.delete(ApiToken).where(col(ApiToken.client_id) == client.id))
        db.exec(sa.delete(Membership).where(col(Membership.user_id) == client.user_id))
        record(db, actor, "api.client.revoke", org_id=client.org_id, object_type="api_client", object_id=client.id,
               detail={"region": client.region} if client.region else None)
        db.commit()
    return client


def clients_of(db: Session, actor: User, org_id: uuid.UUID) -> list[ApiClient]:
    _may_manage(db, actor, org_id)
    return list(db.exec(select(ApiClient).where(ApiClient.org_id == org_id)
                        .order_by(col(ApiClient.created_at).desc())).all())


def region_clients(db: Session, actor: User | None) -> list[ApiClient]:
    """Every region's clients, newest first (the platform admin's page)."""
    _may_manage_regions(actor)
    return list(db.exec(select(ApiClient).where(col(ApiClient.region).is_not(None))
                        .order_by(col(ApiClient.created_at).desc())).all())


# -- tokens -------------------------------------------------------------------------------------------------------

class OAuthError(Exception):
    """An RFC 6749 §5.2 error: `code` is the error value (invalid_client, invalid_scope, ...)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    expires_in: int
    scopes: list[str]


def issue_token(db: Session, client_id: str, secret: str, scope: str | None) -> IssuedToken:
    """Client credentials grant: a new bearer token for a live client whose secret matches (committed)."""
    try:
        ident = uuid.UUID(client_id)
    except (ValueError, TypeError, AttributeError):
        raise OAuthError("invalid_client") from None
    client = db.get(ApiClient, ident)
    expected = client.secret_hash if client is not None else _sha("no such client")
    if not hmac.compare_digest(expected, _sha(secret or "")) or client is None or client.revoked_at is not None:
        raise OAuthError("invalid_client")
    granted = list(client.scopes)
    if scope:
        wanted = scope.split(" ")
        if any(s not in granted for s in wanted):
            raise OAuthError("invalid_scope")
        granted = [s for s in granted if s in wanted]
    token = secrets.token_urlsafe(32)
    now = utcnow()
    db.add(ApiToken(client_id=client.id, token_hash=_sha(token), scopes=granted, created_at=now,
                    expires_at=now + dt.timedelta(seconds=TOKEN_SECONDS)))
    db.exec(sa.delete(ApiToken).where(col(ApiToken.client_id) == client.id, col(ApiToken.expires_at) < now))
    detail: dict = {"scopes": granted}
    if client.region is not None:
        detail["region"] = client.region
    record(db, client_user(db, client), "api.token", role=API_ROLE, org_id=client.org_id, object_type="api_client",
           object_id=client.id, detail=detail)
    db.commit()
    return IssuedToken(access_token=token, expires_in=TOKEN_SECONDS, scopes=granted)


def client_user(db: Session, client: ApiClient) -> User:
    user = db.get(User, client.user_id)
    if user is None:
        raise NotFound()
    return user


@dataclass(frozen=True)
class Caller:
    """Who calls: the client, its area (an organization client's `org_id` or a region client's `region`: exactly
    one is set), its service account and the token's scopes."""
    client_id: uuid.UUID
    org_id: uuid.UUID | None
    user_id: uuid.UUID
    scopes: tuple[str, ...]
    region: str | None = None


_TOKENS = ApiToken.metadata.tables["apitoken"]
_CLIENTS = ApiClient.metadata.tables["apiclient"]
_WINDOWS = ApiRateWindow.metadata.tables["apiratewindow"]


def authenticate(engine: sa.Engine, token: str, limit: int, window_seconds: int = 60) -> tuple[Caller | None, int]:
    """(the caller, 0), (None, 0) for an unknown, expired or revoked token, or (caller, seconds to wait) when the
    client has used its `limit` calls of the window. Runs in its own short transaction, before the request's own
    session touches the database, so the counter's row lock is held for microseconds and never waits on a request."""
    now = utcnow()
    with engine.begin() as conn:
        row = conn.execute(
            sa.select(_CLIENTS.c.id, _CLIENTS.c.org_id, _CLIENTS.c.user_id, _TOKENS.c.scopes, _CLIENTS.c.region)
            .join(_CLIENTS, _CLIENTS.c.id == _TOKENS.c.client_id)
            .where(_TOKENS.c.token_hash == _sha(token), _TOKENS.c.expires_at > now,
                   _CLIENTS.c.revoked_at.is_(None))).first()
        if row is None:
            return None, 0
        caller = Caller(client_id=row[0], org_id=row[1], user_id=row[2], scopes=tuple(row[3] or ()), region=row[4])
        wait = _count_call(conn, caller.client_id, now, limit, window_seconds)
    return caller, wait


def _count_call(conn, client_id: uuid.UUID, now: dt.datetime, limit: int, window_seconds: int) -> int:
    start = now - dt.timedelta(seconds=now.timestamp() % window_seconds)
    updated = conn.execute(
        sa.update(_WINDOWS).where(_WINDOWS.c.client_id == client_id)
        .values(calls=sa.case((_WINDOWS.c.window_start < start, 1), else_=_WINDOWS.c.calls + 1),
                window_start=sa.case((_WINDOWS.c.window_start < start, sa.literal(start, _WINDOWS.c.window_start.type)),
                                     else_=_WINDOWS.c.window_start))
        .returning(_WINDOWS.c.calls, _WINDOWS.c.window_start)).first()
    if updated is None:
        try:
            with conn.begin_nested():
                conn.execute(sa.insert(_WINDOWS).values(client_id=client_id, window_start=start, calls=1))
        except sa.exc.IntegrityError:  # another worker made the row first: count again
            return _count_call(conn, client_id, now, limit, window_seconds)
        return 0
    calls, begun = updated
    if calls > limit:
        ends = begun + dt.timedelta(seconds=window_seconds)
        return max(1, int((ends - now).total_seconds()) + 1)
    return 0


__all__ = ["API_ROLE", "Caller", "IssuedToken", "NewClient", "OAuthError", "TOKEN_SECONDS", "authenticate",
           "client_user", "clients_of", "create_client", "create_region_client", "issue_token", "parse_scopes",
           "region_clients", "revoke_client"]
