#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Run packet cases through the real sluice-dp pipeline.

Usage: run_pkt_tests.py RUNNER CONFIG [--cases MODULE]

MODULE is vectors (the golden vectors, the default) or malformed (the
malformed-packet corpus); both define cases() in the same format, and may
define TODO = {case name: reason} for cases the pipeline gets wrong today.

The vectors are written as hex to a JSON file, tests/pkt/pkt_runner (C: the
data-plane library on net_ring ports, tables from sluiced's compiler) injects
each step's frame, runs the workers and the main lcore until nothing moves,
and writes every frame transmitted per port and the drop-counter deltas. This
script then compares each output with the expected scapy packet: checksums of
the actual frame are verified by recomputation, then the frames are compared
byte for byte after copying the fields a case declares free (e.g. IP.id) from
actual to expected. A step may also give `expect_raw` (frames compared byte
for byte, nothing recomputed) and `drops` (the exact growth of every drop
counter: {} means no drop at all). Output is TAP, one line per case; a case
listed in TODO is reported with a "# TODO reason" directive (an expected
failure; "ok ... # TODO" means it is fixed and the entry can go).
"""
import importlib
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from scapy.all import (IP, UDP, TCP, ICMP, Ether, Padding, Raw, IPv6, defragment)  # noqa: E402
from scapy.layers.inet6 import _ICMPv6  # noqa: E402


OUTER_CSUM = ((IP, "chksum"), (UDP, "chksum"), (TCP, "chksum"), (ICMP, "chksum"))


def strip_padding(p):
    pad = p.getlayer(Padding)
    if pad is not None:
        pad.underlayer.remove_payload()
    return p


def clear_outer_checksums(p):
    """Delete the checksums of the outer headers (not of quoted headers inside
    an ICMP error) so scapy recomputes them on build."""
    layer = p
    while layer is not None and not isinstance(layer, (Raw, Padding)):
        for cls, field in OUTER_CSUM:
            if type(layer) is cls:
                setattr(layer, field, None)
        if isinstance(layer, _ICMPv6) and hasattr(layer, "cksum"):
            layer.cksum = None
        if type(layer) is ICMP and layer.type in (3, 4, 5, 11, 12):
            break
        if isinstance(layer, _ICMPv6) and layer.type < 128:
            break
        layer = layer.payload if layer.payload else None
    return p


def rebuild(p):
    return bytes(clear_outer_checksums(Ether(bytes(p))))


def compare(exp_pkt, act_bytes, ignore):
    """Return None if equal, else a description of the difference."""
    act = strip_padding(Ether(act_bytes))
    act_bytes = bytes(act)
    if rebuild(act) != act_bytes:
        return "bad checksum in output: %s" % act.summary()
    exp = strip_padding(Ether(bytes(exp_pkt)))
    for item in ignore:
        lname, field = item.split(".")
        if exp.haslayer(lname) and act.haslayer(lname):
            setattr(exp.getlayer(lname), field, getattr(act.getlayer(lname), field))
    exp_bytes = rebuild(exp)
    if exp_bytes == act_bytes:
        return None
    return "expected %s\n#   got      %s\n#   expected %s\n#   got      %s" % (
        exp.summary(), act.summary(), exp_bytes.hex(), act_bytes.hex())


def check_step(step, result):
    errs = []
    outs = result["out"]
    if "reassemble" in step:
        port, mac, vlan = step["reassemble"]
        frags = [bytes.fromhex(o["hex"]) for o in outs if o["port"] == port]
        if len(frags) < 2:
            return ["expected fragments, got %d frames" % len(frags)]
        for f in frags:
            if len(f) > step["max_len"]:
                errs.append("fragment of %d bytes exceeds %d" % (len(f), step["max_len"]))
            e = Ether(f)
            if e.dst != mac or e.vlan != vlan:
                errs.append("fragment sent to %s vlan %s" % (e.dst, e.vlan))
            # Only the IP header checksum is per fragment; the UDP checksum
            # covers the reassembled datagram (checked below).
            ip = e[IP].copy()
            ip.chksum = None
            ip.remove_payload()
            if bytes(IP(bytes(ip))) [:ip.ihl * 4] != bytes(e[IP])[:e[IP].ihl * 4]:
                errs.append("fragment with a bad IP header checksum")
        whole = defragment([Ether(f)[IP] for f in frags])
        full = [p for p in whole if IP in p and p[IP].flags.MF == 0 and p[IP].frag == 0]
        want = step["expect_reassembled"]
        if not full or bytes(full[0][IP].payload) != bytes(want[IP].payload) or full[0][IP].ttl != want[IP].ttl - 1:
            errs.append("fragments do not reassemble to the original datagram")
        elif rebuild(Ether() / full[0][IP]) != bytes(Ether() / full[0][IP]):
            errs.append("reassembled datagram has a bad checksum")
    elif "expect_raw" in step:
        got = [(o["port"], bytes.fromhex(o["hex"])) for o in outs]
        want = [(port, bytes(b)) for port, b in step["expect_raw"]]
        if got != want:
            errs.append("expected frames %s\n#   got %s" % (
                [(p, b.hex()) for p, b in want], [(p, b.hex()) for p, b in got]))
    else:
        expected = step.get("expect", [])
        by_port = {}
        for o in outs:
            by_port.setdefault(o["port"], []).append(bytes.fromhex(o["hex"]))
        exp_by_port = {}
        for port, pkt in expected:
            exp_by_port.setdefault(port, []).append(pkt)
        for port in sorted(set(by_port) | set(exp_by_port)):
            got, want = by_port.get(port, []), exp_by_port.get(port, [])
            if len(got) != len(want):
                errs.append("port %s: expected %d frames, got %d: %s" % (
                    port, len(want), len(got), [Ether(g).summary() for g in got]))
                continue
            for w, g in zip(want, got):
                d = compare(w, g, step.get("ignore", []))
                if d:
                    errs.append("port %s: %s" % (port, d))
    if "drops" in step and result["drops"] != step["drops"]:
        errs.append("drop counters grew by %s, expected exactly %s" % (result["drops"], step["drops"]))
    if step.get("drop"):
        if result["drops"].get(step["drop"], 0) < 1:
            errs.append("drop counter %s did not grow (drops: %s)" % (step["drop"], result["drops"]))
    return errs


def remove_eal_runtime_dir(pid):
    """pkt_runner removes its EAL runtime directory (file prefix sl_pkt_PID)
    at exit, which a crash or a sanitizer abort skips: remove it here."""
    for base in ("/var/run/dpdk", os.path.join(os.environ.get("XDG_RUNTIME_DIR", "/nonexistent"), "dpdk")):
        d = os.path.join(base, "sl_pkt_%d" % pid)
        if os.path.isdir(d):
            shutil.rmtree(d, ignore_errors=True)


def main():
    runner, config = sys.argv[1], sys.argv[2]
    module = "vectors"
    if len(sys.argv) > 4 and sys.argv[3] == "--cases":
        module = sys.argv[4]
    mod = importlib.import_module(module)
    cases = mod.cases()
    todo = getattr(mod, "TODO", {})
    unknown = set(todo) - {name for name, _ in cases}
    if unknown:
        print("1..1\nnot ok 1 - TODO names cases that do not exist: %s" % sorted(unknown))
        return 1
    with tempfile.TemporaryDirectory(prefix="sl-pkt-") as tmp:
        # optional per step: wait_us (virtual time before it), count (the
        # frame sent that many times at once)
        vec = [{"name": name, "steps": [dict({"port": s["port"], "hex": bytes(s["send"]).hex()},
                                             **{k: s[k] for k in ("wait_us", "count") if k in s})
                                        for s in steps]}
               for name, steps in cases]
        vpath, rpath = os.path.join(tmp, "vectors.json"), os.path.join(tmp, "results.json")
        with open(vpath, "w") as f:
            json.dump(vec, f)
        proc = subprocess.Popen([runner, "--config", config, "--vectors", vpath, "--out", rpath,
                                 "--tmpdir", tmp], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)
        try:
            out, err = proc.communicate(timeout=300)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
        remove_eal_runtime_dir(proc.pid)
        if proc.returncode != 0:
            print("1..1\nnot ok 1 - pkt_runner failed (exit %d)" % proc.returncode)
            for line in (out + err).splitlines()[-40:]:
                print("# " + line)
            return 1
        with open(rpath) as f:
            results = json.load(f)
    print("1..%d" % len(cases))
    failed = 0
    for i, ((name, steps), res) in enumerate(zip(cases, results), 1):
        errs = []
        for si, (step, sres) in enumerate(zip(steps, res["steps"])):
            errs += ["step %d: %s" % (si, e) for e in check_step(step, sres)]
        directive = " # TODO %s" % todo[name] if name in todo else ""
        if errs:
            failed += 0 if directive else 1
            print("not ok %d - %s%s" % (i, name, directive))
            for e in errs:
                print("#   " + e.replace("\n", "\n#"))
        else:
            print("ok %d - %s%s" % (i, name, directive))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
