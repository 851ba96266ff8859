"""Working files: a file is written under a name of its own beside the target and takes
the target's name only when complete, so a stopped export or backup never leaves a file
that looks whole.

The working name is `.NAME.PID.SUFFIX` (`partial` for the whole file, `N.part` for the
parts of a large CSV). A process that is killed cannot clean up after itself; the next
writer to the same name removes the working files whose process is gone.
"""

import glob
import os
from pathlib import Path


def working(target: Path, suffix: str) -> Path:
    """A working file beside `target`, named for this process."""
    return target.with_name(f".{target.name}.{os.getpid()}.{suffix}")


def remove_abandoned(target: Path) -> None:
    """Remove the working files that writers of `target` left when their process was
    killed (those of a process still running are its own business)."""
    for path in target.parent.glob(f".{glob.escape(target.name)}.*.*part*"):
        pid = path.name[len(target.name) + 2 :].split(".", 1)[0]
        if pid.isdigit() and path.suffix in (".part", ".partial") and not _alive(int(pid)):
            path.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True
