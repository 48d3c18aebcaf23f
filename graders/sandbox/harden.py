"""What a freshly forked child does to itself before it touches a job.

Order matters: namespaces and setuid need root, so they come first; PDEATHSIG after setuid
(which clears it); no_new_privs before Landlock and seccomp; seccomp last, since it forbids the
very calls (unshare, setuid...) used above. See docs/architecture.md#hardening-the-child.
"""

from __future__ import annotations

import ctypes
import errno
import functools
import os
import resource
import signal
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from graders.sandbox import landlock

PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
PR_SET_NO_NEW_PRIVS = 38
CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWNET = 0x40000000
UID_BASE = 200_000  # far above any real account; one uid per live child (see Policy.uid)

_libc = ctypes.CDLL(None, use_errno=True)

# Calls a numerical function never needs and an attacker always wants. Denied with EPERM (the
# student sees a Python error) rather than a kill, so the child can still report what happened.
DENIED_SYSCALLS = (
    # new processes and threads, other programs
    "fork", "vfork", "clone", "clone3", "execve", "execveat",
    # network
    "socket", "socketpair", "connect", "bind", "listen", "accept", "accept4",
    # other processes' memory and privileges
    "ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_open", "pidfd_getfd",
    "pidfd_send_signal", "setuid", "setgid", "setreuid", "setregid", "setresuid", "setresgid",
    "setgroups", "setfsuid", "setfsgid", "capset",
    # the system
    "mount", "umount2", "pivot_root", "chroot", "unshare", "setns", "bpf", "io_uring_setup",
    "io_uring_enter", "io_uring_register", "keyctl", "add_key", "request_key", "userfaultfd",
    "perf_event_open", "kexec_load", "kexec_file_load", "init_module", "finit_module",
    "delete_module", "reboot", "swapon", "swapoff", "acct", "settimeofday", "clock_settime",
    "clock_adjtime", "adjtimex", "sethostname", "setdomainname", "syslog", "vhangup",
    "personality", "open_by_handle_at", "name_to_handle_at", "mknod", "mknodat", "ioperm",
    "iopl", "quotactl", "fanotify_init", "move_pages", "migrate_pages", "mbind",
    "lookup_dcookie", "memfd_create", "memfd_secret", "fsopen", "fsmount", "fspick",
    "open_tree", "move_mount", "mount_setattr",
    # files' metadata and names (Landlock does not cover them; matters without root)
    "chmod", "fchmod", "fchmodat", "fchmodat2", "chown", "fchown", "lchown", "fchownat",
    "utime", "utimes", "utimensat", "futimesat", "setxattr", "lsetxattr", "fsetxattr",
    "removexattr", "lremovexattr", "fremovexattr", "link", "linkat", "symlink", "symlinkat",
    "rename", "renameat", "renameat2", "unlink", "unlinkat", "mkdir", "mkdirat", "rmdir",
    "truncate",
    # System V and POSIX IPC (no IPC namespace without root)
    "shmget", "shmat", "shmdt", "shmctl", "msgget", "msgsnd", "msgrcv", "msgctl", "semget",
    "semop", "semtimedop", "semctl", "mq_open", "mq_unlink", "mq_timedsend",
    "mq_timedreceive", "mq_notify", "mq_getsetattr",
    # other processes' priority and placement
    "setpriority", "ioprio_set", "process_madvise",
)  # fmt: skip
# Allowed on the calling process only (pid argument 0): e.g. setrlimit is prlimit64(0, ...).
SELF_ONLY_SYSCALLS = (
    "prlimit64", "sched_setaffinity", "sched_setscheduler", "sched_setparam", "sched_setattr",
)  # fmt: skip
# Signals may only go to the child itself (pid = its own pid).
SELF_SIGNAL_SYSCALLS = ("kill", "tkill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo")


@dataclass
class Policy:
    """Limits of one run, and the protections the zygote found on this kernel at start-up."""

    wall_seconds: float = 10.0
    cpu_seconds: float = 5.0
    memory_bytes: int = 512 << 20
    max_open_files: int = 64
    read_only_dirs: list[str] = field(default_factory=list)
    use_namespaces: bool = False
    use_setuid: bool = False
    landlock_abi: int = 0
    use_seccomp: bool = False
    hidden_dirs: list[str] = field(default_factory=list)


def _check(ret: int, what: str) -> None:
    if ret != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _vm_size_bytes() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8
MS_REC = 0x4000
MS_PRIVATE = 1 << 18


def _hide(paths: list[str]) -> None:
    """In the child's own mount namespace, cover secret folders with an empty read-only tmpfs.

    Defence in depth under Landlock, and the only barrier on kernels without it.
    """
    if not paths:
        return
    _check(_libc.mount(None, b"/", None, MS_REC | MS_PRIVATE, None), "make / private")
    flags = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC
    for path in paths:
        if os.path.isdir(path):
            _check(_libc.mount(b"none", path.encode(), b"tmpfs", flags, b"size=4k"), f"hide {path}")


def set_session_priority(nice: int, attempts: int = 1) -> bool:
    """Give this process's session the CPU priority `nice`; False if the kernel would not.

    With autogroup scheduling (on by default in most distributions' kernels), the CPU is shared
    first between sessions, then between the processes of each session by their nice values.
    A session leader's own `os.nice` therefore changes nothing against other sessions: the
    session's weight is set through /proc/self/autogroup. Without root the kernel accepts such a
    change at most every 100 ms machine-wide (EAGAIN): `attempts` > 1 waits and tries again.
    """
    if nice <= 0:
        return True
    for attempt in range(attempts):
        try:
            with open("/proc/self/autogroup", "w") as fh:
                fh.write(str(min(nice, 19)))
            return True
        except OSError as exc:  # no autogroup in this kernel, or refused: the process nice holds
            if exc.errno != errno.EAGAIN or attempt == attempts - 1:
                return False
            time.sleep(0.11)
    return False


def harden(policy: Policy, keep_fds: list[int], zygote_pid: int, uid: int) -> int:
    """Everything that does not depend on the job (a spare child does it before a job exists).

    Returns the address-space size before the job (it cannot be read once Landlock is on).
    Raise on any failure: the caller then exits without running anything.
    """
    vm_size = _vm_size_bytes()
    os.setsid()
    # A new session is a new scheduling group at full weight: without this, each run of student
    # code would weigh as much as the whole web server when the CPU is short.
    set_session_priority(os.getpriority(os.PRIO_PROCESS, 0))
    # The caller has moved what the child needs to fds 0..n; everything above is inherited noise
    # (the zygote's control pipes among them) and must not reach student code.
    os.closerange(max(keep_fds) + 1, 1 << 16)
    if policy.use_namespaces:
        flags = CLONE_NEWNET | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS
        _check(_libc.unshare(flags), "unshare")
        _hide(policy.hidden_dirs)

    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_NOFILE, (policy.max_open_files, policy.max_open_files))
    resource.setrlimit(resource.RLIMIT_MEMLOCK, (0, 0))
    resource.setrlimit(resource.RLIMIT_MSGQUEUE, (0, 0))

    if policy.use_setuid:
        # A uid no other live process has (see Zygote.next_uid): signals and /proc of every
        # other process are out of reach, and kill(-1) reaches only itself.
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)
        # NPROC counts this uid's processes: it has exactly one, this one.
        resource.setrlimit(resource.RLIMIT_NPROC, (1, 1))

    elif os.geteuid() == 0:
        # Root without namespaces (a container without CAP_SYS_ADMIN): keep the uid, but no
        # capability, so the limits below cannot be raised again and no file's mode bypassed.
        drop_capabilities()

    _check(_libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "PR_SET_PDEATHSIG")
    if os.getppid() != zygote_pid:  # the zygote died before PDEATHSIG was armed
        os._exit(70)
    _check(_libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0), "PR_SET_DUMPABLE")
    _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "PR_SET_NO_NEW_PRIVS")

    if policy.landlock_abi >= 1:
        landlock.restrict(policy.read_only_dirs, policy.landlock_abi)
    if policy.use_seccomp:
        install_seccomp(os.getpid())
    return vm_size


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [
        ("effective", ctypes.c_uint32),
        ("permitted", ctypes.c_uint32),
        ("inheritable", ctypes.c_uint32),
    ]


PR_CAPBSET_DROP = 24
CAP_LAST = 63
LINUX_CAPABILITY_VERSION_3 = 0x20080522


def drop_capabilities() -> None:
    """Empty the bounding, effective, permitted and inheritable capability sets."""
    for cap in range(CAP_LAST + 1):
        _libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)  # EINVAL past the kernel's last cap: fine
    header = _CapHeader(LINUX_CAPABILITY_VERSION_3, 0)
    data = (_CapData * 2)()
    _check(_libc.capset(ctypes.byref(header), data), "capset")


def probe(action: Callable[[], object]) -> bool:
    """Whether `action` succeeds in a throwaway child (e.g. unshare: root is not always enough,
    a container may lack CAP_SYS_ADMIN)."""
    pid = os.fork()
    if pid == 0:
        try:
            action()
        except BaseException:
            os._exit(1)
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    return os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0


def can_unshare() -> bool:
    flags = CLONE_NEWNET | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS
    return probe(lambda: _check(_libc.unshare(flags), "unshare"))


def can_setuid() -> bool:
    return probe(lambda: os.setresuid(UID_BASE, UID_BASE, UID_BASE))


def apply_limits(cpu_seconds: float, address_space: int) -> None:
    """The job's own limits, set once the job is known (limits can only ever be lowered)."""
    cpu = max(1, int(cpu_seconds + 0.999))
    # The soft CPU limit sends SIGXCPU; the hard one, a second later, SIGKILL even if it is ignored.
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))


# The filter depends on the child's own pid (signals only to itself), so it is compiled once,
# in the zygote, for this placeholder, and each child writes its pid into the compiled program
# (microseconds) instead of compiling the whole filter again with libseccomp (~2.5 ms of CPU
# per run). No real pid reaches it: the kernel's PID_MAX_LIMIT is 2**22.
_PLACEHOLDER_PID = 0x3FFF_FFFE
_BPF_CLASS_JMP = 0x05
_INSTRUCTION = struct.Struct("=HBBI")  # struct sock_filter: code, jt, jf, k
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2


def _build_filter(own_pid: int) -> Any:
    import pyseccomp as sc

    filt = sc.SyscallFilter(defaction=sc.ALLOW)
    for name in DENIED_SYSCALLS:
        try:
            filt.add_rule(sc.ERRNO(errno.EPERM), name)
        except (RuntimeError, ValueError, OSError):
            continue  # a call this architecture does not have
    for name in SELF_SIGNAL_SYSCALLS:
        filt.add_rule(sc.ERRNO(errno.EPERM), name, sc.Arg(0, sc.NE, own_pid))
    for name in SELF_ONLY_SYSCALLS:
        filt.add_rule(sc.ERRNO(errno.EPERM), name, sc.Arg(0, sc.NE, 0))
    # Architecture check: a syscall made through another ABI (e.g. int 0x80) is killed.
    filt.set_attr(sc.Attr.ACT_BADARCH, sc.KILL_PROCESS)
    return filt


@functools.cache
def seccomp_program() -> tuple[bytes, tuple[int, ...]] | None:
    """The compiled filter (BPF) for the placeholder pid, and the offsets of the instructions
    holding it; None if it cannot be patched safely (then each child compiles its own).

    Called by the zygote before it forks, so that every child inherits the result.
    """
    read_end, write_end = os.pipe()
    try:
        with os.fdopen(write_end, "wb", closefd=True) as sink:
            _build_filter(_PLACEHOLDER_PID).export_bpf(sink)
        with os.fdopen(read_end, "rb", closefd=True) as source:
            program = source.read()
    except Exception:
        return None
    if not program or len(program) % _INSTRUCTION.size:
        return None
    uses = [
        (index * _INSTRUCTION.size, code & 0x07)
        for index, (code, _, _, k) in enumerate(_INSTRUCTION.iter_unpack(program))
        if k == _PLACEHOLDER_PID
    ]
    # The placeholder must appear, and only as a jump's constant (libseccomp shares one pid
    # comparison among the signal calls): anything else and the program is not patched.
    if not uses or any(kind != _BPF_CLASS_JMP for _, kind in uses):
        return None
    return program, tuple(offset for offset, _ in uses)


def load_seccomp(compiled: tuple[bytes, tuple[int, ...]], own_pid: int) -> None:
    """Load the compiled filter with the placeholder replaced by this process's pid."""
    program, offsets = compiled
    patched = bytearray(program)
    for offset in offsets:
        code, jt, jf, _ = _INSTRUCTION.unpack_from(patched, offset)
        _INSTRUCTION.pack_into(patched, offset, code, jt, jf, own_pid)
    count = len(patched) // _INSTRUCTION.size
    buffer = (ctypes.c_ubyte * len(patched)).from_buffer(patched)
    fprog = _SockFprog(count, ctypes.cast(buffer, ctypes.c_void_p))
    _check(
        _libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0),
        "PR_SET_SECCOMP",
    )


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def install_seccomp(own_pid: int) -> None:
    compiled = seccomp_program()
    if compiled is not None:
        load_seccomp(compiled, own_pid)
    else:
        _build_filter(own_pid).load()
