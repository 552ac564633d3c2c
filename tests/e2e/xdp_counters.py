#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Print the XDP counters of the program attached to IFACE, "name=N" a line.

Usage: xdp_counters.py IFACE [--prog]   (in the interface's namespace, as
root); --prog prints the attached program's mode and name instead.

Finds the program with `bpftool net`, its sl_xdp_stats map among the
program's maps, sums the per-CPU values; names in the order of
SL_XDP_FOREACH_CNT in bpf/sl_xdp_abi.h (the index of each counter).
"""
import json
import os
import re
import subprocess
import sys


def bpftool(*args):
    return json.loads(subprocess.check_output(("bpftool", "-j") + args))


def names():
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "..", "..", "bpf", "sl_xdp_abi.h")) as f:
        text = f.read()
    block = text[text.index("#define SL_XDP_FOREACH_CNT"):text.index("enum sl_xdp_cnt {")]
    return re.findall(r'_\(\w+, "(\w+)"', block)


def main():
    iface = sys.argv[1]
    net = bpftool("net", "show", "dev", iface)
    progs = [p for entry in net for p in entry.get("xdp", [])]
    if not progs:
        sys.exit("no XDP program on %s" % iface)
    prog = bpftool("prog", "show", "id", str(progs[0]["id"]))
    if sys.argv[2:] == ["--prog"]:
        print(progs[0].get("mode"), prog.get("name"))
        return
    for mid in prog.get("map_ids", []):
        if bpftool("map", "show", "id", str(mid)).get("name") == "sl_xdp_stats":
            break
    else:
        sys.exit("program %d has no sl_xdp_stats map" % progs[0]["id"])
    dump = bpftool("map", "dump", "id", str(mid))
    n = names()
    for e in dump:
        key = e["key"] if isinstance(e["key"], int) else int.from_bytes(
            bytes(int(b, 16) for b in e["key"]), "little")
        total = 0
        for v in e["values"]:
            val = v["value"]
            total += val if isinstance(val, int) else int.from_bytes(
                bytes(int(b, 16) for b in val), "little")
        print("%s=%d" % (n[key], total))


if __name__ == "__main__":
    main()
