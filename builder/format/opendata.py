"""The open-data tables: what a download holds, column by column, and their Table Schemas.

Every record kind the site shows becomes one table, the same for a village and for the whole
county (the first three columns say whose row it is). The tables are declared here once; the
Table Schemas published at `schema/data/v<VERSION>/<table>.tableschema.json` are written from
this declaration (`sunlight schema`), and `publish/opendata.py` fills the rows from the model.
A new column is added at the end with a new VERSION, so a URL always means one shape.

CSV text cells that a spreadsheet would run as a formula (beginning with = + - @, a tab or a
carriage return) start with an apostrophe in the CSV (`inert`); the JSON has the text as shown
on the site.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

VERSION = "1"
SCHEMA_DIR = f"schema/data/v{VERSION}/"  # under the site's URL (and content/)


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # Table Schema type: string / number / integer / date
    title: str
    required: bool = False
    description: str = ""


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    columns: tuple[Column, ...]

    @property
    def schema_path(self) -> str:
        """The Table Schema's path under the site root (and under content/)."""
        return f"{SCHEMA_DIR}{self.name}.tableschema.json"


def _c(name: str, typ: str, title: str, required: bool = False, description: str = "") -> Column:
    return Column(name, typ, title, required, description)


WHO = (
    _c("town", "string", "乡镇（街道）", True),
    _c("village", "string", "村（社区）", True),
    _c("village_code", "string", "村区划代码", True),
)
PERIOD = _c("period", "string", "期间（年-月）", True)

TABLES: tuple[Table, ...] = (
    Table(
        "periods",
        "每期财务公开",
        (
            *WHO,
            PERIOD,
            _c("opening_cash", "number", "期初现金", True),
            _c("opening_bank", "number", "期初银行存款", True),
            _c("closing_cash", "number", "期末现金", True),
            _c("closing_bank", "number", "期末银行存款", True),
            _c("income", "number", "本期收入", True),
            _c("expense", "number", "本期支出", True),
            _c("drafted_by", "string", "拟稿人"),
            _c("reviewed_by", "string", "村务监督委员会审核人"),
            _c("reviewed_at", "date", "审核日期"),
            _c("published_at", "date", "公开日期", True),
            _c("corrections", "integer", "更正次数", True),
        ),
    ),
    Table(
        "ledger",
        "收支明细",
        (
            *WHO,
            PERIOD,
            _c("date", "date", "日期", True),
            _c("voucher_no", "string", "凭证号"),
            _c("summary", "string", "摘要"),
            _c("account_code", "string", "科目代码", True),
            _c("account_name", "string", "科目名称"),
            _c("category", "string", "支出类别", description="图表所用的通俗类别，只对支出"),
            _c("income", "number", "收入"),
            _c("expense", "number", "支出"),
            _c("counterparty", "string", "收付款方"),
            _c("method", "string", "收付方式"),
            _c("receipt", "string", "票据"),
            _c("approver", "string", "审批人"),
            _c("contract_id", "string", "合同编号"),
        ),
    ),
    Table(
        "assistance",
        "救助公示",
        (
            *WHO,
            PERIOD,
            _c("category", "string", "类别", True),
            _c("name", "string", "姓名", True, "与网站显示一致：按县里的设置打码（张*三）"),
            _c("group", "string", "村民小组"),
            _c("household_size", "integer", "家庭人口"),
            _c("amount", "number", "金额", True),
            _c("notice_start", "date", "公示开始", True),
            _c("notice_end", "date", "公示结束", True),
            _c("status", "string", "状态"),
        ),
    ),
    Table(
        "affairs",
        "村务和党务公开",
        (
            *WHO,
            PERIOD,
            _c("kind", "string", "类别（村务 / 党务）", True),
            _c("title", "string", "标题", True),
            _c("date", "date", "日期", True),
            _c("body", "string", "内容"),
        ),
    ),
    Table(
        "corrections",
        "更正记录",
        (
            *WHO,
            PERIOD,
            _c("date", "date", "更正日期", True),
            _c("reason", "string", "原因", True),
            _c("approved_by", "string", "批准人"),
        ),
    ),
    Table(
        "contracts",
        "合同",
        (
            *WHO,
            _c("id", "string", "合同编号", True),
            _c("type", "string", "类型", True),
            _c("object", "string", "标的", True),
            _c("counterparty", "string", "对方", True),
            _c("method", "string", "交易方式"),
            _c("platform", "string", "交易平台"),
            _c("amount", "number", "金额", True),
            _c("start", "date", "开始", True),
            _c("end", "date", "结束", True),
            _c("decision_id", "string", "四议两公开决议编号"),
            _c("schedule", "string", "收付款计划", description="“日期 金额”，以“；”分隔"),
        ),
    ),
    Table(
        "decisions",
        "四议两公开",
        (
            *WHO,
            _c("id", "string", "决议编号", True),
            _c("matter", "string", "事项", True),
            _c("category", "string", "类别"),
            _c("amount", "number", "金额"),
            _c("step", "integer", "步骤序号（1-6）", True),
            _c("step_name", "string", "步骤", True),
            _c("date", "date", "日期", True),
            _c("due", "integer", "应到人数"),
            _c("attended", "integer", "实到人数"),
            _c("agreed", "integer", "同意人数"),
            _c("result", "string", "结果"),
            _c("note", "string", "备注"),
        ),
    ),
    Table(
        "topics",
        "点题公开",
        (
            *WHO,
            _c("id", "string", "点题编号", True),
            _c("asked_at", "date", "提出日期", True),
            _c("question", "string", "问题", True),
            _c("answered_at", "date", "答复日期"),
            _c("answer", "string", "答复"),
            _c("period", "string", "刊登期间"),
            _c("ref", "string", "相关合同或决议"),
        ),
    ),
    Table(
        "meetings",
        "会议记录",
        (
            *WHO,
            _c("id", "string", "编号", True),
            _c("kind", "string", "会议", True),
            _c("date", "date", "日期", True),
            _c("chaired_by", "string", "主持人"),
            _c("due", "integer", "应到人数"),
            _c("attended", "integer", "实到人数"),
            _c("agenda", "string", "议题", description="以“；”分隔"),
            _c(
                "questions",
                "string",
                "群众提出的问题和答复",
                description="“问：…答：…”，以“；”分隔",
            ),
            _c("note", "string", "说明"),
        ),
    ),
    Table(
        "powers",
        "小微权力清单、负面清单、便民服务和责任清单",
        (
            *WHO,
            _c("list", "string", "清单（权力 / 负面 / 服务 / 责任）", True),
            _c("id", "string", "编号", True),
            _c("name", "string", "事项", True),
            _c("category", "string", "类别"),
            _c("level", "string", "制定层级（县 / 镇 / 村）", True),
            _c("detail", "string", "依据、流程、时限、材料等"),
        ),
    ),
)
BY_NAME = {t.name: t for t in TABLES}

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def inert(text: str) -> str:
    """A CSV text cell a spreadsheet will not run: one that could start a formula gets a '."""
    return "'" + text if text.startswith(FORMULA_START) else text


def table_schema(table: Table) -> dict[str, Any]:
    """The Frictionless Table Schema of one download table."""
    fields = []
    for col in table.columns:
        entry: dict[str, Any] = {"name": col.name, "title": col.title, "type": col.type}
        if col.type == "string":
            entry["format"] = "default"
        if col.description:
            entry["description"] = col.description
        if col.required:
            entry["constraints"] = {"required": True}
        fields.append(entry)
    return {
        "title": f"{table.title}（{table.name}，第 {VERSION} 版）",
        "fields": fields,
        "missingValues": [""],
    }
