package cluster

import (
	"errors"
	"fmt"
	"io"
	"os/exec"
	"time"

	"github.com/fanbench/fanbench/internal/natsembed"
)

// Local is a NATS server embedded in this process on loopback and N agent
// processes connected to it: a distributed run on one machine, with
// nothing installed (fanbench run --agents N --local).
type Local struct {
	srv   *natsembed.Server
	procs []*exec.Cmd
	done  []chan struct{}
}

// LocalOptions say how to start the local agents.
type LocalOptions struct {
	// Agents is how many agent processes to start.
	Agents int
	// Command is the agent's command without the server's URL and the
	// name: the fanbench binary and "agent" (os.Executable()).
	Command []string
	// Stderr receives the agents' messages; nil discards them.
	Stderr io.Writer
}

// StartLocal starts the server and the agents. Each agent runs one plan
// and exits; Stop ends those still running.
func StartLocal(o LocalOptions) (*Local, error) {
	if len(o.Command) == 0 || o.Agents < 1 {
		return nil, errors.New("local agents: a command and at least one agent are needed")
	}
	srv, err := natsembed.Start(natsembed.Options{Name: "fanbench-coordinator", Listen: "127.0.0.1:0"})
	if err != nil {
		return nil, err
	}
	l := &Local{srv: srv}
	for i := range o.Agents {
		args := append(o.Command[1:len(o.Command):len(o.Command)], "--nats", srv.URL(), "--name", fmt.Sprintf("local-%d", i+1), "--once")
		cmd := exec.Command(o.Command[0], args...)
		cmd.Stdout, cmd.Stderr = o.Stderr, o.Stderr
		childOfThisProcess(cmd)
		if err := cmd.Start(); err != nil {
			l.Stop()
			return nil, fmt.Errorf("starting local agent %d: %w", i+1, err)
		}
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		l.procs, l.done = append(l.procs, cmd), append(l.done, done)
	}
	return l, nil
}

// URL is the server's client URL.
func (l *Local) URL() string { return l.srv.URL() }

// StopServer shuts the server down (as a crash would), the agents left
// running: for tests of a server lost mid-run.
func (l *Local) StopServer() { l.srv.Stop() }

// Stop waits a little for the agents to exit, kills those that do not,
// and shuts the server down.
func (l *Local) Stop() {
	deadline := time.After(5 * time.Second)
	for i, d := range l.done {
		select {
		case <-d:
		case <-deadline:
			_ = l.procs[i].Process.Kill()
			<-d
		}
	}
	l.srv.Stop()
}
