"""`make bench` must not spend a blind set: a set never measured is left for the next change's one measurement."""
from __future__ import annotations

from pathlib import Path

from tests.support.scripts import load_script


def _triage_bench(blind: Path):
    module = load_script("bench/triage_bench.py", "triage_bench_under_test")
    module.BLIND = blind
    return module


def _sets(tmp_path: Path, rows: dict[str, str]) -> Path:
    lines = ["| set | what | status |", "|---|---|---|"]
    lines += [f"| `{name}.yml` | 300 emergencies, 170 harmless — “Zoë’s set” | {status} |" for name, status in rows.items()]
    (tmp_path / "README.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for name in rows:
        (tmp_path / f"{name}.yml").write_text("items: []\n", encoding="utf-8")
    return tmp_path


def test_without_a_choice_the_bench_leaves_out_a_set_never_measured(tmp_path):
    blind = _sets(tmp_path, {
        "safety_d": "measured twice, then its misses were read: **tuning**",
        "safety_j": "measured once blind at the end of stop 17; misses **never read**",
        "safety_k": "**blind**: written at the end of stop 17, never measured; the first measurement of the next change",
    })
    bench = _triage_bench(blind)
    assert [p.stem for p in bench._chosen(blind.glob("safety_*.yml"), None)] == ["safety_d", "safety_j"]


def test_a_set_chosen_by_name_is_measured_even_if_never_measured_before(tmp_path):
    blind = _sets(tmp_path, {"safety_k": "**blind**: never measured"})
    bench = _triage_bench(blind)
    assert [p.stem for p in bench._chosen(blind.glob("safety_*.yml"), {"safety_k"})] == ["safety_k"]

