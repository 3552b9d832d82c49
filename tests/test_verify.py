"""POST /verify on the seeded database: every gold speech quote is found in its utterance (as printed, with
straight quotes, in another case, with one word changed), sentences nobody said are not found, and a real
quote with the wrong speaker is misattributed."""
from __future__ import annotations

import json
import sys

import pytest
from sqlmodel import Session

from app.db import make_engine
from tests_support import ROOT, SEEDS

sys.path.insert(0, str(ROOT / "benchmarks"))
import utterance_quality  # noqa: E402

pytestmark = pytest.mark.both_backends  # conftest.py: on SQLite and on PostgreSQL

GOLD = json.loads((ROOT / "tests" / "data" / "seeds_gold.json").read_text(encoding="utf-8"))
UNSAID = [line.strip() for line in (ROOT / "tests" / "data" / "unsaid_sentences.txt").read_text(
    encoding="utf-8").splitlines() if line.strip() and not line.startswith("#")]
STRAIGHT = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})


@pytest.fixture(scope="module")
def speech_cases(seeded_url) -> list[tuple[str, int, str]]:
    """(gold text, the utterance of the stored quote it maps to, its speaker's name) for each gold speech quote
    that the pipeline stored with an utterance."""
    from app.models import Entity, Quote

    with Session(make_engine(seeded_url)) as session:
        mapped = utterance_quality.map_to_gold(session, GOLD, SEEDS)
        cases = []
        for qid, gold in mapped.items():
            quote = session.get(Quote, qid)
            if gold["kind"] == "speech" and quote.utterance_id is not None:
                cases.append((gold["text"], quote.utterance_id, session.get(Entity, quote.speaker_id).name))
    return cases


def verify(client, text: str, speaker: str | None = None) -> dict:
    response = client.post("/verify", json={"text": text, "speaker": speaker})
    assert response.status_code == 200, response.text
    return response.json()


def one_word_changed(text: str) -> str:
    words = text.split()
    words[len(words) // 2] = "truly" if words[len(words) // 2].casefold() != "truly" else "really"
    return " ".join(words)


def test_almost_every_gold_speech_quote_is_checked(speech_cases):
    speech = sum(q["kind"] == "speech" for d in GOLD["docs"].values() for q in d["quotes"])
    # the rest were stored without a speaker (the pipeline's attribution), so they belong to no utterance
    assert len(speech_cases) >= speech - 3


@pytest.mark.parametrize("form", ["as printed", "straight quotes", "upper case", "lower case, no punctuation"])
def test_gold_speech_quotes_are_found_verbatim_in_their_utterance(client, speech_cases, form):
    for text, utterance_id, _ in speech_cases:
        asked = {"as printed": text, "straight quotes": f'"{text.translate(STRAIGHT)}"',
                 "upper case": text.upper(),
                 "lower case, no punctuation": "".join(
                     c if c.isalnum() or c in "’'" else " " for c in text.casefold().replace(".", ""))
                 }[form]
        answer = verify(client, asked)
        assert answer["verdict"] == "verbatim", (asked, answer["verdict"])
        assert answer["utterance_id"] == utterance_id, asked
        assert answer["score"] == 1.0
        assert answer["matches"][0]["utterance_id"] == utterance_id
        assert answer["matches"][0]["score"] == 1.0


def test_gold_speech_quotes_with_one_word_changed_are_variants_of_their_utterance(client, speech_cases):
    for text, utterance_id, _ in speech_cases:
        changed = one_word_changed(text)
        answer = verify(client, changed)
        assert answer["verdict"] in ("variant", "partial"), (changed, answer["verdict"])
        assert answer["utterance_id"] == utterance_id, changed
        assert 0 < answer["score"] < 1
        assert any(op["op"] != "equal" for op in answer["diff"])


def test_the_right_speaker_keeps_the_verdict_and_a_wrong_one_is_misattributed(client, speech_cases):
    for text, utterance_id, speaker in speech_cases:
        assert verify(client, text, speaker)["verdict"] == "verbatim"
        wrong = "Ned Price" if speaker != "Ned Price" else "Xi Jinping"
        answer = verify(client, text, wrong)
        assert answer["verdict"] == "misattributed", (text, wrong)
        assert answer["utterance_id"] == utterance_id
        assert all(m["speaker"]["name"] != wrong for m in answer["matches"])


def test_sentences_nobody_said_are_not_found(client):
    assert len(UNSAID) == 50
    found = [(s, a["verdict"], a["closest_text"]) for s in UNSAID if (a := verify(client, s))["verdict"] != "not_found"]
    assert len(found) <= 2, found
    for sentence in UNSAID:
        answer = verify(client, sentence, "Vladimir Putin")
        if answer["verdict"] == "not_found":
            assert answer["matches"] == [] and answer["utterance_id"] is None


def test_a_fragment_is_partial_and_a_longer_claim_is_not_verbatim(client):
    answer = verify(client, "the balanced position of our Chinese friends")
    assert answer["verdict"] == "partial"
    assert "balanced position" in answer["closest_text"]
    claim = "We highly value the balanced position of our Chinese friends and will send them troops to Taiwan"
    assert verify(client, claim)["verdict"] in ("not_found", "variant")
    assert verify(client, claim)["verdict"] != "verbatim"


def test_text_without_words_is_not_found_and_bad_bodies_are_422(client):
    assert verify(client, "“ … ”")["verdict"] == "not_found"
    assert client.post("/verify", json={"text": ""}).status_code == 422
    assert client.post("/verify", json={}).status_code == 422
    assert client.post("/verify", json={"text": "x" * 5001}).status_code == 422
    assert client.post("/verify", content=b"not json", headers={"content-type": "application/json"}).status_code == 422
