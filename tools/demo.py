"""Deterministic generator of synthetic county records in the FORMAT.md layout.

    python -m tools.demo --villages 600 --months 36 --out /tmp/county
    python -m tools.demo --villages 30 --months 36 --out /tmp/county/villages --git

`generate_county` writes a synthetic county (示范县) of any size for tests and benchmarks; the
example county in `villages/` is data, edited by hand. Same arguments give byte-identical files: no clock, no hash order, sorted output, LF line endings, UTF-8.
All money is `decimal.Decimal`; every period's ledger adds up and carries over exactly.
"""

from __future__ import annotations

import argparse
import calendar
import datetime as dt
import itertools
import json
import os
import random
import re
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from builder.format.values import money, month_index

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

LEDGER_HEADER = (
    "date,voucher_no,summary,account_code,income,expense,counterparty,method,receipt,approver,"
    "contract_id\n"
)
ASSISTANCE_HEADER = "category,name,group,household_size,amount,notice_start,notice_end,status\n"
CONTRACTS_HEADER = "id,type,object,counterparty,method,platform,amount,start,end,schedule,decision_id,accepted_at\n"

# fmt: off
CN_MONTH = (
    "", "一月", "二月", "三月", "四月", "五月", "六月", "七月", "八月", "九月", "十月", "十一月",
    "十二月",
)
CN_NUM = (
    "", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二", "十三", "十四",
    "十五",
)
# fmt: on
CN_QUARTER = ("", "第一季度", "第二季度", "第三季度", "第四季度")

# Amounts just under a tender band or the major-matter threshold read as contract splitting
# (DOMAIN R13); the generator keeps clear of them.
_NEAR_LIMITS = (Decimal(20000), Decimal(50000), Decimal(200000))


@dataclass(frozen=True)
class GenerateStats:
    """What a generator run wrote: villages, period folders, ledger rows and files."""

    villages: int
    periods: int
    ledger_rows: int
    files: int


# --- text writers -----------------------------------------------------------------------------
# A YAML plain scalar is used only when it starts with a non-ASCII character and contains no
# ASCII punctuation that YAML could read as syntax; every resolver pattern (bool, int, float,
# null, date) is pure ASCII, so such a scalar is always read back as the same text.
_PLAIN_RE = re.compile(
    "[^\\x00-\\x7f\\x85\\u2028\\u2029\\ufeff]"
    "[^\\x00-\\x1f\\x21-\\x2c\\x3a-\\x40\\x5b-\\x60\\x7b-\\x7f\\x85\\u2028\\u2029\\ufeff]*"
)
_ID_RE = re.compile(r"[A-Z][0-9]{2}")
_CSV_SPECIAL = re.compile(r'[,"\r\n]|^\s|\s$')


def _y(value: str) -> str:
    """A YAML scalar that reads back as exactly this text (plain when safe, else quoted)."""
    if _PLAIN_RE.fullmatch(value) and not value.endswith(" "):
        return value
    return json.dumps(value, ensure_ascii=False)


def _yid(value: str) -> str:
    """A list item id such as P01: plain, as in FORMAT.md (no YAML type matches it)."""
    return value if _ID_RE.fullmatch(value) else _y(value)


def _flow_map(pairs: Sequence[tuple[str, str]]) -> str:
    """A one-line YAML mapping from keys and already-formatted values."""
    return "{" + ", ".join(f"{k}: {v}" for k, v in pairs) + "}"


def _flow_seq(items: Sequence[str]) -> str:
    """A one-line YAML list of text items."""
    return "[" + ", ".join(_y(i) for i in items) + "]"


def _c(value: str) -> str:
    """A CSV cell, quoted only when it must be."""
    if _CSV_SPECIAL.search(value):
        return '"' + value.replace('"', '""') + '"'
    return value


def _qm(value: Decimal) -> str:
    """Money as a quoted YAML scalar."""
    return f'"{money(value)}"'


def _date(y: int, m: int, d: int) -> str:
    """YYYY-MM-DD."""
    return f"{y:04d}-{m:02d}-{d:02d}"


def _month_add(y: int, m: int, k: int) -> tuple[int, int]:
    """The month k months after (y, m); k may be negative."""
    year, month0 = divmod(month_index(f"{y:04d}-{m:02d}") + k, 12)
    return year, month0 + 1


def _next_month(y: int, m: int) -> tuple[int, int]:
    """The month after (y, m)."""
    return _month_add(y, m, 1)


def _add_days(y: int, m: int, d: int, days: int) -> tuple[int, int, int]:
    """A date plus some days (no datetime needed for these small steps)."""
    d += days
    while d > calendar.monthrange(y, m)[1]:
        d -= calendar.monthrange(y, m)[1]
        y, m = _next_month(y, m)
    return y, m, d


def _periods(end_period: str, months: int) -> list[tuple[int, int]]:
    """The `months` consecutive periods ending with end_period, oldest first."""
    if not re.fullmatch(r"[0-9]{4}-(0[1-9]|1[0-2])", end_period):
        raise ValueError(f"end_period must be YYYY-MM, not {end_period!r}")
    if months < 1:
        raise ValueError("months must be at least 1")
    y, m = int(end_period[:4]), int(end_period[5:])
    return [_month_add(y, m, k) for k in range(1 - months, 1)]


def _amount(rng: random.Random, lo: float, hi: float, step: str = "0.01") -> Decimal:
    """A random amount in [lo, hi] in multiples of step yuan, kept off near-limit bands."""
    unit = Decimal(step)
    n = rng.randint(int(Decimal(str(lo)) / unit), int(Decimal(str(hi)) / unit))
    return _clear_limits((unit * n).quantize(CENT))


def _clear_limits(value: Decimal) -> Decimal:
    """Move an amount that sits within 5 % below a band limit down out of that window."""
    for limit in _NEAR_LIMITS:
        if limit * Decimal("0.95") <= value < limit:
            return (limit * Decimal("0.9")).quantize(CENT)
    return value


# --- people and places --------------------------------------------------------------------------
# fmt: off
SURNAMES = (
    ("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"), ("杨", "yang"),
    ("黄", "huang"), ("赵", "zhao"), ("吴", "wu"), ("周", "zhou"), ("徐", "xu"), ("孙", "sun"),
    ("马", "ma"), ("朱", "zhu"), ("胡", "hu"), ("郭", "guo"), ("何", "he"), ("高", "gao"),
    ("林", "lin"), ("罗", "luo"), ("郑", "zheng"), ("梁", "liang"), ("谢", "xie"), ("宋", "song"),
    ("唐", "tang"), ("许", "xu"), ("韩", "han"), ("冯", "feng"), ("邓", "deng"), ("曹", "cao"),
    ("彭", "peng"), ("曾", "zeng"), ("田", "tian"), ("董", "dong"), ("袁", "yuan"), ("潘", "pan"),
    ("于", "yu"), ("蒋", "jiang"), ("蔡", "cai"), ("杜", "du"), ("叶", "ye"), ("程", "cheng"),
    ("魏", "wei"), ("苏", "su"), ("吕", "lv"), ("丁", "ding"), ("任", "ren"), ("沈", "shen"),
    ("姚", "yao"), ("卢", "lu"), ("姜", "jiang"), ("崔", "cui"), ("钟", "zhong"), ("谭", "tan"),
    ("范", "fan"), ("金", "jin"), ("石", "shi"), ("贾", "jia"), ("夏", "xia"), ("付", "fu"),
    ("方", "fang"), ("白", "bai"), ("孟", "meng"), ("秦", "qin"), ("邱", "qiu"), ("薛", "xue"),
    ("闫", "yan"), ("段", "duan"), ("侯", "hou"), ("史", "shi"), ("陶", "tao"), ("贺", "he"),
    ("顾", "gu"), ("毛", "mao"), ("郝", "hao"), ("邵", "shao"), ("孔", "kong"), ("尹", "yin"),
)
GIVEN = (
    ("建国", "jianguo"), ("秀英", "xiuying"), ("丽", "li"), ("志强", "zhiqiang"),
    ("桂兰", "guilan"), ("海涛", "haitao"), ("玉梅", "yumei"), ("国庆", "guoqing"),
    ("淑珍", "shuzhen"), ("立新", "lixin"), ("建军", "jianjun"), ("春燕", "chunyan"),
    ("文静", "wenjing"), ("永福", "yongfu"), ("秀兰", "xiulan"), ("德胜", "desheng"),
    ("翠萍", "cuiping"), ("晓东", "xiaodong"), ("梅", "mei"), ("守义", "shouyi"),
    ("玉兰", "yulan"), ("长江", "changjiang"), ("丽娟", "lijuan"), ("建华", "jianhua"),
    ("晓燕", "xiaoyan"), ("宝山", "baoshan"), ("桂香", "guixiang"), ("红军", "hongjun"),
    ("明", "ming"), ("秀芳", "xiufang"), ("永刚", "yonggang"), ("春花", "chunhua"),
    ("志刚", "zhigang"), ("玉华", "yuhua"), ("丽萍", "liping"), ("晓红", "xiaohong"),
    ("永年", "yongnian"), ("桂英", "guiying"), ("振华", "zhenhua"), ("德明", "deming"),
    ("桂芝", "guizhi"), ("海燕", "haiyan"), ("家富", "jiafu"), ("光明", "guangming"),
    ("金凤", "jinfeng"), ("秀云", "xiuyun"), ("庆华", "qinghua"), ("凤英", "fengying"),
    ("新民", "xinmin"), ("学军", "xuejun"), ("红梅", "hongmei"), ("卫东", "weidong"),
    ("爱华", "aihua"), ("兰英", "lanying"), ("俊杰", "junjie"), ("瑞芳", "ruifang"), ("伟", "wei"),
    ("静", "jing"), ("磊", "lei"), ("敏", "min"), ("军", "jun"), ("勇", "yong"), ("艳", "yan"),
    ("涛", "tao"), ("强", "qiang"), ("芳", "fang"), ("传福", "chuanfu"), ("广才", "guangcai"),
    ("继伟", "jiwei"), ("凤兰", "fenglan"), ("月娥", "yuee"), ("长海", "changhai"),
    ("守田", "shoutian"), ("玉珍", "yuzhen"), ("宝华", "baohua"),
)
MINORITY_NAMES = (
    ("阿依古丽·买买提", "ayiguli"), ("热依汗·吐尔逊", "reyihan"), ("古丽米拉·艾力", "gulimila"),
    ("买买提·依明", "maimaiti"),
)
VILLAGE_FIRST = (
    ("东", "dong"), ("西", "xi"), ("南", "nan"), ("北", "bei"), ("前", "qian"), ("后", "hou"),
    ("上", "shang"), ("下", "xia"), ("大", "da"), ("小", "xiao"), ("新", "xin"), ("石", "shi"),
    ("柳", "liu"), ("杨", "yang"), ("李", "li"), ("王", "wang"), ("马", "ma"), ("黄", "huang"),
    ("桃", "tao"), ("枣", "zao"), ("苗", "miao"), ("高", "gao"), ("白", "bai"), ("沙", "sha"),
)
VILLAGE_SECOND = (
    ("庄", "zhuang"), ("河", "he"), ("山", "shan"), ("岭", "ling"), ("湾", "wan"), ("洼", "wa"),
    ("集", "ji"), ("屯", "tun"), ("营", "ying"), ("桥", "qiao"), ("坡", "po"), ("沟", "gou"),
    ("寨", "zhai"), ("店", "dian"), ("埠", "bu"), ("楼", "lou"), ("口", "kou"), ("园", "yuan"),
)
TOWN_FIRST = (
    "青", "白", "金", "龙", "凤", "桃", "松", "柳", "梅", "杏", "马", "鹤", "燕", "云", "红", "兴",
    "太", "永", "长", "安",
)
# fmt: on
TOWN_SECOND = ("石", "泉", "山", "河", "岭", "塘", "林", "坪", "湖", "溪", "庄", "店")

# fmt: off
BOXES = (
    "村委会大门东侧公开栏旁", "村便民服务中心门口", "村文化广场公开栏西侧", "村委会院内宣传栏下",
    "村党群服务中心一楼大厅",
)
TALK_DAYS = (
    "每月15日群众说事日", "每月5日群众说事日", "每月10日村民说事日", "每月20日民情恳谈日",
    "每月逢1日群众说事日",
)
# fmt: on


@dataclass(frozen=True)
class _Person:
    """An official named in village.yml."""

    name: str
    roles: tuple[str, ...]


@dataclass(frozen=True)
class _Project:
    """A works project paid by instalments over several periods."""

    name: str
    start: int  # index of the period in which it is tendered and the advance is paid
    amount: Decimal  # contract price
    funding: Decimal  # special funds received from the county (专项应付款)
    funder: str
    contractor: str
    detail: str  # scale, e.g. 全长1.2公里、宽4.5米


@dataclass(frozen=True)
class _Contract:
    """A row of contracts.csv (dates as YYYY-MM-DD)."""

    id: str
    type: str
    object: str
    counterparty: str
    method: str
    platform: str
    amount: Decimal
    start: str
    end: str
    schedule: tuple[tuple[str, Decimal], ...] = ()
    decision: str = ""
    accepted: str = ""  # 验收 date of a project (the month its settlement is paid, day 20)


@dataclass(frozen=True)
class _Step:
    """One 四议两公开 step: name, date and, for meetings, due / present / agreed."""

    name: str
    date: str
    counts: tuple[int, int, int] | None = None
    result: str = ""
    note: str = ""


@dataclass(frozen=True)
class _Decision:
    """A record of decisions.yml."""

    id: str
    matter: str
    category: str
    amount: Decimal | None
    steps: tuple[_Step, ...]
    merged: bool = False


@dataclass(frozen=True)
class _Topic:
    """A 点题公开 request and its answer (answered empty while open)."""

    id: str
    asked: str
    asker: str
    question: str
    answered: str = ""
    answer: str = ""
    period: str = ""
    ref: str = ""


@dataclass
class _Village:
    """Everything the generator needs about one village."""

    slug: str
    name: str
    code: str
    households: int
    population: int
    people: tuple[_Person, ...]
    account: str
    office_phone: str
    box: str
    talk_day: str
    groups: int
    party_members: int
    opening_cash: Decimal
    opening_bank: Decimal
    cleaners: int
    cleaner_pay: Decimal
    broadband: Decimal
    garbage: Decimal | None
    shop_rent: Decimal | None
    shop_tenant: str
    lease_month: int | None
    lease_amount: Decimal
    lease_party: str
    lease_area: int
    dividend_month: int | None
    dividend: Decimal
    dividend_from: str
    water_fee: bool
    projects: tuple[_Project, ...] = ()
    assistance_periods: frozenset[int] = frozenset()
    assistance_names: tuple[str, ...] = ()
    powers_remove: tuple[str, ...] = ()
    powers_add: tuple[dict[str, object], ...] = ()

    @property
    def secretary(self) -> str:
        """The 党支部书记."""
        return next(p.name for p in self.people if "党支部书记" in p.roles)

    @property
    def director(self) -> str:
        """The 村委会主任 (the same person as the secretary under 一肩挑)."""
        return next(p.name for p in self.people if "村委会主任" in p.roles)

    @property
    def bookkeeper(self) -> str:
        """The 报账员, who drafts every disclosure."""
        return next(p.name for p in self.people if "报账员" in p.roles)

    @property
    def supervisors(self) -> tuple[str, ...]:
        """村务监督委员会 members, chair first."""
        chair = [p.name for p in self.people if "村务监督委员会主任" in p.roles]
        members = [p.name for p in self.people if "村务监督委员会委员" in p.roles]
        return tuple(chair + members)

    @property
    def committee_size(self) -> int:
        """How many 两委 members draw a stipend."""
        return sum(
            1 for p in self.people if {"党支部书记", "村委会主任", "村委会委员"} & set(p.roles)
        )


@dataclass
class _Town:
    """A town, its contacts, parameter overrides, power-list adjustments and villages."""

    slug: str
    name: str
    code: str
    hotline: tuple[str, str]  # (name, phone) of the town's 纪委 supervision hotline
    cash_limit: Decimal | None = None  # override of cash_payment_limit
    powers: tuple[dict[str, object], ...] = ()
    villages: list[_Village] = field(default_factory=list)

    @property
    def short(self) -> str:
        """The town name without 镇/乡, as used in shop names."""
        return self.name.rstrip("镇乡")


@dataclass
class _County:
    """The county and its towns."""

    name: str
    code: str
    title: str
    url: str
    bank: str
    towns: list[_Town]

    @property
    def short(self) -> str:
        """The county name without 县."""
        return self.name.rstrip("县区")


# --- power lists --------------------------------------------------------------------------------
def _power(
    pid: str,
    category: str,
    name: str,
    basis: str,
    responsible: str,
    steps: Sequence[str],
    time_limit: str,
    risks: Sequence[str],
    supervision: str,
) -> dict[str, object]:
    """One power-list item in FORMAT.md field order."""
    return {
        "id": pid,
        "category": category,
        "name": name,
        "basis": basis,
        "responsible": responsible,
        "steps": list(steps),
        "time_limit": time_limit,
        "risks": list(risks),
        "supervision": supervision,
    }


# fmt: off
SIX_STEPS = (
    "党支部提议", "两委会商议", "党员大会审议", "村民代表会议决议", "决议公开", "实施结果公开",
)
# fmt: on

COUNTY_POWERS = (
    _power(
        "P01",
        "重大决策",
        "村级重大事项决策",
        "《中华人民共和国村民委员会组织法》第二十四条",
        "村党组织、村民委员会",
        SIX_STEPS,
        "决议后5日内公开，实施结果完成后及时公开",
        ("未经村民代表会议决议擅自决定", "拆分项目规避民主决策程序", "会议记录事后补签"),
        "村务监督委员会全程监督，镇党委、政府备案审查",
    ),
    _power(
        "P02",
        "三资管理",
        "集体资产资源发包租赁",
        "《中华人民共和国村民委员会组织法》第二十四条、《农村集体经济组织财务制度》",
        "村股份经济合作社",
        (
            "提出发包租赁方案",
            "评估并公示底价",
            "四议两公开决议",
            "进入农村产权交易平台交易",
            "签订合同",
            "报镇审核备案",
            "公开交易结果",
        ),
        "合同签订后5日内公开",
        ("低价发包或擅自延长承包期", "场外交易、暗箱操作", "租金收缴不及时"),
        "村务监督委员会监督，镇农村三资管理服务中心审核",
    ),
    _power(
        "P03",
        "工程招投标",
        "村级工程项目建设",
        "《中华人民共和国村民委员会组织法》第二十四条、《农村集体经济组织财务制度》",
        "村民委员会",
        (
            "项目立项决议",
            "编制预算并公示",
            "按金额分级招标",
            "签订施工合同",
            "施工过程监督",
            "竣工验收",
            "结算审计并公开",
        ),
        "2万元以下村级简易招标，2万至20万元进镇交易，20万元以上进县交易",
        ("化整为零规避招标", "村干部及其亲属插手工程", "验收走过场"),
        "村务监督委员会全程参与验收，镇纪委抽查",
    ),
    _power(
        "P04",
        "救助救济",
        "低保、特困、临时救助申请初审",
        "《社会救助暂行办法》、《最低生活保障审核确认办法》",
        "村民委员会",
        ("村民提出申请", "入户调查核实", "民主评议", "村内公示7天", "报镇政府审核确认"),
        "受理后10个工作日内完成初审",
        ("优亲厚友、人情保、关系保", "公示走过场"),
        "村务监督委员会监督，镇民政办抽查复核",
    ),
    _power(
        "P05",
        "扶贫惠农",
        "惠农补贴资金发放",
        "《中央财政衔接推进乡村振兴补助资金管理办法》",
        "村民委员会",
        ("政策宣传", "村民申报", "村级核实", "村内公示7天", "报镇审核", "资金直达到户"),
        "按上级规定时限完成",
        ("虚报冒领", "截留挪用补贴资金"),
        "村务监督委员会监督，群众可拨打12345反映",
    ),
    _power(
        "P06",
        "社会事务",
        "村级证明事项出具",
        "《中华人民共和国村民委员会组织法》第二条",
        "村民委员会",
        ("村民提出申请", "核实有关情况", "村委会研究", "出具证明并登记"),
        "一般当日办结，需核实的3个工作日内办结",
        ("出具虚假证明", "借开证明吃拿卡要"),
        "村务监督委员会监督",
    ),
    _power(
        "P07",
        "阳光公开",
        "村务、财务、党务公开",
        "《中华人民共和国村民委员会组织法》第三十条、《农村集体经济组织财务公开规定》",
        "村党组织、村民委员会",
        (
            "拟定公开内容",
            "村务监督委员会审核",
            "两委联席会议确认",
            "村务监督委员会签字盖章",
            "公开栏和网上同步公开",
        ),
        "财务每月公开一次，次月10日前公开",
        ("公开内容不全、不实", "选择性公开、延迟公开"),
        "村务监督委员会监督，镇纪委定期检查",
    ),
    _power(
        "P08",
        "印章使用",
        "村级印章使用管理",
        "《中国共产党农村基层组织工作条例》",
        "村党组织",
        ("提出用章申请", "审核用章事由", "党组织书记审批", "专人用印并登记", "定期公开用章情况"),
        "即时办理",
        ("在空白纸张上盖章", "未经审批擅自用章"),
        "村务监督委员会每月检查用章登记",
    ),
)

# fmt: off
NEGATIVE = (
    "不准违规举债", "不准暗箱操作", "不准违规发包集体资产资源", "不准优亲厚友",
    "不准坐收坐支和白条入账", "不准公款私存和私设小金库", "不准超标准发放报酬补贴",
    "不准违规使用村级印章", "不准插手承揽村级工程", "不准截留挪用惠民资金",
)
# fmt: on

# fmt: off
SERVICES = (
    ("S01", "低保申请", "村便民服务站", ("户口簿", "家庭收入情况说明"), "30个工作日"),
    ("S02", "宅基地申请", "村便民服务站", ("宅基地申请书", "户口簿", "村民小组意见"),
     "20个工作日"),
    ("S03", "开具证明", "村委会办公室", ("户口簿",), "1个工作日"),
    ("S04", "临时救助申请", "村便民服务站", ("救助申请书", "户口簿", "困难情况说明"),
     "10个工作日"),
    ("S05", "残疾人两项补贴申请", "村便民服务站", ("残疾人证", "户口簿"), "20个工作日"),
    ("S06", "高龄津贴申请", "村便民服务站", ("户口簿",), "15个工作日"),
    ("S07", "城乡居民医疗保险参保登记", "村便民服务站", ("户口簿",), "即时办理"),
)
# fmt: on
SERVICE_CONTACT = "村便民服务站代办员"

TOWN_LEASE_POWER = _power(
    "P09",
    "三资管理",
    "集体经营性资产租赁",
    "《农村集体经济组织财务制度》",
    "村股份经济合作社",
    (
        "提出租赁方案",
        "两委会商议",
        "村民代表会议决议",
        "镇农村产权交易中心公开竞价",
        "签订租赁合同",
        "租金收缴公开",
    ),
    "合同签订后5日内公开",
    ("擅自降低租金", "到期不收回、不续签"),
    "村务监督委员会监督，镇三资中心审核",
)
DIVIDEND_POWER = _power(
    "P10",
    "三资管理",
    "村集体经济合作社分红",
    "《中华人民共和国农村集体经济组织法》",
    "村股份经济合作社",
    ("理事会提出分配方案", "监事会审核", "成员代表大会表决", "分配方案公示7天", "按股发放到户"),
    "年度决算后30日内",
    ("未提取公积公益金即分配", "分配对象不准"),
    "村务监督委员会监督",
)


def _powers_yml(
    powers: Sequence[dict[str, object]],
    *,
    inherit: bool | None = None,
    remove: Sequence[str] = (),
    negative: Sequence[tuple[str, str]] = (),
    services: Sequence[dict[str, object]] = (),
) -> str:
    """A powers.yml file."""
    lines: list[str] = []
    if inherit is not None:
        lines.append(f"inherit: {'true' if inherit else 'false'}")
    if remove:
        lines.append("remove: [" + ", ".join(_yid(r) for r in remove) + "]")
    if powers:
        lines.append("powers:")
        for p in powers:
            lines.append(f"  - id: {_yid(str(p['id']))}")
            for key in ("category", "name", "basis", "responsible"):
                lines.append(f"    {key}: {_y(str(p[key]))}")
            lines.append(f"    steps: {_flow_seq(_strs(p['steps']))}")
            lines.append(f"    time_limit: {_y(str(p['time_limit']))}")
            lines.append(f"    risks: {_flow_seq(_strs(p['risks']))}")
            lines.append(f"    supervision: {_y(str(p['supervision']))}")
    if negative:
        lines.append("negative:")
        for nid, text in negative:
            lines.append("  - " + _flow_map([("id", _yid(nid)), ("text", _y(text))]))
    if services:
        lines.append("services:")
        for s in services:
            lines.append(
                "  - "
                + _flow_map(
                    [
                        ("id", _yid(str(s["id"]))),
                        ("name", _y(str(s["name"]))),
                        ("where", _y(str(s["where"]))),
                        ("materials", _flow_seq(_strs(s["materials"]))),
                        ("time_limit", _y(str(s["time_limit"]))),
                        ("contact", _y(str(s["contact"]))),
                    ]
                )
            )
    return "\n".join(lines) + "\n"


def _strs(value: object) -> list[str]:
    """A list-of-text field of a power or service."""
    assert isinstance(value, (list, tuple))
    return [str(v) for v in value]


def _county_services() -> list[dict[str, object]]:
    """The county template's 便民服务 list."""
    return [
        {
            "id": sid,
            "name": name,
            "where": where,
            "materials": list(mats),
            "time_limit": limit,
            "contact": SERVICE_CONTACT,
        }
        for sid, name, where, mats, limit in SERVICES
    ]


# --- one village, month by month ----------------------------------------------------------------
# An extra ledger line: summary, account, counterparty template, lo, hi, step, cash allowed,
# receipt, months (empty = any).
_Extra = tuple[str, str, str, float, float, str, bool, str, tuple[int, ...]]

# fmt: off
EXTRAS: tuple[_Extra, ...] = (
    ("购买办公用品", "51301", "{ts}文化用品商店", 60, 600, "0.5", True, "发票", ()),
    ("购买打印纸和硒鼓", "51301", "{ts}文化用品商店", 150, 900, "1", True, "发票", ()),
    ("支付复印打印费", "51301", "{ts}图文快印店", 20, 260, "0.5", True, "发票", ()),
    ("购买村委会桶装饮用水", "51301", "{ts}惠民超市", 40, 180, "1", True, "发票", ()),
    ("支付村委会固定电话费", "51302", "中国电信{cs}分公司", 30, 120, "0.01", False, "发票", ()),
    ("支付村务公开栏更新制作费", "513", "{cs}彩虹广告制作部", 300, 1800, "10", False, "发票", ()),
    ("购买党员活动室学习资料", "513", "{cs}新华书店", 120, 860, "0.1", True, "发票", ()),
    ("维修村委会办公电脑", "513", "{ts}电脑维修部", 80, 650, "5", True, "发票", ()),
    ("维修村委会办公室门窗", "513", "{ts}五金建材店", 300, 2800, "1", False, "发票", ()),
    ("购买会议室桌椅", "513", "{cs}万家福家具城", 1800, 5600, "10", False, "发票", ()),
    ("维修村内路灯", "51402", "{cs}明亮照明工程有限公司", 300, 3200, "1", False, "发票", ()),
    ("购买分类垃圾桶", "51401", "{cs}环卫设备有限公司", 1200, 6500, "10", False, "发票", ()),
    ("清理村内排水沟劳务费", "51401", "村民{n}人", 600, 3600, "10", False, "收据", ()),
    ("维修村内自来水管网", "51402", "{ts}水暖五金店", 300, 4800, "1", False, "发票", ()),
    ("购买村庄绿化苗木", "51403", "{cs}绿源苗木专业合作社", 1500, 9800, "10", False, "发票",
     (3, 4, 10, 11)),
    ("维修文化广场健身器材", "51402", "{cs}体育用品商店", 200, 2400, "1", False, "发票", ()),
    ("购买消防器材", "514", "{cs}消防器材经营部", 400, 3000, "1", False, "发票", ()),
    ("人居环境整治清运杂物劳务费", "51401", "村民{n}人", 800, 4000, "10", False, "收据", ()),
    ("购买防汛物资", "514", "{ts}五金建材店", 600, 4000, "1", False, "发票", (5, 6, 7, 8)),
    ("冬季道路除雪劳务费", "51401", "村民{n}人", 300, 1500, "10", False, "收据", (12, 1, 2)),
    ("维修农村改厕设施", "51402", "{cs}润洁环保设备有限公司", 200, 1800, "1", False, "发票", ()),
    ("购买村内道路安全警示牌", "514", "{cs}通达交通设施有限公司", 300, 2600, "10", False, "发票",
     ()),
    ("维修村内小桥护栏", "51402", "{ts}五金建材店", 500, 3500, "1", False, "发票", ()),
    ("购买春节文艺演出服装", "514", "{cs}华艺演出服装店", 800, 3000, "10", False, "发票", (1, 2)),
    ("购买灭鼠和消杀药品", "51401", "{ts}农资门市部", 120, 900, "0.5", True, "发票",
     (4, 5, 6, 7, 8, 9)),
    ("支付集体机动地灌溉电费", "511", "国网{cs}供电公司", 200, 2200, "0.01", False, "发票",
     (3, 4, 5, 6, 7, 8, 9)),
    ("购买集体果园农资", "511", "{ts}农资门市部", 500, 5000, "1", False, "发票", (2, 3, 4, 5, 6)),
    ("支付集体林地管护劳务费", "511", "护林员{n}人", 600, 2400, "100", False, "收据", ()),
    ("发放村民代表会议误工补贴", "51303", "村民代表{n}人", 750, 1750, "50", False, "收据", ()),
    ("购买村委会清洁用品", "51301", "{ts}惠民超市", 30, 260, "0.5", True, "发票", ()),
)
# fmt: on

SEASONAL = {
    1: (
        "春节走访慰问困难群众情况",
        "春节前，村两委走访慰问困难群众、老党员共{n}户，送去米面油等慰问品，"
        "所需资金从村集体收入中列支。",
    ),
    2: (
        "春季森林防火告知",
        "进入森林防火期，严禁野外烧纸、烧荒。发现火情请立即拨打119并向村委会报告。",
    ),
    3: (
        "春季植树和村庄绿化安排",
        "3月中旬组织党员和志愿者在村内主干道两侧补植绿化苗木，欢迎群众参加。",
    ),
    4: (
        "秸秆禁烧和春耕生产服务",
        "村两委组建秸秆禁烧巡查队，分片包干到村民小组。春耕期间村便民服务站"
        "提供农资信息和技术咨询。",
    ),
    5: (
        "耕地地力保护补贴发放公示",
        "本年度耕地地力保护补贴已由县财政通过社保卡直接发放到户。全村{n}户，"
        "各户面积和金额已在村公开栏张贴，如有异议请在7日内向村委会反映。",
    ),
    6: (
        "汛期安全和防溺水提示",
        "汛期将至，村两委已检查排水沟和危旧房屋。请家长看管好孩子，严禁到坑塘、河道游泳。",
    ),
    7: (
        "汛期地质灾害隐患排查结果",
        "村两委会同镇应急办对全村排水沟、桥涵和危旧房屋进行排查，发现隐患{n}处，已全部整改。",
    ),
    8: (
        "征兵报名工作通知",
        "年满18至22周岁的适龄男青年请到村委会办公室登记，详情可咨询村便民服务站。",
    ),
    9: (
        "城乡居民医疗保险缴费通知",
        "下一年度城乡居民医疗保险开始缴费，可通过手机或到村便民服务站办理。"
        "特困、低保等困难群众由政府资助参保。",
    ),
    10: ("秋收秋种和秸秆综合利用", "请群众秸秆还田或交专业合作社回收利用，严禁焚烧。"),
    11: (
        "冬季清洁取暖补贴申报",
        "使用清洁能源取暖的农户请携带户口簿到村便民服务站申报，本月底截止。",
    ),
    12: (
        "年终财务清理和收益分配方案征求意见",
        "本年度财务清理已完成，收益分配方案（草案）在村公开栏张贴，请群众提出意见建议。",
    ),
}

GENERAL_AFFAIRS = (
    (
        "宅基地申请公示",
        "第{g}村民小组1户申请新建住宅，经村民代表会议讨论同意，现予公示，公示期7天。"
        "如有异议请向村委会或村务监督委员会反映。",
    ),
    ("高龄津贴发放情况", "本村80周岁以上老人{n}人，高龄津贴已由县民政局直接打入个人社保卡。"),
    ("美丽庭院评比结果", "经村民代表评议，第{g}村民小组等{n}户获评本季度“美丽庭院”，予以表扬。"),
    (
        "村规民约修订征求意见",
        "村规民约修订稿已在村公开栏张贴，请各村民小组组织讨论，意见建议可交村委会或投入意见箱。",
    ),
    (
        "残疾人两项补贴复核公示",
        "经复核，本村享受残疾人两项补贴{n}人，名单已在村公开栏张贴，公示期7天。",
    ),
    ("移风易俗倡议", "红白理事会倡议：婚事新办、丧事简办，反对大操大办和高价彩礼。"),
)

# fmt: off
PARTY_TOPICS = (
    "学习党的二十届四中全会精神", "学习《中国共产党农村基层组织工作条例》",
    "学习《中国共产党纪律处分条例》", "观看警示教育片", "学习习近平总书记关于“三农”工作的重要论述",
    "学习乡村振兴有关政策",
)
PARTY_SERVICE = (
    "环境卫生整治", "走访慰问独居老人", "义务植树", "清理河道垃圾", "秸秆禁烧宣传", "防溺水宣传",
    "文明实践志愿服务",
)
# fmt: on


@dataclass
class _Month:
    """One generated period: ledger rows (already as CSV lines), affairs and assistance."""

    ledger: list[str]
    closing_cash: Decimal
    closing_bank: Decimal
    income: Decimal
    expense: Decimal
    village_affairs: list[tuple[str, str, str]]
    party_affairs: list[tuple[str, str, str]]
    assistance: list[str]


# A candidate ledger row before settlement: day, 0 income / 1 expense, summary, account,
# amount, counterparty, cash?, receipt.
_Row = tuple[int, int, str, str, Decimal, str, bool, str]


class _VillageSim:
    """Simulates one village's books period by period, carrying cash and bank balances."""

    def __init__(
        self,
        county: _County,
        town: _Town,
        village: _Village,
        rng: random.Random,
        cash_limit: Decimal,
        realistic: bool,
        links: tuple[tuple[str, int, str, str], ...] = (),
    ) -> None:
        self.county, self.town, self.v, self.rng = county, town, village, rng
        self.links = links
        self.cash, self.bank = village.opening_cash, village.opening_bank
        self.cash_limit = cash_limit
        self.realistic = realistic
        self.cadre_pay = (Decimal(3400) + Decimal(2200) * (village.committee_size - 1)).quantize(
            CENT
        )
        self.running_fund = _amount(rng, 24000, 45000, "1000")
        self.floor = max(Decimal(60000), (village.opening_bank * Decimal("0.6")).quantize(CENT))
        self.fill = {"cs": county.short, "ts": town.short}

    def _party(self, template: str) -> str:
        """A counterparty from a template."""
        return template.format(n=self.rng.randint(3, 12), **self.fill)

    def month(self, idx: int, y: int, m: int) -> _Month:
        """Generate period idx = (y, m)."""
        rng, v = self.rng, self.v
        last = calendar.monthrange(y, m)[1]
        rows: list[_Row] = []
        county, town = self.county, self.town
        cs = county.short

        # Regular income and pay.
        d = rng.randint(3, 8)
        rows.append(
            (
                d,
                0,
                f"收到镇财政拨付{m}月份村干部基本报酬",
                "503",
                self.cadre_pay,
                f"{town.name}财政所",
                False,
                "财政票据",
            )
        )
        rows.append(
            (
                d + rng.randint(1, 4),
                1,
                f"发放{m}月份村干部基本报酬",
                "212",
                self.cadre_pay,
                f"村两委成员{v.committee_size}人",
                False,
                "收据",
            )
        )
        rows.append(
            (
                rng.randint(3, 8),
                0,
                f"收到镇财政拨付{m}月份保洁员公益岗位补贴",
                "503",
                v.cleaner_pay * v.cleaners,
                f"{town.name}财政所",
                False,
                "财政票据",
            )
        )
        rows.append(
            (
                rng.randint(10, 15),
                1,
                f"支付{m}月份保洁员工资",
                "51401",
                v.cleaner_pay * v.cleaners,
                f"保洁员{v.cleaners}人",
                False,
                "收据",
            )
        )
        rows.append(
            (
                rng.randint(15, 25),
                1,
                f"支付村委会{m}月份电费",
                "51302",
                _amount(rng, 150, 700),
                f"国网{cs}供电公司",
                False,
                "发票",
            )
        )
        rows.append(
            (
                rng.randint(20, 28),
                1,
                "支付村委会宽带网络费",
                "51302",
                v.broadband,
                f"中国联通{cs}分公司",
                False,
                "发票",
            )
        )
        if v.garbage is not None:
            rows.append(
                (
                    rng.randint(5, 25),
                    1,
                    f"支付{m}月份垃圾清运费",
                    "51401",
                    v.garbage,
                    f"{cs}洁源环卫服务有限公司",
                    False,
                    "发票",
                )
            )
        if self.realistic:
            rows.append(
                (
                    rng.randint(15, 25),
                    1,
                    f"支付{m}月份村内路灯电费",
                    "51402",
                    _amount(rng, 200, 900),
                    f"国网{cs}供电公司",
                    False,
                    "发票",
                )
            )
        if v.shop_rent is not None:
            rows.append(
                (
                    rng.randint(1, 10),
                    0,
                    f"收到{m}月份集体门面房租金",
                    "501",
                    v.shop_rent,
                    v.shop_tenant,
                    False,
                    "收据",
                )
            )
        if m in (1, 4, 7, 10):
            q = (m + 2) // 3
            rows.append(
                (
                    rng.randint(10, 20),
                    0,
                    f"收到镇财政拨付{y}年{CN_QUARTER[q]}村级组织运转经费",
                    "503",
                    self.running_fund,
                    f"{town.name}财政所",
                    False,
                    "财政票据",
                )
            )
        if m in (3, 6, 9, 12):
            q = m // 3
            interest = (self.bank * Decimal("0.0035") / 4).quantize(CENT, ROUND_HALF_UP)
            if interest > 0:
                rows.append(
                    (
                        21,
                        0,
                        f"收到{CN_QUARTER[q]}银行存款利息",
                        "504",
                        interest,
                        county.bank,
                        False,
                        "",
                    )
                )
            rows.append(
                (
                    21,
                    1,
                    "支付银行账户管理费及手续费",
                    "515",
                    _amount(rng, 30, 150, "0.5"),
                    county.bank,
                    False,
                    "发票",
                )
            )
        if m == 11:
            rows.append(
                (
                    rng.randint(5, 20),
                    1,
                    f"订阅{y + 1}年度党报党刊",
                    "513",
                    _amount(rng, 1200, 2600, "0.5"),
                    f"中国邮政{cs}分公司",
                    False,
                    "发票",
                )
            )
        if m == 1:
            bonus = (self.cadre_pay * 2).quantize(CENT)
            d = rng.randint(15, 22)
            rows.append(
                (
                    d,
                    0,
                    f"收到镇财政拨付{y - 1}年度村干部绩效报酬",
                    "503",
                    bonus,
                    f"{town.name}财政所",
                    False,
                    "财政票据",
                )
            )
            rows.append(
                (
                    d + rng.randint(2, 5),
                    1,
                    f"发放{y - 1}年度村干部绩效报酬",
                    "212",
                    bonus,
                    f"村两委成员{v.committee_size}人",
                    False,
                    "收据",
                )
            )
            rows.append(
                (
                    rng.randint(10, 25),
                    1,
                    "购买春节慰问困难群众物资",
                    "515",
                    _amount(rng, 2000, 8000, "10"),
                    f"{town.short}惠民超市",
                    False,
                    "发票",
                )
            )
        if m == 6:
            rows.append(
                (
                    rng.randint(20, 29),
                    1,
                    "七一走访慰问老党员",
                    "515",
                    _amount(rng, 800, 3000, "100"),
                    f"老党员{rng.randint(4, 12)}人",
                    False,
                    "收据",
                )
            )
        if v.lease_month == m:
            rows.append(
                (
                    rng.randint(5, 20),
                    0,
                    f"收到{y}年度机动地发包租金",
                    "501",
                    v.lease_amount,
                    v.lease_party,
                    False,
                    "收据",
                )
            )
        if v.dividend_month == m:
            rows.append(
                (
                    rng.randint(10, 25),
                    0,
                    f"收到{v.dividend_from}{y - 1}年度入股分红",
                    "502",
                    v.dividend,
                    v.dividend_from,
                    False,
                    "收据",
                )
            )
        # Cash: water fees are taken in cash early in the month, spent later on other days.
        if v.water_fee and self.cash < Decimal(1500):
            rows.append(
                (
                    rng.randint(1, 4),
                    0,
                    f"收取{m}月份自来水费",
                    "501",
                    _amount(rng, 400, 1200, "0.5"),
                    f"本村用水户{rng.randint(60, 300)}户",
                    True,
                    "收据",
                )
            )
        events = self._projects(idx, y, m, last, rows)
        if v.lease_month == m:
            events.append(
                (
                    rng.randint(21, last),
                    f"{y}年度机动地发包租金收缴公示",
                    f"本村集体机动地{v.lease_area}亩经公开竞价发包给{v.lease_party}，"
                    f"{y}年度租金{money(v.lease_amount)}元已于本月全额收缴入账。",
                )
            )

        # Extras up to a believable month length.
        target = rng.randint(16, 34) if self.realistic else rng.randint(20, 36)
        pool = [e for e in EXTRAS if not e[8] or m in e[8]]
        if v.lease_month is None:
            pool = [e for e in pool if e[1] != "511"]
        for e in rng.sample(pool, min(len(pool), max(0, target - len(rows)))):
            summary, account, who, lo, hi, step, cash_ok, receipt, _months = e
            if cash_ok:
                hi = min(hi, float(self.cash_limit))
            amt = _amount(rng, lo, hi, step)
            party = self._party(who)
            if who.startswith("村民代表"):  # 误工补贴 is paid per person per meeting
                heads = rng.randint(15, 35)
                party, amt = (
                    f"村民代表{heads}人",
                    Decimal(heads * rng.choice((50, 60, 80))).quantize(CENT),
                )
            use_cash = cash_ok and amt <= self.cash_limit and rng.random() < 0.8
            rows.append(
                (
                    rng.randint(5, last),
                    1,
                    summary,
                    account,
                    amt,
                    party,
                    use_cash,
                    receipt,
                )
            )

        # Keep the collective solvent the way towns do: a 公益事业 subsidy when funds run low.
        projected = (
            self.bank
            + self.cash
            + sum(r[4] for r in rows if r[1] == 0)
            - sum(r[4] for r in rows if r[1] == 1)
        )
        if projected < self.floor:
            need = self.floor - projected + _amount(rng, 10000, 40000, "1000")
            rows.append(
                (
                    rng.randint(1, 3),
                    0,
                    "收到镇财政拨付村级公益事业财政奖补资金",
                    "503",
                    _thousands(need),
                    f"{town.name}财政所",
                    False,
                    "财政票据",
                )
            )
        ledger, income, expense = self._settle(rows, y, m)
        va, pa = self._affairs(idx, y, m, last, income, expense, events)
        aid = self._assistance(idx, y, m, va) if idx in v.assistance_periods else []
        return _Month(ledger, self.cash, self.bank, income, expense, va, pa, aid)

    def _projects(
        self, idx: int, y: int, m: int, last: int, rows: list[_Row]
    ) -> list[tuple[int, str, str]]:
        """Add this period's project receipts and payments; return its village-affairs items."""
        rng = self.rng
        events: list[tuple[int, str, str]] = []
        band = "镇农村产权交易中心"
        for p in self.v.projects:
            step = idx - p.start
            if step == -1:
                events.append(
                    (
                        15,  # NOTE: the 决议公开 step of decisions.yml (see _project_registers)
                        f"关于实施{p.name}的决议公开",
                        f"经党支部提议、两委会商议、党员大会审议，村民代表会议于本月表决通过实施"
                        f"{p.name}（{p.detail}），控制价{money(p.amount)}元。资金来源为上级专项资金和"
                        f"村集体自筹。现将决议公开，接受群众监督。",
                    )
                )
            elif step == 0:
                d = rng.randint(3, 10)
                rows.append(
                    (
                        d,
                        0,
                        f"收到{p.funder}拨付{p.name}项目资金",
                        "241",
                        p.funding,
                        p.funder,
                        False,
                        "财政票据",
                    )
                )
                pay = _instalments(p.amount)[0]
                rows.append(
                    (
                        rng.randint(max(d + 5, 18), last),
                        1,
                        f"支付{p.name}预付款",
                        "153",
                        pay,
                        p.contractor,
                        False,
                        "发票",
                    )
                )
                events.append(
                    (
                        rng.randint(d, 16),
                        f"{p.name}招标结果公示",
                        f"{p.name}经{band}公开招标，{p.contractor}中标，中标价{money(p.amount)}元，"
                        f"工期60天。公示期5天，如有异议请向镇纪委或村务监督委员会反映。",
                    )
                )
            elif step == 1:
                pay = _instalments(p.amount)[1]
                d = rng.randint(15, last)
                rows.append((d, 1, f"支付{p.name}进度款", "153", pay, p.contractor, False, "发票"))
                events.append(
                    (
                        min(d + 2, last),
                        f"{p.name}施工进度公开",
                        f"{p.name}已完成工程量约七成，本月按合同支付进度款{money(pay)}元。"
                        f"村务监督委员会成员每周到现场查看施工质量。",
                    )
                )
            elif step == 2:
                d = 20  # NOTE: 实施结果公开 on day 21 is a step of decisions.yml
                pay = _instalments(p.amount)[2]
                rows.append(
                    (
                        min(d + rng.randint(3, 6), last),
                        1,
                        f"支付{p.name}结算款",
                        "153",
                        pay,
                        p.contractor,
                        False,
                        "发票",
                    )
                )
                retention = _instalments(p.amount)[3]
                events.append(
                    (
                        d,
                        f"{p.name}完工验收",
                        f"{p.name}（{p.detail}）已完工，由镇建设办、村务监督委员会和村民代表共同验收，"
                        f"质量合格。累计支付工程款{money(p.amount - retention)}元，"
                        f"剩余10%作为质保金，质保期满后支付。",
                    )
                )
                events.append(
                    (
                        min(d + 1, last),
                        f"{p.name}实施结果公开",
                        f"合同价{money(p.amount)}元，其中上级专项资金{money(p.funding)}元，"
                        f"其余由村集体自筹。欢迎群众监督。",
                    )
                )
            elif step == 8:
                pay = _instalments(p.amount)[3]
                rows.append(
                    (
                        rng.randint(10, 25),
                        1,
                        f"支付{p.name}质保金",
                        "153",
                        pay,
                        p.contractor,
                        False,
                        "发票",
                    )
                )
        return events

    def _settle(self, rows: list[_Row], y: int, m: int) -> tuple[list[str], Decimal, Decimal]:
        """Order rows by date, keep balances non-negative, number vouchers; return CSV lines."""
        v = self.v
        approver = v.director
        cash_in_days = {r[0] for r in rows if r[1] == 0 and r[6]}
        rows.sort(key=lambda r: (r[0], r[1]))
        out: list[str] = []
        income = expense = ZERO
        n = 0
        for day, kind, summary, account, amount, party, cash, receipt in rows:
            if kind == 0:
                if cash:
                    self.cash += amount
                else:
                    self.bank += amount
                income += amount
            else:
                if cash and (amount > self.cash or day in cash_in_days):
                    cash = False
                if (self.cash if cash else self.bank) < amount:
                    continue
                if cash:
                    self.cash -= amount
                else:
                    self.bank -= amount
                expense += amount
            n += 1
            method = "现金" if cash else "转账"
            inc, exp = (money(amount), "") if kind == 0 else ("", money(amount))
            appr = approver if kind == 1 else ""
            # NOTE: a village may build the same kind of project twice: a payment belongs to
            # the latest contract of that name begun by its month, not to the first one
            month = f"{y}-{m:02d}"
            cid = next(
                (
                    c
                    for part, k, c, begun in reversed(self.links)
                    if k == kind and part in summary and begun <= month
                ),
                "",
            )
            out.append(
                f"{_date(y, m, day)},记-{n:03d},{_c(summary)},{account},{inc},{exp},"
                f"{_c(party)},{method},{receipt},{appr},{cid}\n"
            )
        return out, income, expense

    def _affairs(
        self,
        idx: int,
        y: int,
        m: int,
        last: int,
        income: Decimal,
        expense: Decimal,
        events: list[tuple[int, str, str]],
    ) -> tuple[list[tuple[str, str, str]], list[tuple[str, str, str]]]:
        """Village and party affairs items for the period, each (title, date, body), by date."""
        rng, v = self.rng, self.v
        va: list[tuple[int, str, str]] = [
            (
                last,
                f"{m}月份财务收支公开",
                f"本月收入合计{money(income)}元，支出合计{money(expense)}元；月末库存现金{money(self.cash)}元，"
                f"银行存款{money(self.bank)}元。逐笔明细见收支明细表，如有疑问请向村务监督委员会"
                f"{v.supervisors[0]}反映，或拨打镇纪委监督电话{self.town.hotline[1]}。",
            )
        ]
        pa: list[tuple[int, str, str]] = []
        n_members = v.party_members
        present = n_members - rng.randint(0, max(1, n_members // 8))
        topic = PARTY_TOPICS[(idx + rng.randint(0, 2)) % len(PARTY_TOPICS)]
        pa.append(
            (
                rng.randint(5, 10),
                f"{CN_MONTH[m]}主题党日",
                f"组织党员{topic}，开展{rng.choice(PARTY_SERVICE)}志愿服务。应到{n_members}人，"
                f"实到{present}人，因病因事请假{n_members - present}人。",
            )
        )
        if self.realistic:
            va.extend(events)
            title, body = SEASONAL[m]
            va.append((rng.randint(1, min(25, last)), title, body.format(n=rng.randint(3, 40))))
            if rng.random() < 0.45:
                title, body = rng.choice(GENERAL_AFFAIRS)
                va.append(
                    (
                        rng.randint(1, last),
                        title,
                        body.format(g=CN_NUM[rng.randint(1, v.groups)], n=rng.randint(3, 60)),
                    )
                )
            dues = _amount(rng, 8 * n_members, 15 * n_members, "0.5")
            pa.append(
                (
                    rng.randint(20, last),
                    f"{m}月份党费收缴情况",
                    f"全村党员{n_members}名，本月应缴党费{money(dues)}元，实缴{money(dues)}元，"
                    f"已全额上缴镇党委。",
                )
            )
            if m in (3, 6, 9, 12):
                pa.append(
                    (
                        rng.randint(11, 20),
                        f"{CN_QUARTER[m // 3]}“三会一课”落实情况",
                        f"本季度召开支部委员会3次、党小组会3次、党员大会1次，党支部书记{v.secretary}"
                        f"讲授专题党课1次。",
                    )
                )
            if rng.random() < 0.2:
                pa.append(
                    (
                        rng.randint(11, last),
                        "发展党员公示",
                        f"经支部委员会研究，拟将第{CN_NUM[rng.randint(1, v.groups)]}村民小组"
                        f"1名入党积极分子列为发展对象，公示期5天。如有意见请向党支部或镇党委组织办反映。",
                    )
                )
            if m in (1, 12) and rng.random() < 0.7:
                pa.append(
                    (
                        rng.randint(11, last),
                        "民主评议党员结果",
                        f"经党员自评、互评和群众测评，评定优秀党员{rng.randint(3, 8)}名，"
                        f"其余均为合格。",
                    )
                )
        va.sort(key=lambda t: t[0])
        pa.sort(key=lambda t: t[0])
        return (
            [(t, _date(y, m, d), b) for d, t, b in va],
            [(t, _date(y, m, d), b) for d, t, b in pa],
        )

    def _assistance(self, idx: int, y: int, m: int, va: list[tuple[str, str, str]]) -> list[str]:
        """An assistance notice for the period; also adds its village-affairs item."""
        rng, v = self.rng, self.v
        start = rng.randint(3, 15)
        days = rng.randint(7, 10)
        ey, em, ed = _add_days(y, m, start, days)
        notice_start, notice_end = _date(y, m, start), _date(ey, em, ed)
        lines: list[str] = []
        names = list(v.assistance_names)
        rng.shuffle(names)
        count = rng.randint(2, min(5, len(names)))
        cats: dict[str, int] = {}
        for i, name in enumerate(names[:count]):
            cat = ("低保", "低保", "特困", "临时救助", "危房改造")[(i + idx) % 5] if i else "低保"
            size = rng.randint(1, 5)
            if cat == "低保":
                amt = _amount(rng, 260, 380, "1") * size
            elif cat == "特困":
                size, amt = 1, _amount(rng, 900, 1150, "10")
            elif cat == "临时救助":
                amt = _amount(rng, 800, 3000, "100")
            else:
                amt = Decimal(rng.choice((15000, 25000, 30000)))
            status = "已停发" if cat == "低保" and i == count - 1 and count > 3 else "公示中"
            group = f"第{CN_NUM[rng.randint(1, v.groups)]}村民小组"
            lines.append(
                f"{cat},{_c(name)},{group},{size},{money(amt.quantize(CENT))},"
                f"{notice_start},{notice_end},{status}\n"
            )
            cats[cat] = cats.get(cat, 0) + 1
        listed = "、".join(f"{c}{k}户" for c, k in cats.items())
        va.append(
            (
                f"{m}月份低保等救助对象公示",
                notice_start,
                f"经本人申请、入户调查和民主评议，拟上报{listed}，现予公示，公示期{notice_start}至"
                f"{notice_end}。如有异议请向村务监督委员会或{self.town.name}民政办反映。",
            )
        )
        va.sort(key=lambda t: t[1])
        return lines


# --- writing ------------------------------------------------------------------------------------
class _Writer:
    """Writes files and counts them."""

    def __init__(self) -> None:
        self.files = 0

    def write(self, path: Path, text: str) -> None:
        """Write text as UTF-8 bytes exactly as given (LF line endings, no BOM)."""
        with open(path, "wb") as f:
            f.write(text.encode("utf-8"))
        self.files += 1


def _prepare(out_dir: Path) -> None:
    """Make out_dir empty: create it, or clear an earlier generated county in it."""
    if out_dir.exists():
        entries = sorted(out_dir.iterdir())
        if entries and not (out_dir / "county.yml").is_file():
            raise FileExistsError(
                f"{out_dir} is not empty and holds no county.yml; not clearing it"
            )
        for entry in entries:
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
    else:
        out_dir.mkdir(parents=True)


def _county_yml(c: _County) -> str:
    """county.yml."""
    return (
        f"# {c.name}：虚构的示例县，数据由 tools/demo.py 生成，仅供演示和测试。\n"
        f"name: {_y(c.name)}\n"
        f'code: "{c.code}"\n'
        f"site: {_flow_map([('title', _y(c.title)), ('url', _y(c.url))])}\n"
        'chart: "2023"\n'
        "names_online: masked\n"
        "parameters:\n"
        "  finance_cadence: monthly\n"
        "  grace_days: 15\n"
        "  tender_bands: [[0, 20000, 村级简易招标], [20000, 200000, 镇农村产权交易中心], "
        "[200000, null, 县农村产权交易中心]]\n"
        '  major_matter_threshold: "50000"\n'
        '  cash_payment_limit: "1000"\n'
        "  notice_days: 7\n"
        "  reply_days: 10\n"
        'contacts: [{name: 县纪委监委信访室, phone: "12388"}, {name: 县民生热线, phone: "12345"}]\n'
    )


def _contact(name: str, phone: str) -> str:
    """A {name, phone} flow mapping."""
    return _flow_map([("name", _y(name)), ("phone", f'"{phone}"')])


def _town_yml(t: _Town) -> str:
    """town.yml."""
    text = f'name: {_y(t.name)}\ncode: "{t.code}"\ncontacts:\n'
    text += f"  - {_contact(*t.hotline)}\n"
    if t.cash_limit is not None:
        text += f'parameters:\n  cash_payment_limit: "{t.cash_limit:.0f}"\n'
    return text


def _village_yml(t: _Town, v: _Village) -> str:
    """village.yml."""
    people = "".join(
        "  - " + _flow_map([("name", _y(p.name)), ("roles", _flow_seq(p.roles))]) + "\n"
        for p in v.people
    )
    hotlines = ", ".join(
        [_contact(f"{t.name}纪委监督热线", t.hotline[1]), _contact("县纪委监委信访室", "12388")]
    )
    return (
        f"name: {_y(v.name)}\n"
        f'code: "{v.code}"\n'
        "kind: 行政村\n"
        f"households: {v.households}\n"
        f"population: {v.population}\n"
        "people:\n"
        + people
        + f"clerks: [{_flow_map([('name', _y(v.bookkeeper)), ('account', _y(v.account))])}]\n"
        "channels:\n"
        f'  office_phone: "{v.office_phone}"\n'
        f"  hotlines: [{hotlines}]\n"
        f"  box: {_y(v.box)}\n"
        f"  supervisor: {_y(v.supervisors[0])}\n"
        f"  talk_day: {_y(v.talk_day)}\n"
    )


def _affair_lines(key: str, items: list[tuple[str, str, str]]) -> str:
    """A village_affairs / party_affairs block."""
    if not items:
        return ""
    text = f"{key}:\n"
    for title, date, body in items:
        text += f'  - title: {_y(title)}\n    date: "{date}"\n    body: {_y(body)}\n'
    return text


def _disclosure_yml(
    y: int,
    m: int,
    opening: tuple[Decimal, Decimal],
    mo: _Month,
    drafted: str,
    reviewer: str,
    reviewed: str,
    published: str,
) -> str:
    """disclosure.yml for one period."""
    return (
        f'period: "{y:04d}-{m:02d}"\n'
        f"opening: {{cash: {_qm(opening[0])}, bank: {_qm(opening[1])}}}\n"
        f"closing: {{cash: {_qm(mo.closing_cash)}, bank: {_qm(mo.closing_bank)}}}\n"
        f"drafted_by: {_y(drafted)}\n"
        f"reviewed_by: {_y(reviewer)}\n"
        f'reviewed_at: "{reviewed}"\n'
        f'published_at: "{published}"\n'
        + _affair_lines("village_affairs", mo.village_affairs)
        + _affair_lines("party_affairs", mo.party_affairs)
    )


# --- registers: contracts, decisions, topics ------------------------------------------------------
_BANDS = ((Decimal(20000), "村级简易招标"), (Decimal(200000), "镇农村产权交易中心"))


def _platform(amount: Decimal) -> tuple[str, bool]:
    """The exchange the default tender bands send an amount to; True above the first band."""
    for i, (high, name) in enumerate(_BANDS):
        if amount < high:
            return name, i > 0
    return "县农村产权交易中心", True


def _mday(y: int, m: int, d: int) -> str:
    """A date in (y, m), the day capped at the month's last."""
    return _date(y, m, min(d, calendar.monthrange(y, m)[1]))


def _vote(
    v: _Village,
    y: int,
    m: int,
    result: str = "",
) -> tuple[tuple[_Step, ...], bool]:
    """The 四议两公开 steps of one matter decided in month (y, m); merged under 一肩挑."""
    merged = v.secretary == v.director
    committee = sum(
        1 for p in v.people if set(p.roles) & {"党支部书记", "村委会主任", "村委会委员"}
    )
    members = v.party_members
    present = members - members // 8
    reps = max(15, min(45, v.households // 12))
    reps_present = reps - reps // 7
    steps: list[_Step] = []
    if not merged:
        steps.append(_Step("党支部提议", _mday(y, m, 3)))
    note = "书记、主任一肩挑，党支部提议与两委会商议合并进行" if merged else ""
    steps.append(_Step("两委会商议", _mday(y, m, 5), (committee, committee, committee), note=note))
    review = _Step("党员大会审议", _mday(y, m, 9), (members, present, present - 1))
    vote = _Step(
        "村民代表会议决议", _mday(y, m, 12), (reps, reps_present, reps_present - 2), "通过"
    )
    steps += [review, vote]
    steps.append(_Step("决议公开", _mday(y, m, 15)))
    if result:
        steps.append(_Step("实施结果公开", result))
    return tuple(steps), merged


@dataclass
class _Registers:
    contracts: list[_Contract] = field(default_factory=list)
    decisions: list[_Decision] = field(default_factory=list)
    topics: list[_Topic] = field(default_factory=list)
    links: list[tuple[str, int, str, str]] = field(default_factory=list)  # part, kind, id, from
    numbers: dict[str, int] = field(default_factory=dict)

    def next_id(self, prefix: str, year: int) -> str:
        """HT-style ids numbered per prefix and year within the village."""
        key = f"{prefix}{year}"
        self.numbers[key] = self.numbers.get(key, 0) + 1
        return f"{key}-{self.numbers[key]:02d}"


def _registers(v: _Village, periods: list[tuple[int, int]]) -> _Registers:
    """A village's registers: derived from its projects and lease, plus those written by hand."""
    regs = _Registers()
    end_y, end_m = periods[-1]
    books_end = _mday(end_y, end_m, 31)
    for p in sorted(v.projects, key=lambda x: x.start):
        sy, sm = _month_add(*periods[0], p.start)
        dy, dm = _month_add(sy, sm, -1)
        ry, rm = _month_add(sy, sm, 2)
        result = _mday(ry, rm, 21)
        steps, merged = _vote(v, dy, dm, result if result <= books_end else "")
        did, cid = regs.next_id("JY", dy), regs.next_id("GC", sy)
        regs.decisions.append(
            _Decision(did, f"实施{p.name}（{p.detail}）", "工程项目", p.amount, steps, merged)
        )
        platform, _ = _platform(p.amount)
        plan = [
            (_month_add(sy, sm, k), x)
            for k, x in zip((0, 1, 2, 8), _instalments(p.amount), strict=True)
        ]
        ey, em = _month_add(sy, sm, 8)
        regs.contracts.append(
            _Contract(
                cid,
                "工程",
                f"{p.name}（{p.detail}）",
                p.contractor,
                "公开招标",
                platform,
                p.amount,
                _mday(sy, sm, 18),
                _mday(ey, em, 31),
                tuple((_mday(y, m, 28), x) for (y, m), x in plan),
                did,
                _mday(*_month_add(sy, sm, 2), 20),
            )
        )
        regs.links.append((p.name, 1, cid, f"{sy}-{sm:02d}"))
        ay, am = _month_add(sy, sm, 1)
        if periods[0] <= (ay, am) <= periods[-1]:
            regs.topics.append(
                _Topic(
                    regs.next_id("DT", ay),
                    _mday(ay, am, 6),
                    "村民代表",
                    f"{p.name}由哪家单位施工？合同价多少？",
                    _mday(ay, am, 9),
                    f"{p.name}经{platform}公开招标，由{p.contractor}中标，合同价{money(p.amount)}元"
                    f"（合同 {cid}），资金来源和付款进度见每月收支明细。",
                    f"{ay:04d}-{am:02d}",
                    cid,
                )
            )
    if v.lease_month is not None:
        lm = v.lease_month
        start_y = periods[0][0] - 2
        years = end_y + 3 - start_y
        while _clear_limits(v.lease_amount * years) != v.lease_amount * years:
            years += 1  # NOTE: a total just under a band limit would read as R13
        total = v.lease_amount * years
        platform, open_ = _platform(total)
        dy, dm = _month_add(start_y, lm, -1)
        steps, merged = _vote(v, dy, dm, _mday(start_y, lm, 10))
        did, cid = regs.next_id("JY", dy), regs.next_id("FB", start_y)
        obj = f"集体机动地{v.lease_area}亩"
        regs.decisions.append(_Decision(did, f"{obj}发包方案", "发包租赁", total, steps, merged))
        end = dt.date(start_y + years, lm, 1) - dt.timedelta(days=1)
        regs.contracts.append(
            _Contract(
                cid,
                "发包",
                obj,
                v.lease_party,
                "竞价拍卖" if open_ else "简易招标",
                platform,
                total,
                _date(start_y, lm, 1),
                end.isoformat(),
                tuple((_mday(y, lm, 31), v.lease_amount) for y in range(start_y, start_y + years)),
                did,
            )
        )
        regs.links.append(("机动地发包租金", 0, cid, ""))
    regs.contracts.sort(key=lambda c: (c.start, c.id))
    regs.decisions.sort(key=lambda d: (d.steps[0].date, d.id))
    regs.topics.sort(key=lambda t: (t.asked, t.id))
    return regs


def _contracts_csv(contracts: list[_Contract]) -> str:
    """contracts.csv."""
    return CONTRACTS_HEADER + "".join(
        f"{c.id},{c.type},{_c(c.object)},{_c(c.counterparty)},{c.method},{c.platform},"
        f"{money(c.amount)},{c.start},{c.end},"
        f"{';'.join(f'{d}:{money(a)}' for d, a in c.schedule)},{c.decision},{c.accepted}\n"
        for c in contracts
    )


def _decisions_yml(decisions: list[_Decision]) -> str:
    """decisions.yml."""
    text = "decisions:\n"
    for d in decisions:
        text += f"  - id: {d.id}\n    matter: {_y(d.matter)}\n    category: {d.category}\n"
        if d.amount is not None:
            text += f"    amount: {_qm(d.amount)}\n"
        if d.merged:
            text += "    merged: true\n"
        text += "    steps:\n"
        for st in d.steps:
            pairs = [("step", st.name), ("date", f'"{st.date}"')]
            if st.counts is not None:
                pairs += list(zip(("due", "attended", "agreed"), map(str, st.counts), strict=True))
            if st.result:
                pairs.append(("result", st.result))
            if st.note:
                pairs.append(("note", _y(st.note)))
            text += f"      - {_flow_map(pairs)}\n"
    return text


def _topics_yml(topics: list[_Topic]) -> str:
    """topics.yml."""
    text = "topics:\n"
    for t in topics:
        text += (
            f"  - id: {t.id}\n"
            f'    asked_at: "{t.asked}"\n'
            f"    asker: {_y(t.asker)}\n"
            f"    question: {_y(t.question)}\n"
        )
        if t.answered:
            text += f'    answered_at: "{t.answered}"\n    answer: {_y(t.answer)}\n'
        if t.period:
            text += f'    period: "{t.period}"\n'
        if t.ref:
            text += f"    ref: {t.ref}\n"
    return text


def _write_county(
    out_dir: Path, county: _County, periods: list[tuple[int, int]], seed: int, realistic: bool
) -> GenerateStats:
    """Write a whole county tree from its description."""
    _prepare(out_dir)
    w = _Writer()
    w.write(out_dir / "county.yml", _county_yml(county))
    w.write(
        out_dir / "powers.yml",
        _powers_yml(
            COUNTY_POWERS,
            negative=[(f"N{i + 1:02d}", t) for i, t in enumerate(NEGATIVE)],
            services=_county_services(),
        ),
    )
    n_villages = n_periods = n_rows = 0
    for town in county.towns:
        tdir = out_dir / town.slug
        tdir.mkdir()
        w.write(tdir / "town.yml", _town_yml(town))
        w.write(tdir / "powers.yml", _powers_yml(town.powers, inherit=True))
        cash_limit = town.cash_limit if town.cash_limit is not None else Decimal(1000)
        for v in town.villages:
            vdir = tdir / v.slug
            vdir.mkdir()
            n_villages += 1
            w.write(vdir / "village.yml", _village_yml(town, v))
            w.write(
                vdir / "powers.yml",
                _powers_yml(v.powers_add, inherit=True, remove=v.powers_remove),
            )
            regs = _registers(v, periods)
            if regs.contracts:
                w.write(vdir / "contracts.csv", _contracts_csv(regs.contracts))
            if regs.decisions:
                w.write(vdir / "decisions.yml", _decisions_yml(regs.decisions))
            if regs.topics:
                w.write(vdir / "topics.yml", _topics_yml(regs.topics))
            rng = random.Random(f"sunlight-demo:{seed}:{town.slug}/{v.slug}")
            sim = _VillageSim(county, town, v, rng, cash_limit, realistic, tuple(regs.links))
            for idx, (y, m) in enumerate(periods):
                opening = (sim.cash, sim.bank)
                mo = sim.month(idx, y, m)
                ny, nm = _next_month(y, m)
                rday = rng.randint(2, 6)
                pday = min(10, rday + rng.randint(0, 3))
                sups = v.supervisors
                reviewer = sups[0] if rng.random() < 0.75 else sups[rng.randrange(len(sups))]
                pdir = vdir / f"{y:04d}-{m:02d}"
                pdir.mkdir()
                w.write(
                    pdir / "disclosure.yml",
                    _disclosure_yml(
                        y,
                        m,
                        opening,
                        mo,
                        v.bookkeeper,
                        reviewer,
                        _date(ny, nm, rday),
                        _date(ny, nm, pday),
                    ),
                )
                w.write(pdir / "ledger.csv", LEDGER_HEADER + "".join(mo.ledger))
                if mo.assistance:
                    w.write(pdir / "assistance.csv", ASSISTANCE_HEADER + "".join(mo.assistance))
                n_periods += 1
                n_rows += len(mo.ledger)
    return GenerateStats(n_villages, n_periods, n_rows, w.files)


# --- the synthetic county -------------------------------------------------------------------------
class _Names:
    """Draws person names (with pinyin for clerk accounts) from fixed pools."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.accounts: set[str] = set()
        self.pinyin: dict[str, str] = {}

    def person(self, taken: set[str], minority: bool = False) -> tuple[str, str]:
        """A name not in taken, and its pinyin."""
        while True:
            if minority:
                name, py = self.rng.choice(MINORITY_NAMES)
            else:
                (s, sp), (g, gp) = self.rng.choice(SURNAMES), self.rng.choice(GIVEN)
                name, py = s + g, sp + gp
            if name not in taken:
                taken.add(name)
                self.pinyin[name] = py
                return name, py

    def account(self, py: str) -> str:
        """A county-unique clerk account."""
        acct, n = f"{py}@example.org", 1
        while acct in self.accounts:
            n += 1
            acct = f"{py}{n}@example.org"
        self.accounts.add(acct)
        return acct


def _random_village(
    rng: random.Random,
    names: _Names,
    slug: str,
    name: str,
    code: str,
    phone: str,
    n_periods: int,
    realistic: bool,
    county: str,
    town_has_p09: bool,
) -> _Village:
    """A random but believable village profile."""
    taken: set[str] = set()
    people: list[_Person] = []
    sec, _ = names.person(taken)
    if rng.random() < 0.8:
        people.append(_Person(sec, ("党支部书记", "村委会主任")))
    else:
        people.append(_Person(sec, ("党支部书记",)))
        people.append(_Person(names.person(taken)[0], ("村委会主任",)))
    for i in range(rng.randint(2, 3)):
        people.append(
            _Person(
                names.person(taken, minority=i == 0 and rng.random() < 0.03)[0], ("村委会委员",)
            )
        )
    if rng.random() < 0.4:
        people[-1] = _Person(people[-1].name, ("村委会委员", "报账员"))
        book_py = names.pinyin[people[-1].name]
    else:
        book, book_py = names.person(taken)
        people.append(_Person(book, ("报账员",)))
    people.append(_Person(names.person(taken)[0], ("村务监督委员会主任",)))
    for _ in range(rng.randint(1, 2)):
        people.append(_Person(names.person(taken)[0], ("村务监督委员会委员",)))
    households = rng.randint(180, 1100)
    aid = tuple(names.person(taken)[0] for _ in range(8))
    projects: list[_Project] = []
    if realistic:
        start = rng.randint(-2, max(0, n_periods - 3))
        while start < n_periods:
            kind, funder, detail = rng.choice(PROJECT_KINDS)
            amount = _project_amount(rng)
            share = Decimal(rng.choice(("0.6", "0.7", "0.8")))
            projects.append(
                _Project(
                    kind,
                    start,
                    amount,
                    _thousands(amount * share),
                    funder.format(cs=county),
                    rng.choice(CONTRACTORS).format(cs=county),
                    detail,
                )
            )
            start += rng.randint(10, 24)
    lease = realistic and rng.random() < 0.7
    shop = rng.random() < 0.35
    dividend = realistic and rng.random() < 0.3
    add: tuple[dict[str, object], ...] = ()
    if realistic and rng.random() < 0.15:
        add = (DIVIDEND_POWER,)
    return _Village(
        slug=slug,
        name=name,
        code=code,
        households=households,
        population=int(households * rng.uniform(3.1, 3.9)),
        people=tuple(people),
        account=names.account(book_py),
        office_phone=phone,
        box=rng.choice(BOXES),
        talk_day=rng.choice(TALK_DAYS),
        groups=rng.randint(4, 12),
        party_members=rng.randint(18, 75),
        opening_cash=_amount(rng, 600, 2500, "0.5"),
        opening_bank=_amount(rng, 80000, 600000),
        cleaners=rng.randint(2, 5),
        cleaner_pay=Decimal(rng.choice((1200, 1300, 1500, 1600))),
        broadband=Decimal(rng.choice((99, 129, 199))),
        garbage=_amount(rng, 800, 2500, "10") if rng.random() < 0.6 else None,
        shop_rent=_amount(rng, 1500, 6000, "100") if shop else None,
        shop_tenant=f"{county}{rng.choice(('惠民超市', '便民药店', '农家乐饭店', '快递服务站'))}",
        lease_month=rng.choice((3, 4, 10, 11, 12)) if lease else None,
        lease_amount=_amount(rng, 8000, 60000, "100"),
        lease_party=f"{county}{rng.choice(('丰收', '绿源', '金穗', '沃土'))}种植专业合作社",
        lease_area=rng.randint(40, 300),
        dividend_month=rng.choice((1, 2, 3)) if dividend else None,
        dividend=_amount(rng, 5000, 40000, "100"),
        dividend_from=f"{county}{rng.choice(('光伏发电', '粮食烘干', '农产品冷链'))}有限公司",
        water_fee=True,
        projects=tuple(projects),
        assistance_periods=frozenset(
            i for i in range(n_periods) if realistic and rng.random() < 0.2
        ),
        assistance_names=aid,
        powers_remove=("P09",) if town_has_p09 and rng.random() < 0.3 else (),
        powers_add=add,
    )


def _instalments(amount: Decimal) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """A works contract paid 30 % / 40 % / 20 % and a 10 % retention (质保金)."""
    a, b, c = ((amount * Decimal(p)).quantize(CENT) for p in ("0.3", "0.4", "0.2"))
    return a, b, c, amount - a - b - c


def _project_amount(rng: random.Random) -> Decimal:
    """A contract price whose instalments all stay clear of the near-limit windows."""
    while True:
        amount = _amount(rng, 100000, 185000, "100")
        if all(_clear_limits(x) == x for x in _instalments(amount)):
            return amount


def _thousands(value: Decimal) -> Decimal:
    """Round to whole thousands of yuan."""
    return ((value / 1000).quantize(Decimal(1), ROUND_HALF_UP) * 1000).quantize(CENT)


# fmt: off
PROJECT_KINDS = (
    ("村道硬化工程", "{cs}交通运输局", "全长1.2公里、宽4.5米"),
    ("村内排水沟改造工程", "{cs}农业农村局", "新建排水沟860米"),
    ("文化广场建设工程", "{cs}农业农村局", "占地2400平方米"),
    ("太阳能路灯安装工程", "{cs}农业农村局", "安装路灯120盏"),
    ("安全饮水管网改造工程", "{cs}水利局", "更换主管网2.6公里"),
)
CONTRACTORS = (
    "{cs}宏达建筑工程有限公司", "{cs}鑫源建设工程有限公司", "{cs}顺通路桥工程有限公司",
    "{cs}明亮照明工程有限公司", "{cs}清源水利工程有限公司",
)
# fmt: on


def generate_county(
    out_dir: Path,
    *,
    towns: int,
    villages_per_town: int,
    months: int,
    end_period: str = "2026-10",
    seed: int = 1,
    realistic: bool = True,
) -> GenerateStats:
    """Write a synthetic county (示范县) of towns × villages_per_town villages × months periods."""
    if towns < 1 or villages_per_town < 1:
        raise ValueError("towns and villages_per_town must be at least 1")
    if towns > 899 or villages_per_town > 799:
        raise ValueError("at most 899 towns and 799 villages per town fit 12-digit area codes")
    periods = _periods(end_period, months)
    rng = random.Random(f"sunlight-demo:{seed}:county")
    names = _Names(rng)
    county = _County(
        "示范县", "371398000000", "示范县三务公开", "https://example.org/demo/", "示范农商银行", []
    )
    town_names = [a + b for a in TOWN_FIRST for b in TOWN_SECOND]
    rng.shuffle(town_names)
    village_names = [(a + b + "村", ap + bp) for a, ap in VILLAGE_FIRST for b, bp in VILLAGE_SECOND]
    for i in range(towns):
        tname = (town_names[i] if i < len(town_names) else f"第{i + 1}") + "镇"
        code = f"371398{100 + i:03d}000"
        town = _Town(f"town-{i + 1:02d}", tname, code, (f"{tname}纪委", f"0539-6{100 + i:03d}000"))
        if i % 3 == 1:
            town.powers = (TOWN_LEASE_POWER,)
        if i % 4 == 2:
            town.cash_limit = Decimal(500)
        pool = rng.sample(village_names, min(len(village_names), villages_per_town))
        for j in range(villages_per_town):
            if j < len(pool):
                vname, slug = pool[j]
            else:
                vname, slug = f"{town_names[j % len(town_names)]}{j}村", f"v-{j + 1:03d}"
            vcode = f"371398{100 + i:03d}{200 + j + 1:03d}"
            vrng = random.Random(f"sunlight-demo:{seed}:profile:{i}/{j}")
            town.villages.append(
                _random_village(
                    vrng,
                    names,
                    slug,
                    vname,
                    vcode,
                    f"0539-6{100 + i:03d}{j + 1:03d}",
                    len(periods),
                    realistic,
                    county.short,
                    bool(town.powers),
                )
            )
        town.villages.sort(key=lambda v: v.slug)
        county.towns.append(town)
    return _write_county(out_dir, county, periods, seed, realistic)


PERIOD_FOLDER = re.compile(r"[0-9]{4}-[0-9]{2}")


def commit_monthly(villages: Path) -> int:
    """Make the folder holding villages a git repository whose history is a county's that
    publishes every month: a first commit of the county's, towns' and villages' own files, then
    one commit a month adding every village's folder for that month, dated five days after it
    (China time); return the number of commits. What a real county's history pages and
    `check --since` read, and the bench county lacks."""
    top = villages.parent
    aside = top / ".months-aside"
    folders = sorted(
        (p for p in villages.glob("*/*/*") if p.is_dir() and PERIOD_FOLDER.fullmatch(p.name)),
        key=lambda p: (p.name, p.as_posix()),
    )
    for folder in folders:
        target = aside / folder.relative_to(top)
        target.parent.mkdir(parents=True, exist_ok=True)
        folder.rename(target)

    def git(*args: str, day: str = "2023-01-01") -> None:
        env = {
            "GIT_AUTHOR_NAME": "示范县",
            "GIT_AUTHOR_EMAIL": "demo@example.org",
            "GIT_COMMITTER_NAME": "示范县",
            "GIT_COMMITTER_EMAIL": "demo@example.org",
            "GIT_AUTHOR_DATE": f"{day}T10:00:00+08:00",
            "GIT_COMMITTER_DATE": f"{day}T10:00:00+08:00",
            "PATH": os.environ.get("PATH", ""),
            "HOME": os.environ.get("HOME", ""),
        }
        subprocess.run(["git", *args], cwd=top, env=env, check=True, capture_output=True)

    git("init", "-q", "-b", "main")
    git("add", "-A", "--", villages.name)
    first = folders[0].name if folders else "2023-01"
    git("commit", "-qm", "开始公开", "--no-verify", day=f"{first}-01")
    commits = 1
    for month, group in itertools.groupby(folders, key=lambda p: p.name):
        for folder in group:
            (aside / folder.relative_to(top)).rename(folder)
        year, number = int(month[:4]), int(month[5:])
        day = dt.date(year + number // 12, number % 12 + 1, 5).isoformat()
        git("add", "-A", "--", villages.name)
        git("commit", "-qm", f"{month} 公开", "--no-verify", day=day)
        commits += 1
    shutil.rmtree(aside)
    return commits


def main(argv: list[str] | None = None) -> None:
    """Write a synthetic county: python -m tools.demo --villages 600 --months 36 --out DIR."""
    parser = argparse.ArgumentParser(
        prog="python -m tools.demo",
        description="生成一个模拟县的记录，用于测试和压测。 / "
        "Generate a synthetic county for tests and benchmarks.",
    )
    parser.add_argument(
        "--out", required=True, type=Path, help="输出文件夹 / Where to write the records."
    )
    parser.add_argument("--villages", type=int, default=600, help="村数 / villages (600)")
    parser.add_argument("--months", type=int, default=36, help="月数 / months per village (36)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (1)")
    parser.add_argument(
        "--git",
        action="store_true",
        help="把 --out 的上一级文件夹做成 git 仓库，每月一次提交 / make --out's parent a git "
        "repository with a commit a month",
    )
    opts = parser.parse_args(argv)
    if opts.villages < 1 or opts.months < 1:
        parser.error("--villages and --months must be at least 1")
    per_town = min(30, opts.villages)
    towns = -(-opts.villages // per_town)
    try:
        stats = generate_county(
            opts.out, towns=towns, villages_per_town=per_town, months=opts.months, seed=opts.seed
        )
    except (ValueError, FileExistsError) as err:
        parser.error(str(err))
    print(
        f"已生成 {stats.villages} 个村、{stats.periods} 个公开期。 / "
        f"Wrote {stats.villages} villages, {stats.periods} periods to {opts.out}."
    )
    if opts.git:
        commits = commit_monthly(opts.out)
        print(f"已提交 {commits} 次。 / Made {commits} commits in {opts.out.parent}.")


if __name__ == "__main__":
    main()
