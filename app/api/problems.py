"""/problems/{name}: what each problem `type` in an error body means (RFC 9457 asks for dereferenceable types)."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel

from app.api.schemas import ErrorOut
from app.errors import PROBLEM_TYPES, NotFound, problem_type

router = APIRouter(prefix="/problems", tags=["meta"])


class ProblemType(BaseModel):
    type: str
    title: str
    description: str


@router.get("/{name}", response_model=ProblemType, summary="Explain a problem type",
            responses={404: {"model": ErrorOut, "description": "No such problem type"}})
def explain(name: Annotated[str, Path(description="The last part of a problem `type`", examples=["not-found"])]):
    if name not in PROBLEM_TYPES:
        raise NotFound("problem type", name)
    title, description = PROBLEM_TYPES[name]
    return ProblemType(type=problem_type(name), title=title, description=description)
