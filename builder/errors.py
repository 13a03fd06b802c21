"""The few exceptions for "cannot go on" (bad data is never one of them: it is a Problem)."""

from __future__ import annotations

import click


class BuilderError(click.ClickException):
    """A failure the user can fix, with a bilingual message; click prints it and exits 1."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(f"{zh}\n{en}")


class NoVillages(BuilderError):
    def __init__(self, path: str) -> None:
        super().__init__(
            f"找不到记录文件夹“{path}”。请在项目根目录运行，或用 --villages 指定。",
            f'No records folder "{path}". Run from the project root or pass --villages.',
        )


class ConvertError(BuilderError):
    pass
