/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DFC_NETLINK_H
#define _DFC_NETLINK_H

int dfc_genl_init(void);
void dfc_genl_uninit(void);

#endif /* _DFC_NETLINK_H */
