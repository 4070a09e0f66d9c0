// SPDX-License-Identifier: GPL-2.0
/*
 * Writes the seed corpus of fuzz_nlevent: receive buffers of the dfc
 * events multicast group, one or more netlink messages each, as
 * kmod/notify.c builds them, up to the largest, plus truncated and
 * malformed ones. Regenerate (from the top of the tree) with
 *
 *   cc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Iinclude/uapi -Ilib \
 *      -o build/mkseeds_nlevent selftests/fuzz_nlevent/mkseeds.c -lmnl
 *   rm -rf selftests/fuzz_nlevent/corpus && mkdir selftests/fuzz_nlevent/corpus &&
 *   build/mkseeds_nlevent selftests/fuzz_nlevent/corpus
 *
 * The output is deterministic (the garbage comes from a fixed-seed PRNG).
 *
 * Sizes: the kernel allocates each event with genlmsg_new(NLMSG_DEFAULT_SIZE),
 * which on x86-64 gives an skb of 7872 bytes (a 4 KiB NLMSG_GOODSIZE rounded
 * up to the 8 KiB kmalloc bucket; worked out, not measured, and the
 * uapi's "about 120"): 122 expired criteria (64 bytes each), 653 purged
 * ids (12 bytes) or 217 dropped-duplicates criteria (36 bytes).
 * The library sizes its arrays for an 8 KiB message (DFC_NL_EVENT_MAX_*:
 * 128, 682, 227); the seeds hold both, one over each cap, and buffers of
 * up to 65535 bytes (the fuzzer's -max_len): one expiry of 1023 criteria,
 * and eight of the kernel's largest messages back to back.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/genetlink.h>
#include <libmnl/libmnl.h>

#include "dfc_nl.h"

#define SEED_MAX 65535
#define FAMILY 0x1c		/* a dynamic generic netlink id, as the kernel gives */
#define KERNEL_MSG 7872		/* what genlmsg_new(NLMSG_DEFAULT_SIZE) holds on x86-64 */

static const char *dir;
/* The buffer being built: messages back to back, as one recvmsg() returns them. */
static _Alignas(8) char buf[2 * SEED_MAX];
static size_t used;
/* 64-bit values behind a PAD when unaligned, as on arches without efficient unaligned access */
static int pad64;

static void save(const char *name, const void *p, size_t len)
{
	char path[4096];
	FILE *f;

	if (len > SEED_MAX) {
		fprintf(stderr, "mkseeds: %s: %zu bytes, over %d\n", name, len, SEED_MAX);
		exit(1);
	}
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(p, 1, len, f) != len || fclose(f)) {
		perror(path);
		exit(1);
	}
}

/* Write the buffer out as a seed and start a new one. */
static void seed(const char *name)
{
	save(name, buf, used);
	used = 0;
}

static struct nlmsghdr *msg(uint8_t cmd)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf + used);
	struct genlmsghdr *genl = mnl_nlmsg_put_extra_header(nlh, GENL_HDRLEN);

	nlh->nlmsg_type = FAMILY;
	genl->cmd = cmd;
	genl->version = DFC_GENL_VERSION;
	return nlh;
}

/* Close the message: the next one starts after it. */
static void end(struct nlmsghdr *nlh)
{
	used += NLMSG_ALIGN(nlh->nlmsg_len);
}

static void put_u64(struct nlmsghdr *nlh, uint16_t type, uint64_t v, uint16_t pad)
{
	if (pad64 && ((uintptr_t)mnl_nlmsg_get_payload_tail(nlh) + MNL_ATTR_HDRLEN) % 8)
		mnl_attr_put(nlh, pad, 0, NULL);
	mnl_attr_put_u64(nlh, type, v);
}

static struct nlmsghdr *owner_msg(uint8_t cmd, uint32_t owner)
{
	struct nlmsghdr *nlh = msg(cmd);

	mnl_attr_put_u32(nlh, DFC_A_OWNER, owner);
	return nlh;
}

/* DFC_CMD_CRIT_EXPIRED of owner with n criteria (expired_put()). */
static struct nlmsghdr *expired(uint32_t owner, unsigned int n)
{
	struct nlmsghdr *nlh = owner_msg(DFC_CMD_CRIT_EXPIRED, owner);

	for (unsigned int i = 0; i < n; i++) {
		struct nlattr *c = mnl_attr_nest_start(nlh, DFC_A_CRIT);

		put_u64(nlh, DFC_CRIT_A_ID, ((uint64_t)owner << 32) | (i + 1), DFC_CRIT_A_PAD);
		mnl_attr_put_u32(nlh, DFC_CRIT_A_FLAGS, i % 2 ? DFC_CRIT_F_SEND_ASYNC : 0);
		mnl_attr_put_u32(nlh, DFC_CRIT_A_CDEST, 1 + i % 3);
		mnl_attr_put_u8(nlh, DFC_CRIT_A_REASON, 1 + i % (__DFC_REASON_MAX - 1));
		put_u64(nlh, DFC_CRIT_A_PACKETS, 10ULL * i, DFC_CRIT_A_PAD);
		put_u64(nlh, DFC_CRIT_A_BYTES, 1500ULL * i, DFC_CRIT_A_PAD);
		mnl_attr_nest_end(nlh, c);
	}
	end(nlh);
	return nlh;
}

/* DFC_CMD_CDEST_PURGED of owner toward cdest, n ids. */
static struct nlmsghdr *purged(uint32_t owner, uint32_t cdest, unsigned int n)
{
	struct nlmsghdr *nlh = owner_msg(DFC_CMD_CDEST_PURGED, owner);

	mnl_attr_put_u32(nlh, DFC_A_CDEST, cdest);
	for (unsigned int i = 0; i < n; i++)
		put_u64(nlh, DFC_A_ID, 1000 + i, DFC_A_PAD);
	end(nlh);
	return nlh;
}

/* DFC_CMD_DUP_DROPPED of owner with n criteria (dup_put()). */
static struct nlmsghdr *dup_dropped(uint32_t owner, unsigned int n)
{
	struct nlmsghdr *nlh = owner_msg(DFC_CMD_DUP_DROPPED, owner);

	for (unsigned int i = 0; i < n; i++) {
		struct nlattr *c = mnl_attr_nest_start(nlh, DFC_A_CRIT);

		put_u64(nlh, DFC_CRIT_A_ID, 7 + i, DFC_CRIT_A_PAD);
		mnl_attr_put_u32(nlh, DFC_CRIT_A_CDEST, 2);
		put_u64(nlh, DFC_CRIT_A_DUP_DROPPED, 3ULL * (i + 1), DFC_CRIT_A_PAD);
		mnl_attr_nest_end(nlh, c);
	}
	end(nlh);
	return nlh;
}

/* DFC_CMD_CDEST_CONGESTED or DFC_CMD_CDEST_NOIPSEC (notify_cdest()). */
static struct nlmsghdr *cdest(uint8_t cmd, uint32_t id, uint8_t congested, uint64_t rate)
{
	struct nlmsghdr *nlh = msg(cmd);
	struct nlattr *st;

	mnl_attr_put_u32(nlh, DFC_CDEST_A_ID, id);
	mnl_attr_put_u8(nlh, DFC_CDEST_A_CONGESTED, congested);
	st = mnl_attr_nest_start(nlh, DFC_CDEST_A_STATS);
	put_u64(nlh, DFC_CSTATS_A_RATE, rate, DFC_CSTATS_A_PAD);
	mnl_attr_nest_end(nlh, st);
	end(nlh);
	return nlh;
}

enum kind { EXPIRED, PURGED, DUP, N_KINDS };

static const struct {
	const char *name;
	size_t head, size;	/* bytes before the list, of each entry */
	unsigned int cap;	/* the library's DFC_NL_EVENT_MAX_* */
} kinds[N_KINDS] = {
	[EXPIRED] = { "expired", 0, 64, DFC_NL_EVENT_MAX_EXPIRED },
	[PURGED] = { "purged", 8, 12, DFC_NL_EVENT_MAX_IDS },	/* DFC_A_CDEST */
	[DUP] = { "dup", 0, 36, DFC_NL_EVENT_MAX_DUPS },
};

/* An event of kind with n entries. */
static void event(enum kind k, uint32_t owner, unsigned int n)
{
	switch (k) {
	case EXPIRED:
		expired(owner, n);
		break;
	case PURGED:
		purged(owner, 2, n);
		break;
	default:
		dup_dropped(owner, n);
	}
}

/* The most entries of kind in a message of size bytes. */
static unsigned int fit(enum kind k, size_t size)
{
	size_t head = MNL_NLMSG_HDRLEN + GENL_HDRLEN + MNL_ATTR_HDRLEN + 4 + kinds[k].head;

	return (size - head) / kinds[k].size;
}

static uint32_t rnd_state = 0x2545f491;

static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

/*
 * The kernel's largest events, each alone, at the library's caps and one
 * over; then buffers up to the fuzzer's -max_len.
 */
static void full_events(void)
{
	char name[64];

	for (enum kind k = 0; k < N_KINDS; k++) {
		event(k, 1, fit(k, KERNEL_MSG));
		snprintf(name, sizeof(name), "%s_kernel_max", kinds[k].name);
		seed(name);
		event(k, 1, kinds[k].cap);
		snprintf(name, sizeof(name), "%s_lib_cap", kinds[k].name);
		seed(name);
		event(k, 1, kinds[k].cap + 1);
		snprintf(name, sizeof(name), "%s_over_cap", kinds[k].name);
		seed(name);
	}
	event(EXPIRED, 3, fit(EXPIRED, SEED_MAX));
	seed("expired_1023");
	for (unsigned int i = 0; i < 8; i++)
		event(i % N_KINDS, i, fit(i % N_KINDS, KERNEL_MSG));
	seed("eight_kernel_max");
}

static void small_events(void)
{
	struct nlmsghdr *nlh;

	expired(0xabcdef01, 1);
	seed("expired_one");
	pad64 = 1;
	expired(2, 3);
	seed("expired_padded");
	purged(2, 3, 4);
	seed("purged_padded");
	dup_dropped(2, 2);
	seed("dup_padded");
	cdest(DFC_CMD_CDEST_CONGESTED, 4, 1, 12000000000ULL);
	seed("congested_padded");
	pad64 = 0;
	purged(1, 2, 3);
	seed("purged_three");
	purged(1, 2, 0);
	seed("purged_none");
	dup_dropped(42, 3);
	seed("dup_three");
	dup_dropped(42, 0);
	seed("dup_none");
	cdest(DFC_CMD_CDEST_CONGESTED, 4, 1, 12000000000ULL);
	seed("congested_on");
	cdest(DFC_CMD_CDEST_CONGESTED, 4, 0, 5);
	seed("congested_off");
	cdest(DFC_CMD_CDEST_NOIPSEC, 8, 0, 7);
	seed("noipsec");
	nlh = msg(DFC_CMD_CDEST_NOIPSEC);
	mnl_attr_put_u32(nlh, DFC_CDEST_A_ID, 9);
	end(nlh);
	seed("noipsec_id_only");

	/* One of each, and what a listener may also see: not ours, not an event. */
	expired(1, 2);
	purged(1, 2, 2);
	dup_dropped(1, 2);
	cdest(DFC_CMD_CDEST_CONGESTED, 3, 1, 99);
	cdest(DFC_CMD_CDEST_NOIPSEC, 3, 0, 0);
	nlh = owner_msg(DFC_CMD_CRIT_GET, 1);
	end(nlh);
	nlh = mnl_nlmsg_put_header(buf + used);
	nlh->nlmsg_type = NLMSG_DONE;
	mnl_nlmsg_put_extra_header(nlh, sizeof(int));
	end(nlh);
	nlh = expired(9, 1);
	nlh->nlmsg_type = GENL_ID_CTRL;
	seed("mixed");
}

/* Malformed: what must be refused (or skipped) without reading past the buffer. */
static void bad_events(void)
{
	struct nlmsghdr *nlh;
	struct nlattr *c;
	size_t len;

	/* cut inside the last criterion, its nlmsg_len cut to match */
	nlh = expired(1, 4);
	nlh->nlmsg_len -= 32;
	used -= 32;
	seed("expired_cut");
	/* cut, but nlmsg_len still claiming the whole message */
	nlh = purged(1, 2, 6);
	used = nlh->nlmsg_len - 7;
	seed("purged_short_buffer");
	/* a nest that claims more than its message */
	nlh = dup_dropped(1, 2);
	c = (struct nlattr *)((char *)mnl_nlmsg_get_payload(nlh) + GENL_HDRLEN + 8);
	c->nla_len += 40;
	seed("dup_nest_overrun");
	/* an expiry with no criterion; a criterion with no id */
	nlh = owner_msg(DFC_CMD_CRIT_EXPIRED, 1);
	end(nlh);
	seed("expired_empty");
	nlh = owner_msg(DFC_CMD_CRIT_EXPIRED, 1);
	c = mnl_attr_nest_start(nlh, DFC_A_CRIT);
	mnl_attr_put_u8(nlh, DFC_CRIT_A_REASON, DFC_REASON_IDLE);
	mnl_attr_nest_end(nlh, c);
	end(nlh);
	seed("expired_no_id");
	/* values of the wrong width */
	nlh = msg(DFC_CMD_CDEST_CONGESTED);
	mnl_attr_put_u32(nlh, DFC_CDEST_A_ID, 9);
	mnl_attr_put_u32(nlh, DFC_CDEST_A_CONGESTED, 1);
	end(nlh);
	seed("congested_wide");
	nlh = purged(1, 2, 3);
	mnl_attr_put_u32(nlh, DFC_A_ID, 1);
	used = NLMSG_ALIGN(nlh->nlmsg_len);
	seed("purged_narrow_id");
	/* headers alone */
	nlh = msg(DFC_CMD_CRIT_EXPIRED);
	end(nlh);
	seed("genl_header_only");
	nlh = msg(DFC_CMD_CDEST_PURGED);
	nlh->nlmsg_len = MNL_NLMSG_HDRLEN + 2;
	used = MNL_NLMSG_HDRLEN + 2;
	seed("genl_header_cut");
	/* a good event, then one whose nlmsg_len runs past the buffer */
	expired(1, 1);
	nlh = dup_dropped(1, 1);
	nlh->nlmsg_len += 100;
	seed("second_overruns");
	/* the kernel's largest expiry with random bytes flipped */
	nlh = expired(1, 122);
	for (unsigned int i = 0; i < 24; i++)
		buf[MNL_NLMSG_HDRLEN + GENL_HDRLEN + rnd() % (used - 20)] ^= 1 << (rnd() % 8);
	seed("expired_flipped");
	/* garbage after a genl header of each command */
	for (unsigned int cmd = DFC_CMD_CRIT_EXPIRED; cmd <= DFC_CMD_MAX; cmd++) {
		char name[32];

		nlh = msg(cmd);
		len = 16 + rnd() % 200;
		for (size_t i = 0; i < len; i++)
			((char *)mnl_nlmsg_get_payload_tail(nlh))[i] = (char)rnd();
		nlh->nlmsg_len += len;
		end(nlh);
		snprintf(name, sizeof(name), "garbage_cmd%u", cmd);
		seed(name);
	}
	for (size_t i = 0; i < 512; i++)
		buf[i] = (char)rnd();
	used = 512;
	seed("garbage");
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
		return 2;
	}
	dir = argv[1];
	full_events();
	small_events();
	bad_events();
	return 0;
}
