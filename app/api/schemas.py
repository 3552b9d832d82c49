"""Response models: what the API promises, so the OpenAPI document is complete. Built from service rows by
small `from_*` constructors; table fields are reused from app.models' *Base classes where the shapes agree."""
from __future__ import annotations

from datetime import date, datetime
from typing import Generic, TypeVar

from pydantic import BaseModel, Field

from app.models import ArticleBase, EntityBase, OutletPublic
from app.services.articles import ArticleDetail, ArticleStats
from app.services.entities import EntityDetail, EntityStats
from app.services.outlets import OutletStats
from app.services.pagination import Page as ServicePage
from app.services.quotes import QuoteRow

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int = Field(description="Number of items matching the filters, over all pages")
    next_cursor: str | None = Field(description="Pass as `cursor` to get the next page; null on the last page")


def page_of(page: ServicePage, convert) -> dict:
    return {"items": [convert(item) for item in page.items], "total": page.total, "next_cursor": page.next_cursor}


class ErrorOut(BaseModel):
    detail: str


class ValidationErrorOut(BaseModel):
    detail: str = Field(description="One line naming each invalid parameter and what is wrong with it")
    errors: list[dict] = Field(description="The individual errors: loc (where), msg, type")


class SpeakerRef(BaseModel):
    id: int
    name: str
    kind: str


class SpanRef(BaseModel):
    text: str
    start: int
    end: int


class ArticleRef(BaseModel):
    id: int
    title: str | None
    url: str | None
    published: date | None


class QuotePublic(BaseModel):
    id: int
    text: str = Field(description="The quoted words, exactly article.text[start:end]")
    kind: str = Field(description="speech | fragment | indirect | unattributed")
    cue: str | None = Field(description="The words that introduce the quote ('said', 'according to')")
    speaker: SpeakerRef | None
    speaker_mention: SpanRef | None = Field(description="Where the article names the speaker for this quote")
    article: ArticleRef
    outlet: OutletPublic | None
    start: int
    end: int
    sentence: str | None
    where: str | None = Field(description="Place or occasion of the statement, when the article gives it")

    @classmethod
    def from_row(cls, row: QuoteRow) -> QuotePublic:
        q = row.quote
        mention = None
        if q.speaker_text is not None and q.speaker_start is not None and q.speaker_end is not None:
            mention = SpanRef(text=q.speaker_text, start=q.speaker_start, end=q.speaker_end)
        return cls(
            id=q.id, text=q.text, kind=q.kind, cue=q.cue,
            speaker=SpeakerRef(id=row.speaker.id, name=row.speaker.name, kind=row.speaker.kind) if row.speaker else None,
            speaker_mention=mention,
            article=ArticleRef(id=row.article.id, title=row.article.title, url=row.article.url,
                               published=row.article.published),
            outlet=OutletPublic.model_validate(row.outlet, from_attributes=True) if row.outlet else None,
            start=q.start, end=q.end, sentence=q.sentence, where=q.where_said,
        )


class EntitySummary(EntityBase):
    id: int
    quote_count: int

    @classmethod
    def from_stats(cls, stats: EntityStats) -> EntitySummary:
        e = stats.entity
        return cls(id=e.id, kind=e.kind, name=e.name, role=e.role, affiliation=e.affiliation,
                   quote_count=stats.quote_count)


class EntityOut(EntitySummary):
    aliases: list[str]
    mention_count: int

    @classmethod
    def from_detail(cls, detail: EntityDetail) -> EntityOut:
        e = detail.entity
        return cls(id=e.id, kind=e.kind, name=e.name, role=e.role, affiliation=e.affiliation,
                   aliases=detail.aliases, quote_count=detail.quote_count, mention_count=detail.mention_count)


class ArticleSummary(ArticleBase):
    id: int
    outlet: OutletPublic | None
    quote_count: int

    @classmethod
    def from_stats(cls, stats: ArticleStats) -> ArticleSummary:
        a = stats.article
        return cls(id=a.id, title=a.title, url=a.url, published=a.published, language=a.language,
                   outlet=OutletPublic.model_validate(stats.outlet, from_attributes=True) if stats.outlet else None,
                   quote_count=stats.quote_count)


class ArticleOut(ArticleBase):
    id: int
    outlet: OutletPublic | None
    source_file: str | None
    extractor_version: str
    ingested_at: datetime
    text: str = Field(description="Cleaned article text; every quote's start/end points into it")
    quotes: list[QuotePublic]

    @classmethod
    def from_detail(cls, detail: ArticleDetail) -> ArticleOut:
        a = detail.article
        return cls(id=a.id, title=a.title, url=a.url, published=a.published, language=a.language,
                   outlet=OutletPublic.model_validate(detail.outlet, from_attributes=True) if detail.outlet else None,
                   source_file=a.source_file, extractor_version=a.extractor_version, ingested_at=a.ingested_at,
                   text=a.text, quotes=[QuotePublic.from_row(r) for r in detail.quotes])


class OutletOut(OutletPublic):
    article_count: int
    quote_count: int

    @classmethod
    def from_stats(cls, stats: OutletStats) -> OutletOut:
        o = stats.outlet
        return cls(id=o.id, name=o.name, domain=o.domain, article_count=stats.article_count,
                   quote_count=stats.quote_count)


class HealthOut(BaseModel):
    status: str
    articles: int
    quotes: int
