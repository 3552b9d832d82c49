"""API-key authentication for the write endpoints. Reads are public.

The key travels in `X-API-Key: <key>` or `Authorization: Bearer <key>`. No key gives 401; a key that is not
ours, or was revoked, gives 403.
"""
from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from app.api.schemas import ErrorOut
from app.deps import SessionDep
from app.models import ApiKey
from app.services import api_keys as service

api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False,
                              description="A key made with `whosaid keys create NAME`")
bearer = HTTPBearer(auto_error=False, description="The same key as a bearer token")

# for the `responses=` of every write endpoint, so the OpenAPI document lists them
AUTH_ERRORS = {401: {"model": ErrorOut, "description": "No API key was sent"},
               403: {"model": ErrorOut, "description": "The API key is unknown or revoked"}}


def require_api_key(
    session: SessionDep,
    header_key: Annotated[str | None, Security(api_key_header)],
    bearer_key: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
) -> ApiKey:
    presented = header_key or (bearer_key.credentials if bearer_key else None)
    if not presented:
        raise HTTPException(status_code=401, headers={"WWW-Authenticate": "Bearer"},
                            detail="This endpoint needs an API key: send it as 'X-API-Key: <key>' or "
                                   "'Authorization: Bearer <key>'")
    result, row = service.check_key(session=session, presented=presented)
    if result is service.KeyCheck.REVOKED:
        raise HTTPException(status_code=403, detail="API key has been revoked")
    if result is not service.KeyCheck.VALID or row is None:
        raise HTTPException(status_code=403, detail="API key not recognised")
    return row


WriteKey = Annotated[ApiKey, Depends(require_api_key)]
