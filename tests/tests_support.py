"""Paths shared by the test modules (conftest fixtures cannot be imported as plain values)."""
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"


def seed_files() -> list[Path]:
    return sorted(SEEDS.glob("*.txt"))
