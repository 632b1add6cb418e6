# Sourced by the bench scripts. A run killed with SIGKILL never reaches its
# EXIT trap: delete namespaces named ahbench-[apply-]PID-... whose PID is
# gone, before making new ones.
reap_stale_namespaces() {
  local name pid
  for name in $(ip netns list | awk '{ print $1 }'); do
    pid=$(sed -n 's/^ahbench-\(apply-\)\{0,1\}\([0-9][0-9]*\).*/\2/p' <<< "$name")
    if [ -n "$pid" ] && [ "$pid" != "$$" ] && [ ! -d "/proc/$pid" ]; then
      ip netns del "$name" 2>/dev/null || true
    fi
  done
}
