"""Print a bench's rows ({"metric", "value", "unit", "note"}) as an aligned table, for running one alone."""
from __future__ import annotations


def print_rows(rows: list[dict]) -> None:
    w = max(len(r["metric"]) for r in rows)
    uw = max(4, *(len(str(r["unit"])) for r in rows))
    print(f"{'metric':<{w}}  {'value':>10}  {'unit':<{uw}}  note")
    for r in rows:
        value = "-" if r["value"] is None else r["value"]  # a bench with nothing to measure says why in its note
        print(f"{r['metric']:<{w}}  {value:>10}  {r['unit']:<{uw}}  {r['note']}")
