/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DFC_STATS_H
#define _DFC_STATS_H

#include <linux/percpu.h>
#include <linux/u64_stats_sync.h>

/*
 * Frame counters, one set per CPU: the hook never shares a cache line.
 * ipv4/ipv6 count frames parsed into a key (behind VLAN tags and MPLS
 * labels too), other everything else, unparseable frames included.
 * parsed/unparseable (the per-stage counters) are kept per namespace only;
 * no_l4_* (IP frames looked up without ports or ICMP fields, by cause,
 * enum dfc_no_l4) per interface too.
 */
struct dfc_pcpu_stats {
	u64_stats_t seen;
	u64_stats_t bytes;
	u64_stats_t ipv4;
	u64_stats_t ipv6;
	u64_stats_t other;
	u64_stats_t no_l4_exthdrs;
	u64_stats_t no_l4_truncated;
	u64_stats_t no_l4_fragment;
	u64_stats_t parsed;		/* IP frames parsed into a key */
	u64_stats_t unparseable;	/* IP frames malformed or cut short */
	u64_stats_t matched;		/* frames matching any criterion */
	u64_stats_t probed;		/* masks probed, summed over frames */
	u64_stats_t copies;		/* copies sent */
	u64_stats_t copies_shared;	/* of those, sharing the frame's page */
	u64_stats_t dup_dropped;	/* copies lost to max-duplicates */
	u64_stats_t looped;		/* our own copies, come back */
	struct u64_stats_sync syncp;
};

/* A consistent sum over every CPU, for netlink replies. */
struct dfc_stats {
	u64 seen;
	u64 bytes;
	u64 ipv4;
	u64 ipv6;
	u64 other;
	u64 no_l4_exthdrs;
	u64 no_l4_truncated;
	u64 no_l4_fragment;
	u64 parsed;
	u64 unparseable;
	u64 matched;
	u64 probed;
	u64 copies;
	u64 copies_shared;
	u64 dup_dropped;
	u64 looped;
};

static inline void dfc_stats_read(struct dfc_pcpu_stats __percpu *pcpu,
				  struct dfc_stats *sum)
{
	int cpu;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		const struct dfc_pcpu_stats *s = per_cpu_ptr(pcpu, cpu);
		struct dfc_stats v;
		unsigned int start;

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			v.seen = u64_stats_read(&s->seen);
			v.bytes = u64_stats_read(&s->bytes);
			v.ipv4 = u64_stats_read(&s->ipv4);
			v.ipv6 = u64_stats_read(&s->ipv6);
			v.other = u64_stats_read(&s->other);
			v.no_l4_exthdrs = u64_stats_read(&s->no_l4_exthdrs);
			v.no_l4_truncated = u64_stats_read(&s->no_l4_truncated);
			v.no_l4_fragment = u64_stats_read(&s->no_l4_fragment);
			v.parsed = u64_stats_read(&s->parsed);
			v.unparseable = u64_stats_read(&s->unparseable);
			v.matched = u64_stats_read(&s->matched);
			v.probed = u64_stats_read(&s->probed);
			v.copies = u64_stats_read(&s->copies);
			v.copies_shared = u64_stats_read(&s->copies_shared);
			v.dup_dropped = u64_stats_read(&s->dup_dropped);
			v.looped = u64_stats_read(&s->looped);
		} while (u64_stats_fetch_retry(&s->syncp, start));
		sum->seen += v.seen;
		sum->bytes += v.bytes;
		sum->ipv4 += v.ipv4;
		sum->ipv6 += v.ipv6;
		sum->other += v.other;
		sum->no_l4_exthdrs += v.no_l4_exthdrs;
		sum->no_l4_truncated += v.no_l4_truncated;
		sum->no_l4_fragment += v.no_l4_fragment;
		sum->parsed += v.parsed;
		sum->unparseable += v.unparseable;
		sum->matched += v.matched;
		sum->probed += v.probed;
		sum->copies += v.copies;
		sum->copies_shared += v.copies_shared;
		sum->dup_dropped += v.dup_dropped;
		sum->looped += v.looped;
	}
}

#endif /* _DFC_STATS_H */
