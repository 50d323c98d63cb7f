"""``--init DIR``: the executable ``*.sh`` and ``*.py`` files of DIR, run in name order once
the emulator accepts connections, to seed it (buckets, fixtures, scenario rules).

Each hook gets ``QINIU_EMULATOR_URL`` (which our client and the contract suite read) and the
first account as ``QINIU_ACCESS_KEY``/``QINIU_SECRET_KEY``. A ``.py`` hook runs with the
emulator's own interpreter, so ``import qiniu_fop`` works in it. Until the last hook has
ended, ``/_emulator/health`` answers 503 ``initializing``: whatever waits for the emulator
to be healthy also waits for its seed.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("qiniu_emulator.init")

SUFFIXES = (".sh", ".py")
OUTPUT_CHARS = 300


@dataclass(frozen=True)
class HookFailure:
    """One hook that did not exit 0, as one line."""

    name: str
    detail: str

    def line(self) -> str:
        return f"--init hook {self.name} failed: {self.detail}"


def hooks_in(directory: Path) -> list[Path]:
    """The hooks of ``directory`` in name order; a hook file that is not executable is an error."""
    if not directory.is_dir():
        raise ValueError(f"--init {directory}: not a directory")
    found = sorted(p for p in directory.iterdir() if p.suffix in SUFFIXES and p.is_file())
    idle = [p.name for p in found if not os.access(p, os.X_OK)]
    if idle:
        raise ValueError(f"--init {directory}: not executable: {', '.join(idle)} (chmod +x them)")
    return found


def hook_environment(url: str, account: tuple[str, str]) -> dict[str, str]:
    return {**os.environ, "QINIU_EMULATOR_URL": url, "QINIU_ACCESS_KEY": account[0],
            "QINIU_SECRET_KEY": account[1]}


def run_hooks(hooks: list[Path], env: dict[str, str], stop_at_failure: bool) -> list[HookFailure]:
    """Run each hook to its end; with ``stop_at_failure`` the first failure ends the run."""
    failures: list[HookFailure] = []
    for hook in hooks:
        failure = run_hook(hook, env)
        if failure is None:
            log.info("--init hook %s done", hook.name)
            continue
        log.error(failure.line())
        failures.append(failure)
        if stop_at_failure:
            break
    return failures


def run_hook(hook: Path, env: dict[str, str]) -> HookFailure | None:
    argv = [sys.executable, str(hook)] if hook.suffix == ".py" else [str(hook)]
    try:
        done = subprocess.run(argv, env=env, cwd=hook.parent, stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, errors="replace")
    except OSError as exc:  # a missing interpreter named by the #! line
        return HookFailure(hook.name, f"could not start: {exc.strerror or exc}")
    if done.returncode == 0:
        return None
    said = (done.stderr.strip() or done.stdout.strip()).splitlines()
    last = said[-1][:OUTPUT_CHARS] if said else "no output"
    return HookFailure(hook.name, f"exit status {done.returncode}: {last}")
