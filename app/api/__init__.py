"""HTTP routers, one module per resource. They parse parameters, call a service and shape the answer."""
from fastapi import APIRouter

from app.api import articles, entities, health, outlets, quotes

api_router = APIRouter()
for module in (quotes, entities, articles, outlets, health):
    api_router.include_router(module.router)
