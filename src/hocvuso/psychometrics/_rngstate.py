"""Random-generator states as JSON: a restored test draws what the original would."""

from __future__ import annotations

import numpy as np

_BIT_GENERATORS = ("PCG64", "PCG64DXSM", "Philox", "SFC64", "MT19937")


def _encode_state(value: object) -> object:
    """Encode a bit-generator state for JSON (ints as ``"int:<decimal>"``)."""
    if isinstance(value, dict):
        return {str(k): _encode_state(v) for k, v in value.items()}
    if isinstance(value, bool):
        return value
    if isinstance(value, int | np.integer):
        return f"int:{int(value)}"
    if isinstance(value, np.ndarray):
        return {
            "__ndarray__": str(value.dtype),
            "data": [int(x) for x in value.ravel()],
        }
    if isinstance(value, str):
        return value
    raise TypeError(f"cannot serialise random state component {type(value).__name__}")


def _decode_state(value: object) -> object:
    if isinstance(value, dict):
        if "__ndarray__" in value:
            return np.asarray(value["data"], dtype=np.dtype(str(value["__ndarray__"])))
        return {k: _decode_state(v) for k, v in value.items()}
    if isinstance(value, str) and value.startswith("int:"):
        return int(value[4:])
    return value


def _decode_generator(encoded: object) -> np.random.Generator:
    state = _decode_state(encoded)
    if not isinstance(state, dict):
        raise ValueError("rng state must be an object")
    name = state.get("bit_generator")
    if name not in _BIT_GENERATORS:
        raise ValueError(f"unsupported bit generator {name!r}")
    bit_gen = getattr(np.random, str(name))()
    bit_gen.state = state
    return np.random.Generator(bit_gen)
