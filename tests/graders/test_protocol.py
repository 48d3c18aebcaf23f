"""The sandbox boundary's data format: everything malformed or oversized is refused."""

from __future__ import annotations

import json
import struct

import numpy as np
import pytest

from graders import protocol
from graders.protocol import Arr, Other, ProtocolError, Scalar


def frame(header: dict, buffers: list[bytes]) -> bytes:
    return protocol.encode_frame(header, buffers)


def roundtrip(value):
    buffers: list[bytes] = []
    node = protocol.encode_value(value, buffers)
    ((header, bufs),) = protocol.split_frames(frame({"v": node}, buffers), max_total=1 << 30)
    return protocol.decode_value(header["v"], bufs)


def test_arrays_scalars_and_tuples_roundtrip():
    x = np.arange(12, dtype=np.float64).reshape(3, 4)
    got = roundtrip((x, 1.5, 3, None, np.float32(2.0), [True]))
    assert isinstance(got, tuple)
    assert isinstance(got[0], Arr) and got[0].array.dtype == np.float64
    np.testing.assert_array_equal(got[0].array, x)
    assert got[1] == Scalar(1.5, "float") and got[2] == Scalar(3, "int") and got[3] is None
    assert got[4] == Scalar(2.0, "float32")
    assert got[5] == [Scalar(True, "bool")]


def test_decoded_array_is_owned_and_writable():
    got = roundtrip(np.ones(3))
    got.array[0] = 5  # a view on the received bytes would be read-only
    assert got.array.flags.owndata or got.array.base is None or got.array.flags.writeable


def test_object_and_string_dtypes_never_cross():
    assert roundtrip(np.array([object()], dtype=object)) == Other("array of dtype object")
    assert isinstance(roundtrip(np.array(["a"])), Other)
    assert isinstance(roundtrip({"a": 1}), Other)


def test_ndarray_subclass_is_flagged():
    got = roundtrip(np.ma.masked_array([1.0, 2.0]))
    assert isinstance(got, Arr) and got.subclass == "MaskedArray"


def test_disallowed_dtype_in_header_is_refused():
    raw = frame({"v": {"t": "nd", "dtype": "object", "shape": [1], "b": 0}}, [b"\0" * 8])
    ((header, bufs),) = protocol.split_frames(raw, 1 << 20)
    with pytest.raises(ProtocolError, match="not allowed"):
        protocol.decode_value(header["v"], bufs)


def test_shape_must_match_byte_count():
    raw = frame({"v": {"t": "nd", "dtype": "float64", "shape": [3], "b": 0}}, [b"\0" * 16])
    ((header, bufs),) = protocol.split_frames(raw, 1 << 20)
    with pytest.raises(ProtocolError, match="needs 24 bytes"):
        protocol.decode_value(header["v"], bufs)


@pytest.mark.parametrize(
    "node",
    [
        {"t": "nd", "dtype": "float64", "shape": [-1], "b": 0},
        {"t": "nd", "dtype": "float64", "shape": "3", "b": 0},
        {"t": "nd", "dtype": "float64", "shape": [1], "b": 7},
        {"t": "nd", "dtype": "float64", "shape": [True], "b": 0},
        {"t": "martian"},
        ["not", "a", "node"],
        {"t": "int", "v": "12"},
        {"t": "float", "v": None},
    ],
)
def test_malformed_nodes_are_refused(node):
    with pytest.raises(ProtocolError):
        protocol.decode_value(node, [b"\0" * 8])


def test_bad_header_length_and_truncation():
    with pytest.raises(ProtocolError, match="bad header length"):
        protocol.split_frames(struct.pack(">I", 1 << 30) + b"{}", 1 << 20)
    with pytest.raises(ProtocolError, match="truncated"):
        protocol.split_frames(b"\0\0", 1 << 20)
    raw = frame({"a": 1}, [b"x" * 10])
    with pytest.raises(ProtocolError, match="past the end"):
        protocol.split_frames(raw[:-3], 1 << 20)


def test_header_must_be_a_json_object():
    body = b"[1, 2]"
    with pytest.raises(ProtocolError, match="not an object"):
        protocol.split_frames(struct.pack(">I", len(body)) + body, 1 << 20)
    body = b"\xff\xfe"
    with pytest.raises(ProtocolError, match="not JSON"):
        protocol.split_frames(struct.pack(">I", len(body)) + body, 1 << 20)


def test_total_size_cap():
    raw = frame({"a": 1}, [b"x" * 1000])
    with pytest.raises(ProtocolError, match="exceed the cap"):
        protocol.split_frames(raw, max_total=100)


def test_tree_size_and_depth_caps():
    deep: dict = {"t": "none"}
    for _ in range(protocol.MAX_DEPTH + 2):
        deep = {"t": "tuple", "v": [deep]}
    with pytest.raises(ProtocolError, match="too large or too deep"):
        protocol.decode_value(deep, [])
    wide = {"t": "list", "v": [{"t": "list", "v": [{"t": "none"}] * 200}] * 200}
    with pytest.raises(ProtocolError):
        protocol.decode_value(wide, [])


def test_big_endian_and_json_bytes_are_explicit():
    node = protocol.encode_value(np.arange(3, dtype=">f8"), buffers := [])
    assert node["dtype"] == "float64"
    assert np.frombuffer(buffers[0], "<f8").tolist() == [0.0, 1.0, 2.0]
    assert json.loads(json.dumps(node)) == node
