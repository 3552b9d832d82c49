"""Utterance grouping cost as the corpus grows: 1k, 10k, 100k generated quotes.

Generated corpus (seeded RNG): statements of 8-30 words drawn from a Zipf-distributed vocabulary of 20,000
made-up words plus English function words, by speakers whose number grows with the square root of the corpus
(so famous speakers accumulate more and more quotes, as in real news). Each statement is quoted 1-6 times, in
articles of 20 quotes spread over a year: as printed, as an excerpt (a contiguous piece of 2-8 words, or a
single word), or as a variant with one to three words replaced. Quotes and articles are written to a fresh
SQLite file through the models, then `services.utterances.group_article` (the same step ingest runs) groups
each article in its own transaction; only grouping is timed.

With `--readouts F`, every person speaks for an institution of his own (an organisation his stated role is
affiliated with) and a share F of the quotes is attributed to that institution instead (an outlet quoting the
government's readout of a leader's words), so grouping must join across the two speakers (see
services/affiliations.py); the corpus is otherwise the same.

Baseline, in the same run: the naive approach that compares each new quote with every earlier quote of its
speaker (same `compare`), timed on the smaller sizes only (it is quadratic).

    python benchmarks/utterance_bench.py                 # 1000 10000 100000
    python benchmarks/utterance_bench.py --sizes 1000 5000
    python benchmarks/utterance_bench.py --sizes 1000 10000 --readouts 0.15
"""
from __future__ import annotations

import argparse
import itertools
import math
import random
import sys
import tempfile
import time
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.pipeline.utterances import STOPWORDS, compare, signature  # noqa: E402

QUOTES_PER_ARTICLE = 20
VOCABULARY = 20_000
FUNCTION_WORDS = sorted(STOPWORDS)


def make_vocabulary(rng: random.Random) -> list[str]:
    letters = "abcdefghijklmnoprstuvwyz"
    words: set[str] = set()
    while len(words) < VOCABULARY:
        words.add("".join(rng.choice(letters) for _ in range(rng.randint(6, 11))))
    return sorted(words)


def generate(n_quotes: int, seed: int = 7, readouts: float = 0.0) -> list[list[tuple[int, int, str, str]]]:
    """Articles as lists of (truth statement id, speaker index, kind, text). With `readouts`, that share of the
    quotes is attributed to the speaker's institution, speaker index -1 - (the person's index)."""
    rng = random.Random(seed)
    vocab = make_vocabulary(rng)
    weights = [1 / (rank + 100) for rank in range(len(vocab))]   # Zipf-like: common words recur everywhere
    speakers = max(5, int(20 * math.sqrt(n_quotes / 1000)))
    quotes: list[tuple[int, int, str, str]] = []
    statement = 0
    while len(quotes) < n_quotes:
        statement += 1
        speaker = min(int(rng.paretovariate(1.2)) - 1, speakers - 1)    # a few speakers say most things
        length = rng.randint(8, 30)
        content = rng.choices(vocab, weights=weights, k=length)
        words = [w if rng.random() > 0.4 else rng.choice(FUNCTION_WORDS) for w in content]
        for _ in range(rng.randint(1, 6)):
            roll = rng.random()
            if roll < 0.5:
                kind, text = "speech", " ".join(words)
            elif roll < 0.75:
                start = rng.randrange(len(words))
                piece = words[start:start + rng.randint(2, 8)]
                kind, text = "fragment", " ".join(piece)
            else:
                changed = list(words)
                for _ in range(rng.randint(1, 3)):
                    changed[rng.randrange(len(changed))] = rng.choice(vocab)
                kind, text = "speech", " ".join(changed)
            quotes.append((statement, speaker, kind, text.capitalize()))
    quotes = quotes[:n_quotes]
    if readouts:   # a separate generator, so that the corpus is otherwise the one without readouts
        spokes = random.Random(seed + 1)
        quotes = [(st, -1 - sp if spokes.random() < readouts else sp, kind, text) for st, sp, kind, text in quotes]
    # statements are reported over a few days: sort by statement with some shuffling, then cut into articles
    order = sorted(range(len(quotes)), key=lambda i: quotes[i][0] + rng.random() * 40)
    ordered = [quotes[i] for i in order]
    return [ordered[i:i + QUOTES_PER_ARTICLE] for i in range(0, len(ordered), QUOTES_PER_ARTICLE)]


def load(url: str, articles) -> tuple[list[int], dict[int, int]]:
    """Write entities, outlets, articles and quotes; returns article ids and quote id -> truth statement."""
    from sqlmodel import Session

    from app.db import make_engine
    from app.models import Alias, Article, Entity, EntityRole, Outlet, Quote

    truth: dict[int, int] = {}
    article_ids: list[int] = []
    start_day = date(2024, 1, 1)
    with Session(make_engine(url)) as session:
        n_speakers = 1 + max(abs(q[1] + 1) if q[1] < 0 else q[1] for a in articles for q in a)
        readouts = any(q[1] < 0 for a in articles for q in a)
        people = [Entity(kind="person", name=f"Speaker {i}", key=f"speaker {i}") for i in range(n_speakers)]
        offices = [Entity(kind="organization", name=f"Office {i}", key=f"office {i}")
                   for i in range(n_speakers if readouts else 0)]
        outlets = [Outlet(name=f"Outlet {i}", domain=f"outlet{i}.example") for i in range(12)]
        session.add_all(people + offices + outlets)
        session.flush()
        speakers = {i: e for i, e in enumerate(people)} | {-1 - i: e for i, e in enumerate(offices)}
        affiliations: list = [Alias(entity_id=e.id, text=e.name, norm=e.key) for e in offices]
        for n, quotes in enumerate(articles):
            day = start_day + timedelta(days=n * 365 // len(articles))
            outlet = outlets[n % len(outlets)]
            text = "\n\n".join(f"“{q[3]},” said the speaker." for q in quotes)
            article = Article(title=f"Article {n}", published=day, outlet_id=outlet.id, text=text,
                              content_hash=f"{n:064d}", extractor_version="bench")
            session.add(article)
            session.flush()
            offset = 0
            for statement, speaker, kind, body in quotes:
                start = text.index(body, offset)
                quote = Quote(article_id=article.id, speaker_id=speakers[speaker].id, outlet_id=outlet.id,
                              published=day, text=body, kind=kind, start=start, end=start + len(body), cue="said",
                              sentence=f"“{body},” said the speaker.", extractor_version="bench")
                session.add(quote)
                session.flush()
                truth[quote.id] = statement
                offset = start + len(body)
            article_ids.append(article.id)
            if n == 0:   # each person's role, as the first article states it: spokesman for his office
                affiliations += [EntityRole(entity_id=person.id, article_id=article.id, mention_start=0,
                                            mention_end=0, mention_text=person.name, role="spokesman",
                                            affiliation=office.name) for person, office in zip(people, offices)]
        session.add_all(affiliations)
        session.commit()
    return article_ids, truth


def group(url: str, article_ids: list[int]) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of grouping every article, one transaction each. CPU time is the figure to
    compare: it does not depend on what else the machine runs."""
    from app.db import session_factory
    from app.services.utterances import group_article

    factory = session_factory(url)
    cpu, wall = time.process_time(), time.perf_counter()
    for article_id in article_ids:
        with factory() as session:
            group_article(session, article_id)
            session.commit()
    return time.process_time() - cpu, time.perf_counter() - wall


def naive_all_pairs(articles) -> float:
    """Each quote compared with every earlier quote of its speaker: the baseline."""
    started = time.process_time()
    seen: dict[int, list] = defaultdict(list)
    for quotes in articles:
        for _, speaker, _, body in quotes:
            sig = signature(body)
            for other in seen[speaker]:
                compare(sig, other)
            seen[speaker].append(sig)
    return time.process_time() - started


def pair_quality(url: str, truth: dict[int, int], sample: int = 3000) -> tuple[float, float]:
    """Pairwise precision/recall against the generated statements, on a sample of quotes."""
    from sqlmodel import Session, select

    from app.db import make_engine
    from app.models import Quote

    with Session(make_engine(url)) as session:
        predicted = dict(session.exec(select(Quote.id, Quote.utterance_id)).all())
    ids = sorted(truth)[:sample]
    tp = fp = fn = 0
    by_truth: dict[int, list[int]] = defaultdict(list)
    by_pred: dict[int, list[int]] = defaultdict(list)
    for qid in ids:
        by_truth[truth[qid]].append(qid)
        if predicted.get(qid) is not None:
            by_pred[predicted[qid]].append(qid)
    gold_pairs = {p for g in by_truth.values() for p in itertools.combinations(g, 2)}
    pred_pairs = {p for g in by_pred.values() for p in itertools.combinations(g, 2)}
    tp, fp, fn = len(gold_pairs & pred_pairs), len(pred_pairs - gold_pairs), len(gold_pairs - pred_pairs)
    return tp / (tp + fp) if tp + fp else 1.0, tp / (tp + fn) if tp + fn else 1.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 100_000])
    parser.add_argument("--baseline-max", type=int, default=10_000, help="largest size timed for the baseline")
    parser.add_argument("--readouts", type=float, default=0.0,
                        help="share of quotes attributed to the speaker's institution instead")
    args = parser.parse_args()
    from app.db import upgrade_database

    print(f"{'quotes':>8}{'speakers':>9}{'utterances':>11}{'CPU s':>8}{'µs/quote':>9}{'wall s':>8}"
          f"{'naive CPU s':>12}{'pair P':>8}{'pair R':>8}")
    for size in args.sizes:
        articles = generate(size, readouts=args.readouts)
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{tmp}/bench.db"
            upgrade_database(url)
            article_ids, truth = load(url, articles)
            seconds, wall = group(url, article_ids)
            precision, recall = pair_quality(url, truth)
            from sqlmodel import Session, func, select

            from app.db import make_engine
            from app.models import Utterance

            with Session(make_engine(url)) as session:
                utterances = session.exec(select(func.count(Utterance.id))).one()
        naive = f"{naive_all_pairs(articles):.1f}" if size <= args.baseline_max else "-"
        speakers = 1 + max(q[1] for a in articles for q in a if q[1] >= 0)
        rate = seconds / size * 1e6
        print(f"{size:>8}{speakers:>9}{utterances:>11}{seconds:>8.1f}{rate:>9.0f}{wall:>8.1f}{naive:>12}"
              f"{precision:>8.3f}{recall:>8.3f}", flush=True)
    print("\nlinear growth means a flat µs/quote column; the naive column grows with the square of the "
          "quotes per speaker")


if __name__ == "__main__":
    main()
