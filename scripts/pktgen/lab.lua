-- SPDX-License-Identifier: BSD-3-Clause
-- sluice two-port NIC lab for pktgen-dpdk (docs/pktgen.md): shared settings.
-- Edit this table for your lab; every other script here loads it.
--
--   pktgen port 0 <-> sluice-dp inside0  (trunk 0, VPC VLAN 100)
--   pktgen port 1 <-> sluice-dp outside0 (untagged Internet side)
--
-- Traffic that sluice-dp routes today (no NAT yet):
--   port 0: VPC vpc-a (VLAN 100), VSwitch 192.168.1.0/24 -> VSwitch
--           192.168.2.0/24 (IPv6 2001:db8:a:1::/64 -> 2001:db8:a:2::/64),
--           routed by the VPC table back out of port 0 on VLAN 100
--   port 1: Internet sources -> destinations inside the Internet table
--           (the full table with sluiced --inet-routes), routed back out of
--           port 1 to the default gateway 203.0.113.1 / 2001:db8:ffff::1
-- pktgen answers sluice-dp's ARP/ND for the instances and the gateway
-- ("process" mode), so the addresses below must be the ones of
-- configs/demo.json's vpc-a and Gateway (or of your own config).
lab = {
	dut_mac = { [0] = "02:00:00:00:00:01", [1] = "02:00:00:00:00:02" }, -- sluice-dp ports
	vlan = 100,
	v4 = {
		[0] = { src = "192.168.1.10", src_max = "192.168.1.250", dst = "192.168.2.10",
			dst_max = "192.168.2.250", mask = "/24" },
		[1] = { src = "198.51.100.1", src_max = "198.51.100.254", dst = "1.0.0.1",
			dst_max = "223.255.255.254", mask = "/24" },
	},
	v6 = {
		[0] = { src = "2001:db8:a:1::10", dst = "2001:db8:a:2::10", mask = "/64" },
		[1] = { src = "2001:db8:beef::1", dst = "2001:4860::1", mask = "/64" },
	},
	sport = 1024, sport_max = 65000, dport = 4789, dport_max = 4889,
	sizes = { 64, 128, 256, 512, 1024, 1280, 1518 },
	seconds = 10,	    -- per measurement
	settle_ms = 2000,   -- after start, before counting
	result = "sluice-pktgen-results.csv",
}
