package sandbox

import (
	"encoding/json"
	"io"
	"net/url"
	"path/filepath"
)

// SARIF 2.1.0 (OASIS), the format code-scanning tools read: one run of
// the tool, one result per error, warning, sandbox limitation met and
// command of unknown effect, each at its file, line and column.

type sarifLog struct {
	Version string     `json:"version"`
	Schema  string     `json:"$schema"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool    sarifTool     `json:"tool"`
	Results []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri,omitempty"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID               string       `json:"id"`
	ShortDescription sarifMessage `json:"shortDescription"`
}

type sarifMessage struct {
	Text string `json:"text"`
}

type sarifResult struct {
	RuleID    string          `json:"ruleId"`
	RuleIndex int             `json:"ruleIndex"`
	Level     string          `json:"level"`
	Message   sarifMessage    `json:"message"`
	Locations []sarifLocation `json:"locations,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           *sarifRegion  `json:"region,omitempty"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
}

// ruleTexts describe the rules that are not a diagnostic's own code.
var ruleTexts = map[string]string{
	"unknown-command": "a command the dry run has no model of: what it does is unknown",
}

// WriteSARIF writes the document as a SARIF 2.1.0 log: errors are
// "error" results, warnings "warning", outcomes the check cannot tell
// (unknown/CODE), sandbox limitations met (contained/WHAT) and commands
// of unknown effect (unknown-command) "note".
func (d Document) WriteSARIF(w io.Writer) error {
	run := sarifRun{Tool: sarifTool{Driver: sarifDriver{Name: d.Tool.Name, Version: d.Tool.Version, InformationURI: "https://github.com/dmake-dev/dmake", Rules: []sarifRule{}}}, Results: []sarifResult{}}
	rules := map[string]int{}
	add := func(rule, level, msg, pos string) {
		i, ok := rules[rule]
		if !ok {
			text := ruleTexts[rule]
			if text == "" {
				text = rule
			}
			i = len(run.Tool.Driver.Rules)
			rules[rule] = i
			run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRule{ID: rule, ShortDescription: sarifMessage{Text: text}})
		}
		r := sarifResult{RuleID: rule, RuleIndex: i, Level: level, Message: sarifMessage{Text: msg}}
		if file, line, col := SplitPos(pos); file != "" {
			loc := sarifLocation{PhysicalLocation: sarifPhysical{ArtifactLocation: sarifArtifact{URI: fileURI(file)}}}
			if line > 0 {
				loc.PhysicalLocation.Region = &sarifRegion{StartLine: line, StartColumn: col}
			}
			r.Locations = []sarifLocation{loc}
		}
		run.Results = append(run.Results, r)
	}
	for _, r := range d.Images {
		prefix := r.Image + ": "
		for _, e := range r.Errors {
			add(code(e.Code), "error", prefix+e.Msg, e.Pos)
		}
		for _, e := range r.Warnings {
			add(code(e.Code), "warning", prefix+e.Msg, e.Pos)
		}
		for _, e := range r.Unknowns {
			add("unknown/"+code(e.Code), "note", prefix+"cannot tell: "+e.Msg, e.Pos)
		}
		for _, c := range r.Contained {
			add("contained/"+c.What, "note", prefix+c.Msg, c.Pos)
		}
		for _, c := range r.Commands {
			if c.Kind == "unknown" && len(c.Argv) > 0 {
				add("unknown-command", "note", prefix+"no model of "+c.Argv[0]+": what it does is unknown", c.Pos)
			}
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(sarifLog{Version: "2.1.0", Schema: "https://json.schemastore.org/sarif-2.1.0.json", Runs: []sarifRun{run}})
}

func code(c string) string {
	if c == "" {
		return "check"
	}
	return c
}

// fileURI is a report's file as a SARIF artifact URI: a relative
// reference for a relative path, file:// for an absolute one.
func fileURI(file string) string {
	u := url.URL{Path: filepath.ToSlash(file)}
	if filepath.IsAbs(file) {
		u.Scheme = "file"
	}
	return u.String()
}
