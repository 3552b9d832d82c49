"""Entity resolution on the seeds, measured against the gold entities (tests/data/seeds_gold.json) through the
API, with the curated entities file switched off. Thresholds are the issue's done-when figures."""
import json
import sys
from pathlib import Path

import pytest

from tests_support import SEEDS

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import entities_quality  # noqa: E402

GOLD = json.loads((ROOT / "tests" / "data" / "seeds_gold.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def metrics(tmp_path_factory, extractor):
    client, report = entities_quality.ingest_into_fresh_db([SEEDS], extractor, tmp_path_factory.mktemp("gold"))
    assert report.skipped == []
    with client:
        return entities_quality.seed_metrics(client, GOLD)


def test_every_gold_speaker_is_exactly_one_entity_and_none_are_merged(metrics):
    assert metrics["speakers"] > 0
    assert metrics["one_entity_each"] == metrics["speakers"], metrics["split_gold"] + metrics["missed_gold"]
    assert metrics["merged_gold"] == 0


def test_person_entities_match_the_gold_people(metrics):
    assert metrics["precision"] >= 0.95, metrics["extra_entities"]
    assert metrics["recall"] >= 0.95, metrics["missed_gold"]


def test_every_gold_alias_of_a_speaker_reaches_it_by_search_and_by_speaker_filter(metrics):
    assert metrics["aliases"] > 0
    assert metrics["alias_reach_q"] == metrics["alias_reach_speaker"] == metrics["aliases"], metrics["alias_misses"]


def test_roles_and_affiliations_for_most_quoted_people(metrics):
    assert metrics["with_role"] > 0
    assert metrics["roles_agree"] >= 0.8 * metrics["with_role"], metrics["roles_missing"]
