"""Power lists inherited county → town → village (一县一单 → 一镇一单 → 一村一单)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from builder import model
from builder.format import problems
from builder.read.records import Ctx, Rec


@dataclass
class ListLevel:
    """One level of the power list as read: what it removes and what it defines."""

    inherit: bool
    remove: list[tuple[str, int]]
    items: dict[str, list[Rec]]


def _power_level(rec: Rec | None, ctx: Ctx | None) -> ListLevel:
    if rec is None or ctx is None:
        return ListLevel(True, [], {"powers": [], "negative": [], "services": []})
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
    return ListLevel(rec.get("inherit", True), remove, items)


def resolve_powers(
    upstream: dict[str, dict[str, tuple[Rec, str]]], level: ListLevel, name: str, ctx: Ctx | None
) -> dict[str, dict[str, tuple[Rec, str]]]:
    """Apply one level's removals and definitions to the inherited lists."""
    result = (
        {k: dict(v) for k, v in upstream.items()}
        if level.inherit
        else {"powers": {}, "negative": {}, "services": {}}
    )
    all_ids = {pid for items in result.values() for pid in items}
    for rid, line in level.remove:
        if rid not in all_ids:
            if ctx is not None:
                ctx.add(problems.UNKNOWN_POWER_ID, line, "remove", "删除的编号", value=rid)
            continue
        for items in result.values():
            items.pop(rid, None)
    for key, recs in level.items.items():
        for rec in recs:
            result[key][rec.get("id")] = (rec, name)
    return result


def _power_list(resolved: dict[str, dict[str, tuple[Rec, str]]]) -> model.PowerList:
    def tup(v: Any) -> tuple[str, ...]:
        return tuple(v or ())

    powers = tuple(
        model.Power(
            r.get("id"),
            r.get("category", ""),
            r.get("name", ""),
            r.get("basis", ""),
            r.get("responsible", ""),
            tup(r.get("steps")),
            r.get("time_limit", ""),
            tup(r.get("risks")),
            r.get("supervision", ""),
            lvl,
        )
        for r, lvl in sorted(resolved["powers"].values(), key=lambda x: x[0].get("id"))
    )
    negative = tuple(
        model.Negative(r.get("id"), r.get("text", ""), lvl)
        for r, lvl in sorted(resolved["negative"].values(), key=lambda x: x[0].get("id"))
    )
    services = tuple(
        model.Service(
            r.get("id"),
            r.get("name", ""),
            r.get("where", ""),
            tup(r.get("materials")),
            r.get("time_limit", ""),
            r.get("contact", ""),
            lvl,
        )
        for r, lvl in sorted(resolved["services"].values(), key=lambda x: x[0].get("id"))
    )
    return model.PowerList(powers, negative, services)
