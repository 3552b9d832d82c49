"""POST /verify: for fact-check bots. Was this said, by whom, and in which wording?"""
from __future__ import annotations

from fastapi import APIRouter

from app.api.json_response import json_response
from app.api.schemas import ErrorOut, VerifyIn, VerifyOut
from app.deps import SessionDep
from app.services import verify as service

router = APIRouter(prefix="/verify", tags=["verify"])


@router.post("", response_model=VerifyOut, summary="Check a quote: said, by whom, in which words",
             responses={400: {"model": ErrorOut, "description": "The body is not readable JSON"}})
async def verify(body: VerifyIn, session: SessionDep):
    """Checks a sentence against every stored statement. `verdict`: `verbatim` (found word for word, case,
    punctuation and quotation marks aside), `partial` (part of a longer quote), `variant` (the same statement in
    other words; see `closest_text` and `diff`), `misattributed` (found, but not said by `speaker`) or
    `not_found`. `matches` are the quotes of the matching statement, best first, with their outlets, articles,
    dates and offsets."""
    return json_response(VerifyOut.body(service.verify(session=session, text=body.text, speaker=body.speaker)))
