#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Write the seed corpus of fuzz_pipeline from the packet tests.

Usage: /usr/bin/python3 tests/fuzz/make_pipeline_seeds.py

Every frame that tests/pkt/vectors.py and tests/pkt/malformed.py send
becomes one seed in tests/fuzz/corpus/fuzz_pipeline/, in fuzz_pipeline's
input format: a flags byte (bit 0: outside port), a segment-size byte (0),
then the frame. Re-run it when the packet cases change; the files are
committed, the fuzzer's own additions never are.
"""
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "pkt"))

import malformed  # noqa: E402
import vectors  # noqa: E402


def main():
    out = os.path.join(here, "corpus", "fuzz_pipeline")
    os.makedirs(out, exist_ok=True)
    for f in os.listdir(out):
        os.unlink(os.path.join(out, f))
    n = 0
    for prefix, mod in (("v", vectors), ("m", malformed)):
        for name, steps in mod.cases():
            for i, step in enumerate(steps):
                flags = 1 if step["port"] == "outside" else 0
                suffix = "" if len(steps) == 1 else "_%d" % i
                with open(os.path.join(out, "%s_%s%s" % (prefix, name, suffix)), "wb") as f:
                    f.write(bytes([flags, 0]) + bytes(step["send"]))
                n += 1
    print("%d seeds in %s" % (n, out))


if __name__ == "__main__":
    main()
