"""The data that crosses the sandbox boundary: frames of a JSON header plus raw array bytes.

    frame := uint32 big-endian header length | header (UTF-8 JSON) | buffer 0 | buffer 1 | ...

The header lists the byte length of each buffer under "buffers". Values inside it are trees of
small JSON nodes; arrays point at a buffer. Nothing is ever pickled: the trusted side rebuilds
arrays with `np.frombuffer` from an allowlisted dtype after checking that the shape matches the
byte count, and caps every size. The child writes frames; anything it claims is only data.
"""

from __future__ import annotations

import json
import math
import os
import struct
from dataclasses import dataclass
from typing import Any

import numpy as np

HEADER_LEN = struct.Struct(">I")
MAX_HEADER_BYTES = 256 << 10  # one frame's header (its case's prints included)
MAX_HEADERS_TOTAL = 4 << 20  # all headers of one run: JSON parsing is what a flood costs
MAX_NODES = 20_000
MAX_DEPTH = 12
MAX_SEQUENCE = 256
MAX_STRING = 20_000
# Little-endian dtypes only; no objects, strings, structured or complex data.
ALLOWED_DTYPES = {
    "bool": np.dtype("bool"),
    "int8": np.dtype("<i1"),
    "int16": np.dtype("<i2"),
    "int32": np.dtype("<i4"),
    "int64": np.dtype("<i8"),
    "uint8": np.dtype("<u1"),
    "uint16": np.dtype("<u2"),
    "uint32": np.dtype("<u4"),
    "uint64": np.dtype("<u8"),
    "float16": np.dtype("<f2"),
    "float32": np.dtype("<f4"),
    "float64": np.dtype("<f8"),
}


class ProtocolError(Exception):
    """Malformed or oversized data: from a child, that is the child's (the student's) fault."""


@dataclass(frozen=True)
class Arr:
    """An array as received: `kind` is "ndarray" or "tensor"; `subclass` names an ndarray subclass."""

    array: np.ndarray
    kind: str = "ndarray"
    subclass: str | None = None
    requires_grad: bool = False


@dataclass(frozen=True)
class Scalar:
    value: float | int | bool
    kind: str  # "float", "int", "bool", or a numpy scalar type such as "float64"


@dataclass(frozen=True)
class Other:
    """A value of a type that cannot cross (a str, a dict, an object array...)."""

    type_name: str


# -- encoding (both sides) --------------------------------------------------------------------


def encode_value(value: Any, buffers: list[bytes], depth: int = 0) -> dict[str, Any]:
    if depth > MAX_DEPTH:
        return {"t": "other", "type": "deeply nested value"}
    if isinstance(value, Arr):
        node = _encode_array(value.array, buffers)
        node["kind"] = value.kind
        return node
    if isinstance(value, Scalar):  # re-encoding a decoded value (reference inputs -> student)
        if value.kind in ("float", "int", "bool"):
            return {"t": value.kind, "v": value.value}
        return {"t": "npscalar", "dtype": value.kind, "v": value.value}
    if isinstance(value, np.ndarray):
        node = _encode_array(value, buffers)
        if type(value) is not np.ndarray:
            node["subclass"] = type(value).__name__
        return node
    tensor = _as_tensor_array(value)
    if tensor is not None:
        node = _encode_array(tensor, buffers)
        node["kind"] = "tensor"
        node["requires_grad"] = bool(getattr(value, "requires_grad", False))
        return node
    if isinstance(value, bool):
        return {"t": "bool", "v": value}
    if isinstance(value, int):
        return (
            {"t": "int", "v": value} if abs(value) < 2**63 else {"t": "other", "type": "huge int"}
        )
    if isinstance(value, float):
        return {"t": "float", "v": value}
    if isinstance(value, str):  # math answers and expressions; capped like everything else
        if len(value) > MAX_STRING:
            return {"t": "other", "type": f"str of {len(value)} characters"}
        return {"t": "str", "v": value}
    if isinstance(value, np.generic):
        if isinstance(value, np.bool_):
            return {"t": "npscalar", "dtype": "bool", "v": bool(value)}
        if isinstance(value, np.integer):
            return {"t": "npscalar", "dtype": value.dtype.name, "v": int(value)}
        if isinstance(value, np.floating):
            return {"t": "npscalar", "dtype": value.dtype.name, "v": float(value)}
        return {"t": "other", "type": f"numpy.{type(value).__name__}"}
    if value is None:
        return {"t": "none"}
    if isinstance(value, tuple | list):
        kind = "tuple" if isinstance(value, tuple) else "list"
        if len(value) > MAX_SEQUENCE:
            return {"t": "other", "type": f"{kind} of {len(value)} items"}
        return {"t": kind, "v": [encode_value(v, buffers, depth + 1) for v in value]}
    return {"t": "other", "type": type(value).__name__}


def _encode_array(array: np.ndarray, buffers: list[bytes]) -> dict[str, Any]:
    name = array.dtype.name
    if name not in ALLOWED_DTYPES or array.dtype.hasobject:
        return {"t": "other", "type": f"array of dtype {array.dtype}"}
    plain = np.ascontiguousarray(np.asarray(array), dtype=ALLOWED_DTYPES[name])
    buffers.append(plain.tobytes())
    return {"t": "nd", "dtype": name, "shape": list(plain.shape), "b": len(buffers) - 1}


def _as_tensor_array(value: Any) -> np.ndarray | None:
    """torch.Tensor -> ndarray, without importing torch where it is not already loaded."""
    torch = __import__("sys").modules.get("torch")
    if torch is None or not isinstance(value, torch.Tensor):
        return None
    return value.detach().cpu().contiguous().numpy()


def encode_frame(header: dict[str, Any], buffers: list[bytes] | None = None) -> bytes:
    buffers = buffers or []
    header = dict(header, buffers=[len(b) for b in buffers])
    raw = json.dumps(header, separators=(",", ":")).encode()
    return b"".join([HEADER_LEN.pack(len(raw)), raw, *buffers])


# -- decoding (strict: used on data from the child) -----------------------------------------


def split_frames(
    data: bytes, max_total: int, max_frames: int = 100_000
) -> list[tuple[dict[str, Any], list[bytes]]]:
    """Cut a byte string into frames; raise ProtocolError on anything malformed or too large."""
    if len(data) > max_total:
        raise ProtocolError(f"results of {len(data)} bytes exceed the cap of {max_total} bytes")
    frames: list[tuple[dict[str, Any], list[bytes]]] = []
    pos = 0
    headers_total = 0
    while pos < len(data):
        if len(frames) >= max_frames:
            raise ProtocolError(f"more than {max_frames} result frames")
        if pos + HEADER_LEN.size > len(data):
            raise ProtocolError("truncated frame length")
        (hlen,) = HEADER_LEN.unpack_from(data, pos)
        pos += HEADER_LEN.size
        if hlen > MAX_HEADER_BYTES or pos + hlen > len(data):
            raise ProtocolError(f"bad header length {hlen}")
        headers_total += hlen
        if headers_total > MAX_HEADERS_TOTAL:
            raise ProtocolError(f"result headers exceed {MAX_HEADERS_TOTAL} bytes")
        try:
            header = json.loads(data[pos : pos + hlen].decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
            raise ProtocolError(f"header is not JSON: {exc}") from None
        pos += hlen
        if not isinstance(header, dict):
            raise ProtocolError("header is not an object")
        sizes = header.get("buffers", [])
        if not isinstance(sizes, list) or not all(
            isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in sizes
        ):
            raise ProtocolError("bad buffer list")
        buffers = []
        for n in sizes:
            if pos + n > len(data):
                raise ProtocolError("buffer runs past the end of the data")
            buffers.append(data[pos : pos + n])
            pos += n
        frames.append((header, buffers))
    return frames


def decode_value(
    node: Any, buffers: list[bytes], budget: list[int] | None = None, depth: int = 0
) -> Any:
    """Rebuild a value tree; every array is a fresh, owned, allowlisted ndarray."""
    budget = budget if budget is not None else [MAX_NODES]
    budget[0] -= 1
    if budget[0] < 0 or depth > MAX_DEPTH:
        raise ProtocolError("value tree too large or too deep")
    if not isinstance(node, dict) or not isinstance(node.get("t"), str):
        raise ProtocolError("bad value node")
    t = node["t"]
    if t == "nd":
        return _decode_array(node, buffers)
    if t in ("tuple", "list"):
        items = node.get("v")
        if not isinstance(items, list) or len(items) > MAX_SEQUENCE:
            raise ProtocolError("bad sequence node")
        decoded = [decode_value(v, buffers, budget, depth + 1) for v in items]
        return tuple(decoded) if t == "tuple" else decoded
    if t == "none":
        return None
    if t == "str":
        v = node.get("v")
        if not isinstance(v, str) or len(v) > MAX_STRING:
            raise ProtocolError("bad string node")
        return v
    if t in ("bool", "int", "float", "npscalar"):
        return _decode_scalar(node)
    if t == "other":
        return Other(str(node.get("type", "unknown"))[:100])
    raise ProtocolError(f"unknown node type {t[:20]!r}")


def _decode_scalar(node: dict[str, Any]) -> Scalar:
    v = node.get("v")
    t = node["t"]
    kind = t if t != "npscalar" else str(node.get("dtype", ""))
    if t == "npscalar" and kind not in ALLOWED_DTYPES:
        raise ProtocolError("bad scalar dtype")
    if t == "bool" or kind == "bool":
        if not isinstance(v, bool):
            raise ProtocolError("bad bool")
        return Scalar(v, kind)
    if t == "int" or kind.startswith(("int", "uint")):
        if not isinstance(v, int) or isinstance(v, bool) or abs(v) >= 2**64:
            raise ProtocolError("bad int")
        return Scalar(v, kind)
    if not isinstance(v, int | float) or isinstance(v, bool):
        raise ProtocolError("bad float")
    return Scalar(float(v), kind)


def _decode_array(node: dict[str, Any], buffers: list[bytes]) -> Arr:
    dtype = ALLOWED_DTYPES.get(node.get("dtype"))  # type: ignore[arg-type]
    if dtype is None:
        raise ProtocolError(f"dtype {str(node.get('dtype'))[:20]!r} is not allowed")
    shape = node.get("shape")
    index = node.get("b")
    if (
        not isinstance(shape, list)
        or len(shape) > 32
        or not all(isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape)
    ):
        raise ProtocolError("bad shape")
    if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < len(buffers):
        raise ProtocolError("bad buffer index")
    raw = buffers[index]
    if math.prod(shape) * dtype.itemsize != len(raw):
        raise ProtocolError(
            f"shape {tuple(shape)} of {dtype.name} needs {math.prod(shape) * dtype.itemsize} bytes, "
            f"got {len(raw)}"
        )
    array = (
        np.frombuffer(raw, dtype=dtype).reshape(shape).astype(dtype.newbyteorder("="), copy=True)
    )
    kind = node.get("kind", "ndarray")
    subclass = node.get("subclass")
    return Arr(
        array=array,
        kind="tensor" if kind == "tensor" else "ndarray",
        subclass=str(subclass)[:60] if subclass is not None else None,
        requires_grad=bool(node.get("requires_grad", False)),
    )


# -- plumbing on file descriptors (trusted side <-> zygote) ----------------------------------


def read_exact(fd: int, n: int) -> bytes:
    chunks = []
    while n > 0:
        chunk = os.read(fd, min(n, 1 << 20))
        if not chunk:
            raise EOFError("peer closed the pipe")
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def read_frame(fd: int, max_bytes: int = 1 << 31) -> tuple[dict[str, Any], list[bytes]]:
    """Read one frame from a trusted peer (controller <-> zygote)."""
    (hlen,) = HEADER_LEN.unpack(read_exact(fd, HEADER_LEN.size))
    if hlen > MAX_HEADER_BYTES * 64:
        raise ProtocolError("header too large")
    header = json.loads(read_exact(fd, hlen))
    sizes = header.get("buffers", [])
    if sum(sizes) > max_bytes:
        raise ProtocolError("frame too large")
    return header, [read_exact(fd, n) for n in sizes]
