/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A table's address map (dfc_mask.f8): which first bytes of the source
 * and of the destination address its entries hold, for a side whose
 * prefix covers that byte. A frame whose byte is not there cannot match
 * the table, so the lookup skips it without hashing: frames that match
 * nothing, most of a monitored link, pass over tables of other networks.
 * A map that fills up rules nothing out and is turned off (dfc_mask.fon).
 * Writers set a bit before linking the entry that needs it; bits are only
 * cleared when the table is rebuilt from its entries, so a reader never
 * misses a table that holds what it looks for.
 */
#ifndef _DFC_ADDRMAP_H
#define _DFC_ADDRMAP_H

#include "table.h"

/* Bytes set beyond which a side's map is turned off. */
#define DFC_ADDRMAP_DENSE 192

static inline u8 dfc_addr_byte(const __be32 *a)
{
	return ntohl(a[0]) >> 24;
}

static inline u64 dfc_addrmap_bit(u8 b)
{
	return 1ULL << (b % 64);
}

static inline bool dfc_addrmap_has(const u64 *f, u8 b)
{
	return READ_ONCE(f[b / 64]) >> (b % 64) & 1;
}

/* Whether m's maps in use (fon) rule out a frame's key. */
static inline bool dfc_addrmap_rules_out(const struct dfc_mask *m, u8 fon,
					 const struct dfc_key *key)
{
	return ((fon & 1) && !dfc_addrmap_has(m->f8[0], dfc_addr_byte(key->src))) ||
	       ((fon & 2) && !dfc_addrmap_has(m->f8[1], dfc_addr_byte(key->dst)));
}

/* A new table, empty: a map on each side its prefix covers. */
static inline void dfc_addrmap_init(struct dfc_mask *m)
{
	m->fon = (m->fon & ~3) | (m->plen[0] >= 8 ? 1 : 0) | (m->plen[1] >= 8 ? 2 : 0);
}

/* Writer: side s's map in use while it has at most DENSE bytes set. */
static inline void dfc_addrmap_judge(struct dfc_mask *m, unsigned int s)
{
	u8 fon = m->fon & ~(1U << s);

	if (m->f8n[s] <= DFC_ADDRMAP_DENSE)
		fon |= 1U << s;
	WRITE_ONCE(m->fon, fon);
}

/* Writer: k's bytes, before k's entry is linked into m. */
static inline void dfc_addrmap_add(struct dfc_mask *m, const struct dfc_key *k)
{
	unsigned int s;

	for (s = 0; s < 2; s++) {
		u8 b = dfc_addr_byte(s ? k->dst : k->src);
		u64 *w = &m->f8[s][b / 64];

		if (m->plen[s] < 8 || (*w & dfc_addrmap_bit(b)))
			continue;
		WRITE_ONCE(*w, *w | dfc_addrmap_bit(b));
		m->f8n[s]++;
		dfc_addrmap_judge(m, s);
	}
}

/* Writer: k's bytes into f, a map being rebuilt. */
static inline void dfc_addrmap_note(u64 f[2][4], const struct dfc_key *k)
{
	u8 s = dfc_addr_byte(k->src), d = dfc_addr_byte(k->dst);

	f[0][s / 64] |= dfc_addrmap_bit(s);
	f[1][d / 64] |= dfc_addrmap_bit(d);
}

/*
 * Writer: m's maps as rebuilt in f from every entry it holds. Readers may
 * run meanwhile: each word, old or new, has the bits of every entry.
 */
static inline void dfc_addrmap_set(struct dfc_mask *m, u64 f[2][4])
{
	unsigned int s, i;

	for (s = 0; s < 2; s++) {
		if (m->plen[s] < 8)
			continue;
		m->f8n[s] = 0;
		for (i = 0; i < 4; i++) {
			WRITE_ONCE(m->f8[s][i], f[s][i]);
			m->f8n[s] += hweight64(f[s][i]);
		}
		dfc_addrmap_judge(m, s);
	}
}

#endif /* _DFC_ADDRMAP_H */
