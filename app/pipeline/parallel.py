"""Extraction on several cores: a pool of processes, each with its own spaCy pipeline, fed chunks of texts.

spaCy releases little of the GIL, so threads do not help; processes do. Results come back in input order, and at
most a few chunks per worker are in flight, so memory stays flat however long the input is.
"""
from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from itertools import islice

from app.pipeline.types import Extraction

_worker_extractor = None  # this worker process's Extractor, loaded once by _load


def _load(model: str | None, batch_size: int) -> None:
    global _worker_extractor
    from app.pipeline.extract import Extractor
    from app.pipeline.nlp import load_nlp

    _worker_extractor = Extractor(load_nlp(model), batch_size=batch_size)


def _extract_chunk(raws: list[str]) -> list[Extraction | Exception]:
    return list(_worker_extractor.extract_each(raws))


class WorkerDied(RuntimeError):
    """The process extracting a text was killed (out of memory, a crash in native code)."""


def extract_parallel(
    raws: Iterable[str], *, workers: int, model: str | None = None, chunk_size: int = 8, batch_size: int = 16,
) -> Iterator[Extraction | Exception]:
    """Like Extractor.extract_each, on `workers` processes: one result per text, in order, a failing text giving
    its exception. If a worker dies, the texts of the chunks in flight get WorkerDied and a new pool takes over."""
    # spawn, not fork: the parent may hold threads (a progress bar) and database connections
    context = multiprocessing.get_context("spawn")
    texts = iter(raws)
    pending: deque[tuple[list[str], Future]] = deque()
    pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_load, initargs=(model, batch_size))
    try:
        while True:
            while len(pending) < 2 * workers and (chunk := list(islice(texts, chunk_size))):
                pending.append((chunk, pool.submit(_extract_chunk, chunk)))
            if not pending:
                return
            chunk, future = pending.popleft()
            try:
                results = future.result()
            except BrokenProcessPool:
                pool.shutdown(cancel_futures=True)
                died = WorkerDied("the extraction worker process died")
                yield from [died] * len(chunk)
                # the chunks still in flight went down with the pool: run them again on a new one
                retry = [c for c, _ in pending]
                pending.clear()
                pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_load,
                                           initargs=(model, batch_size))
                pending.extend((c, pool.submit(_extract_chunk, c)) for c in retry)
                continue
            yield from results
    finally:
        pool.shutdown(cancel_futures=True)
