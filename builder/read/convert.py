"""Re-encode a GBK/GB18030 file (Excel's plain "CSV" on Chinese Windows) to UTF-8, losslessly."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from builder.errors import ConvertError


def convert_to_utf8(path: Path) -> bool:
    """Rewrite path as UTF-8 if it is GB18030; return False when it was UTF-8 already."""
    data = path.read_bytes()
    try:
        data.decode("utf-8-sig")
        return False
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ConvertError(
            f"{path}:{line}: 文件既不是 UTF-8 也不是 GBK/GB18030，无法自动转换。请用 Excel/WPS 另存为“CSV UTF-8”。",
            f"{path}:{line}: the file is neither UTF-8 nor GBK/GB18030; save it again as CSV UTF-8.",
        ) from None
    if text.encode("gb18030") != data:  # NOTE: proves the round trip loses nothing
        raise ConvertError(
            f"{path}: 转换会丢失内容，已停止。", f"{path}: converting would lose data; stopped."
        )
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".convert-")
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(text.encode("utf-8"))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True
