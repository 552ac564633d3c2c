#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Run packet cases through the real sluice-dp pipeline.

Usage: run_pkt_tests.py RUNNER CONFIG [--cases MODULE]

MODULE is vectors (the golden vectors, the default) or malformed (the
malformed-packet corpus); both define cases() in the same format, and may
define TODO = {case name: reason} for cases the pipeline gets wrong today
and RUNNER_ARGS (extra pkt_runner options, e.g. the NAT table's size).

The vectors are written as hex to a JSON file, tests/pkt/pkt_runner (C: the
data-plane library on net_ring ports, tables from sluiced's compiler) injects
each step's frame, runs the workers and the main lcore until nothing moves,
and writes every frame transmitted per port and the drop-counter deltas. This
script then compares each output with the expected scapy packet: checksums of
the actual frame are verified by recomputation, then the frames are compared
byte for byte after copying the fields a case declares free (e.g. IP.id) from
actual to expected. A step may also give `expect_raw` (frames compared byte
for byte, nothing recomputed) and `drops` (the exact growth of every drop
counter: {} means no drop at all), send more frames in the same burst
(`also`), compare the mbufs out of the pool with an earlier step's
(`mbufs_as`), name counters or stages and how much they grow (`counters`,
`stages`: packets handed to a stage), or be `unchecked` (it only moves state:
the clock, neighbours). A step without `send` may instead give `advance_s`
(move the runner's virtual clock) or `config` (publish another config file
as the next generation). Output is TAP, one line per case; a case
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


def clear_outer_checksums(p, keep_l4=False):
    """Delete the checksums of the outer headers (not of quoted headers inside
    an ICMP error) so scapy recomputes them on build; with keep_l4, the
    transport checksum stays (a first fragment's covers the whole datagram)."""
    layer = p
    while layer is not None and not isinstance(layer, (Raw, Padding)):
        for cls, field in OUTER_CSUM:
            if keep_l4 and cls is not IP:
                continue
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


def rebuild(p, keep_l4=False):
    return bytes(clear_outer_checksums(Ether(bytes(p)), keep_l4))


def compare(exp_pkt, act_bytes, ignore, keep_l4=False):
    """Return None if equal, else a description of the difference. With
    keep_l4 the transport checksum is not verified here (a first fragment:
    see `reassemble_with`) and the expected one is taken from the output."""
    act = strip_padding(Ether(act_bytes))
    act_bytes = bytes(act)
    if rebuild(act, keep_l4) != act_bytes:
        return "bad checksum in output: %s" % act.summary()
    exp = strip_padding(Ether(bytes(exp_pkt)))
    if keep_l4:
        ignore = list(ignore) + ["UDP.chksum", "TCP.chksum", "ICMP.chksum"]
    for item in ignore:
        lname, field = item.split(".")
        if exp.haslayer(lname) and act.haslayer(lname):
            setattr(exp.getlayer(lname), field, getattr(act.getlayer(lname), field))
    exp_bytes = rebuild(exp, keep_l4)
    if exp_bytes == act_bytes:
        return None
    return "expected %s\n#   got      %s\n#   expected %s\n#   got      %s" % (
        exp.summary(), act.summary(), exp_bytes.hex(), act_bytes.hex())


def field_of(frame_hex, name):
    """Value of "Layer.field" in a frame given as hex (None if absent)."""
    lname, field = name.split(".")
    p = Ether(bytes.fromhex(frame_hex))
    return getattr(p.getlayer(lname), field) if p.haslayer(lname) else None


def check_relations(step, result, earlier):
    """Checks on values the vectors cannot know in advance (a NAT's public
    port): `same` {field: step} the first output frame's field equals that
    of an earlier step of the case, `differs` likewise unequal, `one_of`
    {field: [values]}, `within` {field: [lo, hi]}, `reassemble_with`
    [steps]: the first output frames of those steps and every output frame
    of this one are fragments that reassemble into a datagram with valid
    checksums."""
    errs = []
    if not any(k in step for k in ("same", "differs", "one_of", "within", "reassemble_with")):
        return errs
    if not result["out"]:
        return ["no output frame to check %s on" % list(step.get("same", step.get("one_of", {})))]
    mine = result["out"][0]["hex"]
    for key, want_equal in (("same", True), ("differs", False)):
        for name, si in step.get(key, {}).items():
            if si >= len(earlier) or not earlier[si]["out"]:
                errs.append("%s %s: step %d has no output" % (key, name, si))
                continue
            a, b = field_of(mine, name), field_of(earlier[si]["out"][0]["hex"], name)
            if (a == b) != want_equal:
                errs.append("%s is %s, step %d's %s: expected %s" % (
                    name, a, si, b, "the same" if want_equal else "another"))
    for name, values in step.get("one_of", {}).items():
        if field_of(mine, name) not in values:
            errs.append("%s is %s, not one of %s" % (name, field_of(mine, name), values))
    for name, (lo, hi) in step.get("within", {}).items():
        v = field_of(mine, name)
        if v is None or not lo <= v <= hi:
            errs.append("%s is %s, not within %d..%d" % (name, v, lo, hi))
    if "reassemble_with" in step:  # fragments output by earlier steps and this one
        frags = [Ether(bytes.fromhex(earlier[i]["out"][0]["hex"])).getlayer(IP)
                 for i in step["reassemble_with"] if i < len(earlier) and earlier[i]["out"]]
        frags += [Ether(bytes.fromhex(o["hex"])).getlayer(IP) for o in result["out"]]
        frags = [f for f in frags if f is not None]
        whole = [p for p in defragment(frags) if p[IP].flags.MF == 0 and p[IP].frag == 0]
        if not whole:
            errs.append("the fragments do not reassemble")
        elif rebuild(Ether() / whole[0][IP]) != bytes(Ether() / whole[0][IP]):
            errs.append("the reassembled datagram has a bad checksum: %s" % whole[0].summary())
    return errs


def check_mbufs(step, result, earlier):
    """`mbufs_as` step: as many mbufs out of the pool after this step as
    after that earlier step of the case (what the gateway held came back)."""
    si = step.get("mbufs_as")
    if si is None:
        return []
    if si >= len(earlier):
        return ["mbufs_as: no step %d" % si]
    if result.get("mbufs_in_use") != earlier[si].get("mbufs_in_use"):
        return ["%s mbufs in use, %s after step %d" % (
            result.get("mbufs_in_use"), earlier[si].get("mbufs_in_use"), si)]
    return []


def check_counts(step, result):
    """`counters` / `stages` {name: n}: those counters (packets handed to
    those stages) grew by exactly n in the step; the others are not looked at."""
    errs = []
    for key in ("counters", "stages"):
        for name, n in step.get(key, {}).items():
            got = result.get(key, {}).get(name, 0)
            if got != n:
                errs.append("%s %s grew by %d, expected %d" % (key, name, got, n))
    return errs


def check_step(step, result, earlier=()):
    if step.get("unchecked"):  # only moves state (time, neighbours)
        return []
    errs = (check_relations(step, result, earlier) + check_mbufs(step, result, earlier) +
            check_counts(step, result))
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
    elif "send" not in step and "expect" not in step:
        pass  # a clock or config step: what it sets off (ND refreshes) is not checked
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
                d = compare(w, g, step.get("ignore", []), step.get("l4_checksum_free", False))
                if d:
                    errs.append("port %s: %s" % (port, d))
    if "drops" in step and result["drops"] != step["drops"]:
        errs.append("drop counters grew by %s, expected exactly %s" % (result["drops"], step["drops"]))
    if step.get("drop"):
        if result["drops"].get(step["drop"], 0) < 1:
            errs.append("drop counter %s did not grow (drops: %s)" % (step["drop"], result["drops"]))
    return errs


def runner_step(s):
    """A step as pkt_runner takes it: a frame, or a clock or config change
    (a step with `advance_s` or `config` and no `send`)."""
    if "send" not in s:
        return {k: s[k] for k in ("advance_s", "config", "inet_groups") if k in s}
    # runner-side hooks of a step (pkt_runner.c): wait_us (virtual time
    # before it), count (the frame sent that many times at once), advance_s,
    # nat_eif, nat_dst_of; "also": more frames in the same burst
    hooks = ("wait_us", "count", "advance_s", "nat_eif", "nat_dst_of")
    return dict({"port": s["port"], "hex": bytes(s["send"]).hex()},
                **{h: s[h] for h in hooks if h in s},
                **({"also": [bytes(f).hex() for f in s["also"]]} if "also" in s else {}))


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
        vec = [{"name": name, "steps": [runner_step(s) for s in steps]} for name, steps in cases]
        vpath, rpath = os.path.join(tmp, "vectors.json"), os.path.join(tmp, "results.json")
        with open(vpath, "w") as f:
            json.dump(vec, f)
        proc = subprocess.Popen([runner, "--config", config, "--vectors", vpath, "--out", rpath,
                                 "--tmpdir", tmp] + list(getattr(mod, "RUNNER_ARGS", [])), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
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
            errs += ["step %d: %s" % (si, e) for e in check_step(step, sres, res["steps"][:si])]
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
