#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Unit test of sluicectl against a hand-built segment (sluicectl_testseg.c).

usage: sluicectl_test.py SLUICECTL TESTSEG [SLUICED DEMO_JSON]

With SLUICED, a second class starts sluiced (no data plane) on a temporary
segment big enough for the Internet FIBs, with a small prefix file as its
route source, and checks `sluicectl lookup` against the routes it loaded.

Builds segments in a temporary directory, runs sluicectl on them and checks
its --json output (and, more loosely, the human tables and error messages).
The expected values are the constants written by sluicectl_testseg.c.
"""
import json
import os
import subprocess
import sys
import tempfile
import unittest

SLUICECTL = None
TESTSEG = None
SLUICED = None
DEMO_JSON = None


def run(seg, *args, env_seg=False):
    env = dict(os.environ)
    env.pop("SLUICE_SEGMENT", None)
    cmd = [SLUICECTL]
    if env_seg:
        env["SLUICE_SEGMENT"] = seg
    else:
        cmd += ["-s", seg]
    p = subprocess.run(cmd + list(args), capture_output=True, text=True,
                       env=env, timeout=30)
    return p


def run_json(seg, *args):
    p = run(seg, "--json", *args)
    if p.returncode != 0:
        raise AssertionError(f"sluicectl {args} exited {p.returncode}: {p.stderr}")
    return json.loads(p.stdout)


class Segment(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.seg = os.path.join(cls.tmp.name, "seg")
        subprocess.run([TESTSEG, cls.seg, "ok"], check=True)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_vpcs(self):
        j = run_json(self.seg, "vpcs")
        self.assertEqual(j["generation"], 3)
        self.assertEqual(len(j["vpcs"]), 1)
        v = j["vpcs"][0]
        self.assertEqual(v["id"], "vpc-t")
        self.assertEqual(v["route_table_id"], "vtb-t")
        self.assertEqual(v["vlan"], 100)
        self.assertEqual(v["trunk"], 2)
        self.assertEqual(v["n_vswitches"], 1)
        self.assertEqual(v["n_routes"], 5)
        self.assertEqual(v["v4_intervals"], 9)
        self.assertEqual(v["v6_intervals"], 3)

    def test_routes_vpc(self):
        j = run_json(self.seg, "routes", "vpc-t")
        self.assertEqual(j["table"], "vpc-t")
        self.assertEqual(j["route_table_id"], "vtb-t")
        self.assertEqual(j["vlan"], 100)
        self.assertEqual(j["trunk"], 2)
        pfx = [r["prefix"] for r in j["routes"]]
        # sorted: IPv4 by address then length, then IPv6
        self.assertEqual(pfx, ["10.99.0.0/16", "100.64.0.0/10", "192.168.1.0/24",
                               "192.168.1.253/32", "2001:db8:a:1::/64"])
        r = {x["prefix"]: x for x in j["routes"]}
        cust = r["10.99.0.0/16"]
        self.assertEqual(cust["origin"], "custom")
        self.assertEqual(cust["family"], 4)
        nh = cust["nexthop"]
        self.assertEqual(nh["type"], "gateway")
        self.assertEqual(nh["via"], "192.168.1.10")
        self.assertEqual(nh["src"], "192.168.1.253")
        self.assertEqual(nh["port_role"], "inside")
        self.assertEqual(nh["vlan"], 100)
        self.assertEqual(nh["trunk"], 2)
        self.assertEqual(nh["mtu"], 1500)
        self.assertEqual(nh["owner_id"], "i-t1")
        self.assertEqual(nh["vpc"], "vpc-t")
        self.assertEqual(nh["flags"], [])
        conn = r["192.168.1.0/24"]["nexthop"]
        self.assertEqual(conn["type"], "connected")
        self.assertIsNone(conn["via"])
        self.assertEqual(conn["flags"], ["system"])
        self.assertEqual(r["192.168.1.253/32"]["nexthop"]["type"], "local")
        self.assertEqual(r["100.64.0.0/10"]["nexthop"]["type"], "blackhole")
        self.assertEqual(r["100.64.0.0/10"]["origin"], "system")
        v6 = r["2001:db8:a:1::/64"]
        self.assertEqual(v6["family"], 6)
        self.assertEqual(v6["nexthop"]["src"], "2001:db8:a:1:ffff:ffff:ffff:fffd")

    def test_routes_by_route_table_id(self):
        j = run_json(self.seg, "routes", "vtb-t")
        self.assertEqual(j["table"], "vpc-t")

    def test_routes_intervals(self):
        j = run_json(self.seg, "routes", "vpc-t", "--intervals")
        self.assertEqual(j["intervals4"][0], {"start": "0.0.0.0", "nh": 0})
        self.assertEqual(j["intervals4"][6], {"start": "192.168.1.253", "nh": 2})
        self.assertEqual(j["intervals6"][1], {"start": "2001:db8:a:1::", "nh": 5})

    def test_routes_internet(self):
        j = run_json(self.seg, "routes", "--internet")
        self.assertEqual(j["table"], "internet")
        self.assertIsNone(j["vpc_index"])
        r = {x["prefix"]: x for x in j["routes"]}
        self.assertEqual(list(r), ["0.0.0.0/0", "203.0.113.2/32"])
        d = r["0.0.0.0/0"]
        self.assertEqual(d["origin"], "static")
        self.assertEqual(d["nexthop"]["via"], "203.0.113.1")
        self.assertEqual(d["nexthop"]["port_role"], "outside")
        self.assertEqual(d["nexthop"]["vpc"], "internet")
        self.assertIsNone(d["nexthop"]["vpc_index"])

    def test_routes_unknown_vpc(self):
        p = run(self.seg, "routes", "vpc-nope")
        self.assertEqual(p.returncode, 1)
        self.assertIn("vpc-nope", p.stderr)

    def test_drops(self):
        j = run_json(self.seg, "drops")
        self.assertEqual(j["n_lcores"], 2)
        self.assertEqual(j["lcore_ids"], [1, 2])
        d = {x["reason"]: x for x in j["drops"]}
        # only non-zero reasons, summed over lcores 0 and 1 only
        self.assertEqual(set(d), {"unknown_vlan", "no_route", "ip6gw_egress_only"})
        self.assertEqual(d["unknown_vlan"]["total"], 12)
        self.assertEqual(d["unknown_vlan"]["per_lcore"], [5, 7])
        self.assertEqual(d["no_route"]["total"], 2)
        self.assertIn("VLAN", d["unknown_vlan"]["description"])

    def test_drops_all(self):
        j = run_json(self.seg, "drops", "--all")
        names = [x["reason"] for x in j["drops"]]
        self.assertNotIn("none", names)
        self.assertIn("eth_truncated", names)
        self.assertIn("unknown_vlan", names)
        self.assertGreater(len(names), 20)
        self.assertTrue(all(x["total"] == 0 for x in j["drops"]
                            if x["reason"] not in ("unknown_vlan", "no_route", "ip6gw_egress_only")))

    def test_counters(self):
        j = run_json(self.seg, "counters")
        c = {x["counter"]: x for x in j["counters"]}
        self.assertEqual(c["rx_packets"]["total"], 123)
        self.assertEqual(c["rx_packets"]["per_lcore"], [100, 23])
        self.assertEqual(c["forwarded_ip4"]["total"], 40)
        self.assertEqual(c["tx_packets"]["total"], 0)

    def test_nexthops(self):
        j = run_json(self.seg, "nexthops")
        self.assertEqual(len(j["nexthops"]), 8)
        self.assertEqual(j["nexthops"][0]["type"], "unreachable")
        self.assertEqual(j["nexthops"][6]["via"], "203.0.113.1")

    def test_neighbours(self):
        j = run_json(self.seg, "neighbours")
        self.assertTrue(j["dataplane_attached"])
        n = j["neighbours"]
        self.assertEqual(len(n), 2)
        # sorted by VPC index: vpc-t (0) before the Internet side
        self.assertEqual(n[0]["vpc"], "vpc-t")
        self.assertEqual(n[0]["address"], "192.168.1.10")
        self.assertEqual(n[0]["mac"], "02:00:00:00:00:0a")
        self.assertEqual(n[0]["vlan"], 100)
        self.assertEqual(n[0]["trunk"], 2)
        self.assertEqual(n[0]["state"], "reachable")
        self.assertEqual(n[0]["age_ms"], 1500)
        self.assertEqual(n[1]["vpc"], "internet")
        self.assertEqual(n[1]["port_role"], "outside")

    def test_havips(self):
        j = run_json(self.seg, "havips")
        self.assertTrue(j["dataplane_attached"])
        self.assertEqual(j["havips"], [{
            "vpc": "vpc-t", "vpc_index": 0, "havip_id": "hv-t", "address": "192.168.1.100",
            "holder": "i-t", "mac": "02:00:00:00:00:0a", "age_ms": 2500, "changes": 3}])
        p = run(self.seg, "havips")
        self.assertEqual(p.returncode, 0)
        out = p.stdout
        self.assertIn("192.168.1.100", out)
        self.assertIn("(1 HaVips with a holder)", out)

    def test_ip6gw(self):
        j = run_json(self.seg, "ip6gw")
        self.assertTrue(j["dataplane_attached"])
        self.assertEqual(j["egress_only_flows"], 7)
        self.assertEqual(j["egress_only_capacity"], 65536)
        self.assertEqual(j["drops"]["ip6gw_egress_only"], 5)
        self.assertEqual(j["drops"]["ip6gw_havip_no_holder"], 0)
        self.assertNotIn("no_route", j["drops"])
        self.assertEqual(j["counters"]["ip6gw_rule_havip"], 6)
        self.assertEqual(j["counters"]["ip6gw_in"], 0)
        p = run(self.seg, "ip6gw")
        self.assertEqual(p.returncode, 0)
        self.assertIn("egress-only flows: 7 of 65536", p.stdout)
        self.assertRegex(p.stdout, r"ip6gw_egress_only +5")

    def test_ports(self):
        j = run_json(self.seg, "ports")
        p = j["ports"]
        self.assertEqual([x["name"] for x in p], ["inside0", "outside0"])
        self.assertTrue(p[0]["link_up"])
        self.assertEqual(p[0]["ipackets"], 11)
        self.assertEqual(p[0]["mac"], "02:00:00:00:00:01")
        self.assertEqual(p[1]["role"], "outside")
        self.assertEqual(p[0]["trunk"], 2)
        self.assertIsNone(p[1]["trunk"])

    def test_queues(self):
        p = run_json(self.seg, "ports")["ports"]
        self.assertEqual(p[0]["queues"], [{
            "queue": 0, "lcore_id": 2, "rx_packets": 5, "rx_bytes": 500,
            "tx_packets": 6, "tx_bytes": 600, "tx_full": 1, "no_mbuf": 2}])
        self.assertEqual(p[1]["queues"][0]["rx_packets"], 0)
        h = run(self.seg, "ports")
        self.assertIn("per queue", h.stdout)
        self.assertIn("NO MBUF", h.stdout)

    def test_tables(self):
        j = run_json(self.seg, "tables")
        self.assertEqual(j["lcore_ids"], [1, 2])
        t = j["tables"]
        self.assertEqual([x["table"] for x in t], ["internet", "vpc-t"])
        self.assertIsNone(t[0]["vpc_index"])
        self.assertEqual((t[0]["packets"], t[0]["bytes"]), (10, 1000))
        self.assertEqual((t[1]["packets"], t[1]["bytes"]), (7, 700))
        self.assertEqual(t[1]["vpc_index"], 0)
        self.assertEqual(t[1]["vlan"], 100)
        self.assertEqual(t[1]["per_lcore"], [{"packets": 3, "bytes": 300},
                                             {"packets": 4, "bytes": 400}])
        one = run_json(self.seg, "tables", "vpc-t")["tables"]
        self.assertEqual([x["table"] for x in one], ["vpc-t"])
        one = run_json(self.seg, "tables", "internet")["tables"]
        self.assertEqual([x["table"] for x in one], ["internet"])
        p = run(self.seg, "tables", "vpc-nope")
        self.assertEqual(p.returncode, 1)
        self.assertIn("sluicectl vpcs", p.stderr)
        h = run(self.seg, "tables", "--per-lcore")
        self.assertEqual(h.returncode, 0, h.stderr)
        self.assertIn("LCORE 2 PKTS", h.stdout)
        self.assertIn("vpc-t", h.stdout)

    def test_status(self):
        j = run_json(self.seg, "status")
        self.assertEqual(j["generation"], 3)
        self.assertEqual(j["active_bank"], 1)
        self.assertEqual(j["tables"]["n_vpcs"], 1)
        self.assertTrue(j["writer"]["alive"])  # pid 1
        self.assertFalse(j["dataplane"]["alive"])
        self.assertEqual([(x["lcore_id"], x["acked"]) for x in j["lcores"]],
                         [(1, True), (2, False)])
        self.assertFalse(j["synced"])

    def test_policers(self):
        j = run_json(self.seg, "policers")
        self.assertTrue(j["dataplane_attached"])
        p = {x["index"]: x for x in j["policers"]}
        self.assertEqual(sorted(p), [0, 2, 3, 4])  # 1 is a hole
        self.assertEqual((p[0]["kind"], p[0]["id"], p[0]["address"], p[0]["direction"]),
                         ("ip", "eip-t", "198.51.100.1", "out"))
        self.assertEqual((p[0]["mbps"], p[0]["burst_bytes"], p[0]["parent"]), (10, 15180, 2))
        self.assertEqual((p[0]["state"], p[0]["conform_packets"], p[0]["conform_bytes"],
                          p[0]["exceed_packets"], p[0]["exceed_bytes"]), ("applied", 5, 5000, 2, 2000))
        self.assertEqual((p[2]["kind"], p[2]["address"], p[2]["parent"], p[2]["conform_packets"]),
                         ("cbwp", None, None, 7))
        # exported under another tag: not this policer's counters
        self.assertEqual((p[3]["direction"], p[3]["state"], p[3]["conform_packets"]), ("in", "pending", 0))
        # police6: an IPv6 address's policer, its address from the section's ip6[]
        self.assertEqual((p[4]["kind"], p[4]["id"], p[4]["address"], p[4]["direction"], p[4]["mbps"]),
                         ("ip6", "ipv6-t", "2001:db8:a:1::10", "out", 20))
        h = run(self.seg, "policers")
        self.assertEqual(h.returncode, 0, h.stderr)
        self.assertIn("cbwp-t", h.stdout)
        self.assertIn("pending", h.stdout)
        self.assertIn("2001:db8:a:1::10", h.stdout)

    def test_env_segment(self):
        p = run(self.seg, "--json", "vpcs", env_seg=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(json.loads(p.stdout)["vpcs"][0]["id"], "vpc-t")

    def test_human_tables(self):
        p = run(self.seg, "routes", "vpc-t")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("10.99.0.0/16", p.stdout)
        self.assertIn("i-t1", p.stdout)
        p = run(self.seg, "drops")
        self.assertIn("unknown_vlan", p.stdout)
        self.assertIn("12", p.stdout)
        self.assertNotIn("eth_truncated", p.stdout)
        p = run(self.seg, "counters", "--per-lcore")
        self.assertIn("LCORE 2", p.stdout)
        for cmd in ("status", "vpcs", "nexthops", "neighbours", "ports"):
            p = run(self.seg, cmd)
            self.assertEqual(p.returncode, 0, cmd + ": " + p.stderr)
            self.assertTrue(p.stdout.strip(), cmd)


class Xdp(unittest.TestCase):
    """`sluicectl xdp` against a stand-in for sluiced's GET /metrics."""
    METRICS = (
        "# HELP sluice_drops_total x\n"
        "sluice_drops_total{reason=\"no_route\"} 3\n"
        "# TYPE sluice_xdp_packets_total counter\n"
        "sluice_xdp_packets_total{iface=\"sl-out\",counter=\"to_xsk\"} 12\n"
        "sluice_xdp_packets_total{iface=\"sl-out\",counter=\"not_owned4\"} 3\n"
        "sluice_xdp_packets_total{iface=\"sl-in\",counter=\"to_xsk\"} 4\n")

    def serve(self, body, status=200):
        import http.server
        import threading

        class H(http.server.BaseHTTPRequestHandler):
            def do_GET(h):
                self.paths.append(h.path)
                h.send_response(status)
                h.send_header("Content-Type", "text/plain; version=0.0.4")
                h.send_header("Content-Length", str(len(body)))
                h.end_headers()
                h.wfile.write(body.encode())

            def log_message(h, *a):
                pass

        self.paths = []
        srv = http.server.HTTPServer(("127.0.0.1", 0), H)
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        self.addCleanup(srv.server_close)
        self.addCleanup(srv.shutdown)
        return "http://127.0.0.1:%d" % srv.server_address[1]

    def test_counters(self):
        url = self.serve(self.METRICS)
        p = run("/nonexistent", "--api", url, "--json", "xdp")
        self.assertEqual(p.returncode, 0, p.stderr)
        j = json.loads(p.stdout)
        self.assertEqual(self.paths, ["/metrics"])
        self.assertEqual(j["interfaces"], [
            {"iface": "sl-out", "counters": {"to_xsk": 12, "not_owned4": 3}},
            {"iface": "sl-in", "counters": {"to_xsk": 4}}])
        h = run("/nonexistent", "--api", url, "xdp")
        self.assertEqual(h.returncode, 0, h.stderr)
        self.assertIn("not_owned4", h.stdout)
        self.assertIn("sl-in", h.stdout)

    def test_no_xdp(self):
        url = self.serve("sluice_generation 3\n")
        j = run_json("/nonexistent", "--api", url, "xdp")
        self.assertEqual(j["interfaces"], [])
        self.assertIn("no XDP program", run("/x", "--api", url, "xdp").stdout)

    def test_errors(self):
        p = run("/x", "--api", self.serve("nope", status=404), "xdp")
        self.assertEqual(p.returncode, 1)
        self.assertIn("HTTP 404", p.stderr)
        p = run("/x", "--api", "http://127.0.0.1:1", "xdp")
        self.assertEqual(p.returncode, 1)
        self.assertIn("--api", p.stderr)
        self.assertEqual(run("/x", "xdp", "extra").returncode, 2)


class Errors(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.seg = os.path.join(self.tmp.name, "seg")

    def tearDown(self):
        self.tmp.cleanup()

    def make(self, mode):
        subprocess.run([TESTSEG, self.seg, mode], check=True)

    def test_missing(self):
        p = run(self.seg, "status")
        self.assertEqual(p.returncode, 1)
        self.assertIn("not found: is sluiced running? pass -s PATH", p.stderr)

    def test_bad_magic(self):
        self.make("badmagic")
        p = run(self.seg, "vpcs")
        self.assertEqual(p.returncode, 1)
        self.assertIn("not a sluice segment", p.stderr)

    def test_bad_abi(self):
        self.make("badabi")
        p = run(self.seg, "vpcs")
        self.assertEqual(p.returncode, 1)
        self.assertIn("ABI version", p.stderr)

    def test_bad_offset(self):
        self.make("badoff")
        p = run(self.seg, "routes", "vpc-t")
        self.assertEqual(p.returncode, 1)
        self.assertIn("outside the bank", p.stderr)

    def test_no_generation(self):
        self.make("nogen")
        j = run_json(self.seg, "vpcs")
        self.assertEqual(j, {"generation": 0, "vpcs": []})
        j = run_json(self.seg, "status")
        self.assertIsNone(j["tables"])
        self.assertFalse(j["dataplane"]["stats_attached"])
        j = run_json(self.seg, "drops")
        self.assertEqual(j["drops"], [])
        j = run_json(self.seg, "policers")
        self.assertEqual((j["generation"], j["policers"]), (0, []))
        p = run(self.seg, "vpcs")
        self.assertIn("no tables published", p.stdout)

    def test_usage(self):
        self.make("ok")
        self.assertEqual(run(self.seg, "frobnicate").returncode, 2)
        self.assertEqual(run(self.seg, "routes").returncode, 2)
        self.assertEqual(run(self.seg, "vpcs", "extra").returncode, 2)
        p = subprocess.run([SLUICECTL, "--help"], capture_output=True, text=True)
        self.assertEqual(p.returncode, 0)
        for cmd in ("status", "vpcs", "routes", "nexthops", "neighbours",
                    "ports", "drops", "counters"):
            self.assertIn(cmd, p.stdout)


class LiveFib(unittest.TestCase):
    """sluicectl lookup against a segment written by sluiced itself."""

    @classmethod
    def setUpClass(cls):
        if SLUICED is None:
            raise unittest.SkipTest("no sluiced given")
        cls.tmp = tempfile.TemporaryDirectory()
        d = cls.tmp.name
        cls.seg = "/dev/shm/sluicectl-test-%d" % os.getpid()
        table = os.path.join(d, "routes.txt")
        with open(table, "w") as f:
            f.write("8.0.0.0/8\n8.8.8.0/24\n9.9.9.9/32\n2600::/12\n2600:1::/48\n")
        cls.proc = subprocess.Popen(
            [SLUICED, "--config", DEMO_JSON, "--segment", cls.seg, "--bank-size", "512M",
             "--state-dir", os.path.join(d, "state"), "--inet-routes", table,
             "--inet-via", "203.0.113.1", "--inet-via", "203.0.113.5",
             "--log-level", "warn"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        for _ in range(200):
            if run(cls.seg, "status").returncode == 0 and \
                    run_json(cls.seg, "status")["generation"] >= 1:
                break
            if cls.proc.poll() is not None:
                raise AssertionError("sluiced exited: " + cls.proc.stderr.read())
            import time
            time.sleep(0.05)

    @classmethod
    def tearDownClass(cls):
        cls.proc.terminate()
        cls.proc.wait(timeout=10)
        if os.path.exists(cls.seg):
            os.unlink(cls.seg)
        cls.tmp.cleanup()

    def test_internet_table_is_a_fib(self):
        j = run_json(self.seg, "routes", "--internet")
        self.assertEqual(j["structure"], "fib")
        # only the config's routes are listed (demo.json: 2 outside addresses,
        # their subnets, 2 default routes)
        self.assertEqual(len(j["routes"]), 6)
        p = run(self.seg, "routes", "--internet")
        self.assertIn("the table is a FIB", p.stdout)

    def test_lookup_route_source(self):
        a = run_json(self.seg, "lookup", "8.8.8.8")
        b = run_json(self.seg, "lookup", "8.8.4.4")
        self.assertEqual(a["structure"], "fib")
        self.assertIsNone(a["prefix"])  # not listed: from the route source
        self.assertEqual(a["origin"], "dynamic")
        self.assertEqual(a["nexthop"]["type"], "gateway")
        self.assertIn(a["nexthop"]["via"], ("203.0.113.1", "203.0.113.5"))
        self.assertIn(b["nexthop"]["via"], ("203.0.113.1", "203.0.113.5"))
        # 9.9.9.9/32 and the default route: different answers for neighbours
        c = run_json(self.seg, "lookup", "9.9.9.9")
        d = run_json(self.seg, "lookup", "9.9.9.8")
        self.assertEqual(c["origin"], "dynamic")
        self.assertEqual(d["prefix"], "0.0.0.0/0")
        self.assertEqual(d["origin"], "static")
        self.assertEqual(d["nexthop"]["via"], "203.0.113.1")
        e = run_json(self.seg, "lookup", "2600:1::1")
        self.assertEqual(e["nexthop"]["via"], "2001:db8:ffff::1")
        self.assertEqual(e["origin"], "dynamic")

    def test_lookup_config_routes(self):
        j = run_json(self.seg, "lookup", "203.0.113.2")
        self.assertEqual(j["prefix"], "203.0.113.2/32")
        self.assertEqual(j["nexthop"]["type"], "local")
        j = run_json(self.seg, "lookup", "203.0.113.77")
        self.assertEqual(j["prefix"], "203.0.113.0/24")
        self.assertEqual(j["nexthop"]["type"], "connected")

    def test_lookup_vpc(self):
        j = run_json(self.seg, "lookup", "10.99.3.4", "vpc-a")
        self.assertEqual(j["structure"], "intervals")
        self.assertEqual(j["prefix"], "10.99.0.0/16")
        self.assertEqual(j["origin"], "custom")
        self.assertEqual(j["nexthop"]["via"], "192.168.2.10")
        j = run_json(self.seg, "lookup", "10.99.3.4", "vpc-b")
        self.assertIsNone(j["prefix"])
        self.assertEqual(j["nexthop"]["type"], "unreachable")

    def test_lookup_errors(self):
        p = run(self.seg, "lookup", "not-an-address")
        self.assertEqual(p.returncode, 2)
        self.assertIn("not an IPv4 or IPv6 address", p.stderr)
        p = run(self.seg, "lookup", "10.0.0.1", "vpc-nope")
        self.assertEqual(p.returncode, 1)
        self.assertIn("no VPC or route table 'vpc-nope'", p.stderr)
        p = run(self.seg, "lookup")
        self.assertEqual(p.returncode, 2)


if __name__ == "__main__":
    if len(sys.argv) >= 5:
        SLUICED, DEMO_JSON = sys.argv[3], sys.argv[4]
        del sys.argv[3:5]
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    SLUICECTL, TESTSEG = sys.argv[1], sys.argv[2]
    del sys.argv[1:3]
    unittest.main(verbosity=2)
