"""HTTP routers, one module per resource. They parse parameters, call a service and shape the answer."""
from fastapi import APIRouter

from app.api import articles, entities, health, outlets, quotes
from app.api.schemas import ValidationErrorOut

# our 422 body (app/errors.py) replaces FastAPI's default one, so document it instead
INVALID = {422: {"model": ValidationErrorOut, "description": "Invalid parameter"}}

api_router = APIRouter()
for module in (quotes, entities, articles, outlets):
    api_router.include_router(module.router, responses=INVALID)
api_router.include_router(health.router)
