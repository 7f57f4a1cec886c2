"""A small safetensors reader and writer for torch tensors, with numpy and json only.

Stands in for the `safetensors` package where it is not installed (Debian's python3-torch has no such
package; where it is, `load` uses it); the format (huggingface/safetensors) is an 8-byte little-endian header length, a JSON header
{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {str: str}}, then the raw
little-endian bytes. Files written by Workbench (`model.Save`) load here, and files written here load in
Workbench and in the `safetensors` package.
"""
import json
import struct

import torch

# safetensors dtype name -> (torch dtype, numpy dtype name of the same bytes)
DTYPES = {
    "F64": (torch.float64, "float64"), "F32": (torch.float32, "float32"), "F16": (torch.float16, "float16"),
    "BF16": (torch.bfloat16, "int16"), "I64": (torch.int64, "int64"), "I32": (torch.int32, "int32"),
    "I16": (torch.int16, "int16"), "I8": (torch.int8, "int8"), "U8": (torch.uint8, "uint8"), "BOOL": (torch.bool, "bool"),
}
NAMES = {t: name for name, (t, _) in DTYPES.items()}


def load(path):
    """{name: tensor} (CPU) and the metadata dict of the file at `path`."""
    try:
        from safetensors import safe_open
    except ImportError:
        return _load(path)
    with safe_open(path, framework="pt") as f:
        return {name: f.get_tensor(name) for name in f.keys()}, f.metadata() or {}


def _load(path):
    import numpy as np
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    metadata = header.pop("__metadata__", {}) or {}
    start = 8 + n
    tensors = {}
    for name, entry in header.items():
        if entry["dtype"] not in DTYPES:
            raise ValueError(f"{path}: tensor {name} has dtype {entry['dtype']}, which this reader does not know")
        dtype, np_dtype = DTYPES[entry["dtype"]]
        begin, end = entry["data_offsets"]
        array = np.frombuffer(data[start + begin:start + end], dtype=np.dtype(np_dtype).newbyteorder("<")).copy()
        t = torch.from_numpy(array)
        if dtype == torch.bfloat16:
            t = t.view(torch.bfloat16)
        tensors[name] = t.reshape(entry["shape"])
    return tensors, metadata


def save(path, tensors, metadata=None):
    """Writes {name: tensor} (any device; made contiguous) with string metadata."""
    import numpy as np
    header, chunks, offset = {}, [], 0
    for name, t in tensors.items():
        t = t.detach().to("cpu").contiguous()
        raw = (t.view(torch.int16) if t.dtype == torch.bfloat16 else t).numpy().astype(
            np.dtype(DTYPES[NAMES[t.dtype]][1]).newbyteorder("<"), copy=False).tobytes()
        header[name] = {"dtype": NAMES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)  # the data starts 8-byte aligned, as the safetensors package writes it
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for chunk in chunks:
            f.write(chunk)
