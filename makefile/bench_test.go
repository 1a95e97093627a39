package makefile_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dmake-dev/dmake/makefile"
)

// writeTree writes a legacy-style tree of n components (as
// bench/makefile.sh does) and returns the image directory.
func writeTree(tb testing.TB, n int) string {
	root := tb.TempDir()
	comp := filepath.Join(root, "make", "components")
	img := filepath.Join(root, "images", "app")
	for _, d := range []string{comp, img} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			tb.Fatal(err)
		}
	}
	common := "IMAGE_PREFIX ?= legacy/\nTAG = $(IMAGE_PREFIX)$(IMAGE)\nBUILD = $(CURDIR)/build\n" +
		"define script\n@echo 'RUN /bin/bash /build/script/$(1).sh' >> $(2)\n@echo '# $(1) from $(3)' >> $(2)\nendef\n"
	os.WriteFile(filepath.Join(root, "make", "common.mk"), []byte(common), 0o644)
	mk := fmt.Sprintf("DOCKER_HOME := %s\nHOME := $(DOCKER_HOME)\nIMAGE = app\ninclude $(HOME)/make/common.mk\n"+
		"include $(wildcard $(HOME)/make/components/*.mk)\n.PHONY: build prepare $(COMPONENTS)\nbuild: prepare\n\t@echo docker build -t $(TAG) .\nprepare: $(COMPONENTS)\n", root)
	os.WriteFile(filepath.Join(img, "Makefile"), []byte(mk), 0o644)
	for i := 0; i < n; i++ {
		c := fmt.Sprintf("c%06d", i)
		text := fmt.Sprintf("COMPONENTS += %[1]s\n%[1]s_DIR := $(HOME)/components/%[1]s\n%[1]s_FILES = $(%[1]s_DIR)/install.sh $(%[1]s_DIR)/boot.sh\n%[1]s_PRIO ?= %02[2]d\n"+
			"%[1]s:\n\t$(call script,%[1]s,$(BUILD)/Dockerfile,$(%[1]s_FILES))\n\t@ln -sf $(%[1]s_DIR)/install.sh $(BUILD)/script/$(%[1]s_PRIO)_%[1]s.sh\n", c, i%100)
		if err := os.WriteFile(filepath.Join(comp, c+".mk"), []byte(text), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return img
}

func benchLoad(b *testing.B, n int, expand bool) {
	dir := writeTree(b, n)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		db, err := makefile.Load(ctx, makefile.Config{Dir: dir, Goals: []string{"build"}, Stdout: io.Discard, Stderr: io.Discard})
		if err != nil {
			b.Fatal(err)
		}
		if !expand {
			continue
		}
		for _, name := range db.TargetOrder {
			t := db.Target(name)
			sc := db.ScopeFor(name, nil)
			for _, r := range t.Rules {
				if _, err := db.ExpandRecipe(ctx, sc, r.Recipe, &makefile.AutoVars{Target: name}); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
}

// BenchmarkLoad1000 reads and evaluates a tree of 1000 component files.
func BenchmarkLoad1000(b *testing.B) { benchLoad(b, 1000, false) }

// BenchmarkLoadExpand1000 also expands every recipe, as make -n would.
func BenchmarkLoadExpand1000(b *testing.B) { benchLoad(b, 1000, true) }

// BenchmarkLoad10000 reads and evaluates a tree of 10000 component files.
func BenchmarkLoad10000(b *testing.B) { benchLoad(b, 10000, false) }

// BenchmarkExpand measures expansion of a function-heavy recursive
// variable.
func BenchmarkExpand(b *testing.B) {
	dir := b.TempDir()
	text := "SRCS := $(foreach i,1 2 3 4 5 6 7 8 9 10,src/file$(i).c)\n" +
		"OBJS = $(patsubst src/%.c,obj/%.o,$(SRCS))\nDEPS = $(OBJS:.o=.d) $(addprefix -I,$(dir $(SRCS)))\n" +
		"F = $(call G,$(1)) $(if $(filter %.c,$(1)),c,other)\nG = [$(1)]\nall: ; @:\n"
	os.WriteFile(filepath.Join(dir, "Makefile"), []byte(text), 0o644)
	db, err := makefile.Load(context.Background(), makefile.Config{Dir: dir, Stdout: io.Discard, Stderr: io.Discard})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := db.Expand(ctx, nil, "$(DEPS) $(call F,x.c) $(sort $(OBJS) $(SRCS))"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoad30000 reads and evaluates a tree of 30000 component files:
// with BenchmarkLoad10000 it shows whether loading grows linearly.
func BenchmarkLoad30000(b *testing.B) { benchLoad(b, 30000, false) }

// BenchmarkNestedIf loads a makefile with $(if …) nested n deep: the cost
// per level must not grow with the depth (it did: parsing rescanned the
// inner text at every level, 45 s at 100 000 deep). GNU make crashes
// past about 2 000 levels; MaxDepth is raised to allow 100 000.
func BenchmarkNestedIf(b *testing.B) {
	for _, n := range []int{1000, 10000, 100000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			dir := b.TempDir()
			text := "X := " + strings.Repeat("$(if x,", n) + "y" + strings.Repeat(")", n) + "\nall: ; @:\n"
			if err := os.WriteFile(filepath.Join(dir, "Makefile"), []byte(text), 0o644); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				db, err := makefile.Load(context.Background(), makefile.Config{Dir: dir, Stdout: io.Discard, Stderr: io.Discard, MaxDepth: 2*n + 10})
				if err != nil {
					b.Fatal(err)
				}
				if v := db.Globals.Lookup("X"); v == nil || v.Value != "y" {
					b.Fatalf("X = %v", v)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/level")
		})
	}
}
