#!/usr/bin/env python3
"""Compare sessionpack's start-up on several typer versions (throwaway venvs).

    .venv/bin/python bench/typer_versions.py                 # 0.29.2 0.24.2
    .venv/bin/python bench/typer_versions.py 0.26.8 0.27.3 --repeat 15

The project pins typer 0.28 (pyproject.toml): 0.29 is the version it
avoids (pydantic on every run), 0.24 the last with upstream click.

Each version gets a venv under /tmp (``/tmp/sessionpack-typer-VERSION``,
made once with ``python3 -m venv`` and ``pip install typer==VERSION`` plus
the project's other dependencies; the project venv is never touched). The
same sessionpack source (this checkout, on PYTHONPATH) then runs in each,
with the project venv as the reference. Runs of all variants alternate so
that other load falls on them alike; medians are printed. Needs the scale-1
data (``bench/generate.py --scale 1``).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import generate  # noqa: E402
import run as bench  # noqa: E402

DEPENDENCIES = ["rich>=13", "tomli-w>=1.0", "python-dateutil>=2.8", "platformdirs>=4"]


def venv_python(version: str) -> str:
    root = f"/tmp/sessionpack-typer-{version}"
    python = os.path.join(root, "bin", "python")
    if not os.path.exists(python):
        print(f"making {root} ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", root], check=True)
        done = subprocess.run([python, "-m", "pip", "install", "-q", f"typer=={version}", *DEPENDENCIES],
                              capture_output=True, text=True)
        if done.returncode != 0:
            sys.stderr.write(done.stdout + done.stderr)
            raise SystemExit(f"could not install typer {version} into {root}")
    return python


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("versions", nargs="*", default=["0.29.2", "0.24.2"])
    parser.add_argument("--repeat", type=int, default=11)
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args(argv)
    data = bench.dataset(args.scale)
    client = generate.sample_clients(args.scale, generate.HEAVY, 1)[0]
    pythons = {"project venv": sys.executable}
    for version in args.versions:
        pythons[f"typer {version}"] = venv_python(version)
    env = dict(bench.ENV, PYTHONPATH=bench.ROOT)  # this checkout, whatever is installed
    cases = {
        "python -c pass": ["-c", "pass"],
        "import sessionpack.cli.app": ["-c", "import sessionpack.cli.app"],
        "--help": ["-m", "sessionpack", "--help"],
        "balance CLIENT": ["-m", "sessionpack", "--data-dir", data, "--now", bench.NOW, "balance", client],
        "balance CLIENT --format json": ["-m", "sessionpack", "--data-dir", data, "--now", bench.NOW, "balance", client, "--format", "json"],
    }
    makers = {(name, case): (lambda r, p=python, a=argv_: [p, *a]) for name, python in pythons.items() for case, argv_ in cases.items()}
    results = bench.measure_interleaved(makers, args.repeat, env=env, b0=False)
    versions = {}
    for name, python in pythons.items():
        versions[name] = subprocess.run([python, "-c", "import importlib.metadata as m; print(m.version('typer'))"],
                                        capture_output=True, text=True, env=env).stdout.strip()
    width = max(len(c) for c in cases)
    print(f"medians of {args.repeat} alternating runs, wall ms (peak MiB); load average {os.getloadavg()[0]:.2f}")
    print(f"{'':{width}}  " + "  ".join(f"{n + ' (' + versions[n] + ')':>26}" for n in pythons))
    for case in cases:
        cells = []
        for name in pythons:
            m = results[(name, case)]
            cells.append(f"{m['median'] * 1000:14.1f} ms ({m['rss'] / bench.MIB:3.0f} MiB)")
        print(f"{case:{width}}  " + "  ".join(f"{c:>26}" for c in cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
