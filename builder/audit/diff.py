"""A semantic diff of the records: what changed in each village and period, field by field.

Two versions of the validated model are compared, never two versions of the files, so a
re-encoded, re-ordered-column or renamed file with the same content shows no change. Each
:class:`Change` is one fact ("东山村 2026-10 收支明细第12行 支出 1200.00 → 120.00"): the
sentence for people is made from the same fields the JSON gives tools.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any, TypeVar

from builder import model
from builder.audit.fingerprint import encode, records_data
from builder.format import privacy, schema
from builder.format.values import money

SECTIONS = {
    "ledger": "收支明细",
    "assistance": "救助公示",
    "village_affairs": "村务公开",
    "party_affairs": "党务公开",
    "corrections": "更正记录",
    "contracts": "合同登记",
    "decisions": "四议两公开",
    "topics": "点题公开",
    "powers": "小微权力清单",
    "meetings": "会议记录",
}
# the village's registers: compared entry by entry (registers.py), each with its file
REGISTER_FILES = {
    "contracts": "contracts.csv",
    "decisions": "decisions.yml",
    "topics": "topics.yml",
    "powers": "powers.yml",
    "meetings": "meetings.yml",
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
ASSISTANCE_FIELDS = tuple((f.key, f.zh) for f in schema.ASSISTANCE.fields if f.key != "salt")
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
        """Describe the change in one Chinese sentence."""
        return describe(self)

    def as_json(self) -> dict[str, Any]:
        """Return the change as JSON, its sentence included."""
        return {**asdict(self), "text": self.text}


def value(raw: Any) -> str | None:
    """A value as the diff shows it: money with two decimals, ISO dates, None when empty."""
    if raw is None or raw == "" or raw == ():
        return None
    if isinstance(raw, Decimal):
        return money(raw)
    if isinstance(raw, dt.date):
        return raw.isoformat()
    if isinstance(raw, tuple):
        return "、".join(str(x) for x in raw)
    return str(raw)


def _clip(text: str | None) -> str:
    if text is None:
        return "（空）"
    text = " ".join(text.split())
    return text if len(text) <= SHORT else privacy.shorten(text, SHORT - 1)


def changed_words(old: str, new: str, context: int = 6) -> str:
    """Where two long texts differ: each changed stretch with a few characters around it,
    e.g. “…于10月【18→28】日完工…”, at most three stretches."""
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    parts = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        before = old[max(0, i1 - context) : i1]
        after = old[i2 : i2 + context]
        cut, put = old[i1:i2] or "", new[j1:j2] or ""
        change = f"删去“{cut}”" if not put else f"加上“{put}”" if not cut else f"{cut}→{put}"
        parts.append(f"…{before}【{change}】{after}…")
    more = f" 等 {len(parts)} 处" if len(parts) > 3 else ""
    return " ".join(" ".join(parts[:3]).split()) + more


def describe(change: Change) -> str:
    """The change as one Chinese sentence for auditors and villagers."""
    head = f"{change.village} {change.period}".strip()
    section = SECTIONS.get(change.section, "")
    arrow = f"{change.label} {_clip(change.old)} → {_clip(change.new)}"
    if change.old and change.new and max(len(change.old), len(change.new)) > SHORT:
        arrow = f"{change.label} {changed_words(change.old, change.new)}"
    if change.section == "village":
        if change.action == "added":
            return f"新增村：{change.village}（{change.path}）"
        if change.action == "removed":
            return f"{change.village}（{change.path}）的记录被删除"
        if change.action == "renamed":
            tail = "；记录内容无变化" if change.item == "unchanged" else ""
            return f"{change.village} 文件夹 {change.old} → {change.new}{tail}"
        if change.action == "unreadable":
            return f"{change.village}（{change.path}）在{change.item}版本中有错误，无法逐项比较"
        if change.item:
            return f"{change.village} {change.label}：{change.item}"
        return f"{change.village} 基本情况 {arrow}"
    if change.section == "period":
        if change.action == "added":
            return f"{head} 新增公开期（{change.item}）"
        if change.action == "removed":
            return f"{head} 公开期被删除（{change.item}）"
        return f"{head} 在{change.item}版本中有错误，无法逐项比较"
    if change.section == "format":
        where = f"{head} {change.item}" if change.item else head
        return f"{where} 文件有改动（编码、换行、列的顺序或写法），记录内容无变化"
    if change.section in ("header", "totals"):
        return f"{head} {arrow}"
    if change.section == "corrections":
        verb = "新增" if change.action == "added" else "删除了"
        return f"{head} {verb}更正记录：{change.item}"
    if change.section in REGISTER_FILES:
        if change.action in ("added", "removed"):
            verb = "新增" if change.action == "added" else "删除了"
            return f"{head} {section} {verb}“{change.item}”"
        return f"{head} {section}“{change.item}” {arrow}"
    if change.action == "reordered":
        return f"{head} {section}各行的顺序有变化"
    if change.section in ("ledger", "assistance"):
        if change.action == "added":
            return f"{head} {section}第{change.new_line}行 新增：{change.item}"
        if change.action == "removed":
            return f"{head} {section}原第{change.old_line}行 删除：{change.item}"
        moved = f"（原第{change.old_line}行）" if change.old_line != change.new_line else ""
        return f"{head} {section}第{change.new_line}行{moved} {arrow}"
    # affairs
    if change.action == "added":
        return f"{head} {section} 新增：{change.item}"
    if change.action == "removed":
        return f"{head} {section} 删除：{change.item}"
    return f"{head} {section}“{_clip(change.item)}” {arrow}"


# --- matching rows ------------------------------------------------------------------------------
Row = TypeVar("Row")


def match(
    old: Sequence[Row],
    new: Sequence[Row],
    key: Callable[[Row], Any] | Sequence[Callable[[Row], Any]],
    pos: Callable[[Row, int], int],
) -> list[tuple[Row | None, Row | None]]:
    """Pair rows by each key in turn (first come, first paired; e.g. by the whole content, then
    by voucher number), then leftovers by position; the rest are added or removed. Pairs come in
    the newer file's order, removed rows where they stood."""
    keys = list(key) if isinstance(key, Sequence) else [key]
    paired: dict[int, int] = {}
    left_old = list(range(len(old)))
    for each in keys:
        pending: dict[Any, list[int]] = {}
        for j, row in enumerate(new):
            if j not in paired:
                pending.setdefault(each(row), []).append(j)
        still: list[int] = []
        for i in left_old:
            slots = pending.get(each(old[i]))
            if slots:
                paired[slots.pop(0)] = i
            else:
                still.append(i)
        left_old = still
    left_new = {pos(row, j): j for j, row in enumerate(new) if j not in paired}
    removed: list[int] = []
    for i in left_old:
        j = left_new.pop(pos(old[i], i), -1)
        if j >= 0:
            paired[j] = i
        else:
            removed.append(i)
    out: list[tuple[float, Row | None, Row | None]] = [
        (j, old[paired[j]] if j in paired else None, row) for j, row in enumerate(new)
    ]
    out += [(i - 0.5, old[i], None) for i in removed]
    out.sort(key=lambda t: t[0])
    return [(a, b) for _, a, b in out]


def _content(fields: Sequence[tuple[str, str]]) -> Callable[[Any], tuple[Any, ...]]:
    """A row's whole content (its fields but the voucher number) as a matching key."""
    keys = [k for k, _ in fields if k != "voucher_no"]
    return lambda row: tuple(getattr(row, k) for k in keys)


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
        """Make a change of this village."""
        return Change(self.code, self.name, self.path, period, section, action, **kw)

    def person(self, name: str) -> str:
        """Show a person's name as this village's pages do (masked or full)."""
        return model.mask_name(name) if self.mask else name


def _attr(obj: Any, key: str) -> Any:
    for part in key.split("."):
        obj = getattr(obj, part)
    return obj


def _ledger_item(row: model.LedgerRow) -> str:
    amount = f"收入 {money(row.income)}" if row.income is not None else f"支出 {value(row.expense)}"
    parts = [row.date.isoformat(), row.voucher_no, row.summary, amount, row.counterparty]
    return " ".join(part for part in parts if part)


def _assistance_item(row: model.AssistanceRow, who: Who) -> str:
    return f"{row.category} {who.person(row.name)} {row.group} {money(row.amount)}"


def _rows(
    who: Who,
    period: str,
    section: str,
    old: Sequence[Any],
    new: Sequence[Any],
    fields: Sequence[tuple[str, str]],
    key: Sequence[Callable[[Any], Any]],
    item: Callable[[Any], str],
    line: Callable[[Any, int], int],
) -> list[Change]:
    out: list[Change] = []
    pairs = match(old, new, key, line)
    at_old = {id(row): line(row, i) for i, row in enumerate(old)}
    at_new = {id(row): line(row, i) for i, row in enumerate(new)}
    for old_row, new_row in pairs:
        if old_row is None:
            out.append(
                who.change(
                    period, section, "added", new_line=at_new[id(new_row)], item=item(new_row)
                )
            )
        elif new_row is None:
            out.append(
                who.change(
                    period, section, "removed", old_line=at_old[id(old_row)], item=item(old_row)
                )
            )
        else:
            for key_, label in fields:
                old_shown, new_shown = (
                    _shown(who, key_, getattr(old_row, key_)),
                    _shown(who, key_, getattr(new_row, key_)),
                )
                if getattr(old_row, key_) != getattr(new_row, key_):
                    out.append(
                        who.change(
                            period,
                            section,
                            "changed",
                            field=key_,
                            label=label if old_shown != new_shown else f"{label}（打码部分）",
                            old=old_shown,
                            new=new_shown,
                            old_line=at_old[id(old_row)],
                            new_line=at_new[id(new_row)],
                            item=item(new_row),
                        )
                    )
    if _reordered(pairs, old):
        out.append(who.change(period, section, "reordered"))
    return out


def _shown(who: Who, key: str, raw: Any) -> str | None:
    return value(who.person(raw)) if key == "name" and isinstance(raw, str) else value(raw)


def diff_period(who: Who, old: model.Period | None, new: model.Period | None) -> list[Change]:
    """Every change between two versions of one period (None: the period is not there)."""
    if old is None and new is None:
        return []
    if old is None or new is None:
        period = new or old
        assert period is not None
        summary = (
            f"{period.published_at.isoformat()} 公开，收入 {money(period.income)}，"
            f"支出 {money(period.expense)}，{len(period.ledger)} 笔明细"
        )
        action = "added" if old is None else "removed"
        return [who.change(period.period, "period", action, item=summary)]
    period_name = new.period
    out: list[Change] = []
    out += _rows(
        who,
        period_name,
        "ledger",
        old.ledger,
        new.ledger,
        LEDGER_FIELDS,
        key=(_content(LEDGER_FIELDS), lambda r: r.voucher_no),
        item=_ledger_item,
        line=lambda r, _i: r.line,
    )
    out += _rows(
        who,
        period_name,
        "assistance",
        old.assistance,
        new.assistance,
        ASSISTANCE_FIELDS,
        key=(_content(ASSISTANCE_FIELDS), lambda r: (r.name, r.category)),
        item=lambda r: _assistance_item(r, who),
        line=lambda r, _i: r.line,
    )
    for section in ("village_affairs", "party_affairs"):
        out += _rows(
            who,
            period_name,
            section,
            getattr(old, section),
            getattr(new, section),
            AFFAIR_FIELDS,
            key=(_content(AFFAIR_FIELDS), lambda affair: affair.title),
            item=lambda affair: f"“{affair.title}”（{affair.date.isoformat()}）",
            line=lambda _a, i: i + 1,
        )
    for key, label in HEADER:
        old_value, new_value = _attr(old, key), _attr(new, key)
        if old_value != new_value:
            out.append(
                who.change(
                    period_name,
                    "header",
                    "changed",
                    field=key,
                    label=label,
                    old=value(old_value),
                    new=value(new_value),
                )
            )
    out += _corrections(who, period_name, old.corrections, new.corrections)
    out += _totals(who, period_name, old, new)
    return out


def _corrections(
    who: Who, period_name: str, old: tuple[model.Correction, ...], new: tuple[model.Correction, ...]
) -> list[Change]:
    def item(correction: model.Correction) -> str:
        return (
            f"{correction.date.isoformat()} {correction.reason}（批准：{correction.approved_by}）"
        )

    keep = 0
    while keep < min(len(old), len(new)) and old[keep] == new[keep]:
        keep += 1
    return [who.change(period_name, "corrections", "removed", item=item(c)) for c in old[keep:]] + [
        who.change(period_name, "corrections", "added", item=item(c)) for c in new[keep:]
    ]


def _totals(who: Who, period_name: str, old: model.Period, new: model.Period) -> list[Change]:
    out = []
    for key, label in (("income", "本期收入合计"), ("expense", "本期支出合计")):
        old_value, new_value = getattr(old, key), getattr(new, key)
        if old_value != new_value:
            out.append(
                who.change(
                    period_name,
                    "totals",
                    "changed",
                    field=key,
                    label=label,
                    old=value(old_value),
                    new=value(new_value),
                )
            )
    old_acc = {account.code: account for account in old.by_account}
    new_acc = {account.code: account for account in new.by_account}
    zero = model.AccountTotal("", "", model.ZERO, model.ZERO)
    for code in sorted(old_acc.keys() | new_acc.keys()):
        old_account, new_account = old_acc.get(code, zero), new_acc.get(code, zero)
        name = (new_acc.get(code) or old_acc.get(code) or zero).name
        for key, zh in (("income", "收入"), ("expense", "支出")):
            old_value, new_value = getattr(old_account, key), getattr(new_account, key)
            if old_value != new_value:
                out.append(
                    who.change(
                        period_name,
                        "totals",
                        "changed",
                        field=f"by_account.{code}.{key}",
                        label=f"科目 {code} {name} {zh}合计",
                        old=value(old_value) or "0.00",
                        new=value(new_value) or "0.00",
                    )
                )
    return out


def period_changed(
    old_village: model.Village, old: model.Period, new_village: model.Village, new: model.Period
) -> bool:
    """Whether the full records of a period differ (personal names unmasked, order counted)."""
    # NOTE: the records only: a register entry a page shows changes with a correction of its
    # own (registers.py), and the roles of the people named are village.yml's
    return encode(records_data(old_village, old)["record"]) != encode(
        records_data(new_village, new)["record"]
    )


# --- villages ---------------------------------------------------------------------------------
def _people(who: Who, old: model.Village, new: model.Village) -> list[Change]:
    old_roles = {p.name: p.roles for p in old.people}
    new_roles = {p.name: p.roles for p in new.people}
    out = []
    for name in [n for n in old_roles if n not in new_roles]:
        out.append(
            who.change("", "village", "changed", field="people", label="人员", item=f"删除 {name}")
        )
    for name, roles in new_roles.items():
        if name not in old_roles:
            item = f"新增 {name}（{'、'.join(roles)}）"
        elif old_roles[name] != roles:
            item = f"{name} 职务 {'、'.join(old_roles[name])} → {'、'.join(roles)}"
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
    village = new or old
    if village is None:
        return []
    who = Who(
        village.code,
        village.name,
        f"{village.town_slug}/{village.slug}",
        mask and village.names_online != "full",
    )
    if old is None or new is None:
        action = "added" if old is None else "removed"
        gone = [who.change("", "village", action)]
        if old is not None:
            gone += [c for p in old.periods for c in diff_period(who, p, None)]
        else:
            gone += [c for p in village.periods for c in diff_period(who, None, p)]
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
        old_value, new_value = getattr(old, key), getattr(new, key)
        if old_value != new_value:
            out.append(
                who.change(
                    "",
                    "village",
                    "changed",
                    field=key,
                    label=label,
                    old=value(old_value),
                    new=value(new_value),
                )
            )
    out += _people(who, old, new)
    if old.channels != new.channels:
        out.append(
            who.change("", "village", "changed", field="channels", label="监督渠道", item="有改动")
        )
    # NOTE: imported here: registers.py builds on this module's Change and Who
    from builder.audit.registers import register_changes

    out += register_changes(who, old, new)
    old_periods = {p.period: p for p in old.periods}
    new_periods = {p.period: p for p in new.periods}
    touched_by_period: dict[str, list[str]] = {}
    village_files: list[str] = []
    for rel in touched:
        head, _, rest = rel.partition("/")
        if rest:
            touched_by_period.setdefault(head, []).append(rest)
        else:
            village_files.append(head)
    for period in sorted(old_periods.keys() | new_periods.keys()):
        changes = diff_period(who, old_periods.get(period), new_periods.get(period))
        if not changes and period in touched_by_period:
            changes = [who.change(period, "format", "reformatted")]
        out += changes
    compared = ("village.yml", *REGISTER_FILES.values())
    content_village = [
        c
        for c in out
        if (c.section == "village" or c.section in REGISTER_FILES) and c.action != "renamed"
    ]
    for name in sorted(village_files):
        if name in compared and not content_village:
            out.append(who.change("", "format", "reformatted", item=name))
        elif name == "corrections.yml":
            kept = set(old.register_corrections)
            for c in new.register_corrections:
                if c not in kept:
                    out.append(
                        who.change(
                            "",
                            "corrections",
                            "added",
                            item=f"{SECTIONS.get(c.register, c.register)}“{c.id}” "
                            f"{c.date.isoformat()} {c.reason}（批准：{c.approved_by}）",
                        )
                    )
        elif name not in compared:
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


# --- the published interface of `sunlight diff --json` -------------------------------------------
DIFF_SCHEMA_VERSION = "1.1"  # 1.1: the section "meetings" (meetings.yml, field by field)
ACTIONS = ("added", "removed", "changed", "renamed", "reordered", "reformatted", "unreadable")
SECTION_KEYS = ("village", "period", "header", "totals", "format", *SECTIONS)


def diff_schema() -> dict[str, Any]:
    """The JSON Schema (2020-12) of `sunlight diff --json`, version DIFF_SCHEMA_VERSION.

    Versioning: a new optional key or a new enum value raises the minor part in "version"
    ("1.1"); removing or renaming a key, or changing a type, raises the major part."""
    text = {"type": "string"}
    maybe_text = {"type": ["string", "null"]}
    maybe_line = {"type": ["integer", "null"], "minimum": 1}
    side = {
        "type": "object",
        "required": ["rev", "commit", "date"],
        "additionalProperties": False,
        "properties": {
            "rev": {**text, "description": "the revision as given (HEAD~1, a tag, 工作区)"},
            "commit": {**maybe_text, "description": "full commit id; null for the working tree"},
            "date": {**text, "format": "date", "description": "the commit's day (UTC+8)"},
        },
    }
    change = {
        "type": "object",
        "required": [
            "code",
            "village",
            "path",
            "period",
            "section",
            "action",
            "field",
            "label",
            "old",
            "new",
            "old_line",
            "new_line",
            "item",
            "text",
        ],
        "additionalProperties": False,
        "properties": {
            "code": {**text, "description": "the village's area code (villages match by it)"},
            "village": {**text, "description": "the village's name"},
            "path": {**text, "description": "town/village folder (the newer one)"},
            "period": {
                **text,
                "pattern": "^([0-9]{4}-[0-9]{2})?$",
                "description": "YYYY-MM, or empty for the village itself",
            },
            "section": {"enum": list(SECTION_KEYS)},
            "action": {"enum": list(ACTIONS)},
            "field": {
                **text,
                "description": "the field's key (ledger: expense, header: closing.cash)",
            },
            "label": {**text, "description": "the field's Chinese name as shown"},
            "old": {
                **maybe_text,
                "description": "the value before, as shown (masked names stay masked)",
            },
            "new": {**maybe_text, "description": "the value after, as shown"},
            "old_line": {
                **maybe_line,
                "description": "the row's line in the older file (header = line 1)",
            },
            "new_line": {**maybe_line, "description": "the row's line in the newer file"},
            "item": {**text, "description": "a short description of the row or entry"},
            "text": {**text, "description": "the change as one Chinese sentence"},
        },
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"sunlight-diff-{DIFF_SCHEMA_VERSION}.schema.json",
        "title": "sunlight diff --json",
        "description": "What changed between two revisions of a county's records, field by field.",
        "type": "object",
        "required": ["version", "from", "to", "changes"],
        "additionalProperties": False,
        "properties": {
            "version": {"const": DIFF_SCHEMA_VERSION},
            "from": side,
            "to": side,
            "changes": {"type": "array", "items": change},
        },
    }
