"""Office document -> PDF through a headless LibreOffice (``soffice``).

LibreOffice is a system program, not a Python package: when it is missing the
conversion fails with a message that says how to install it. Each conversion runs with
its own throw-away profile directory, so conversions may run side by side and never
touch the user's LibreOffice settings, and it is killed (with everything it spawned)
when it outlives the op timeout.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..context import OpContext, OpFailed

#: Input types the real service lists for yifangyun_preview besides PDF.
OFFICE_EXTS = frozenset({
    "doc", "docx", "odt", "rtf", "wps",
    "ppt", "pptx", "odp", "dps",
    "xls", "xlsx", "ods", "csv", "et",
})

INSTALL_HINT = (
    "LibreOffice is not installed: apt-get install libreoffice-core libreoffice-writer "
    "libreoffice-calc libreoffice-impress (or your system's LibreOffice package), "
    "or put soffice on PATH"
)

_OUTPUT_TAIL = 600  # characters of LibreOffice's output quoted in an error
POLL_SECONDS = 0.2  # how often a running conversion checks its deadline and stop flag


def find_office() -> str | None:
    """The LibreOffice launcher on PATH (``soffice`` or ``libreoffice``), if any."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert_to_pdf(src: Path, ext: str, ctx: OpContext) -> Path:
    """Convert the office document ``src`` of type ``ext`` to a new PDF in ``ctx.scratch``.

    Raises OpFailed when LibreOffice is missing, fails, or exceeds ``ctx.op_timeout``.
    """
    office = find_office()
    if office is None:
        raise OpFailed(INSTALL_HINT)
    work = Path(tempfile.mkdtemp(prefix="office-", dir=ctx.scratch))
    # LibreOffice picks its import filter from the file name, and names the output
    # after the input, so the document gets a neutral name with the right suffix.
    document = work / f"document.{ext}"
    shutil.copyfile(src, document)
    outdir = work / "pdf"
    command = [
        office,
        f"-env:UserInstallation={(work / 'lo-profile').as_uri()}",
        "--headless", "--invisible", "--nologo", "--norestore", "--nolockcheck",
        "--convert-to", "pdf", "--outdir", str(outdir), str(document),
    ]
    ctx.log("yifangyun_preview: " + " ".join(command))
    try:
        output = _run(command, work, ctx)
        pdf = outdir / "document.pdf"
        if not pdf.is_file() or pdf.stat().st_size == 0:
            raise OpFailed(f"LibreOffice could not convert the .{ext} document to PDF: "
                           f"{_tail(output) or 'no output produced'}")
        out = ctx.output_path(".pdf")
        shutil.move(pdf, out)
        return out
    finally:
        # the profile alone is several megabytes; only the PDF is worth keeping
        shutil.rmtree(work, ignore_errors=True)


def _run(command: list[str], home: Path, ctx: OpContext) -> str:
    """Run LibreOffice; return its combined output. Kills its whole process group (soffice
    forks soffice.bin) on timeout or when the run is stopped."""
    env = {**os.environ, "HOME": str(home)}
    children = ctx.control.children
    try:
        proc = children.spawn(command, nice=ctx.control.nice, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
    except OSError as exc:
        raise OpFailed(f"cannot start LibreOffice ({command[0]}): {exc}") from exc
    try:
        out = _communicate(proc, ctx)
    finally:
        if proc.poll() is None:
            children.kill(proc)
        children.release(proc)
    if out is None:
        raise OpFailed(f"LibreOffice did not finish the conversion within {ctx.op_timeout:g} s")
    text = out.decode("utf-8", "replace")
    if proc.returncode != 0:
        raise OpFailed(f"LibreOffice exited with status {proc.returncode}: {_tail(text)}")
    return text


def _communicate(proc: subprocess.Popen[bytes], ctx: OpContext) -> bytes | None:
    """The child's output once it exits; None at the op's deadline. Raises Cancelled when stopped."""
    while True:
        try:
            out, _ = proc.communicate(timeout=POLL_SECONDS)
            return out
        except subprocess.TimeoutExpired:
            try:
                ctx.check()
            except OpFailed:
                return None


def _tail(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _OUTPUT_TAIL else "..." + text[-_OUTPUT_TAIL:]
