package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/fanbench/fanbench/scenarios"
)

const distExamples = "../../examples/distributed"

// checkArgs parses a container's fanbench arguments as the command line
// would, without running them: the command exists, its flags do, and a
// run's scenario is the example's.
func checkArgs(t *testing.T, where string, args []string) {
	t.Helper()
	root := newRoot(io.Discard, io.Discard)
	cmd, rest, err := root.Find(args)
	if err != nil {
		t.Fatalf("%s: %q: %v", where, args, err)
	}
	if err := cmd.ParseFlags(rest); err != nil {
		t.Fatalf("%s: %q: %v", where, args, err)
	}
	if cmd.Args != nil {
		if err := cmd.Args(cmd, cmd.Flags().Args()); err != nil {
			t.Fatalf("%s: %q: %v", where, args, err)
		}
	}
	switch cmd.Name() {
	case "agent":
		if u, _ := cmd.Flags().GetString("nats"); u != "nats://nats:4222" {
			t.Errorf("%s: agent --nats %q, want nats://nats:4222", where, u)
		}
	case "run":
		if n, _ := cmd.Flags().GetInt("agents"); n != 3 {
			t.Errorf("%s: run --agents %d, want 3", where, n)
		}
		if got := cmd.Flags().Args(); !slices.Equal(got, []string{"/scenario.yaml"}) {
			t.Errorf("%s: run %q, want /scenario.yaml (the Dockerfile copies it there)", where, got)
		}
	default:
		t.Errorf("%s: fanbench %s, want agent or run", where, cmd.Name())
	}
}

// The compose file and the Kubernetes manifest run as written: the
// documents parse, the containers' commands are fanbench's, the agents
// number what the coordinator waits for, and the scenario is valid.
func TestDistributedExamples(t *testing.T) {
	t.Parallel()
	if _, err := scenarios.Load(filepath.Join(distExamples, "scenario.yaml")); err != nil {
		t.Fatal(err)
	}
	docker, err := os.ReadFile(filepath.Join(distExamples, "Dockerfile"))
	if err != nil || !bytes.Contains(docker, []byte("COPY examples/distributed/scenario.yaml /scenario.yaml")) {
		t.Fatalf("the Dockerfile does not copy the scenario to /scenario.yaml: %v", err)
	}

	var compose struct {
		Services map[string]struct {
			Image   string   `yaml:"image"`
			Command []string `yaml:"command"`
			Deploy  struct {
				Replicas int `yaml:"replicas"`
			} `yaml:"deploy"`
		} `yaml:"services"`
	}
	data, err := os.ReadFile(filepath.Join(distExamples, "compose.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, &compose); err != nil {
		t.Fatalf("compose.yaml: %v", err)
	}
	if compose.Services["nats"].Image == "" || !slices.Contains(compose.Services["nats"].Command, "-js") {
		t.Errorf("compose.yaml: no nats service with JetStream (-js)")
	}
	if r := compose.Services["agent"].Deploy.Replicas; r != 3 {
		t.Errorf("compose.yaml: %d agent replicas, want 3", r)
	}
	for _, name := range []string{"agent", "coordinator"} {
		s, ok := compose.Services[name]
		if !ok || s.Image != "fanbench:dev" {
			t.Fatalf("compose.yaml: service %s missing, or not the fanbench:dev image", name)
		}
		checkArgs(t, "compose.yaml "+name, s.Command)
	}

	type container struct {
		Name  string   `yaml:"name"`
		Image string   `yaml:"image"`
		Args  []string `yaml:"args"`
		Env   []struct {
			Name string `yaml:"name"`
		} `yaml:"env"`
	}
	type doc struct {
		APIVersion string `yaml:"apiVersion"`
		Kind       string `yaml:"kind"`
		Metadata   struct {
			Name string `yaml:"name"`
		} `yaml:"metadata"`
		Spec struct {
			Parallelism int `yaml:"parallelism"`
			Completions int `yaml:"completions"`
			Template    struct {
				Spec struct {
					RestartPolicy string      `yaml:"restartPolicy"`
					Containers    []container `yaml:"containers"`
				} `yaml:"spec"`
			} `yaml:"template"`
		} `yaml:"spec"`
	}
	f, err := os.Open(filepath.Join(distExamples, "kubernetes.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dec := yaml.NewDecoder(f)
	kinds := map[string]doc{}
	for {
		var d doc
		if err := dec.Decode(&d); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("kubernetes.yaml: %v", err)
		}
		if d.APIVersion == "" || d.Kind == "" || d.Metadata.Name == "" {
			t.Fatalf("kubernetes.yaml: a document without apiVersion, kind or name: %+v", d)
		}
		kinds[d.Kind+"/"+d.Metadata.Name] = d
	}
	for _, want := range []string{"Deployment/nats", "Service/nats", "Job/fanbench-agents", "Job/fanbench-coordinator"} {
		if _, ok := kinds[want]; !ok {
			t.Errorf("kubernetes.yaml: no %s", want)
		}
	}
	agents := kinds["Job/fanbench-agents"]
	if agents.Spec.Parallelism != 3 || agents.Spec.Completions != 3 {
		t.Errorf("kubernetes.yaml: the agents' Job runs %d at once of %d; want 3 and 3", agents.Spec.Parallelism, agents.Spec.Completions)
	}
	for _, job := range []string{"Job/fanbench-agents", "Job/fanbench-coordinator"} {
		spec := kinds[job].Spec.Template.Spec
		if spec.RestartPolicy != "Never" || len(spec.Containers) != 1 {
			t.Fatalf("kubernetes.yaml: %s: want restartPolicy Never and one container", job)
		}
		c := spec.Containers[0]
		args := slices.Clone(c.Args)
		for i, a := range args { // Kubernetes expands $(VAR) from the container's env
			for _, e := range c.Env {
				args[i] = strings.ReplaceAll(a, "$("+e.Name+")", "pod-"+strconv.Itoa(i))
			}
		}
		checkArgs(t, "kubernetes.yaml "+job, args)
	}
}
