"""The explorer page at `/`: static HTML, CSS and JavaScript from app/web/ (no build step) that call this API."""
from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

WEB_DIR = Path(__file__).resolve().parent.parent / "web"

router = APIRouter(include_in_schema=False)


@router.get("/")
def explorer() -> FileResponse:
    return FileResponse(WEB_DIR / "index.html", media_type="text/html")
