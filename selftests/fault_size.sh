#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# fault.sh's dry, slab, page modes: dfc commands under failslab and fail_page_alloc, by size.
# shellcheck disable=SC2034 # read by fault.sh
FAULT_MODES="dry slab page"
. "$(dirname "$0")/fault.sh"
