"""Power lists inherited county → town → village (一县一单 → 一镇一单 → 一村一单).

Each level removes inherited items by id and defines its own. Resolving the levels gives the
lists a village shows (`model.build` uses them) and the problems of a bad removal or a repeated
id (the checks report them); both come from the same pure functions.
"""

from __future__ import annotations

from dataclasses import dataclass

from builder.check.ids import repeats
from builder.format import problems
from builder.format.problems import Problem
from builder.read.records import Ctx, Rec

# {"powers" | "negative" | "services" | "duties": {item id: (record, the level defining it)}}
PowerLists = dict[str, dict[str, tuple[Rec, str]]]
LIST_KEYS = ("powers", "negative", "services", "duties")
EMPTY: PowerLists = {key: {} for key in LIST_KEYS}


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
        return ListLevel(True, [], {key: [] for key in LIST_KEYS}), found
    ctx = Ctx(rel, found)
    defined = [
        (key, item) for key in LIST_KEYS for item in rec.get(key, []) if item.get("id") is not None
    ]
    # repeats() counts positions in `defined`: a flow-style list puts several items on one line
    repeated: set[int] = set()
    for item_id, index, first in repeats(
        (item.get("id"), i) for i, (_, item) in enumerate(defined)
    ):
        key, item = defined[index]
        ctx.add(
            problems.DUPLICATE_ID,
            item.at("id"),
            f"{key}.id",
            "编号",
            value=item_id,
            other_line=defined[first][1].at("id"),
        )
        repeated.add(index)
    items: dict[str, list[Rec]] = {key: [] for key in LIST_KEYS}
    for index, (key, item) in enumerate(defined):
        if index not in repeated:
            items[key].append(item)
    ids = {item.get("id") for _, item in defined}
    remove_line = rec.at("remove")
    remove = [(x, remove_line) for x in rec.get("remove", [])]
    for removed_id, line in remove:
        if removed_id in ids:
            ctx.add(problems.REMOVE_AND_ADD, line, "remove", "删除的编号", value=removed_id)
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
