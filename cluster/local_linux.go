package cluster

import (
	"os/exec"
	"syscall"
)

// childOfThisProcess has the kernel end the agent if the coordinator dies
// without stopping it.
func childOfThisProcess(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
