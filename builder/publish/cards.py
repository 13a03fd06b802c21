"""The hand-written pages' tables as cards on a phone, like the records' tables.

A table of five columns (the clerk's guide: 键名, 中文, 必填, 填写方式, 说明) squeezed into a
360 px screen broke its field names mid-word and its Chinese one character a line. Each table
Markdown writes, of three columns or more, is wrapped in `<div class="sl-md">` (the table
itself keeps no class, so Material still styles it) and each cell gets its column's heading
(`data-label`), as the records' cards have: below a tablet's width a row is a card, its first
two cells its title, each other cell on a line of its own after its heading; wider, it is the
table it was. A column whose every cell is a few characters (必填 or 选填, 错误 or 警告) says
what it is by itself: its cells carry no heading, and do not wrap. Only the tables Markdown
writes (`<table>` with a head and a body) are touched: a record's table has its own classes.
"""

from __future__ import annotations

import html
import re

_TABLE = re.compile(
    r"<table>(\n<thead>\n<tr>\n(.*?)</tr>\n</thead>\n<tbody>\n.*?</tbody>\n</table>)", re.S
)
_HEADING = re.compile(r"<th(?:\s[^>]*)?>(.*?)</th>", re.S)
_ROW = re.compile(r"<tr>\n(.*?)</tr>", re.S)
_CELL = re.compile(r"<td((?:\s[^>]*)?)>(.*?)</td>", re.S)
_TAG = re.compile(r"<[^>]*>")
WRAPPER = "sl-md"
SHORT_CELL = "sl-short"
SHORT = 4  # characters: a column whose cells are none longer carries no heading


def labelled_tables(page: str) -> str:
    """page with its Markdown tables of three columns or more as cards (see above)."""
    if "<table>" not in page:
        return page
    return _TABLE.sub(_labelled, page)


def _text(cell: str) -> str:
    return html.unescape(_TAG.sub("", cell)).strip()


def _labelled(table: re.Match[str]) -> str:
    headings = [html.escape(_text(cell), quote=True) for cell in _HEADING.findall(table[2])]
    if len(headings) < 3:
        return table[0]
    body = table[1]
    rows = [_CELL.findall(row) for row in _ROW.findall(body[body.index("<tbody>") :])]
    labelled = [
        i >= 2 and any(len(_text(cells[i][1])) > SHORT for cells in rows if i < len(cells))
        for i in range(len(headings))
    ]

    def row(match: re.Match[str]) -> str:
        column = iter(range(len(headings)))

        def cell(found: re.Match[str]) -> str:
            i = next(column, len(headings))
            if i >= len(headings) or i < 2:
                return found[0]
            if not labelled[i]:  # NOTE: kept on one line in the table too (not 必/填)
                return f'<td{found[1]} class="{SHORT_CELL}">{found[2]}</td>'
            return f'<td{found[1]} data-label="{headings[i]}">{found[2]}</td>'

        return _CELL.sub(cell, match[0])

    return f'<div class="{WRAPPER}"><table>' + _ROW.sub(row, body) + "</div>"
