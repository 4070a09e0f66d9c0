#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# fault.sh's copy mode: the copy path under failslab and fail_page_alloc, in softirq.
# shellcheck disable=SC2034 # read by fault.sh
FAULT_MODES="copy"
. "$(dirname "$0")/fault.sh"
