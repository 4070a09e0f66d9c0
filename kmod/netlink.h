/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DFC_NETLINK_H
#define _DFC_NETLINK_H

#include <net/genetlink.h>
#include <uapi/linux/dfc.h>
#include "events.h"

/* Multicast groups, in the order of the family's mcgrps. */
enum { DFC_GENL_MCGRP_EVENTS_ID };

extern struct genl_family dfc_genl_family;
struct dfc_filter;
struct dfc_filter *dfc_genl_filter(struct genl_info *info);
int dfc_genl_owner(struct genl_info *info, u32 *owner);
extern const struct nla_policy dfc_crit_new_policy[DFC_A_MAX + 1];
extern const struct nla_policy dfc_crit_del_policy[DFC_A_MAX + 1];
extern const struct nla_policy dfc_crit_refresh_policy[DFC_A_MAX + 1];
extern const struct nla_policy dfc_crit_get_policy[DFC_A_MAX + 1];
extern const struct nla_policy dfc_owner_policy[DFC_A_MAX + 1];
extern const struct nla_policy dfc_limits_policy[DFC_STATS_A_MAX + 1];

int dfc_genl_crit_new(struct sk_buff *skb, struct genl_info *info);
int dfc_genl_crit_del(struct sk_buff *skb, struct genl_info *info);
int dfc_genl_crit_refresh(struct sk_buff *skb, struct genl_info *info);
int dfc_genl_crit_get(struct sk_buff *skb, struct genl_info *info);
int dfc_genl_crit_dump(struct sk_buff *skb, struct netlink_callback *cb);
int dfc_genl_limits_set(struct sk_buff *skb, struct genl_info *info);

extern const struct nla_policy dfc_cdest_policy[DFC_CDEST_A_MAX + 1];
int dfc_genl_cdest_new(struct sk_buff *skb, struct genl_info *info);
int dfc_genl_cdest_set(struct sk_buff *skb, struct genl_info *info);
int dfc_genl_cdest_del(struct sk_buff *skb, struct genl_info *info);
int dfc_genl_cdest_get(struct sk_buff *skb, struct genl_info *info);
int dfc_genl_cdest_dump(struct sk_buff *skb, struct netlink_callback *cb);
int dfc_genl_owner_set(struct sk_buff *skb, struct genl_info *info);

/* Events of the filter and destinations, sent to the events group (notify.c). */
extern const struct dfc_events dfc_genl_events;

int dfc_genl_init(void);
void dfc_genl_uninit(void);

#endif /* _DFC_NETLINK_H */
