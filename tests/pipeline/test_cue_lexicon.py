"""The cue lexicon is learned from brat standoff annotations: build one from a tiny hand-made corpus."""
from pathlib import Path

from app.pipeline.cue_lexicon import LEXICON_PATH, build, load_lexicon


def write_doc(root: Path, name: str, text: str, ann: str) -> None:
    (root / "text").mkdir(parents=True, exist_ok=True)
    (root / "attributions").mkdir(parents=True, exist_ok=True)
    (root / "text" / f"{name}.txt").write_text(text, encoding="utf-8")
    (root / "attributions" / f"{name}_x.ann").write_text(ann, encoding="utf-8")


def span(text: str, part: str) -> str:
    i = text.index(part)
    return f"{i} {i + len(part)}"


def attribution_ann(text: str, source: str, cue: str, content: str, extra: str = "") -> str:
    """A brat file with one attribution (Source, Cue, Content: their first occurrences in `text`); `extra` lines
    go before the relation."""
    return (f"T1\tSource {span(text, source)}\t{source}\n"
            f"T2\tCue {span(text, cue)}\t{cue}\n"
            f"T3\tContent {span(text, content)}\t{content}\n"
            f"{extra}"
            "E1\tAttribution:T2 Content:T3 Cue:T2 Source:T1\n")


def test_build_counts_cues_and_their_content_slot(tmp_path):
    for n in range(4):
        text = f"The mayor said the budget was balanced in year {n}. The mayor said nothing else."
        content = f"the budget was balanced in year {n}"
        # malformed lines are skipped, not fatal
        ann = attribution_ann(text, "The mayor", "said", content, extra="T4\tbroken line without offsets\n")
        write_doc(tmp_path, f"doc{n}", text, ann)
    lexicon = build(tmp_path)
    rate, count, slots = lexicon["cues"]["say"]
    assert count == 8 and rate == 0.5  # every sentence has "said"; half of them were annotated as cues
    assert slots == ["ccomp"]
    assert lexicon["documents"] == 4


def test_the_shipped_lexicon_loads():
    assert LEXICON_PATH.is_file()
    lexicon = load_lexicon()
    assert lexicon["say"].rate > 0.5 and "ccomp" in lexicon["say"].slots
