-- SPDX-License-Identifier: BSD-3-Clause
-- Helpers for the sluice pktgen scripts (docs/pktgen.md). Loads lab.lua.
package.path = package.path .. ";scripts/pktgen/?.lua;?.lua"
require "Pktgen"
require "lab"

-- Both ports: single-packet template, ranges for many flows, ARP/ND answered.
function sl_setup(family)
	pktgen.reset("all")
	pktgen.set("all", "burst", 64)
	pktgen.set_proto("all", "udp")
	pktgen.set_type("all", family)
	pktgen.process("all", "enable")
	pktgen.vlan("0", "enable")
	pktgen.vlanid("0", lab.vlan)
	for p = 0, 1 do
		local ps = tostring(p)
		local a = (family == "ipv6") and lab.v6[p] or lab.v4[p]

		pktgen.set_mac(ps, "dst", lab.dut_mac[p])
		pktgen.set_ipaddr(ps, "dst", a.dst)
		pktgen.set_ipaddr(ps, "src", a.src .. a.mask)
		pktgen.range.dst_mac(ps, "start", lab.dut_mac[p])
		pktgen.range.src_port(ps, "start", lab.sport)
		pktgen.range.src_port(ps, "inc", 1)
		pktgen.range.src_port(ps, "min", lab.sport)
		pktgen.range.src_port(ps, "max", lab.sport_max)
		pktgen.range.dst_port(ps, "start", lab.dport)
		pktgen.range.dst_port(ps, "inc", 1)
		pktgen.range.dst_port(ps, "min", lab.dport)
		pktgen.range.dst_port(ps, "max", lab.dport_max)
		if family == "ipv4" then
			pktgen.range.src_ip(ps, "start", a.src)
			pktgen.range.src_ip(ps, "inc", "0.0.0.1")
			pktgen.range.src_ip(ps, "min", a.src)
			pktgen.range.src_ip(ps, "max", a.src_max)
			pktgen.range.dst_ip(ps, "start", a.dst)
			pktgen.range.dst_ip(ps, "inc", (p == 1) and "0.0.1.1" or "0.0.0.1")
			pktgen.range.dst_ip(ps, "min", a.dst)
			pktgen.range.dst_ip(ps, "max", a.dst_max)
		else
			-- IPv6 ranges vary the low 64 bits: flows come from the ports
			pktgen.range.src_ip(ps, "start", a.src)
			pktgen.range.dst_ip(ps, "start", a.dst)
		end
	end
	pktgen.set_range("all", "on")
end

-- Send `size`-byte frames on both ports for lab.seconds; returns rx Mpps
-- summed over both ports (what sluice-dp forwarded) and tx Mpps.
function sl_measure(size)
	pktgen.set("all", "size", size)
	pktgen.range.pkt_size("all", "start", size)
	pktgen.range.pkt_size("all", "inc", 0)
	pktgen.range.pkt_size("all", "min", size)
	pktgen.range.pkt_size("all", "max", size)
	return sl_count()
end

-- Send what is set up on both ports at full rate: settle, then count for
-- lab.seconds; returns rx and tx Mpps summed over both ports.
function sl_count()
	pktgen.set("all", "rate", 100)
	pktgen.set("all", "count", 0)
	pktgen.start("all")
	pktgen.delay(lab.settle_ms)
	pktgen.clr()
	pktgen.delay(lab.seconds * 1000)
	local st = pktgen.portStats("all", "port")
	pktgen.stop("all")
	local rx = st[0].ipackets + st[1].ipackets
	local tx = st[0].opackets + st[1].opackets
	return rx / lab.seconds / 1e6, tx / lab.seconds / 1e6
end

function sl_record(name, family, size, rx, tx)
	local f = io.open(lab.result, "a")
	local line = string.format("%s,%s,%d,%.3f,%.3f", name, family, size, rx, tx)

	print("sluice-pktgen: " .. line)
	f:write(line .. "\n")
	f:close()
end
