"""PyTorch (eager, CPU) peer for `tensile bench` (see common.py for the protocol): every suite,
the MLP with nn.Linear, F.cross_entropy and torch.optim.Adam. Threads: TENSILE_BENCH_THREADS
(tensile's thread count), set with torch.set_num_threads."""
import os
import sys

from common import blas_info, send, serve, tensor_case


def main():
    try:
        import torch
        import torch.nn.functional as F
    except Exception as e:
        send({"error": "cannot import torch: %s" % e})
        return
    threads = int(os.environ.get("TENSILE_BENCH_THREADS") or 0)
    if threads > 0:
        torch.set_num_threads(threads)
    torch.manual_seed(1234)
    gen = torch.Generator().manual_seed(1234)

    def randn(*shape):
        return torch.randn(*shape, generator=gen, dtype=torch.float32)

    ops = {
        "matmul": torch.matmul,
        "add": torch.add,
        "mul": torch.mul,
        "relu": torch.relu,
        "sum": lambda x, axis: torch.sum(x) if axis is None else torch.sum(x, dim=axis),
        "item": lambda r: r.item(),
    }

    def prepare(suite, spec, quick):
        gen.manual_seed(1234)  # every case starts from the same seed
        torch.manual_seed(1234)
        case = tensor_case(spec, randn, ops)
        if case is not None:
            return case
        if spec["kind"] == "mlp":
            sizes, batch = spec["sizes"], spec["batch"]
            layers = []
            for i in range(len(sizes) - 1):
                layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
                if i < len(sizes) - 2:
                    layers.append(torch.nn.ReLU())
            model = torch.nn.Sequential(*layers)
            opt = torch.optim.Adam(model.parameters(), lr=spec["lr"])
            x = randn(batch, sizes[0])
            y = torch.randint(0, sizes[-1], (batch,), generator=gen)

            def step():
                opt.zero_grad()
                loss = F.cross_entropy(model(x), y)
                loss.backward()
                opt.step()
                return loss.item()

            return step
        return "not applicable"

    header = {
        "peer": "torch",
        "version": torch.__version__,
        "python": sys.version.split()[0],
        "threads": torch.get_num_threads(),
        "blas": blas_info(),
    }
    serve(prepare, header)


if __name__ == "__main__":
    main()
