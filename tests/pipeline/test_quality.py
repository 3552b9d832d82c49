"""Quality guards: thresholds measured with benchmarks/quality.py. They may only move up."""
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

import quality  # noqa: E402

POLNEAR = ROOT.parent / "shared" / "polnear"


@pytest.fixture(scope="module")
def extractor():
    from app.pipeline.extract import Extractor

    return Extractor()


def test_seed_quotes_meet_the_issue_targets(extractor):
    m = quality.evaluate(*quality.seeds_corpus(), extractor)["direct"]
    assert m["offset_bad"] == 0
    assert m["quote_f1"] >= 0.97
    assert m["speaker_acc"] >= 0.95
    assert m["attributed_f1"] >= 0.93


@pytest.mark.skipif(not (POLNEAR / "dev" / "text").is_dir(), reason="PolNeAR not found beside the project (../shared)")
def test_polnear_dev_does_not_regress(extractor):
    m = quality.evaluate(*quality.polnear_corpus(POLNEAR, "dev"), extractor)
    assert m["direct"]["offset_bad"] == 0
    assert m["direct"]["quote_f1"] >= 0.95
    assert m["direct"]["speaker_acc"] >= 0.947
    assert m["direct"]["attributed_f1"] >= 0.907
    assert m["indirect"]["quote_f1"] >= 0.63
    assert m["indirect"]["speaker_acc"] >= 0.935
