"""A semantic diff of the records: what changed in each village and period, field by field.

Two versions of the validated model are compared, never two versions of the files, so a
re-encoded, re-ordered-column or renamed file with the same content shows no change. Each
:class:`Change` is one fact ("东山村 2026-10 收支明细第12行 支出 1200.00 → 120.00"): the
sentence for people is made from the same fields the JSON gives tools.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any, TypeVar

from builder import model
from builder.audit.fingerprint import canonical
from builder.format import schema
from builder.format.values import money

SECTIONS = {
    "ledger": "收支明细",
    "assistance": "救助公示",
    "village_affairs": "村务公开",
    "party_affairs": "党务公开",
    "corrections": "更正记录",
}
HEADER = (
    ("opening.cash", "期初余额·库存现金"),
    ("opening.bank", "期初余额·银行存款"),
    ("closing.cash", "期末余额·库存现金"),
    ("closing.bank", "期末余额·银行存款"),
    ("drafted_by", "拟稿人"),
    ("reviewed_by", "审核人"),
    ("reviewed_at", "审核日期"),
    ("published_at", "公开日期"),
)
VILLAGE_FIELDS = (
    ("name", "村名"),
    ("kind", "类型"),
    ("households", "户数"),
    ("population", "人口"),
)
LEDGER_FIELDS = tuple((f.key, f.zh) for f in schema.LEDGER.fields)
ASSISTANCE_FIELDS = tuple((f.key, f.zh) for f in schema.ASSISTANCE.fields)
AFFAIR_FIELDS = (("title", "标题"), ("date", "日期"), ("body", "内容"))
SHORT = 40


@dataclass(frozen=True)
class Change:
    """One change: which village and period, what part, and the old and new values."""

    code: str  # the village's area code: villages are matched by it, not by folder
    village: str  # the village's name
    path: str  # town/village folder (the newer one)
    period: str  # YYYY-MM, or "" for the village itself
    section: str  # village | period | header | totals | ledger | assistance | … | format
    action: str  # added | removed | changed | renamed | reordered | reformatted | unreadable
    field: str = ""
    label: str = ""
    old: str | None = None
    new: str | None = None
    old_line: int | None = None
    new_line: int | None = None
    item: str = ""  # a short description of the row or entry added, removed or changed

    @property
    def text(self) -> str:
        return describe(self)

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "text": self.text}


def value(v: Any) -> str | None:
    """A value as the diff shows it: money with two decimals, ISO dates, None when empty."""
    if v is None or v == "" or v == ():
        return None
    if isinstance(v, Decimal):
        return money(v)
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, tuple):
        return "、".join(str(x) for x in v)
    return str(v)


def _clip(text: str | None) -> str:
    if text is None:
        return "（空）"
    text = " ".join(text.split())
    return text if len(text) <= SHORT else text[: SHORT - 1] + "…"


def describe(c: Change) -> str:
    """The change as one Chinese sentence for auditors and villagers."""
    head = f"{c.village} {c.period}".strip()
    section = SECTIONS.get(c.section, "")
    arrow = f"{c.label} {_clip(c.old)} → {_clip(c.new)}"
    if c.section == "village":
        if c.action == "added":
            return f"新增村：{c.village}（{c.path}）"
        if c.action == "removed":
            return f"{c.village}（{c.path}）的记录被删除"
        if c.action == "renamed":
            tail = "；记录内容无变化" if c.item == "unchanged" else ""
            return f"{c.village} 文件夹 {c.old} → {c.new}{tail}"
        if c.action == "unreadable":
            return f"{c.village}（{c.path}）在{c.item}版本中有错误，无法逐项比较"
        if c.item:
            return f"{c.village} {c.label}：{c.item}"
        return f"{c.village} 基本情况 {arrow}"
    if c.section == "period":
        if c.action == "added":
            return f"{head} 新增公开期（{c.item}）"
        if c.action == "removed":
            return f"{head} 公开期被删除（{c.item}）"
        return f"{head} 在{c.item}版本中有错误，无法逐项比较"
    if c.section == "format":
        where = f"{head} {c.item}" if c.item else head
        return f"{where} 文件有改动（编码、换行、列的顺序或写法），记录内容无变化"
    if c.section in ("header", "totals"):
        return f"{head} {arrow}"
    if c.section == "corrections":
        verb = "新增" if c.action == "added" else "删除了"
        return f"{head} {verb}更正记录：{c.item}"
    if c.action == "reordered":
        return f"{head} {section}各行的顺序有变化"
    if c.section in ("ledger", "assistance"):
        if c.action == "added":
            return f"{head} {section}第{c.new_line}行 新增：{c.item}"
        if c.action == "removed":
            return f"{head} {section}原第{c.old_line}行 删除：{c.item}"
        moved = f"（原第{c.old_line}行）" if c.old_line != c.new_line else ""
        return f"{head} {section}第{c.new_line}行{moved} {arrow}"
    # affairs
    if c.action == "added":
        return f"{head} {section} 新增：{c.item}"
    if c.action == "removed":
        return f"{head} {section} 删除：{c.item}"
    return f"{head} {section}“{_clip(c.item)}” {arrow}"


# --- matching rows ------------------------------------------------------------------------------
R = TypeVar("R")


def match(
    old: Sequence[R], new: Sequence[R], key: Callable[[R], Any], pos: Callable[[R, int], int]
) -> list[tuple[R | None, R | None]]:
    """Pair rows by key (first come, first paired); leftovers pair by position; the rest are
    added or removed. Pairs come in the newer file's order, removed rows where they stood."""
    pending: dict[Any, list[int]] = {}
    for j, r in enumerate(new):
        pending.setdefault(key(r), []).append(j)
    paired: dict[int, int] = {}
    left_old: list[int] = []
    for i, r in enumerate(old):
        slots = pending.get(key(r))
        if slots:
            paired[slots.pop(0)] = i
        else:
            left_old.append(i)
    left_new = {pos(r, j): j for j, r in enumerate(new) if j not in paired}
    removed: list[int] = []
    for i in left_old:
        j = left_new.pop(pos(old[i], i), -1)
        if j >= 0:
            paired[j] = i
        else:
            removed.append(i)
    out: list[tuple[float, R | None, R | None]] = [
        (j, old[paired[j]] if j in paired else None, r) for j, r in enumerate(new)
    ]
    out += [(i - 0.5, old[i], None) for i in removed]
    out.sort(key=lambda t: t[0])
    return [(a, b) for _, a, b in out]


def _reordered(pairs: list[tuple[Any, Any]], old: Sequence[Any]) -> bool:
    index = {id(r): i for i, r in enumerate(old)}
    order = [index[id(a)] for a, b in pairs if a is not None and b is not None]
    return order != sorted(order)


# --- periods --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Who:
    """The village a change belongs to, and how its personal names are shown."""

    code: str
    name: str
    path: str
    mask: bool = False

    def change(self, period: str, section: str, action: str, **kw: Any) -> Change:
        return Change(self.code, self.name, self.path, period, section, action, **kw)

    def person(self, name: str) -> str:
        return model.mask_name(name) if self.mask else name


def _attr(obj: Any, key: str) -> Any:
    for part in key.split("."):
        obj = getattr(obj, part)
    return obj


def _ledger_item(r: model.LedgerRow) -> str:
    amount = f"收入 {money(r.income)}" if r.income is not None else f"支出 {value(r.expense)}"
    parts = [r.date.isoformat(), r.voucher_no, r.summary, amount, r.counterparty]
    return " ".join(p for p in parts if p)


def _assistance_item(r: model.AssistanceRow, who: Who) -> str:
    return f"{r.category} {who.person(r.name)} {r.group} {money(r.amount)}"


def _rows(
    who: Who,
    period: str,
    section: str,
    old: Sequence[Any],
    new: Sequence[Any],
    fields: Sequence[tuple[str, str]],
    key: Callable[[Any], Any],
    item: Callable[[Any], str],
    line: Callable[[Any, int], int],
) -> list[Change]:
    out: list[Change] = []
    pairs = match(old, new, key, line)
    at_old = {id(r): line(r, i) for i, r in enumerate(old)}
    at_new = {id(r): line(r, i) for i, r in enumerate(new)}
    for a, b in pairs:
        if a is None:
            out.append(who.change(period, section, "added", new_line=at_new[id(b)], item=item(b)))
        elif b is None:
            out.append(who.change(period, section, "removed", old_line=at_old[id(a)], item=item(a)))
        else:
            for key_, label in fields:
                va, vb = _shown(who, key_, getattr(a, key_)), _shown(who, key_, getattr(b, key_))
                if getattr(a, key_) != getattr(b, key_):
                    out.append(
                        who.change(
                            period,
                            section,
                            "changed",
                            field=key_,
                            label=label if va != vb else f"{label}（打码部分）",
                            old=va,
                            new=vb,
                            old_line=at_old[id(a)],
                            new_line=at_new[id(b)],
                            item=item(b),
                        )
                    )
    if _reordered(pairs, old):
        out.append(who.change(period, section, "reordered"))
    return out


def _shown(who: Who, key: str, v: Any) -> str | None:
    return value(who.person(v)) if key == "name" and isinstance(v, str) else value(v)


def diff_period(who: Who, old: model.Period | None, new: model.Period | None) -> list[Change]:
    """Every change between two versions of one period (None: the period is not there)."""
    if old is None and new is None:
        return []
    if old is None or new is None:
        p = new or old
        assert p is not None
        summary = (
            f"{p.published_at.isoformat()} 公开，收入 {money(p.income)}，支出 {money(p.expense)}，"
            f"{len(p.ledger)} 笔明细"
        )
        action = "added" if old is None else "removed"
        return [who.change(p.period, "period", action, item=summary)]
    per = new.period
    out: list[Change] = []
    out += _rows(
        who,
        per,
        "ledger",
        old.ledger,
        new.ledger,
        LEDGER_FIELDS,
        key=lambda r: r.voucher_no,
        item=_ledger_item,
        line=lambda r, _i: r.line,
    )
    out += _rows(
        who,
        per,
        "assistance",
        old.assistance,
        new.assistance,
        ASSISTANCE_FIELDS,
        key=lambda r: (r.name, r.category),
        item=lambda r: _assistance_item(r, who),
        line=lambda r, _i: r.line,
    )
    for section in ("village_affairs", "party_affairs"):
        out += _rows(
            who,
            per,
            section,
            getattr(old, section),
            getattr(new, section),
            AFFAIR_FIELDS,
            key=lambda a: a.title,
            item=lambda a: f"“{a.title}”（{a.date.isoformat()}）",
            line=lambda _a, i: i + 1,
        )
    for key, label in HEADER:
        a, b = _attr(old, key), _attr(new, key)
        if a != b:
            out.append(
                who.change(
                    per, "header", "changed", field=key, label=label, old=value(a), new=value(b)
                )
            )
    out += _corrections(who, per, old.corrections, new.corrections)
    out += _totals(who, per, old, new)
    return out


def _corrections(
    who: Who, per: str, old: tuple[model.Correction, ...], new: tuple[model.Correction, ...]
) -> list[Change]:
    def item(c: model.Correction) -> str:
        return f"{c.date.isoformat()} {c.reason}（批准：{c.approved_by}）"

    keep = 0
    while keep < min(len(old), len(new)) and old[keep] == new[keep]:
        keep += 1
    return [who.change(per, "corrections", "removed", item=item(c)) for c in old[keep:]] + [
        who.change(per, "corrections", "added", item=item(c)) for c in new[keep:]
    ]


def _totals(who: Who, per: str, old: model.Period, new: model.Period) -> list[Change]:
    out = []
    for key, label in (("income", "本期收入合计"), ("expense", "本期支出合计")):
        a, b = getattr(old, key), getattr(new, key)
        if a != b:
            out.append(
                who.change(
                    per, "totals", "changed", field=key, label=label, old=value(a), new=value(b)
                )
            )
    old_acc = {a.code: a for a in old.by_account}
    new_acc = {a.code: a for a in new.by_account}
    zero = model.AccountTotal("", "", model.ZERO, model.ZERO)
    for code in sorted(old_acc.keys() | new_acc.keys()):
        a, b = old_acc.get(code, zero), new_acc.get(code, zero)
        name = (new_acc.get(code) or old_acc.get(code) or zero).name
        for key, zh in (("income", "收入"), ("expense", "支出")):
            va, vb = getattr(a, key), getattr(b, key)
            if va != vb:
                out.append(
                    who.change(
                        per,
                        "totals",
                        "changed",
                        field=f"by_account.{code}.{key}",
                        label=f"科目 {code} {name} {zh}合计",
                        old=value(va) or "0.00",
                        new=value(vb) or "0.00",
                    )
                )
    return out


def period_changed(
    old_v: model.Village, old: model.Period, new_v: model.Village, new: model.Period
) -> bool:
    """Whether the full records of a period differ (personal names unmasked, order counted)."""
    return canonical(old_v, old, names="full") != canonical(new_v, new, names="full")


# --- villages ---------------------------------------------------------------------------------
def _people(who: Who, old: model.Village, new: model.Village) -> list[Change]:
    a = {p.name: p.roles for p in old.people}
    b = {p.name: p.roles for p in new.people}
    out = []
    for name in [n for n in a if n not in b]:
        out.append(
            who.change("", "village", "changed", field="people", label="人员", item=f"删除 {name}")
        )
    for name, roles in b.items():
        if name not in a:
            item = f"新增 {name}（{'、'.join(roles)}）"
        elif a[name] != roles:
            item = f"{name} 职务 {'、'.join(a[name])} → {'、'.join(roles)}"
        else:
            continue
        out.append(who.change("", "village", "changed", field="people", label="人员", item=item))
    return out


def diff_village(
    old: model.Village | None,
    new: model.Village | None,
    *,
    mask: bool = False,
    touched: Iterable[str] = (),
) -> list[Change]:
    """Every change in one village (None: not there); touched are its files (village-relative)
    that git says changed, so a change of bytes without a change of content is named."""
    v = new or old
    if v is None:
        return []
    who = Who(v.code, v.name, f"{v.town_slug}/{v.slug}", mask and v.names_online != "full")
    if old is None or new is None:
        action = "added" if old is None else "removed"
        gone = [who.change("", "village", action)]
        if old is not None:
            gone += [c for p in old.periods for c in diff_period(who, p, None)]
        else:
            gone += [c for p in v.periods for c in diff_period(who, None, p)]
        return gone
    out: list[Change] = []
    if (old.town_slug, old.slug) != (new.town_slug, new.slug):
        out.append(
            who.change(
                "",
                "village",
                "renamed",
                field="path",
                label="文件夹",
                old=f"{old.town_slug}/{old.slug}",
                new=f"{new.town_slug}/{new.slug}",
            )
        )
    for key, label in VILLAGE_FIELDS:
        a, b = getattr(old, key), getattr(new, key)
        if a != b:
            out.append(
                who.change(
                    "", "village", "changed", field=key, label=label, old=value(a), new=value(b)
                )
            )
    out += _people(who, old, new)
    if old.channels != new.channels:
        out.append(
            who.change("", "village", "changed", field="channels", label="监督渠道", item="有改动")
        )
    if old.power_list != new.power_list:
        out.append(
            who.change(
                "", "village", "changed", field="power_list", label="小微权力清单", item="有改动"
            )
        )
    old_p = {p.period: p for p in old.periods}
    new_p = {p.period: p for p in new.periods}
    touched_by_period: dict[str, list[str]] = {}
    village_files: list[str] = []
    for rel in touched:
        head, _, rest = rel.partition("/")
        if rest:
            touched_by_period.setdefault(head, []).append(rest)
        else:
            village_files.append(head)
    for period in sorted(old_p.keys() | new_p.keys()):
        a, b = old_p.get(period), new_p.get(period)
        changes = diff_period(who, a, b)
        if not changes and period in touched_by_period:
            changes = [who.change(period, "format", "reformatted")]
        out += changes
    content_village = [c for c in out if c.section == "village" and c.action != "renamed"]
    for name in sorted(village_files):
        if name in ("village.yml", "powers.yml") and not content_village:
            out.append(who.change("", "format", "reformatted", item=name))
        elif name not in ("village.yml", "powers.yml"):
            out.append(
                who.change(
                    "",
                    "village",
                    "changed",
                    field=name,
                    label=name,
                    item="文件有改动（此文件的逐项比较尚未提供）",
                )
            )
    if out and out[0].action == "renamed" and len(out) == 1:
        out[0] = who.change(
            "",
            "village",
            "renamed",
            field="path",
            label="文件夹",
            old=out[0].old,
            new=out[0].new,
            item="unchanged",
        )
    return out


def content_changes(changes: Iterable[Change]) -> list[Change]:
    """Drop what is not a change of content (renamed folders, re-encoded files)."""
    return [c for c in changes if c.section != "format" and c.action != "renamed"]
