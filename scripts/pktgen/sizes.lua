-- SPDX-License-Identifier: BSD-3-Clause
-- Frame-size sweep 64..1518 bytes, IPv4 then IPv6, many flows (ranges):
-- appends "sizes,FAMILY,SIZE,rx_mpps,tx_mpps" lines to lab.result.
-- Run: pktgen ... -f scripts/pktgen/sizes.lua (docs/pktgen.md).
require "common"

for _, family in ipairs({ "ipv4", "ipv6" }) do
	sl_setup(family)
	for _, size in ipairs(lab.sizes) do
		-- IPv6 + UDP + 802.1Q needs 70 bytes at least
		local s = (family == "ipv6" and size < 78) and 78 or size
		local rx, tx = sl_measure(s)

		sl_record("sizes", family, s, rx, tx)
	end
end
pktgen.quit()
