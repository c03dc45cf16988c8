# Sourced by the guest's check scripts (check-all, check-stock, check-harness): how they
# record results and bound their phases.

# One result line, in /out/results.txt (read by the host) and on the console.
result() { # PASS|FAIL NAME [WHY]
	echo "$1 $2${3:+ $3}" >>/out/results.txt
	echo "@@result $1 $2${3:+ $3}"
}

# Every process below PID, parents first (/proc/PID/stat's 4th field is the parent).
descendants() {
	for child in $(cat /proc/[0-9]*/stat 2>/dev/null | awk -v parent="$1" '$4 == parent { print $1 }'); do
		echo "$child"
		descendants "$child"
	done
}

# Runs one phase, at most LIMIT seconds: one still running then is shown (show-stuck),
# killed with everything it started, and fails NAME_finished_in_time; the phases after it
# still run, and their results still go back. Returns the phase's status.
bounded() { # NAME LIMIT COMMAND...
	name=$1 limit=$2
	shift 2
	rm -f "/tmp/overtime.$name"
	read -r began _ </proc/uptime
	"$@" &
	pid=$!
	(
		sleep "$limit"
		touch "/tmp/overtime.$name"
		echo "@@overtime $name: still running after $limit s"
		show-stuck "$name after $limit s"
		kill -9 $pid $(descendants $pid) 2>/dev/null
	) &
	watcher=$!
	wait $pid
	status=$?
	# The watcher first: killed after its sleep, it could still reach the touch above.
	watcher_children=$(descendants $watcher)
	kill -9 $watcher 2>/dev/null
	kill -9 $watcher_children 2>/dev/null
	wait $watcher 2>/dev/null
	# How long each phase took, for whoever budgets make check's time (/out/phases.txt).
	read -r ended _ </proc/uptime
	echo "$name ${began%.*} $((${ended%.*} - ${began%.*}))" >>/out/phases.txt
	if [ -e "/tmp/overtime.$name" ]; then
		result FAIL "${name}_finished_in_time" "killed after $limit s; see @@stuck in the console log"
	fi
	return $status
}
