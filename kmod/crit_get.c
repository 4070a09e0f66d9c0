// SPDX-License-Identifier: GPL-2.0
/*
 * Criteria read back: DFC_CMD_CRIT_GET of one, and the dump, which
 * resumes by a stable key and flags what changed under it.
 */
#include <linux/bitmap.h>
#include <linux/ktime.h>
#include <linux/timekeeping.h>
#include <net/genetlink.h>
#include <net/sock.h>
#include <uapi/linux/dfc.h>
#include "entry.h"
#include "filter.h"
#include "netlink.h"
#include "netns.h"

static u64 left(u64 limit, u64 used)
{
	return limit > used ? limit - used : 0;
}

/* One port back: a range as SPORT..SPORT_MAX, else value and mask. */
static int port_fill(struct sk_buff *skb, int a, int mask_a, int max_a,
		     __be16 v, __be16 m, u16 lo, u16 span)
{
	if (span != 0xffff)
		return nla_put_u16(skb, a, lo) ||
		       nla_put_u16(skb, max_a, lo + span) ? -EMSGSIZE : 0;
	return nla_put_u16(skb, a, ntohs(v)) ||
	       nla_put_u16(skb, mask_a, ntohs(m)) ? -EMSGSIZE : 0;
}

/* Value, mask and port ranges back into entry attributes. */
static int entry_fill(struct sk_buff *skb, int type, const struct dfc_key *v,
		      const struct dfc_key *m, const struct dfc_prange *pr)
{
	unsigned int alen = v->ipver == 6 ? 16 : 4;
	struct nlattr *nest = nla_nest_start(skb, type);

	if (!nest)
		return -EMSGSIZE;
	if (m->ipver && nla_put_u8(skb, DFC_ENTRY_A_IPVER, v->ipver))
		goto cancel;
	if (m->src[0] || m->src[1] || m->src[2] || m->src[3]) {
		if (nla_put(skb, DFC_ENTRY_A_SRC, alen, v->src) ||
		    nla_put_u8(skb, DFC_ENTRY_A_SRC_PLEN,
			       bitmap_weight((unsigned long *)m->src, 128)))
			goto cancel;
	}
	if (m->dst[0] || m->dst[1] || m->dst[2] || m->dst[3]) {
		if (nla_put(skb, DFC_ENTRY_A_DST, alen, v->dst) ||
		    nla_put_u8(skb, DFC_ENTRY_A_DST_PLEN,
			       bitmap_weight((unsigned long *)m->dst, 128)))
			goto cancel;
	}
	if ((m->flags & DFC_KEY_F_PORTS) &&
	    (port_fill(skb, DFC_ENTRY_A_SPORT, DFC_ENTRY_A_SPORT_MASK,
		       DFC_ENTRY_A_SPORT_MAX, v->sport, m->sport, pr->slo,
		       pr->sspan) ||
	     port_fill(skb, DFC_ENTRY_A_DPORT, DFC_ENTRY_A_DPORT_MASK,
		       DFC_ENTRY_A_DPORT_MAX, v->dport, m->dport, pr->dlo,
		       pr->dspan)))
		goto cancel;
	if (m->proto && (nla_put_u8(skb, DFC_ENTRY_A_PROTO, v->proto) ||
			 nla_put_u8(skb, DFC_ENTRY_A_PROTO_MASK, m->proto)))
		goto cancel;
	if ((m->flags & DFC_KEY_F_ICMP) &&
	    (nla_put_u8(skb, DFC_ENTRY_A_ICMP_TYPE, v->icmp_type) ||
	     nla_put_u8(skb, DFC_ENTRY_A_ICMP_TYPE_MASK, m->icmp_type) ||
	     nla_put_u8(skb, DFC_ENTRY_A_ICMP_CODE, v->icmp_code) ||
	     nla_put_u8(skb, DFC_ENTRY_A_ICMP_CODE_MASK, m->icmp_code)))
		goto cancel;
	if (m->ifindex && nla_put_u32(skb, DFC_ENTRY_A_IFINDEX, v->ifindex))
		goto cancel;
	nla_nest_end(skb, nest);
	return 0;
cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

enum { FILL_TERSE = 1, FILL_ENTRIES = 2 };

static int crit_fill(struct sk_buff *skb, const struct dfc_crit *c,
		     unsigned int how)
{
	u64 now = ktime_get_boottime_seconds();
	u64 packets = atomic64_read(&c->packets);
	u64 bytes = atomic64_read(&c->bytes);
	u64 last = READ_ONCE(c->last_match);
	const struct dfc_limits *lim = c->lim;
	struct nlattr *nest;
	unsigned int i;

	if (nla_put_u32(skb, DFC_A_OWNER, c->owner))
		return -EMSGSIZE;
	nest = nla_nest_start(skb, DFC_A_CRIT);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, DFC_CRIT_A_ID, c->id, DFC_CRIT_A_PAD) ||
	    nla_put_u64_64bit(skb, DFC_CRIT_A_PACKETS, packets, DFC_CRIT_A_PAD) ||
	    nla_put_u64_64bit(skb, DFC_CRIT_A_BYTES, bytes, DFC_CRIT_A_PAD) ||
	    (last && nla_put_u64_64bit(skb, DFC_CRIT_A_LAST_MATCH, now - last,
				       DFC_CRIT_A_PAD)) ||
	    nla_put_u64_64bit(skb, DFC_CRIT_A_AGE, now - c->added, DFC_CRIT_A_PAD))
		goto cancel;
	if (how & FILL_TERSE)
		goto end;
	if (nla_put_u32(skb, DFC_CRIT_A_PRIO, c->prio) ||
	    nla_put_u32(skb, DFC_CRIT_A_FLAGS, c->flags) ||
	    nla_put_u32(skb, DFC_CRIT_A_CDEST, c->cdest) ||
	    nla_put_u32(skb, DFC_CRIT_A_N_REFRESH, lim ? lim->n_refresh : 0) ||
	    nla_put_u32(skb, DFC_CRIT_A_N_ENTRIES, c->n_entries) ||
	    nla_put_u32(skb, DFC_CRIT_A_N_EXCL, c->n_excl) ||
	    nla_put_u64_64bit(skb, DFC_CRIT_A_DUP_DROPPED,
			      atomic64_read(&c->dup_dropped), DFC_CRIT_A_PAD) ||
	    (lim && lim->total_deadline &&
	     nla_put_u32(skb, DFC_CRIT_A_TIMEOUT_TOTAL,
			 left(lim->total_deadline, now))) ||
	    (lim && lim->timeout_idle &&
	     nla_put_u32(skb, DFC_CRIT_A_TIMEOUT_IDLE,
			 left(max_t(u64, last, lim->idle_base) +
			      lim->timeout_idle, now))) ||
	    (lim && lim->packets &&
	     nla_put_u64_64bit(skb, DFC_CRIT_A_LIMIT_PACKETS,
			       left(lim->packets, packets), DFC_CRIT_A_PAD)) ||
	    (lim && lim->bytes &&
	     nla_put_u64_64bit(skb, DFC_CRIT_A_LIMIT_BYTES,
			       left(lim->bytes, bytes), DFC_CRIT_A_PAD)) ||
	    (c->blob_len && nla_put(skb, DFC_CRIT_A_BLOB, c->blob_len, c->blob)))
		goto cancel;
	if (!(how & FILL_ENTRIES))
		goto end;
	for (i = 0; i < c->n_entries; i++) {
		struct dfc_prange pr;
		struct dfc_key v, m;

		/* As given, though its table may hash less of it. */
		dfc_entry_spec(dfc_crit_entry(c, i), &v, &m, &pr);
		if (entry_fill(skb, DFC_CRIT_A_ENTRY, &v, &m, &pr))
			goto cancel;
	}
	for (i = 0; i < c->n_excl; i++) {
		const struct dfc_xentry *x = &dfc_crit_excl(c)[i];

		if (entry_fill(skb, DFC_CRIT_A_EXCL, &x->key, &x->mask, &x->pr))
			goto cancel;
	}
end:
	/* nla_len is 16 bits: a longer nest would wrap, not fail. */
	if (skb_tail_pointer(skb) - (unsigned char *)nest > U16_MAX)
		goto cancel;
	nla_nest_end(skb, nest);
	return 0;
cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

/* Room for a full reply: each entry is at most a few dozen attributes. */
static size_t crit_msg_size(const struct dfc_crit *c)
{
	return NLMSG_GOODSIZE + c->blob_len + (c->n_entries + c->n_excl) * 160;
}

int dfc_genl_crit_get(struct sk_buff *skb, struct genl_info *info)
{
	struct dfc_filter *f = dfc_genl_filter(info);
	struct sk_buff *msg = NULL;
	struct dfc_crit *c;
	void *hdr;
	u32 owner;
	int err;

	err = dfc_genl_owner(info, &owner);
	if (err)
		return err;
	if (GENL_REQ_ATTR_CHECK(info, DFC_A_ID))
		return -EINVAL;
	mutex_lock(&f->lock);
	c = dfc_filter_find(f, owner, nla_get_u64(info->attrs[DFC_A_ID]));
	if (!c) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[DFC_A_ID],
				    "no such criterion");
		err = -ENOENT;
		goto out;
	}
	err = -ENOMEM;
	msg = genlmsg_new(crit_msg_size(c), GFP_KERNEL_ACCOUNT);
	if (!msg)
		goto out;
	err = -EMSGSIZE;
	hdr = genlmsg_put_reply(msg, info, &dfc_genl_family, 0, DFC_CMD_CRIT_GET);
	if (!hdr || crit_fill(msg, c, FILL_ENTRIES))
		goto out;
	genlmsg_end(msg, hdr);
	mutex_unlock(&f->lock);
	return genlmsg_reply(msg, info);
out:
	mutex_unlock(&f->lock);
	nlmsg_free(msg);
	return err;
}

/* cb->args of a criteria dump. */
enum {
	DUMP_STATE,		/* 0: first part, 1: going on, 2: all sent */
	DUMP_LAST_SEQ,		/* seq of the last criterion sent */
	DUMP_LAST_OWNER,	/* and its (owner, id), to find it fast */
	DUMP_LAST_ID,
	DUMP_START_SEQ,		/* f->seq when the dump started */
	DUMP_DEL_GEN,		/* f->del_gen when the dump started */
};

/* The first criterion after seq (the list is in seq order). */
static struct dfc_crit *dump_resume(struct dfc_filter *f,
				    struct netlink_callback *cb)
{
	struct dfc_crit *c = dfc_filter_find(f, cb->args[DUMP_LAST_OWNER],
					     cb->args[DUMP_LAST_ID]);
	u64 seq = cb->args[DUMP_LAST_SEQ];
	unsigned int n = 0;

	/* Still there, and the very same criterion: go on after it. */
	if (c && c->seq == seq)
		return list_next_entry(c, list);
	/* Removed (or replaced by a newer one with its id): walk to the first
	 * newer; every criterion older than it was sent already.
	 */
	list_for_each_entry(c, &f->crits, list) {
		if (c->seq > seq)
			break;
		if (!(++n % 4096))
			cond_resched();
	}
	return c;
}

/*
 * The dump resumes by seq, the order of addition, which no criterion
 * shares or reuses: every criterion present from the dump's start to its
 * end is sent exactly once, whatever is added or removed meanwhile, and
 * criteria added meanwhile are sent too. Consistency is lost only when a
 * criterion added after the start is sent while criteria were removed
 * meanwhile: it may be an id deleted and added again, already sent in its
 * old form. That dump is flagged NLM_F_DUMP_INTR, so userspace takes it
 * again.
 */
int dfc_genl_crit_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	const struct genl_dumpit_info *di = genl_dumpit_info(cb);
	struct dfc_filter *f = &dfc_net(sock_net(skb->sk))->filter;
	struct nlattr *own = di->attrs[DFC_A_OWNER];
	unsigned int how = di->attrs[DFC_A_TERSE] ? FILL_TERSE : 0;
	struct dfc_crit *c;
	int err = 0;

	if (cb->args[DUMP_STATE] == 2)
		return 0;
	mutex_lock(&f->lock);
	if (!cb->args[DUMP_STATE]) {
		cb->args[DUMP_START_SEQ] = f->seq;
		cb->args[DUMP_DEL_GEN] = f->del_gen;
		c = list_first_entry(&f->crits, struct dfc_crit, list);
	} else {
		c = dump_resume(f, cb);
	}
	cb->args[DUMP_STATE] = 1;
	for (; !list_entry_is_head(c, &f->crits, list); c = list_next_entry(c, list)) {
		void *hdr;

		if (own && c->owner != nla_get_u32(own))
			continue;
		/* cb->seq 1, then 2 once inconsistent: the next message and
		 * the final DONE carry NLM_F_DUMP_INTR.
		 */
		if (c->seq > cb->args[DUMP_START_SEQ] &&
		    f->del_gen != (unsigned int)cb->args[DUMP_DEL_GEN])
			cb->seq = 2;
		else if (!cb->seq)
			cb->seq = 1;
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &dfc_genl_family,
				  NLM_F_MULTI, DFC_CMD_CRIT_GET);
		if (!hdr) {
			err = -EMSGSIZE;
			break;
		}
		err = crit_fill(skb, c, how);
		if (err) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		/* Only on a message that stays: a cancelled one loses its flag. */
		genl_dump_check_consistent(cb, hdr);
		genlmsg_end(skb, hdr);
		cb->args[DUMP_LAST_SEQ] = c->seq;
		cb->args[DUMP_LAST_OWNER] = c->owner;
		cb->args[DUMP_LAST_ID] = c->id;
	}
	if (!err)
		cb->args[DUMP_STATE] = 2;	/* all sent */
	mutex_unlock(&f->lock);
	if (err == -EMSGSIZE && skb->len)
		return skb->len;
	return err ?: skb->len;
}
