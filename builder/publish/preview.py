"""The clerk's preview when the records have errors: one page listing them, in Chinese, instead
of an aborted `sunlight serve`. The page reloads by itself once the files are fixed (MkDocs'
live reload rebuilds on every save), and shows the whole site again.

Every message is escaped text: a record's value never becomes HTML, a link or a script.
"""

from __future__ import annotations

import html

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files

from builder.format.problems import Problem, Severity, format_problem


def problems_markdown(problems: list[Problem]) -> str:
    """The page: what is wrong, where, and how to fix it, one item per problem."""
    errors = [p for p in problems if p.severity is Severity.ERROR]
    items = []
    for problem in problems:
        zh, _, en = format_problem(problem).partition("\n")
        place, _, message = zh.partition(": ")
        items.append(
            f"<li><p><code>{html.escape(place)}</code></p><p>{html.escape(message)}</p>"
            f'<p lang="en"><small>{html.escape(en.strip())}</small></p></li>'
        )
    return (
        "---\ntitle: 记录有错误\nsearch:\n  exclude: true\n---\n\n"
        "# 记录有错误，网站暂未更新\n\n"
        f"检查发现 **{len(errors)}** 个错误。请按下面的提示修改文件（或在表格中改正后重新运行"
        " `sunlight import`），保存后本页会自动刷新；全部改好后这里会显示网站。\n\n"
        '<ol class="sunlight-problems">\n' + "\n".join(items) + "\n</ol>\n"
    )


def problem_files(files: Files, config: MkDocsConfig, problems: list[Problem]) -> Files:
    """The site's files with every page replaced by the one page of problems."""
    kept = [f for f in files if not f.is_documentation_page()]
    out = Files(kept)
    out.append(File.generated(config, "index.md", content=problems_markdown(problems)))
    return out
