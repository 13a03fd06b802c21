"""The hand-written pages' tables, labelled to be cards on a phone (publish/cards.py)."""

from __future__ import annotations

import markdown

from builder.publish.cards import labelled_tables

FIELDS = """\
键名 | 中文 | 必填 | 填写方式 | 说明
---|---|---|---|---
`name` | 村名 | 必填 | 文字 |
`code` | 区划代码 | 必填 | 12 位统计用区划代码，例如 371322101201 | 见 "下文" & 附表
"""


def _html(text: str) -> str:
    return markdown.markdown(text, extensions=["tables"])


def test_each_longer_cell_carries_its_column_s_heading() -> None:
    page = labelled_tables(_html(FIELDS))
    assert page.startswith('<div class="sl-md"><table>\n<thead>') and page.endswith(
        "</table></div>"
    )
    assert "<td><code>name</code></td>\n<td>村名</td>\n" in page  # the card's title
    assert '<td class="sl-short">必填</td>' in page  # a column of short cells: no heading
    assert '<td data-label="填写方式">文字</td>' in page  # a column with a long cell: all
    assert '<td data-label="说明">见 "下文" &amp; 附表</td>' in page
    assert page.count("<td") == 10 and "<th>键名</th>" in page


def test_a_heading_is_escaped_for_its_attribute() -> None:
    page = labelled_tables(
        _html('a | b | 说"明"<i>x</i> &amp;\n---|---|---\n1 | 2 | 一段很长的说明文字\n')
    )
    assert '<td data-label="说&quot;明&quot;x &amp;">一段很长的说明文字</td>' in page


def test_other_tables_are_left_as_they_are() -> None:
    two = _html("a | b\n---|---\n1 | 一段很长的说明文字\n")
    assert labelled_tables(two) == two
    record = '<table class="sl-table"><thead><tr><th>a</th></tr></thead></table>'
    assert labelled_tables(record) == record
    assert labelled_tables("<p>no table</p>") == "<p>no table</p>"
