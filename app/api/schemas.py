"""Response models: what the API promises, so the OpenAPI document is complete. Built from service rows by
small `from_*` constructors; table fields are reused from app.models' *Base classes where the shapes agree."""
from __future__ import annotations

from datetime import date, datetime
from typing import Generic, Literal, TypeVar

from pydantic import BaseModel, Field, field_validator

from app.models import ArticleBase, EntityBase, OutletPublic
from app.services.articles import ArticleDetail, ArticleStats
from app.services.entities import EntityDetail, EntityStats, MentionRow
from app.services.outlets import OutletStats
from app.services.pagination import Page as ServicePage
from app.services.quotes import QuoteRow
from app.services.utterances import UtteranceDetail, UtteranceRow
from app.services.verify import Verification

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int = Field(description="Number of items matching the filters, over all pages: exact for the data "
                                   "as this request read it. Counted on the first request for these filters and "
                                   "kept until the data changes, so later pages do not count again")
    next_cursor: str | None = Field(description="Pass as `cursor` to get the next page; null on the last page")
    next: str | None = Field(default=None, description="URL of the next page (also in the `Link: <...>; "
                                                       "rel=\"next\"` header); null on the last page")


def page_of(page: ServicePage, convert, params=None) -> dict:
    """The JSON body of a list page. With `params` (the endpoint's PageDep) the body gains the `next` URL and
    the response an RFC 8288 Link header."""
    next_url = params.link_next(page.next_cursor) if params is not None else None
    return {"items": [convert(item) for item in page.items], "total": page.total, "next_cursor": page.next_cursor,
            "next": next_url}


class InvalidParam(BaseModel):
    name: str = Field(examples=["limit"])
    in_: str = Field(alias="in", examples=["query"], description="query | path | header | body")
    reason: str = Field(examples=["Input should be less than or equal to 200"])


class Problem(BaseModel):
    """An RFC 9457 problem document (media type application/problem+json): the body of every error."""

    type: str = Field(description="URI of the problem type; GET it for an explanation",
                      examples=["/problems/not-found"])
    title: str = Field(examples=["Resource not found"])
    status: int = Field(examples=[404])
    detail: str = Field(description="What went wrong with this request", examples=["quote 99999 not found"])
    instance: str = Field(description="The path of the request", examples=["/quotes/99999"])
    invalid_params: list[InvalidParam] | None = Field(
        default=None, description="For 422: each offending parameter, where it was and why it was rejected")


# old names, kept so routers written against them keep working
ErrorOut = Problem
ValidationErrorOut = Problem


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


class MatchSpan(BaseModel):
    start: int = Field(description="Offset into the quote's `text` (add the quote's `start` for the article)")
    end: int


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
    highlight: list[MatchSpan] | None = Field(
        default=None, description="With `q`: where the search matched in `text`; null otherwise")
    utterance_id: int | None = Field(default=None, description="The statement this quote renders (GET "
                                     "/utterances/{id}); null for indirect, unattributed and speaker-less quotes")

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
            start=q.start, end=q.end, sentence=q.sentence, where=q.where_said, utterance_id=q.utterance_id,
        )


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _outlet_json(outlet) -> dict | None:
    return {"name": outlet.name, "domain": outlet.domain, "id": outlet.id} if outlet is not None else None


def quote_item(row: QuoteRow, highlight: list[tuple[int, int]] | None = None) -> dict:
    """The JSON object of QuotePublic for a row, built directly (QuotePublic.from_row(row).model_dump(mode="json")
    gives the same, field for field; a test keeps them equal). `highlight`: the match spans with `q`."""
    q, speaker, article, outlet = row.quote, row.speaker, row.article, row.outlet
    has_mention = q.speaker_text is not None and q.speaker_start is not None and q.speaker_end is not None
    return {
        "id": q.id, "text": q.text, "kind": q.kind, "cue": q.cue,
        "speaker": {"id": speaker.id, "name": speaker.name, "kind": speaker.kind} if speaker else None,
        "speaker_mention": {"text": q.speaker_text, "start": q.speaker_start, "end": q.speaker_end}
        if has_mention else None,
        "article": {"id": article.id, "title": article.title, "url": article.url,
                    "published": article.published.isoformat() if article.published else None},
        "outlet": {"name": outlet.name, "domain": outlet.domain, "id": outlet.id} if outlet else None,
        "start": q.start, "end": q.end, "sentence": q.sentence, "where": q.where_said,
        "highlight": [{"start": s, "end": e} for s, e in highlight] if highlight is not None else None,
        "utterance_id": q.utterance_id,
    }


class EntitySummary(EntityBase):
    id: int
    quote_count: int
    mention_count: int = Field(0, description="Named mentions in all articles")

    @classmethod
    def from_stats(cls, stats: EntityStats) -> EntitySummary:
        e = stats.entity
        return cls(id=e.id, kind=e.kind, name=e.name, role=e.role, affiliation=e.affiliation,
                   quote_count=stats.quote_count, mention_count=stats.mention_count)


class StatedRoleOut(BaseModel):
    role: str = Field(description="The role as this article states it")
    affiliation: str | None
    mention: str = Field(description="The name the role is attached to in the article")
    article: ArticleRef
    outlet: OutletPublic | None


class OutletQuoteCount(OutletPublic):
    quote_count: int


class EntityOut(EntitySummary):
    aliases: list[str]
    description: str | None = Field(None, description="From the optional curated entities file")
    wikidata_id: str | None = Field(None, description="Wikidata QID, from the optional curated entities file")
    article_count: int = Field(0, description="Articles that mention or quote the entity")
    roles: list[StatedRoleOut] = Field([], description="Roles as each article stated them, newest article first; "
                                                      "`role`/`affiliation` above summarise them")
    outlets: list[OutletQuoteCount] = Field([], description="Outlets that quote the entity, most quotes first")
    first_seen: date | None = Field(None, description="Earliest publication date of an article naming or quoting it")
    last_seen: date | None = None

    @staticmethod
    def body(detail: EntityDetail) -> dict:
        """The JSON object of EntityOut.from_detail(detail), built directly (a test keeps them equal)."""
        e = detail.entity
        return {
            "kind": e.kind, "name": e.name, "role": e.role, "affiliation": e.affiliation, "id": e.id,
            "quote_count": detail.quote_count, "mention_count": detail.mention_count, "aliases": detail.aliases,
            "description": e.description, "wikidata_id": e.wikidata_id, "article_count": detail.article_count,
            "roles": [{"role": r.role, "affiliation": r.affiliation, "mention": r.mention,
                       "article": {"id": r.article_id, "title": r.article_title, "url": None,
                                   "published": _iso(r.published)},
                       "outlet": _outlet_json(r.outlet)} for r in detail.roles or []],
            "outlets": [{"name": o.outlet.name, "domain": o.outlet.domain, "id": o.outlet.id,
                         "quote_count": o.quote_count} for o in detail.outlets or []],
            "first_seen": _iso(detail.first_seen), "last_seen": _iso(detail.last_seen),
        }

    @classmethod
    def from_detail(cls, detail: EntityDetail) -> EntityOut:
        e = detail.entity
        return cls(
            id=e.id, kind=e.kind, name=e.name, role=e.role, affiliation=e.affiliation, aliases=detail.aliases,
            quote_count=detail.quote_count, mention_count=detail.mention_count, description=e.description,
            wikidata_id=e.wikidata_id, article_count=detail.article_count,
            roles=[StatedRoleOut(role=r.role, affiliation=r.affiliation, mention=r.mention,
                                 article=ArticleRef(id=r.article_id, title=r.article_title, url=None,
                                                    published=r.published),
                                 outlet=OutletPublic.model_validate(r.outlet, from_attributes=True) if r.outlet else None)
                   for r in detail.roles or []],
            outlets=[OutletQuoteCount(id=o.outlet.id, name=o.outlet.name, domain=o.outlet.domain,
                                      quote_count=o.quote_count) for o in detail.outlets or []],
            first_seen=detail.first_seen, last_seen=detail.last_seen,
        )


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


class FacetValue(BaseModel):
    value: int | str = Field(description="Entity id, outlet id, or date (YYYY-MM-DD)")
    label: str | None = Field(description="Speaker or outlet name; null for dates")
    count: int


class QuotePage(Page[QuotePublic]):
    facets: dict[str, list[FacetValue]] | None = Field(
        default=None, description="With `facets=`: counts over all pages by speaker, outlet and/or published")


# ---------- utterances and /verify ----------

class FirstSeen(BaseModel):
    published: date | None = Field(description="Earliest publication date of a quote of this statement")
    outlet: OutletPublic | None = Field(description="The outlet of that earliest quote")


class UtteranceSummary(BaseModel):
    id: int
    speaker: SpeakerRef | None
    canonical_text: str = Field(description="The longest wording (a speech quote when there is one)")
    n_quotes: int
    n_outlets: int
    first_seen: FirstSeen

    @classmethod
    def from_row(cls, row: UtteranceRow) -> UtteranceSummary:
        u = row.utterance
        return cls(
            id=u.id, canonical_text=u.canonical_text, n_quotes=u.n_quotes, n_outlets=u.n_outlets,
            speaker=SpeakerRef(id=row.speaker.id, name=row.speaker.name, kind=row.speaker.kind) if row.speaker else None,
            first_seen=FirstSeen(published=u.first_published, outlet=_outlet(row.first_outlet)),
        )


def _outlet(outlet) -> OutletPublic | None:
    return OutletPublic.model_validate(outlet, from_attributes=True) if outlet is not None else None


def _diff_op(d) -> dict:
    return {"op": d.op, "canonical": d.canonical, "variant": d.variant}


class DiffOpOut(BaseModel):
    op: Literal["equal", "insert", "delete", "replace"]
    canonical: str = Field(description="Words of the canonical wording (empty for an insert)")
    variant: str = Field(description="Words of this wording (empty for a delete)")


class OccurrenceOut(BaseModel):
    quote_id: int
    article_id: int
    article_title: str | None
    outlet: OutletPublic | None
    published: date | None
    start: int = Field(description="Offset of the quote in the article text")
    end: int


class VariantOut(BaseModel):
    text: str = Field(description="This wording, as the first outlet to use it printed it")
    quote_ids: list[int]
    occurrences: list[OccurrenceOut]
    diff: list[DiffOpOut] = Field(description="Word-level diff of this wording against the canonical one")


class UtteranceOut(UtteranceSummary):
    variants: list[VariantOut]

    @classmethod
    def from_detail(cls, detail: UtteranceDetail) -> UtteranceOut:
        summary = UtteranceSummary.from_row(detail.row)
        variants = [VariantOut(
            text=v.text, quote_ids=v.quote_ids,
            occurrences=[OccurrenceOut(quote_id=o.quote_id, article_id=o.article_id, article_title=o.article_title,
                                       outlet=_outlet(o.outlet), published=o.published, start=o.start, end=o.end)
                         for o in v.occurrences],
            diff=[DiffOpOut(op=d.op, canonical=d.canonical, variant=d.variant) for d in v.diff],
        ) for v in detail.variants]
        return cls(**summary.model_dump(), variants=variants)


class VerifyIn(BaseModel):
    text: str = Field(min_length=1, max_length=5000, description="The sentence to check, as printed anywhere")
    speaker: str | None = Field(default=None, max_length=200,
                                description="Who it is attributed to: a name or alias ('Putin') or entity id")


class VerifyMatch(QuotePublic):
    score: float = Field(description="Similarity of the checked text to this quote, 0..1")


class VerifyOut(BaseModel):
    verdict: Literal["verbatim", "variant", "partial", "misattributed", "not_found"]
    score: float = Field(description="Similarity of the checked text to the closest wording, 0..1")
    utterance_id: int | None
    closest_text: str | None = Field(description="The stored wording closest to the checked text")
    diff: list[DiffOpOut] = Field(description="Word-level diff of the checked text against closest_text")
    matches: list[VerifyMatch]

    @staticmethod
    def body(v: Verification) -> dict:
        """The JSON object of VerifyOut.from_verification(v), built directly (a test keeps them equal)."""
        return {
            "verdict": v.verdict, "score": v.score, "utterance_id": v.utterance_id, "closest_text": v.closest_text,
            "diff": [_diff_op(d) for d in v.diff],
            "matches": [{**quote_item(m.row), "score": m.score} for m in v.matches],
        }

    @classmethod
    def from_verification(cls, v: Verification) -> VerifyOut:
        return cls(
            verdict=v.verdict, score=v.score, utterance_id=v.utterance_id, closest_text=v.closest_text,
            diff=[DiffOpOut(op=d.op, canonical=d.canonical, variant=d.variant) for d in v.diff],
            matches=[VerifyMatch(**QuotePublic.from_row(m.row).model_dump(), score=m.score) for m in v.matches],
        )


class MentionOut(BaseModel):
    id: int
    text: str = Field(description="The name as written, exactly article.text[start:end]")
    start: int
    end: int
    article: ArticleRef
    outlet: OutletPublic | None

    @classmethod
    def from_row(cls, row: MentionRow) -> MentionOut:
        m = row.mention
        return cls(id=m.id, text=m.text, start=m.start, end=m.end,
                   article=ArticleRef(id=m.article_id, title=row.article_title, url=None, published=row.published),
                   outlet=OutletPublic.model_validate(row.outlet, from_attributes=True) if row.outlet else None)
# ---------- writes (issue 8) ----------

class ArticleIn(BaseModel):
    """One article to ingest through the API: its raw text (cleaned like a file's) and what a manifest would give."""

    text: str = Field(min_length=1, description="Raw article text (plain text; boilerplate lines are removed)")
    title: str | None = Field(default=None, max_length=500)
    outlet: str | None = Field(default=None, max_length=200, description="Outlet name, e.g. 'BBC News'")
    outlet_domain: str | None = Field(default=None, max_length=200, description="e.g. 'bbc.co.uk'")
    published: date | None = Field(default=None, description="Publication date (YYYY-MM-DD)")
    url: str | None = Field(default=None, max_length=2000)
    language: str | None = Field(default=None, max_length=16)

    @field_validator("text", "title", "outlet", "outlet_domain", "url", "language")
    @classmethod
    def _no_nul(cls, value: str | None) -> str | None:
        # text, not binary: PostgreSQL cannot store a NUL character, and a file holding one is refused too
        if value is not None and "\x00" in value:
            raise ValueError("must not contain a NUL character")
        return value


class ArticleIngestOut(BaseModel):
    status: str = Field(description="'created', or 'unchanged' when the same cleaned text was already stored")
    id: int = Field(description="The article's id (GET /articles/{id})")
    quotes: int = Field(description="Quotes stored by this request (0 when unchanged)")
    warnings: list[str] = Field(description="What was dropped while storing the article (e.g. quotes over the cap)")
