"""The long, repeated parts of a page written in Python: ledger, account and assistance rows,
affairs sections and chart figures, each a few f-strings that the templates call.

A period page holds hundreds of table cells; written as Jinja loops with a macro per money
cell they were most of the time spent rendering a village (every cell cost a macro call and
a handful of attribute look-ups). Each function here writes exactly what the loop it replaces
wrote, byte for byte, and escapes every record value once, exactly as Jinja's autoescaping
(markupsafe.escape) did: record text stays text. They return `Markup`, so the template prints
them as they are.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from markupsafe import Markup

from builder import model
from builder.format.values import yuan
from builder.publish.charts import Chart

# this file, whose words keep the stylesheet's rules as a template's do (publish/site.py)
SOURCE = Path(__file__)
# NOTE: money cells are yuan(value), not escaped: a Decimal formatted with `,.2f` is digits, a
# sign, commas and a point (or NaN/Infinity), none of which HTML escapes
CONTRACT_LINK = ' <a href="{href}#{id}">合同 {id}</a>'
WHITE_SLIP = "白条"  # a receipt that is no receipt: its cell is marked


def _escape_here(value: str) -> str:
    """value as HTML text: markupsafe.escape's five replacements, as its pure-Python version
    makes them."""
    return (
        value.replace("&", "&amp;")
        .replace(">", "&gt;")
        .replace("<", "&lt;")
        .replace("'", "&#39;")
        .replace('"', "&#34;")
    )


# escape(value): value as HTML text, exactly as markupsafe.escape writes it, without a Markup
# object per value (which cost three times as much in a period page's few thousand cells).
# NOTE: markupsafe's own C core of escape where it is built (its wheels for every platform we
# run on carry it): one pass over the text where five replace() calls made five, a fifth of
# the time a cell (ten million cells at county scale); test_render_shortcuts holds both to it
try:
    from markupsafe._speedups import _escape_inner as escape
except ImportError:  # a markupsafe built without its C speedups
    escape = _escape_here


def _paragraphs(text: str) -> str:
    """Each non-blank line of text as a paragraph."""
    return "".join(f"<p>{escape(line)}</p>" for line in text.split("\n") if line.strip())


def _name(row: model.AssistanceRow, full_names: bool) -> str:
    """A person's name as the village publishes it online: full, or masked (张*三)."""
    return escape(row.name if full_names else model.mask_name(row.name))


def _household(row: model.AssistanceRow) -> str:
    return "" if row.household_size is None else str(row.household_size)


def ledger_rows(
    ledger: Iterable[model.LedgerRow], village: model.Village, contracts_href: str
) -> Markup:
    """A period page's ledger: one row each, a link to the contract a row pays where the
    village's register holds it (contracts_href: the contracts page, relative to the page)."""
    href = escape(contracts_href)
    out = []
    for r in ledger:
        link = ""
        if r.contract_id and village.contract(r.contract_id):
            link = CONTRACT_LINK.format(href=href, id=escape(r.contract_id))
        warn = ' class="sl-warn"' if r.receipt == WHITE_SLIP else ""
        out.append(
            f"<tr><td>{r.date.month}月{r.date.day}日</td><td>{escape(r.voucher_no)}</td>"
            f"<td>{escape(r.summary)}{link}</td>"
            f'<td>{escape(r.account_name)} <span class="sl-id">{escape(r.account_code)}</span></td>'
            f'<td class="sl-num">{yuan(r.income)}</td><td class="sl-num">{yuan(r.expense)}</td>'
            f"<td>{escape(r.counterparty)}</td><td>{escape(r.method)}</td>"
            f"<td{warn}>{escape(r.receipt)}</td><td>{escape(r.approver)}</td></tr>\n"
        )
    return Markup("".join(out))


def account_rows(accounts: Iterable[model.AccountTotal]) -> Markup:
    """A period page's totals by account; a zero total leaves its cell empty."""
    return Markup(
        "".join(
            f'<tr><td class="sl-what">{escape(a.name)} <span class="sl-id">{escape(a.code)}</span>'
            f'</td><td class="sl-num" data-label="收入">{yuan(a.income or None)}</td>'
            f'<td class="sl-num" data-label="支出">{yuan(a.expense or None)}</td></tr>\n'
            for a in accounts
        )
    )


def assistance_rows(rows: Sequence[model.AssistanceRow], full_names: bool) -> Markup:
    """A period page's assistance notice; each amount carries its key for the page's check
    (data-sl="a0", "a1", … in the notice's order)."""
    return Markup(
        "".join(
            f'<tr><td class="sl-first">{escape(a.category)}</td>'
            f'<td class="sl-what">{_name(a, full_names)}</td>'
            f'<td class="sl-half">{escape(a.group)}</td>'
            f'<td class="sl-half" data-label="家庭人口">{_household(a)}</td>'
            f'<td class="sl-num" data-label="金额" data-sl="a{i}">{yuan(a.amount)}</td>'
            f'<td data-label="公示期"><span class="sl-date">{a.notice_start.isoformat()}</span>'
            f' 至 <span class="sl-date">{a.notice_end.isoformat()}</span></td>'
            f'<td data-label="状态">{escape(a.status)}</td></tr>\n'
            for i, a in enumerate(rows)
        )
    )


def affair_sections(affairs: Iterable[model.Affair]) -> Markup:
    """A period page's village or party affairs: a section each, its body by paragraph."""
    return Markup(
        "".join(
            f'<section class="sl-affair"><h3>{escape(a.title)}</h3>'
            f'<p class="sl-muted">{a.date.isoformat()}</p>{_paragraphs(a.body)}</section>\n'
            for a in affairs
        )
    )


def sheet_ledger_rows(ledger: Iterable[model.LedgerRow]) -> Markup:
    """The print sheet's ledger: fewer columns than the page's, the account code first."""
    return Markup(
        "".join(
            f"<tr><td>{r.date.isoformat()[5:]}</td><td>{escape(r.voucher_no)}</td>"
            f"<td>{escape(r.summary)}</td>"
            f"<td>{escape(r.account_code)} {escape(r.account_name)}</td>"
            f'<td class="num">{yuan(r.income)}</td><td class="num">{yuan(r.expense)}</td>'
            f"<td>{escape(r.counterparty)}</td></tr>\n"
            for r in ledger
        )
    )


def sheet_account_rows(accounts: Iterable[model.AccountTotal]) -> Markup:
    """The print sheet's totals by account; a zero total leaves its cell empty."""
    return Markup(
        "".join(
            f"<tr><td>{escape(a.code)} {escape(a.name)}</td>"
            f'<td class="num">{yuan(a.income or None)}</td>'
            f'<td class="num">{yuan(a.expense or None)}</td></tr>\n'
            for a in accounts
        )
    )


def sheet_assistance_rows(rows: Iterable[model.AssistanceRow], full_names: bool) -> Markup:
    """The print sheet's assistance notice."""
    return Markup(
        "".join(
            f"<tr><td>{escape(a.category)}</td><td>{_name(a, full_names)}</td>"
            f"<td>{escape(a.group)}</td><td>{_household(a)}</td>"
            f'<td class="num">{yuan(a.amount)}</td>'
            f"<td>{a.notice_start.isoformat()} 至 {a.notice_end.isoformat()}</td>"
            f"<td>{escape(a.status)}</td></tr>\n"
            for a in rows
        )
    )


def sheet_affair_sections(affairs: Iterable[model.Affair]) -> Markup:
    """The print sheet's village or party affairs: the date beside the title."""
    return Markup(
        "".join(
            f"<section><h3>{escape(a.title)}（{a.date.isoformat()}）</h3>"
            f"{_paragraphs(a.body)}</section>\n"
            for a in affairs
        )
    )


def _cells(tag: str, values: Iterable[str]) -> str:
    """A table row's cells: the first names the row, the rest are numbers."""
    return "".join(
        f"<{tag}>{escape(v)}</{tag}>" if i == 0 else f'<{tag} class="sl-num">{escape(v)}</{tag}>'
        for i, v in enumerate(values)
    )


def chart_figures(charts: Iterable[Chart], folder: str = "") -> Markup:
    """Each chart as a lazy image of its .svg file (folder: where that file is, relative to
    the page) and the same figures as a table for screen readers."""
    out = []
    for c in charts:
        title = escape(c.title)
        rows = "".join(f"<tr>{_cells('td', r)}</tr>" for r in c.rows)
        out.append(
            f'<figure class="sl-chart" id="{escape(c.id)}">\n'
            f"<figcaption>{title}</figcaption>\n"
            f'<img src="{escape(folder)}{escape(c.file_name)}" loading="lazy" width="320"'
            f' height="{c.height}" alt="">\n'
            f'<table class="sl-table sl-sr"><caption>{title}</caption>\n'
            f"<thead><tr>{_cells('th', c.head)}</tr></thead>\n"
            f"<tbody>{rows}</tbody>\n"
            "</table>\n"
            "</figure>\n"
        )
    return Markup("".join(out))
