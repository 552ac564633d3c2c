-- SPDX-License-Identifier: BSD-3-Clause
-- Simple IMIX (7 x 64 B, 4 x 594 B, 1 x 1518 B, average 353.8 B) on both
-- ports, IPv4 then IPv6, with pktgen's sequence packets (12 per port, sent
-- in turn): appends "imix,FAMILY,354,rx_mpps,tx_mpps" to lab.result.
-- Run: pktgen ... -f scripts/pktgen/imix.lua (docs/pktgen.md).
require "common"

local mix = { 64, 64, 64, 594, 64, 64, 594, 64, 1518, 64, 594, 594 }

for _, family in ipairs({ "ipv4", "ipv6" }) do
	sl_setup(family)
	pktgen.set_range("all", "off")
	for p = 0, 1 do
		local a = (family == "ipv6") and lab.v6[p] or lab.v4[p]

		for i, size in ipairs(mix) do
			local s = (family == "ipv6" and size < 78) and 78 or size
			-- seq N port dst-mac src-mac dst-ip src-ip/mask sport dport
			--     ipv4|ipv6 udp vid size
			pktgen.seqTable(i - 1, tostring(p), {
				["eth_dst_addr"] = lab.dut_mac[p],
				["eth_src_addr"] = "02:00:00:00:01:0" .. p,
				["ip_dst_addr"] = a.dst,
				["ip_src_addr"] = a.src .. a.mask,
				["sport"] = lab.sport + i,
				["dport"] = lab.dport,
				["ethType"] = family,
				["ipProto"] = "udp",
				["vlanid"] = (p == 0) and lab.vlan or 1,
				["pktSize"] = s,
			})
		end
		pktgen.set(tostring(p), "seq_cnt", #mix)
	end
	local rx, tx = sl_count()

	sl_record("imix", family, 354, rx, tx)
end
pktgen.quit()
