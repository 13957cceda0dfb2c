# sw.run=idle: keep the guest up doing nothing but the agent's work.
# SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
# Copyright (C) 2026 The Seawall authors
while :; do sleep 3600; done
