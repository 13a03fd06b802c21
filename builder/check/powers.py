"""Power lists inherited county → town → village (一县一单 → 一镇一单 → 一村一单).

Each level removes inherited items by id and defines its own. Resolving the levels gives the
lists a village shows (`model.build` uses them) and the problems of a bad removal or a repeated
id (the checks report them); both come from the same pure functions.
"""

from __future__ import annotations

from dataclasses import dataclass

from builder.format import problems
from builder.format.problems import Problem
from builder.read.records import Ctx, Rec

# {"powers" | "negative" | "services": {item id: (record, the level that defined it)}}
PowerLists = dict[str, dict[str, tuple[Rec, str]]]
EMPTY: PowerLists = {"powers": {}, "negative": {}, "services": {}}


@dataclass
class ListLevel:
    """One level of the power list as read: what it removes and what it defines."""

    inherit: bool
    remove: list[tuple[str, int]]
    items: dict[str, list[Rec]]


def power_level(rec: Rec | None, rel: str) -> tuple[ListLevel, list[Problem]]:
    """One level's list as written in powers.yml (rel), and its repeated or clashing ids."""
    found: list[Problem] = []
    if rec is None:
        return ListLevel(True, [], {"powers": [], "negative": [], "services": []}), found
    ctx = Ctx(rel, found)
    seen: dict[str, int] = {}
    items: dict[str, list[Rec]] = {}
    for key in ("powers", "negative", "services"):
        items[key] = []
        for item in rec.get(key, []):
            pid = item.get("id")
            if pid is None:
                continue
            if pid in seen:
                ctx.add(
                    problems.DUPLICATE_ID,
                    item.at("id"),
                    f"{key}.id",
                    "编号",
                    value=pid,
                    other_line=seen[pid],
                )
                continue
            seen[pid] = item.at("id")
            items[key].append(item)
    remove_line = rec.at("remove")
    remove = [(x, remove_line) for x in rec.get("remove", [])]
    for rid, line in remove:
        if rid in seen:
            ctx.add(problems.REMOVE_AND_ADD, line, "remove", "删除的编号", value=rid)
    return ListLevel(rec.get("inherit", True), remove, items), found


def resolve_powers(
    upstream: PowerLists, level: ListLevel, name: str, rel: str
) -> tuple[PowerLists, list[Problem]]:
    """Apply one level's removals and definitions (powers.yml at rel) to the inherited lists."""
    found: list[Problem] = []
    ctx = Ctx(rel, found)
    source = upstream if level.inherit else EMPTY
    result: PowerLists = {k: dict(v) for k, v in source.items()}
    all_ids = {pid for items in result.values() for pid in items}
    for rid, line in level.remove:
        if rid not in all_ids:
            ctx.add(problems.UNKNOWN_POWER_ID, line, "remove", "删除的编号", value=rid)
            continue
        for items in result.values():
            items.pop(rid, None)
    for key, recs in level.items.items():
        for rec in recs:
            result[key][rec.get("id")] = (rec, name)
    return result, found
