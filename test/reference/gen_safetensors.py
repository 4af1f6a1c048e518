#!/usr/bin/python3
"""PyTorch-written safetensors files for tensile's io tests (test/training.test.ts).

Run from the repository root with Debian's numpy/torch build (no safetensors package: the
format is written by hand below, as huggingface/safetensors specifies it):

    /usr/bin/python3 test/reference/gen_safetensors.py

Writes
  test/fixtures/torch_mlp.safetensors   Sequential(Linear(4,16), BatchNorm1d(16), ReLU, Linear(16,3)),
                                        trained a few steps so the running statistics are not trivial
                                        (num_batches_tracked is int64, as PyTorch keeps it)
  test/fixtures/torch_lstm.safetensors  a module with children emb (Embedding 50x8, padding_idx 0),
                                        lstm (2 layers, hidden 12, batch_first), fc (Linear 12->1)
  test/fixtures/dtypes.safetensors      one small tensor per dtype (F64 F32 F16 BF16 I64 I32 I16 I8 U8 BOOL)
  test/fixtures/safetensors.json        inputs and PyTorch's float32 outputs (eval mode), and the
                                        dtype file's values
Deterministic: fixed seeds, torch on one thread.
"""

import json
import os
import platform
import struct

import numpy as np
import torch

torch.set_num_threads(1)
torch.manual_seed(20240721)
rng = np.random.default_rng(20240721)
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIX = os.path.join(ROOT, "test", "fixtures")

DTYPES = {
    torch.float64: "F64", torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16",
    torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.int8: "I8", torch.uint8: "U8", torch.bool: "BOOL",
}


def tensor_bytes(t):
    t = t.detach().contiguous().cpu()
    if t.dtype == torch.bfloat16:
        # numpy has no bfloat16: the top 16 bits of the float32 pattern (exact for bf16 values).
        return (t.float().numpy().view(np.uint32) >> 16).astype("<u2").tobytes()
    return t.numpy().astype(t.numpy().dtype.newbyteorder("<")).tobytes()


def write_safetensors(path, tensors, metadata=None):
    """The safetensors layout: u64 LE header length, JSON header (space padded to 8), data."""
    header = {}
    if metadata:
        header["__metadata__"] = metadata
    blobs, offset = [], 0
    for name, t in tensors.items():
        b = tensor_bytes(t)
        header[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * ((8 - (8 + len(h)) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def enc(t):
    a = t.detach().numpy()
    if a.dtype.kind in "iub":
        return {"dtype": "int32", "shape": list(a.shape), "data": [int(v) for v in a.reshape(-1)]}
    return {"dtype": "float32", "shape": list(a.shape), "data": [float(v) for v in a.astype(np.float64).reshape(-1)]}


def mlp_case():
    model = torch.nn.Sequential(torch.nn.Linear(4, 16), torch.nn.BatchNorm1d(16), torch.nn.ReLU(), torch.nn.Linear(16, 3))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    xs = torch.from_numpy(rng.normal(size=(32, 4)).astype(np.float32))
    ys = torch.from_numpy(rng.integers(0, 3, size=32))
    for _ in range(5):
        opt.zero_grad()
        torch.nn.functional.cross_entropy(model(xs), ys).backward()
        opt.step()
    model.eval()
    sd = model.state_dict()
    assert sd["1.num_batches_tracked"].dtype == torch.int64
    write_safetensors(os.path.join(FIX, "torch_mlp.safetensors"), dict(sd), {"format": "pt"})
    x = torch.from_numpy(rng.normal(size=(5, 4)).astype(np.float32))
    with torch.no_grad():
        out = model(x)
    return {"file": "torch_mlp.safetensors", "keys": list(sd.keys()), "x": enc(x), "expected": enc(out)}


class TextNet(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = torch.nn.Embedding(50, 8, padding_idx=0)
        self.lstm = torch.nn.LSTM(8, 12, num_layers=2, batch_first=True)
        self.fc = torch.nn.Linear(12, 1)

    def forward(self, ids):
        _, (h, _) = self.lstm(self.emb(ids))
        return torch.sigmoid(self.fc(h[-1]))


def lstm_case():
    model = TextNet().eval()
    sd = model.state_dict()
    write_safetensors(os.path.join(FIX, "torch_lstm.safetensors"), dict(sd), {"format": "pt"})
    ids = torch.from_numpy(rng.integers(0, 50, size=(3, 7)))
    ids[0, :2] = 0  # some padding
    with torch.no_grad():
        out = model(ids)
    return {"file": "torch_lstm.safetensors", "keys": list(sd.keys()), "x": enc(ids), "expected": enc(out)}


def dtypes_case():
    base = torch.tensor([[0.5, -1.25, 3.0], [65504.0, -0.0, 1e-3]], dtype=torch.float64)
    tensors = {
        "f64": base, "f32": base.float(), "f16": base.half(), "bf16": base.bfloat16(),
        "i64": torch.tensor([-2147483648, 0, 2147483647], dtype=torch.int64),
        "i32": torch.tensor([-7, 0, 7], dtype=torch.int32), "i16": torch.tensor([-300, 300], dtype=torch.int16),
        "i8": torch.tensor([-128, 127], dtype=torch.int8), "u8": torch.tensor([0, 255], dtype=torch.uint8),
        "bool": torch.tensor([True, False, True]), "scalar": torch.tensor(2.5, dtype=torch.float32),
        "empty": torch.zeros((0, 3), dtype=torch.float32),
    }
    write_safetensors(os.path.join(FIX, "dtypes.safetensors"), tensors, {"format": "pt", "note": "dtype coverage"})
    # What each becomes in tensile (F16/BF16 -> float32 of the rounded value; ints -> int32).
    def data(t):
        # Halves widen exactly to float64; every value is stored as the float it is.
        return [float(v) for v in t.double().reshape(-1).tolist()] if t.is_floating_point() else [int(v) for v in t.reshape(-1).tolist()]
    values = {k: {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data": data(t)} for k, t in tensors.items()}
    return {"file": "dtypes.safetensors", "values": values}


def main():
    doc = {
        "generator": "test/reference/gen_safetensors.py",
        "versions": {"python": platform.python_version(), "numpy": np.__version__, "torch": torch.__version__},
        "mlp": mlp_case(),
        "lstm": lstm_case(),
        "dtypes": dtypes_case(),
    }
    with open(os.path.join(FIX, "safetensors.json"), "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")
    print("wrote test/fixtures/{torch_mlp,torch_lstm,dtypes}.safetensors and safetensors.json")


if __name__ == "__main__":
    main()
