package driver

import (
	"context"
	"fmt"

	"github.com/dmake-dev/dmake/graph"
	"github.com/dmake-dev/dmake/image"
)

// graphImages is --graph at a legacy repository: the images in build order,
// each with its tag, its FROM, the images of the run it depends on and its
// components (the prerequisites of its prepare goal).
func graphImages(ctx context.Context, opts Options, repo image.Repo, imgs []image.Image, stdio Stdio) int {
	quiet := Stdio{In: stdio.In, Out: stdio.Err, Err: stdio.Err}

	goals, status := loadImages(ctx, opts, repo, imgs, quiet)
	if goals == nil {
		return status
	}
	var gi []graph.Image
	doc := &graph.Doc{Version: graph.SchemaVersion, Targets: []graph.DocTarget{}}
	for _, g := range goals {
		doc.Goals = append(doc.Goals, g.node.Name)
		tg := graph.New(ctx, g.db, graph.Options{Dir: g.img.Dir})
		var components []string
		for _, t := range tg.Targets([]string{"prepare"}) {
			if t.Name == "prepare" {
				components = append(components, t.Prereqs...)
				break
			}
		}
		gi = append(gi, graph.Image{Name: g.node.Name, Tag: g.node.Tag, From: g.node.From, Components: components, Dir: g.img.Dir})
	}
	ordered, err := graph.ImageOrder(gi)
	if err != nil {
		fmt.Fprintf(stdio.Err, "%s: %v\n", programName, err)
		return 2
	}
	doc.Images = ordered
	return writeGraph(doc, opts, stdio)
}

func writeGraph(doc *graph.Doc, opts Options, stdio Stdio) int {
	if err := doc.Write(stdio.Out, opts.Graph); err != nil {
		fmt.Fprintf(stdio.Err, "%s: --graph: %v\n", programName, err)
		return 2
	}
	return 0
}

// graphRepoImages is --graph at a repository built through its own
// bin/build: discovery runs bin/build for each image with nothing sent,
// and the images, FROM edges and components are what it found (the tag of
// the intercepted docker build, the FROM of the Dockerfile the repository
// generated, the prerequisites of the goals its makes made).
func graphRepoImages(ctx context.Context, opts Options, repo image.Repo, imgs []image.Image, dir string, stdio Stdio) int {
	lock, err := lockRepo(ctx, repo, stdio)
	if err != nil {
		fmt.Fprintf(stdio.Err, "%s: %v\n", programName, err)
		return 2
	}
	defer lock.Release()
	disc, status := discoverImages(ctx, opts, repo, imgs, nil, dir, stdio)
	if disc == nil {
		return status
	}
	doc := &graph.Doc{Version: graph.SchemaVersion, Targets: []graph.DocTarget{}}
	var gi []graph.Image
	for _, d := range disc {
		doc.Goals = append(doc.Goals, d.node.Name)
		components := d.components
		if components == nil {
			components = []string{}
		}
		gi = append(gi, graph.Image{Name: d.node.Name, Tag: d.node.Tag, From: d.node.From, Components: components, Dir: d.img.Dir})
	}
	ordered, err := graph.ImageOrder(gi)
	if err != nil {
		fmt.Fprintf(stdio.Err, "%s: %v\n", programName, err)
		return 2
	}
	doc.Images = ordered
	return writeGraph(doc, opts, stdio)
}
