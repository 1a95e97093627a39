package sandbox

import (
	"context"
	"testing"
	"time"
)

func TestLoopBudgetInProcess(t *testing.T) {
	for _, src := range []string{"while true; do :; done", "while ((1)); do :; done", "f() { f; }; f", "n=0; f() { n=$((n+1)); echo $n > /tmp/depth; f; }; f"} {
		start := time.Now()
		rep := DryRunInProcess(context.Background(), Image{Name: "x", Scripts: []Script{{Path: "x.sh", Source: []byte(src), Role: RoleInstall, Shell: "bash"}}}, Options{Timeout: 3 * time.Second})
		t.Logf("%s: %v %+v %+v steps=%d %v", src, time.Since(start), rep.Contained, rep.Errors, rep.Scripts[0].Steps, rep.Files)
	}
}
