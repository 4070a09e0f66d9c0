#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# fault.sh's dry, nth modes: every allocation of every dfc command failed in turn (fail-nth).
# shellcheck disable=SC2034 # read by fault.sh
FAULT_MODES="dry nth"
. "$(dirname "$0")/fault.sh"
