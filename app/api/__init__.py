"""HTTP routers, one module per resource. They parse parameters, call a service and shape the answer."""
from fastapi import APIRouter

from app.api import articles, entities, health, outlets, problems, quotes, utterances, verify
from app.api.schemas import Problem

# our problem+json bodies (app/errors.py) replace FastAPI's default 422, so document them instead
INVALID = {422: {"model": Problem, "description": "Invalid parameter"},
           500: {"model": Problem, "description": "Internal server error"}}

api_router = APIRouter()
for module in (quotes, entities, articles, outlets, problems):
    api_router.include_router(module.router, responses=INVALID)
api_router.include_router(entities.speakers_router, responses=INVALID)
api_router.include_router(health.router)
for module in (utterances, verify):
    api_router.include_router(module.router, responses=INVALID)
