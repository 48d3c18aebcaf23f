"""Landlock through its three system calls (no extra dependency), for the sandboxed child.

The ruleset handles every filesystem right the kernel knows, so anything not granted below is
denied: the child may read the interpreter and its libraries, and nothing else; it may write
nowhere; with ABI >= 4 it may not bind or connect TCP; with ABI >= 6 it may not signal processes
outside its own domain nor reach abstract Unix sockets.
"""

from __future__ import annotations

import ctypes
import os
import platform as _stdlib_platform

# The three syscalls have the same numbers on every architecture that has them.
SYS_CREATE_RULESET, SYS_ADD_RULE, SYS_RESTRICT_SELF = 444, 445, 446
CREATE_RULESET_VERSION = 1
RULE_PATH_BENEATH = 1

FS_EXECUTE = 1 << 0
FS_WRITE_FILE = 1 << 1
FS_READ_FILE = 1 << 2
FS_READ_DIR = 1 << 3
FS_RIGHTS_BY_ABI = {1: (1 << 13) - 1, 2: (1 << 14) - 1, 3: (1 << 15) - 1, 5: (1 << 16) - 1}
NET_BIND_TCP = 1 << 0
NET_CONNECT_TCP = 1 << 1
SCOPE_ABSTRACT_UNIX_SOCKET = 1 << 0
SCOPE_SIGNAL = 1 << 1

_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long


class RulesetAttr(ctypes.Structure):
    _fields_ = [
        ("handled_access_fs", ctypes.c_uint64),
        ("handled_access_net", ctypes.c_uint64),
        ("scoped", ctypes.c_uint64),
    ]


class PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def abi_version() -> int:
    """0 when the kernel has no Landlock (or it is disabled)."""
    if _stdlib_platform.system() != "Linux":
        return 0
    version = _libc.syscall(SYS_CREATE_RULESET, None, ctypes.c_size_t(0), CREATE_RULESET_VERSION)
    return max(int(version), 0)


def fs_rights(abi: int) -> int:
    best = max(k for k in FS_RIGHTS_BY_ABI if k <= abi)
    return FS_RIGHTS_BY_ABI[best]


def restrict(read_only_dirs: list[str], abi: int) -> None:
    """Apply the ruleset to the calling process (needs no_new_privs or CAP_SYS_ADMIN)."""
    if abi < 1:
        raise OSError("Landlock is not available")
    attr = RulesetAttr(handled_access_fs=fs_rights(abi))
    size = 8
    if abi >= 4:
        attr.handled_access_net = NET_BIND_TCP | NET_CONNECT_TCP
        size = 16
    if abi >= 6:
        attr.scoped = SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL
        size = 24
    ruleset = _libc.syscall(SYS_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), 0)
    if ruleset < 0:
        raise OSError(ctypes.get_errno(), "landlock_create_ruleset failed")
    try:
        for path in read_only_dirs:
            try:
                fd = os.open(path, os.O_PATH | os.O_CLOEXEC | os.O_DIRECTORY)
            except OSError:
                continue
            try:
                rule = PathBeneathAttr(allowed_access=FS_READ_FILE | FS_READ_DIR, parent_fd=fd)
                if (
                    _libc.syscall(SYS_ADD_RULE, ruleset, RULE_PATH_BENEATH, ctypes.byref(rule), 0)
                    < 0
                ):
                    raise OSError(ctypes.get_errno(), f"landlock_add_rule failed for {path}")
            finally:
                os.close(fd)
        if _libc.syscall(SYS_RESTRICT_SELF, ruleset, 0) < 0:
            raise OSError(ctypes.get_errno(), "landlock_restrict_self failed")
    finally:
        os.close(ruleset)
