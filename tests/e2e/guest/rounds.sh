# sw.run=rounds: a bystander ticking into /tmp/bystander, and rounds of
# victims, each round's victims started together (one per vCPU, pinned
# when taskset exists).  Used by `make demo` and by the e2e scenarios that
# need more than one bad page per boot.
#   sw.rounds=1,2   victims per round (default 1)
#   sw.after=S      each victim touches its page S s after printing it (10)
#   sw.together=1   a round's victims touch their pages at the same moment:
#                   each waits for SIGUSR1, sent to all of them at once S s
#                   after they started (once each holds it back)
#   sw.gap=S        pause before every round but the first (0)
#   sw.write=1 / sw.exec=1   write or execute the page instead of reading
#   sw.fork=1       each victim forks a child sharing its page, which
#                   touches the page once the victim died (a new task)
#   sw.hold=S       each victim's page stays mapped by a child for S s, so
#                   it cannot go back to the guest's allocator (and be
#                   written by the guest kernel) before the agent offlined it
#   sw.kread=1      the guest kernel, not the victim, reads the page
#                   (dd from /proc/PID/mem: a kernel-mode copy), S s after
#                   the victim printed it; the victim itself never touches
# Prints, for the host to match:
#   seawall-guest: round R: N victim(s)
#   sw-victim: pid P va V gpa 0xG            (one per victim)
#   seawall-guest: round R victim P exit N   (135: SIGBUS)
#   seawall-guest: round R bystander A -> B  (B > A: it kept running)
#   seawall-guest: rounds done
# and first, each entry of the device tree's reserve map (pages the VMM
# keeps from the guest):  seawall-guest: dt reserves 0xADDR size 0xSIZE
# SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
# Copyright (C) 2026 The Seawall authors
arg() { sed -n "s/.*[ ]$1=\([0-9A-Za-z_,]*\).*/\1/p" /proc/cmdline; }
rounds=$(arg sw.rounds)
after=$(arg sw.after)
gap=$(arg sw.gap)
after=${after:-10}
how=
[ "$(arg sw.write)" = 1 ] && how=--write
[ "$(arg sw.exec)" = 1 ] && how=--exec
[ "$(arg sw.fork)" = 1 ] && how="$how --fork"
hold=$(arg sw.hold)
[ -n "$hold" ] && how="$how --hold $hold"
kread=$(arg sw.kread)
wait="--after $after"
together=$(arg sw.together)
[ "$together" = 1 ] && wait=--signal
ncpu=$(nproc)
# ready PID: the victim holds SIGUSR1 back until it waits for it (so one
# sent now is not lost, and does not kill it)
ready() {
	b=$(sed -n 's/^SigBlk:[[:space:]]*//p' "/proc/$1/status" 2>/dev/null)
	[ -n "$b" ] && [ $((0x$b & 0x200)) != 0 ]
}
pin=
command -v taskset >/dev/null 2>&1 && pin=1

# The flattened device tree's memory reserve map (header word 4: offset).
if [ -r /sys/firmware/fdt ]; then
	off=$(od -A n -t u1 -j 16 -N 4 /sys/firmware/fdt |
		awk '{ print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4 }')
	n=0
	while [ $n -lt 256 ]; do
		hex=$(od -A n -t x1 -j "$off" -N 16 /sys/firmware/fdt | tr -d ' \n')
		[ "$hex" = 00000000000000000000000000000000 ] || [ ${#hex} != 32 ] && break
		printf 'seawall-guest: dt reserves 0x%x size 0x%x\n' "0x${hex%????????????????}" \
			"0x${hex#????????????????}"
		off=$((off + 16)) n=$((n + 1))
	done
fi

sw-bystander --quiet --out /tmp/bystander &
by=$!
r=0 rc=0
for k in $(echo "${rounds:-1}" | tr , ' '); do
	r=$((r + 1))
	[ $r -gt 1 ] && [ -n "$gap" ] && sleep "$gap"
	echo "seawall-guest: round $r: $k victim(s)"
	pids= i=0
	while [ $i -lt "$k" ]; do
		if [ "$kread" = 1 ]; then
			sw-victim --after 100000 > /tmp/victim.$r.$i 2>&1 &
		elif [ -n "$pin" ]; then
			taskset -c $((i % ncpu)) sw-victim $how $wait &
		else
			sw-victim $how $wait &
		fi
		pids="$pids $!"
		i=$((i + 1))
	done
	if [ "$together" = 1 ] && [ "$kread" != 1 ]; then
		# S s after the start, as without sw.together; a victim not yet
		# holding SIGUSR1 by then gets a few seconds more
		sleep "$after"
		for p in $pids; do
			n=0
			while ! ready "$p" && [ $n -lt 20 ]; do sleep 0.5; n=$((n + 1)); done
		done
		echo "seawall-guest: round $r: SIGUSR1 to$pids"
		kill -USR1 $pids
	fi
	if [ "$kread" = 1 ]; then
		i=0
		for p in $pids; do
			f=/tmp/victim.$r.$i
			i=$((i + 1))
			n=0
			while ! grep -q ' gpa ' $f && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
			grep ' gpa ' $f
			va=$(sed -n 's/.* va \(0x[0-9a-f]*\) gpa .*/\1/p' $f)
			sleep "$after"
			echo "seawall-guest: round $r kernel reads pid $p page $va through /proc/$p/mem"
			dd if=/proc/$p/mem of=/dev/null bs=4096 count=1 skip=$((va / 4096)) 2>&1 |
				sed 's/^/seawall-guest: dd: /'
			echo "seawall-guest: round $r kernel read done"
			kill $p
		done
	fi
	for p in $pids; do
		wait "$p"
		v=$?
		echo "seawall-guest: round $r victim $p exit $v"
		[ $v = 135 ] || rc=1
	done
	a=$(cut -d' ' -f1 /tmp/bystander)
	sleep 3
	b=$(cut -d' ' -f1 /tmp/bystander)
	echo "seawall-guest: round $r bystander $a -> $b"
done
echo "seawall-guest: rounds done"
kill $by
exit $rc
