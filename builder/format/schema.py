"""The disclosure format, declared once: every record kind, its fields, their types.

FORMAT.md describes this contract for people; this module is the same contract for code. The
validator, the JSON Schema / Table Schema files and the clerk's guide are all derived from it.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from builder.format import privacy, problems

FORMAT_VERSION = "1"

# The six steps of 四议两公开, in order (DOMAIN.md §2).
STEP_NAMES = (
    "党支部提议",
    "两委会商议",
    "党员大会审议",
    "村民代表会议决议",
    "决议公开",
    "实施结果公开",
)
# Each step's place in that order; a 村民会议 decides in place of the representatives (step 4).
STEP_INDEX = {name: i for i, name in enumerate(STEP_NAMES, start=1)} | {"村民会议决议": 4}


# NOTE: folder names become URLs. A town folder lives beside the site's own top-level pages
# (the hand-written pages in content/, the generated search, status and log pages, the assets
# and the published schemas), and a village folder beside a village's own sub-pages, so these
# names would overwrite, or be overwritten by, a page of the site.
RESERVED_TOWN_SLUGS = frozenset(
    {"search", "status", "rules", "log", "assets", "schema", "about", "guide", "codes"}
)
RESERVED_VILLAGE_SLUGS = frozenset({"qr", "history", "contracts", "decisions", "topics", "print"})
RESERVED_VILLAGE_SLUGS |= {"meetings", "data", "card"}  # issue-13 pages under a village


@dataclass(frozen=True)
class Invalid:
    """A value that failed its type: the problem kind and the values for its message."""

    kind: problems.Kind
    values: dict[str, str] = field(default_factory=dict)


class Scalar:
    """A field type read from text: YAML scalars and CSV cells are always text first."""

    json: dict[str, Any] = {"type": "string"}
    table: dict[str, Any] = {"type": "string"}
    zh = "文字"

    def parse(self, text: str) -> Any:
        """Turn a cell's text into its value, or Invalid with the problem kind."""
        return text


# NOTE: NFKC would turn Chinese full-width punctuation (，：；（）！？) into ASCII and spoil the
# text villagers read; those characters are kept, everything else is NFKC-normalised (so
# full-width digits and letters become ASCII, and look-alike compatibility characters fold).
_KEEP_FULLWIDTH = re.compile(r"([\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65])")


def normalize_text(text: str) -> str:
    """NFKC-normalise text, keeping Chinese full-width punctuation as written."""
    if text.isascii():
        return text
    parts = _KEEP_FULLWIDTH.split(text)
    return "".join(p if i % 2 else unicodedata.normalize("NFKC", p) for i, p in enumerate(parts))


def _is_name_char(ch: str) -> bool:
    # NOTE: names appear in page titles and headings, so they carry no markup characters at all
    return unicodedata.category(ch)[0] in "LMN" or ch in "·• -()（）"


class Text(Scalar):
    """Free text (NFKC-normalised on load, see normalize_text); never interpreted as markup."""

    def __init__(self, *, max_len: int = 2000, multiline: bool = False, name: bool = False) -> None:
        self.max_len = max_len
        self.multiline = multiline
        self.name = name
        self.json = {"type": "string", "minLength": 1, "maxLength": max_len}
        self.table = {"type": "string", "constraints": {"maxLength": max_len}}

    def parse(self, text: str) -> Any:
        """Check a text's length, characters and line breaks."""
        if not text.strip():
            return Invalid(
                problems.INVALID_TEXT, {"reason": "是空白。请填写内容。", "reason_en": "is blank."}
            )
        if self.name and not privacy.name_key(text):
            return Invalid(
                problems.INVALID_TEXT,
                {
                    "value": "",
                    "reason": "去掉看不见的字符后是空白。请填写名称。",
                    "reason_en": "is blank once its invisible characters are removed.",
                },
            )
        if len(text) > self.max_len:
            return Invalid(
                problems.INVALID_TEXT,
                {
                    "value": privacy.shorten(text, 20),
                    "reason": f"太长（{len(text)} 字），最多 {self.max_len} 字。",
                    "reason_en": f"is too long ({len(text)} characters; at most {self.max_len}).",
                },
            )
        if self.name and not all(_is_name_char(ch) for ch in text.strip()):
            bad = next(ch for ch in text.strip() if not _is_name_char(ch))
            return Invalid(
                problems.INVALID_TEXT,
                {
                    "reason": f"含有“{bad}”。名称只能用文字、数字、间隔号（·）和括号。",
                    "reason_en": f'contains "{bad}"; names use letters, digits, "·" and brackets only.',
                },
            )
        if not self.multiline and "\n" in text.strip():
            return Invalid(
                problems.INVALID_TEXT,
                {
                    "value": privacy.shorten(text, 20),
                    "reason": "不能换行。请写成一行。",
                    "reason_en": "must be on one line.",
                },
            )
        return text.strip() if not self.multiline else text.strip("\n")


MONEY_RE = re.compile(r"(0|[1-9][0-9]*)(\.[0-9]{1,2})?")


class Money(Scalar):
    """Yuan as 123.45 or 123, held as an exact Decimal; never a float."""

    zh = "金额"
    json = {"type": "string", "pattern": r"^(0|[1-9][0-9]*)(\.[0-9]{1,2})?$"}
    table = {"type": "number", "decimalChar": ".", "groupChar": "", "constraints": {"minimum": 0}}

    def parse(self, text: str) -> Any:
        """Parse an amount in yuan with at most two decimals."""
        if not MONEY_RE.fullmatch(text):
            return Invalid(problems.INVALID_AMOUNT)
        return Decimal(text)


DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
PERIOD_RE = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")


class Date(Scalar):
    """A calendar date written YYYY-MM-DD."""

    zh = "日期"
    json = {"type": "string", "format": "date", "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}
    table = {"type": "date", "format": "%Y-%m-%d"}

    def parse(self, text: str) -> Any:
        """Parse a YYYY-MM-DD date."""
        if DATE_RE.fullmatch(text):
            try:
                return dt.date.fromisoformat(text)
            except ValueError:
                pass
        return Invalid(problems.INVALID_DATE)


class Period(Scalar):
    """A disclosure period written YYYY-MM."""

    zh = "期间"
    json = {"type": "string", "pattern": r"^[0-9]{4}-(0[1-9]|1[0-2])$"}
    table = {"type": "yearmonth"}

    def parse(self, text: str) -> Any:
        """Accept a YYYY-MM period."""
        return text if PERIOD_RE.fullmatch(text) else Invalid(problems.INVALID_PERIOD)


class Integer(Scalar):
    """A whole number ≥ 0 in plain digits, no leading zero."""

    zh = "整数"
    json = {"type": "string", "pattern": r"^(0|[1-9][0-9]*)$"}
    table = {"type": "integer", "bareNumber": True, "constraints": {"minimum": 0}}

    def parse(self, text: str) -> Any:
        """Parse a whole number within the bounds."""
        return (
            int(text)
            if re.fullmatch(r"0|[1-9][0-9]{0,8}", text)
            else Invalid(problems.INVALID_INTEGER)
        )


class Choice(Scalar):
    """One of a fixed list of values."""

    def __init__(self, options: Sequence[str]) -> None:
        self.options = tuple(options)
        self.zh = "可选值：" + " / ".join(self.options)
        self.json = {"type": "string", "enum": list(self.options)}
        self.table = {"type": "string", "constraints": {"enum": list(self.options)}}

    def parse(self, text: str) -> Any:
        """Accept one of the allowed options."""
        if text in self.options:
            return text
        return Invalid(problems.INVALID_CHOICE, {"choices": "、".join(self.options)})


class Pattern(Scalar):
    """Text that must match a pattern: codes, ids, slugs, phone numbers."""

    def __init__(
        self, regex: str, what: str, what_en: str, example: str, example_en: str = ""
    ) -> None:
        self.regex = re.compile(regex)
        self.zh = f"{what}，例如 {example}"
        self.what, self.what_en, self.example = what, what_en, example
        # NOTE: an example with words in it ("513 或 51301") has its own English
        self.example_en = example_en or example
        self.json = {"type": "string", "pattern": f"^{regex}$"}
        self.table = {"type": "string", "constraints": {"pattern": regex}}

    def parse(self, text: str) -> Any:
        """Accept text matching the pattern."""
        if self.regex.fullmatch(text):
            return text
        return Invalid(
            problems.INVALID_CODE,
            {
                "what": self.what,
                "what_en": self.what_en,
                "hint": f"例如 {self.example}。",
                "hint_en": f"For example {self.example_en}.",
            },
        )


class Bool(Scalar):
    """true or false, written exactly so (never yes/no/on/off)."""

    zh = "true 或 false"
    json = {"type": "string", "enum": ["true", "false"]}
    table = {"type": "boolean", "trueValues": ["true"], "falseValues": ["false"]}

    def parse(self, text: str) -> Any:
        """Parse true or false."""
        if text in ("true", "false"):
            return text == "true"
        return Invalid(problems.INVALID_CHOICE, {"choices": "true、false"})


class Schedule(Scalar):
    """A payment schedule: date:amount pairs separated by semicolons (see FORMAT.md)."""

    zh = "日期:金额，多笔用分号隔开，例如 2026-03-31:5000;2026-09-30:5000"
    _item = r"[0-9]{4}-[0-9]{2}-[0-9]{2}:(0|[1-9][0-9]*)(\.[0-9]{1,2})?"
    json = {"type": "string", "pattern": f"^{_item}(;{_item})*;?$"}
    table = {"type": "string", "constraints": {"pattern": f"{_item}(;{_item})*;?"}}

    def parse(self, text: str) -> Any:
        """Parse a payment schedule of date:amount items."""
        items = []
        # NOTE: a full-width semicolon or colon is what a Chinese keyboard types; both are read
        for part in text.replace("；", ";").replace("：", ":").split(";"):
            if not part.strip():
                continue
            day, _, amount = part.strip().partition(":")
            date, money = Date().parse(day.strip()), amount.strip()
            if isinstance(date, Invalid) or not MONEY_RE.fullmatch(money):
                return Invalid(problems.INVALID_SCHEDULE)
            items.append((date, Decimal(money)))
        return tuple(items) if items else Invalid(problems.INVALID_SCHEDULE)


class Changes(Scalar):
    """Contract change orders: date:amount[:decision id] items separated by semicolons."""

    zh = "日期:增减金额:决议编号，多笔用分号隔开，例如 2026-06-10:+35000:JY2026-04;2026-08-01:-2000"
    _item = r"[0-9]{4}-[0-9]{2}-[0-9]{2}:[+-]?(0|[1-9][0-9]*)(\.[0-9]{1,2})?(:[A-Za-z][A-Za-z0-9-]{0,19})?"
    json = {"type": "string", "pattern": f"^{_item}(;{_item})*;?$"}
    table = {"type": "string", "constraints": {"pattern": f"{_item}(;{_item})*;?"}}

    def parse(self, text: str) -> Any:
        """Parse change orders: (date, signed amount, decision id or "")."""
        items = []
        for part in text.replace("；", ";").replace("：", ":").split(";"):
            if not part.strip():
                continue
            day, _, rest = part.strip().partition(":")
            amount, _, ref = rest.partition(":")
            date, money, ref = Date().parse(day.strip()), amount.strip(), ref.strip()
            sign = -1 if money.startswith("-") else 1
            money = money.lstrip("+-")
            if (
                isinstance(date, Invalid)
                or not MONEY_RE.fullmatch(money)
                or (ref and not re.fullmatch(r"[A-Za-z][A-Za-z0-9-]{0,19}", ref))
            ):
                return Invalid(problems.INVALID_CHANGES)
            items.append((date, sign * Decimal(money), ref))
        return tuple(items) if items else Invalid(problems.INVALID_CHANGES)


REGION_CODE = Pattern(
    r"[0-9]{12}", "12 位统计用区划代码", "12-digit statistical area code", "371322101201"
)
ACCOUNT_CODE = Pattern(
    r"[0-9]{3}([0-9]{2})*", "会计科目代码", "account code", "513 或 51301", "513 or 51301"
)
ITEM_ID = Pattern(r"[A-Za-z][A-Za-z0-9-]{0,19}", "编号", "id", "P01")
PHONE = Pattern(
    r"[0-9]{3,4}-?[0-9]{7,8}|1[0-9]{4,5}|[0-9]{5}",
    "电话号码",
    "phone number",
    # NOTE: no whole landline: the clerk's guide, a published page, shows this example, and an
    # undeclared landline on a page is refused (landline-number)
    "12388 或 0539-621××××（带区号的座机）",
    "12388 or 0539-621xxxx (a landline with its area code)",
)
NAME = Text(max_len=40, name=True)
TEXT = Text(max_len=200)
BODY = Text(max_len=5000, multiline=True)


# --- structure --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Field:
    """One field: key, Chinese label, type, required; doc is the clerk's guide line."""

    key: str
    zh: str
    type: Any  # Scalar | Obj | ListOf
    required: bool = False
    doc: str = ""
    aliases: tuple[str, ...] = ()
    # an optional column added after v1 (FORMAT.md v1.2): tools write it only when a row uses
    # it, so files kept without it stay byte for byte as they were
    extension: bool = False

    @property
    def label(self) -> str:
        """Return the label shown to clerks: Chinese name and key."""
        return f"{self.zh} {self.key}"


@dataclass(frozen=True)
class Obj:
    """A YAML mapping with known keys."""

    fields: tuple[Field, ...]

    def get(self, key: str) -> Field | None:
        """Find the field with this key."""
        return next((f for f in self.fields if f.key == key), None)


@dataclass(frozen=True)
class ListOf:
    """A YAML list of one item type."""

    item: Any  # Scalar | Obj | ListOf
    min_items: int = 0


@dataclass(frozen=True)
class RecordSchema:
    """A file kind: its name, file name, title and fields (an Obj for YAML, columns for CSV)."""

    name: str
    filename: str
    title: str
    fields: tuple[Field, ...]

    @property
    def obj(self) -> Obj:
        """Return the record's fields as a mapping type."""
        return Obj(self.fields)

    def column(self, header: str) -> Field | None:
        """Find the column for a header cell: its key or its Chinese alias."""
        for field_spec in self.fields:
            if header == field_spec.key or header == field_spec.zh or header in field_spec.aliases:
                return field_spec
        return None


def F(
    key: str,
    zh: str,
    type_: Any,
    required: bool = False,
    doc: str = "",
    aliases: tuple[str, ...] = (),
    extension: bool = False,
) -> Field:
    """Declare one field (a short constructor for the schema tables below)."""
    return Field(key, zh, type_, required, doc, aliases, extension)


PERSON_REF = Text(max_len=40, name=True)
CONTACT = Obj((F("name", "名称", TEXT, True), F("phone", "电话", PHONE, True)))
BAND = ListOf(Scalar())  # [low, high|null, platform] — checked in validate
METHODS = ("公开招标", "竞价拍卖", "邀请招标", "简易招标", "协商")
CONTRACT_TYPES = ("发包", "租赁", "出让", "投资入股", "工程", "采购", "服务")
# NOTE: the supervision rules of builder/rules/, by id; a county or town may change their level
RULE_IDS: tuple[str, ...] = (
    "R1",
    "R8",
    "R9",
    "R10",
    "R11",
    "R12",
    "R13",
    "R14",
    "R15",
    "R16",
    "R17",
    "R18",
    "R19",
    "R20",
    "R21",
    "R24",
    "R25",
    "R26",
    "R27",
    "R28",
    "R29",
    "R30",
    "R31",
)
RULE_IDS += ("R33", "R34", "R35", "R36")  # the other 三务 kinds on time (rules/cadence.py)
RULE_LEVEL = Choice(["error", "warning", "info", "off"])

PARAMETERS = Obj(
    (
        F(
            "finance_cadence",
            "财务公开频次",
            Choice(["monthly", "quarterly"]),
            doc="monthly 每月 / quarterly 每季度，默认 monthly",
        ),
        F("grace_days", "逾期宽限天数", Integer(), doc="期末后超过此天数未公开即为逾期，默认 15"),
        F("tender_bands", "招标金额分档", ListOf(BAND), doc="[下限, 上限或 null, 交易平台]"),
        F("major_matter_threshold", "重大事项金额", Money(), doc="默认 50000 元"),
        F(
            "cash_payment_limit",
            "现金支付限额",
            Money(),
            doc="单笔现金支出超过此数提示，默认 1000 元",
        ),
        F("notice_days", "公示天数", Integer(), doc="救助公示至少天数，默认 7"),
        F(
            "reply_days",
            "点题答复天数",
            Integer(),
            doc="点题提出后超过此天数未答复即提示（R29），默认 10",
        ),
        F(
            "village_affairs_months",
            "村务公开间隔月数",
            Integer(),
            doc="每隔此月数（按自然季度等对齐）至少公开一次村务（R33），默认 3",
        ),
        F(
            "party_affairs_months",
            "党务公开间隔月数",
            Integer(),
            doc="每隔此月数至少公开一次党务（R34），默认 3",
        ),
        F(
            "meeting_days",
            "会议间隔天数",
            Obj(
                tuple(
                    F(k, f"{k}间隔天数", Integer())
                    for k in (
                        "村情发布会",
                        "村务联席会议",
                        "群众说事日",
                        "党员大会",
                        "村民代表会议",
                    )
                )
            ),
            doc="每种会议相隔不超过的天数，例如 {村情发布会: 92, 群众说事日: 31}（R35）；不写的会议不查",
        ),
        F(
            "decision_publish_days",
            "决议公开天数",
            Integer(),
            doc="村民代表会议决议后超过此天数未公开即提示（R36），默认 5",
        ),
        F(
            "late_income_days",
            "入账期限天数",
            Integer(),
            doc="合同计划收款日后超过此天数仍未入账即提示（R10），默认 30",
        ),
        F(
            "open_methods",
            "公开交易方式",
            ListOf(Choice(METHODS)),
            doc="金额超过第一档时合同须采用的方式（R11），默认 公开招标、竞价拍卖、邀请招标",
        ),
        F(
            "split_window_days",
            "拆分观察天数",
            Integer(),
            doc="同一对方在此天数内多笔合计超过分档上限即提示（R12），默认 90",
        ),
        F(
            "split_min_pct",
            "拆分最小比例",
            Integer(),
            doc="只把不小于分档上限此百分比的笔数算作拆分（R12），默认 20",
        ),
        F(
            "near_limit_pct",
            "临界比例",
            Integer(),
            doc="金额低于分档上限或重大事项金额此百分比以内即提示（R13），默认 5",
        ),
        F(
            "payroll_accounts",
            "报酬科目",
            ListOf(ACCOUNT_CODE),
            doc="付给干部本人的报酬所用科目，不按利益冲突提示（R17），默认 212、213",
        ),
        F(
            "duplicate_days",
            "重复报销天数",
            Integer(),
            doc="同一收款方同一金额相隔不超过此天数即提示（R19），默认 3",
        ),
        F(
            "expiry_days",
            "到期预警天数",
            Integer(),
            doc="租赁、发包合同在此天数内到期即提示（R26），默认 90",
        ),
        F(
            "max_lease_years",
            "最长租期年数",
            Integer(),
            doc="租赁、发包合同期限超过此年数即提示（R26），默认 20",
        ),
        F(
            "deposit_days",
            "现金送存天数",
            Integer(),
            doc="现金收入须在此天数内存入银行（R9），默认 7",
        ),
        F(
            "change_order_abs",
            "变更金额",
            Money(),
            doc="合同变更达到此金额须有新的决议（R15），默认 50000 元",
        ),
        F(
            "change_order_pct",
            "变更比例",
            Integer(),
            doc="合同变更达到合同金额此百分比须有新的决议（R15），默认 20",
        ),
        F(
            "loan_accounts",
            "借款科目",
            ListOf(ACCOUNT_CODE),
            doc="借入款项所用科目（R16），默认 201、221",
        ),
        F(
            "cadre_pay_accounts",
            "干部报酬科目",
            ListOf(ACCOUNT_CODE),
            doc="付给干部的工资、补贴所用科目（R18），默认 212、213、513",
        ),
        F(
            "hospitality_allowed",
            "允许招待费",
            Bool(),
            doc="false：本县（镇）禁止村级招待费，任何一笔都提示（R21），默认 true",
        ),
        F(
            "hospitality_cap",
            "招待费月上限",
            Money(),
            doc="一个月招待费合计上限（R21），默认 1000 元",
        ),
        F(
            "hospitality_words",
            "招待费摘要用词",
            ListOf(TEXT),
            doc="管理费用中摘要含这些词的支出算招待费（R21），默认 招待、接待、宴请、餐费",
        ),
        F(
            "relief_months",
            "临时救助间隔月数",
            Integer(),
            doc="同一人同一事由在此月数内两次临时救助即提示（R25），默认 12",
        ),
        F(
            "relief_standard",
            "低保标准",
            Money(),
            doc="本县每人每月低保标准（R25），默认 700 元",
        ),
        F(
            "relief_cap_times",
            "临时救助倍数",
            Integer(),
            doc="一次临时救助超过低保标准的此倍数即提示（R25），默认 6",
        ),
        F(
            "receivable_days",
            "干部借款天数",
            Integer(),
            doc="干部个人的应收款超过此天数未还即提示（R28），默认 30",
        ),
        F(
            "receivable_accounts",
            "应收款科目",
            ListOf(ACCOUNT_CODE),
            doc="借给个人的款项所用科目（R28），默认 112",
        ),
        F(
            "relatives_on_site",
            "网站显示亲属核实提示",
            Bool(),
            doc="true：R24 的提示以“一条需要核实的救助记录”显示在网站上，不写关系；默认 false，只在 sunlight flags 中显示",
        ),
        F(
            "severity",
            "规则级别",
            Obj(tuple(F(rid, f"{rid} 级别", RULE_LEVEL) for rid in RULE_IDS)),
            doc="改变某条监督规则的级别：error 阻止发布 / warning 警告 / info 提示 / off 不检查",
        ),
    )
)

COUNTY = RecordSchema(
    "county",
    "county.yml",
    "县（区）",
    (
        F("name", "县名", NAME, True),
        F("code", "区划代码", REGION_CODE, True),
        F(
            "site",
            "网站",
            Obj(
                (
                    F("title", "网站标题", Text(max_len=60, name=True), True),
                    F(
                        "url",
                        "网址",
                        Pattern(
                            r"https?://[^\s<>\"']+/",
                            "网址",
                            "site URL ending in /",
                            "https://example.org/",
                        ),
                        True,
                    ),
                )
            ),
            True,
        ),
        F(
            "chart",
            "会计制度",
            Choice(["2023", "2004"]),
            True,
            doc="2023 = 财会〔2023〕14号；2004 = 财会〔2004〕12号（仅 2023 年及以前）",
        ),
        F(
            "names_online",
            "网上姓名显示",
            Choice(["masked", "full"]),
            doc="masked 打码（张*三，默认）/ full 全名；纸质公开栏总是全名",
        ),
        F("parameters", "规则参数", PARAMETERS),
        F("contacts", "联系电话", ListOf(CONTACT)),
    ),
)

TOWN = RecordSchema(
    "town",
    "town.yml",
    "乡镇（街道）",
    (
        F("name", "乡镇名", NAME, True),
        F("code", "区划代码", REGION_CODE, True),
        F("names_online", "网上姓名显示", Choice(["masked", "full"])),
        F("parameters", "规则参数", PARAMETERS),
        F("contacts", "联系电话", ListOf(CONTACT)),
    ),
)

ROLES = (
    "党支部书记",
    "党支部副书记",
    "党支部委员",
    "村委会主任",
    "村委会副主任",
    "村委会委员",
    "村务监督委员会主任",
    "村务监督委员会委员",
    "报账员",
    "会计",
    "出纳",
    "民主理财小组成员",
    "村民小组长",
    "网格员",
    "其他",
)
SUPERVISOR_ROLES = frozenset({"村务监督委员会主任", "村务监督委员会委员"})
TWO_COMMITTEE_ROLES = frozenset(
    {
        "党支部书记",
        "党支部副书记",
        "党支部委员",
        "村委会主任",
        "村委会副主任",
        "村委会委员",
        "报账员",
        "会计",
        "出纳",
    }
)

VILLAGE = RecordSchema(
    "village",
    "village.yml",
    "村（社区）",
    (
        F("name", "村名", NAME, True),
        F("code", "区划代码", REGION_CODE, True),
        F("kind", "类型", Choice(["行政村", "社区", "股份经济合作社"]), True),
        F("households", "户数", Integer()),
        F("population", "人口", Integer()),
        F(
            "people",
            "人员",
            ListOf(
                Obj(
                    (
                        F("name", "姓名", NAME, True),
                        F("roles", "职务", ListOf(Choice(ROLES), 1), True),
                        F(
                            "terms",
                            "任期",
                            ListOf(
                                Obj(
                                    (
                                        F("roles", "职务", ListOf(Choice(ROLES), 1), True),
                                        F("from", "起", Date(), True),
                                        F("to", "止", Date()),
                                    )
                                )
                            ),
                            doc="换届前后的职务和起止日期；不写表示 roles 一直有效",
                        ),
                    )
                ),
                1,
            ),
            True,
            doc="记录中可能出现的每一位干部及其职务",
        ),
        F(
            "clerks",
            "录入员",
            ListOf(Obj((F("name", "姓名", NAME, True), F("account", "账号", TEXT)))),
        ),
        F(
            "cadre_pay",
            "干部报酬标准",
            ListOf(
                Obj(
                    (
                        F("name", "姓名", NAME, True, doc="people 中的一位干部"),
                        F("annual", "年报酬标准", Money(), True, doc="一年应发的工资和补贴合计"),
                        F("year", "年度", Integer(), doc="适用的年度；不填则各年都适用"),
                        F("decision_id", "决议编号", ITEM_ID, doc="批准这一标准的村民会议决议"),
                    )
                )
            ),
            doc="(v1.2) 每位干部经村民会议批准的报酬标准（R18）",
        ),
        F(
            "bank_accounts",
            "银行账户",
            ListOf(
                Obj(
                    (
                        F(
                            "id",
                            "账户编号",
                            ITEM_ID,
                            True,
                            doc="本村自编，例如 JBH；收支明细的 bank_account 填它",
                        ),
                        F("bank", "开户行", TEXT, True),
                        F(
                            "kind",
                            "账户类型",
                            Choice(["基本存款账户", "一般存款账户", "专用存款账户"]),
                            True,
                        ),
                        F(
                            "tail",
                            "账号后四位",
                            Pattern(r"[0-9]{4}", "账号后四位", "last four digits", "3721"),
                            doc="只写后四位，不写完整账号",
                        ),
                        F(
                            "designated",
                            "指定收款账户",
                            Bool(),
                            doc="true：收入可以进这个账户；不填时基本存款账户为 true，其他为 false",
                        ),
                        F("opened", "开户日期", Date()),
                        F("closed", "销户日期", Date()),
                    )
                )
            ),
            doc="(v1.2) 本村的银行账户（R31）",
        ),
        F(
            "channels",
            "监督渠道",
            Obj(
                (
                    F("office_phone", "办公电话", PHONE),
                    F("hotlines", "监督热线", ListOf(CONTACT)),
                    F("box", "举报箱位置", TEXT),
                    F("supervisor", "监督员", PERSON_REF),
                    F("talk_day", "群众说事日", TEXT),
                )
            ),
        ),
    ),
)

POWER = Obj(
    (
        F("id", "编号", ITEM_ID, True),
        F("category", "类别", TEXT, True),
        F("name", "名称", TEXT, True),
        F("basis", "依据", TEXT),
        F("responsible", "责任主体", TEXT),
        F("steps", "流程", ListOf(TEXT)),
        F("time_limit", "时限", TEXT),
        F("risks", "风险点", ListOf(TEXT)),
        F("supervision", "监督", TEXT),
        F("conditions", "办理条件", ListOf(TEXT), doc="谁可以申请、要满足什么条件"),
        F("accountability", "责任追究", TEXT, doc="不按清单办事的，由谁、怎样追究"),
        F(
            "department",
            "主管部门",
            TEXT,
            doc="负责指导、审核这项权力的上级部门，例如 镇农村三资管理服务中心",
        ),
    )
)
DUTY = Obj(
    (
        F("id", "编号", ITEM_ID, True),
        F("who", "责任主体", TEXT, True, doc="岗位或组织，例如 村党组织书记"),
        F("duties", "责任事项", ListOf(TEXT, 1), True),
        F("accountability", "责任追究", TEXT, doc="失职时由谁、怎样追究"),
        F("department", "监督部门", TEXT),
    )
)
NEGATIVE = Obj((F("id", "编号", ITEM_ID, True), F("text", "内容", TEXT, True)))
SERVICE = Obj(
    (
        F("id", "编号", ITEM_ID, True),
        F("name", "名称", TEXT, True),
        F("where", "办理地点", TEXT),
        F("materials", "所需材料", ListOf(TEXT)),
        F("time_limit", "时限", TEXT),
        F("contact", "联系人", TEXT),
    )
)
#: A yearly version of a county's or town's lists (内江's yearly adjustment): each item added,
#: removed or changed, once the lists are on the site (a village's own items use corrections.yml).
POWER_VERSION = Obj(
    (
        F("year", "年度", Pattern(r"[0-9]{4}", "四位年份", "four-digit year", "2027"), True),
        F("date", "调整日期", Date(), True),
        F("reason", "调整原因", TEXT, True),
        F("basis", "依据文件", TEXT, doc="例如 县委办〔2027〕1号"),
        F(
            "changes",
            "调整内容",
            ListOf(
                Obj(
                    (
                        F("id", "编号", ITEM_ID, True),
                        F("change", "调整", Choice(["新增", "删除", "修改"]), True),
                        F("field", "字段", TEXT, doc="修改时写改了哪一项，例如 名称、时限"),
                        F("old", "原值", BODY),
                        F("new", "新值", BODY),
                    )
                )
            ),
            doc="逐项列出新增、删除和修改的条目",
        ),
    )
)
POWERS = RecordSchema(
    "powers",
    "powers.yml",
    "权力清单、负面清单、便民服务清单",
    (
        F("inherit", "继承上级清单", Bool(), doc="true：从上级清单开始（乡镇继承县，村继承乡镇）"),
        F("remove", "删除的编号", ListOf(ITEM_ID)),
        F("powers", "权力清单", ListOf(POWER)),
        F("negative", "负面清单", ListOf(NEGATIVE)),
        F("services", "便民服务清单", ListOf(SERVICE)),
        F("duties", "责任清单", ListOf(DUTY), doc="谁对什么负责；与权力清单一样 县 → 镇 → 村 继承"),
        F(
            "versions",
            "年度调整记录",
            ListOf(POWER_VERSION),
            doc="县和乡镇的清单公开后，每年的调整逐项记在这里（村自己的条目记在 corrections.yml）",
        ),
    ),
)

AFFAIR = Obj(
    (F("title", "标题", TEXT, True), F("date", "日期", Date(), True), F("body", "内容", BODY))
)
BALANCE = Obj((F("cash", "库存现金", Money(), True), F("bank", "银行存款", Money(), True)))
CORRECTION = Obj(
    (
        F("date", "更正日期", Date(), True),
        F("reason", "更正原因", TEXT, True),
        F("approved_by", "批准人", PERSON_REF, True),
        F(
            "changes",
            "更正内容",
            ListOf(
                Obj(
                    (
                        F("section", "部分", TEXT, True),
                        F("line", "行号", Integer()),
                        F("field", "字段", TEXT, True),
                        F("old", "原值", BODY),
                        F("new", "新值", BODY),
                    )
                )
            ),
            doc="这次更正改了什么（sunlight correct 自动写出）：部分、行、字段、原值、新值",
        ),
    )
)

DISCLOSURE = RecordSchema(
    "disclosure",
    "disclosure.yml",
    "公开期",
    (
        F("period", "期间", Period(), True),
        F("opening", "期初余额", BALANCE, True),
        F("closing", "期末余额", BALANCE, True),
        F("drafted_by", "拟稿人", PERSON_REF, True),
        F("reviewed_by", "审核人", PERSON_REF, True, doc="村务监督委员会成员"),
        F("reviewed_at", "审核日期", Date(), True),
        F("published_at", "公开日期", Date(), True),
        F("village_affairs", "村务公开", ListOf(AFFAIR)),
        F("party_affairs", "党务公开", ListOf(AFFAIR)),
        F("corrections", "更正记录", ListOf(CORRECTION)),
        F(
            "deposits",
            "现金送存",
            ListOf(
                Obj(
                    (
                        F("date", "送存日期", Date(), True),
                        F("amount", "金额", Money(), True),
                        F("note", "说明", TEXT),
                    )
                )
            ),
            doc="(v1.2) 本期把库存现金存入银行的每一笔（R9）",
        ),
    ),
)

LEDGER = RecordSchema(
    "ledger",
    "ledger.csv",
    "收支明细",
    (
        F("date", "日期", Date(), True),
        F(
            "voucher_no",
            "凭证号",
            Pattern(r"[^\s,]{1,20}", "凭证号", "voucher number", "记-015"),
            True,
        ),
        F("summary", "摘要", TEXT, True),
        F("account_code", "科目代码", ACCOUNT_CODE, True),
        F("income", "收入", Money()),
        F("expense", "支出", Money()),
        F("counterparty", "收付款方", TEXT),
        F("method", "结算方式", Choice(["现金", "转账", "其他"])),
        F("receipt", "票据", Choice(["发票", "收据", "财政票据", "白条"])),
        F("approver", "审批人", PERSON_REF),
        F("contract_id", "合同编号", ITEM_ID),
        F(
            "bank_account",
            "银行账户",
            ITEM_ID,
            doc="(v1.2) 转账收付所用的账户，village.yml bank_accounts 中的编号（R31）",
            extension=True,
        ),
    ),
)

RELIEF_CAUSES = ("意外事故", "自然灾害", "医疗支出", "教育支出", "基本生活", "其他")
ASSISTANCE = RecordSchema(
    "assistance",
    "assistance.csv",
    "救助公示",
    (
        F("category", "类别", Choice(["低保", "特困", "临时救助", "危房改造", "其他"]), True),
        F("name", "姓名", NAME, True, doc="与纸质公开栏一致的全名；网上按 names_online 打码"),
        F("group", "村民小组", TEXT, True, doc="只写到村民小组，不写门牌地址"),
        F("household_size", "家庭人口", Integer()),
        F("amount", "金额", Money(), True),
        F("notice_start", "公示开始", Date(), True),
        F("notice_end", "公示结束", Date(), True),
        F("status", "状态", Choice(["公示中", "已批准", "已停发"])),
        F(
            "cause",
            "救助事由",
            Choice(RELIEF_CAUSES),
            doc="(v1.2) 临时救助的事由类别（R25），不写病名等具体情况",
            extension=True,
        ),
        F(
            "salt",
            "校验码",
            Pattern(r"[a-z]{16,64}", "校验码", "salt", "qwhzkxmtrpbnvcsa"),
            doc="每行一个随机字母串，sunlight log update 自动填写；让指纹随姓名变化而不泄露姓名，请勿改动",
        ),
    ),
)

CONTRACTS = RecordSchema(
    "contracts",
    "contracts.csv",
    "合同登记",
    (
        F(
            "id",
            "合同编号",
            ITEM_ID,
            True,
            doc="本村唯一，例如 HT2026-01；收支明细的 contract_id 填它",
        ),
        F(
            "type",
            "合同类型",
            Choice(CONTRACT_TYPES),
            True,
            doc="发包、租赁、出让、投资入股为收入合同；工程、采购、服务为支出合同",
        ),
        F("object", "标的", TEXT, True, doc="发包、出租或采购的是什么，例如 东山果园160亩"),
        F("counterparty", "对方", TEXT, True, doc="承包方、承租方、施工方或供应商"),
        F("method", "交易方式", Choice(METHODS), True),
        F("platform", "交易平台", TEXT, True, doc="tender_bands 中的一个平台名称"),
        F("amount", "合同金额", Money(), True, doc="合同期内的总金额"),
        F("start", "开始日期", Date(), True),
        F("end", "结束日期", Date(), True),
        F("schedule", "收付款计划", Schedule(), doc="每笔应收或应付的日期和金额"),
        F("decision_id", "决议编号", ITEM_ID, doc="decisions.yml 中的四议两公开记录"),
        F(
            "changes",
            "合同变更",
            Changes(),
            doc="(v1.2) 每次变更的日期、增减金额和新的决议编号（R15、R27、R30）",
            extension=True,
        ),
        F(
            "accepted_at",
            "验收日期",
            Date(),
            doc="(v1.2) 工程竣工验收的日期；付尾款前应当验收（R30）",
            extension=True,
        ),
    ),
)

DEBTS = RecordSchema(
    "debts",
    "debts.csv",
    "举债和担保登记",
    (
        F("id", "编号", ITEM_ID, True, doc="本村唯一，例如 JK2026-01"),
        F(
            "kind",
            "类型",
            Choice(["借款", "担保"]),
            True,
            doc="借款：村向别人借钱；担保：村为别人担保",
        ),
        F("party", "对方", TEXT, True, doc="出借方，或被担保的一方"),
        F("amount", "金额", Money(), True),
        F("date", "日期", Date(), True, doc="借入或签订担保的日期"),
        F("end", "到期日期", Date()),
        F("decision_id", "决议编号", ITEM_ID, doc="decisions.yml 中的村民（代表）会议决议"),
        F("filed_at", "镇备案日期", Date(), doc="报乡镇审核备案的日期"),
        F("note", "说明", TEXT),
    ),
)

STEP = Obj(
    (
        F("step", "步骤", Choice((*STEP_NAMES, "村民会议决议")), True),
        F("date", "日期", Date(), True),
        F("due", "应到人数", Integer(), doc="会议步骤填写"),
        F("attended", "实到人数", Integer()),
        F("agreed", "同意人数", Integer()),
        F("result", "结果", Choice(["通过", "未通过"])),
        F("note", "说明", TEXT),
    )
)
DECISION = Obj(
    (
        F("id", "决议编号", ITEM_ID, True, doc="本村唯一，例如 JY2026-01；合同的 decision_id 填它"),
        F("matter", "事项", TEXT, True),
        F(
            "category",
            "类别",
            Choice(["工程项目", "发包租赁", "资产处置", "举债担保", "收益分配", "其他"]),
        ),
        F("amount", "金额", Money()),
        F(
            "merged",
            "一肩挑合并",
            Bool(),
            doc="true：书记、主任一肩挑，党支部提议与两委会商议合并进行（可只填两委会商议）",
        ),
        F("steps", "步骤", ListOf(STEP, 1), True, doc="四议两公开的六个步骤，按发生顺序填写"),
    )
)
DECISIONS = RecordSchema(
    "decisions",
    "decisions.yml",
    "四议两公开决议记录",
    (F("decisions", "决议", ListOf(DECISION)),),
)

TOPIC = Obj(
    (
        F("id", "编号", ITEM_ID, True, doc="本村唯一，例如 DT2026-01"),
        F("asked_at", "提出日期", Date(), True),
        F("asker", "提出人", TEXT, doc="可写村民小组或“匿名”；网上不显示"),
        F("question", "问题", Text(max_len=1000, multiline=True), True),
        F("answered_at", "答复日期", Date()),
        F("answer", "答复", BODY),
        F("period", "公开期", Period(), doc="刊登这条答复的公开期，例如 2026-08"),
        F("ref", "相关记录", ITEM_ID, doc="答复所说的合同或决议编号"),
    )
)
TOPICS = RecordSchema(
    "topics",
    "topics.yml",
    "点题公开",
    (F("topics", "点题", ListOf(TOPIC)),),
)

REGISTER_CORRECTION = Obj(
    (
        F(
            "id",
            "编号",
            TEXT,
            True,
            doc="被更正的合同、决议、点题或会议的编号；权力清单写年度，如 2027",
        ),
        F("date", "更正日期", Date(), True),
        F("reason", "更正原因", TEXT, True),
        F("approved_by", "批准人", PERSON_REF, True),
        F(
            "changes",
            "更正内容",
            ListOf(
                Obj(
                    (
                        F("field", "字段", TEXT, True),
                        F("old", "原值", BODY),
                        F("new", "新值", BODY),
                    )
                )
            ),
            doc="逐项列出改了什么：字段、原值、新值",
        ),
    )
)
REGISTER_CORRECTIONS = RecordSchema(
    "corrections",
    "corrections.yml",
    "登记簿更正记录",
    (
        F("contracts", "合同登记的更正", ListOf(REGISTER_CORRECTION)),
        F("decisions", "四议两公开决议的更正", ListOf(REGISTER_CORRECTION)),
        F("topics", "点题公开的更正", ListOf(REGISTER_CORRECTION)),
        F("powers", "小微权力清单的年度调整", ListOf(REGISTER_CORRECTION)),
        F("meetings", "会议记录的更正", ListOf(REGISTER_CORRECTION)),
    ),
)

MEETING_KINDS = ("村情发布会", "村务联席会议", "群众说事日", "党员大会", "村民代表会议")
QUESTION = Obj(
    (
        F("question", "问题", Text(max_len=1000, multiline=True), True),
        F("answer", "答复", BODY),
    )
)
MEETING = Obj(
    (
        F("id", "编号", ITEM_ID, True, doc="本村唯一，例如 HY2026-01"),
        F("kind", "会议", Choice(list(MEETING_KINDS)), True),
        F("date", "日期", Date(), True),
        F("chaired_by", "主持人", NAME),
        F("due", "应到人数", Integer()),
        F("attended", "实到人数", Integer()),
        F("agenda", "议题", ListOf(TEXT)),
        F("questions", "群众提出的问题和答复", ListOf(QUESTION), doc="不写提问人姓名"),
        F("note", "说明", TEXT),
    )
)
MEETINGS = RecordSchema(
    "meetings",
    "meetings.yml",
    "会议记录",
    (F("meetings", "会议", ListOf(MEETING)),),
)

YAML_SCHEMAS = (
    COUNTY,
    TOWN,
    VILLAGE,
    POWERS,
    DISCLOSURE,
    DECISIONS,
    TOPICS,
    REGISTER_CORRECTIONS,
    MEETINGS,
)
CSV_SCHEMAS = (LEDGER, ASSISTANCE, CONTRACTS, DEBTS)
ALL_SCHEMAS = YAML_SCHEMAS + CSV_SCHEMAS

# NOTE: the relatives roster (R24) is personal data kept outside the project (FORMAT.md): it is
# read with this schema and is no published record kind, so it is not in ALL_SCHEMAS.
RELATIVES = RecordSchema(
    "relatives",
    "relatives.yml",
    "干部亲属名单（不公开）",
    (
        F(
            "relatives",
            "亲属",
            ListOf(
                Obj(
                    (
                        F(
                            "village",
                            "村",
                            Pattern(
                                r"[a-z0-9-]+/[a-z0-9-]+",
                                "乡镇/村文件夹",
                                "town/village folder",
                                "chengguan/dongshan",
                            ),
                            True,
                        ),
                        F("name", "姓名", NAME, True),
                        F("group", "村民小组", TEXT),
                        F("cadre", "干部", NAME, True),
                        F("relation", "关系", TEXT),
                        F("filed_at", "备案日期", Date()),
                    )
                )
            ),
        ),
    ),
)


def label_for(key: str) -> str:
    """The Chinese label of a (dotted) key, looked up across every record kind."""

    def find(fields: tuple[Field, ...], parts: list[str]) -> list[str]:
        for field_spec in fields:
            if field_spec.key == parts[0]:
                rest = parts[1:]
                typ = (
                    field_spec.type.item if isinstance(field_spec.type, ListOf) else field_spec.type
                )
                if rest and isinstance(typ, Obj):
                    return [field_spec.zh, *find(typ.fields, rest)]
                return [field_spec.zh]
        return []

    for schema in ALL_SCHEMAS:
        found = find(schema.fields, key.split("."))
        if found:
            return "·".join(found)
    return ""
