package image

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"mvdan.cc/sh/v3/syntax"
)

// servedDir is where the files a Dockerfile fetched from the build host are
// copied into the image for the one step that reads them.
const servedDir = "/.dmake-served"

// servedURLRe matches a URL of the build host's web server as echo-style
// Dockerfiles write it: HOST:PORT/PATH, $HOST_ADDR:$HOST_PORT/PATH, with or
// without http://. Group 1 is the path.
var servedURLRe = regexp.MustCompile(`^(?:https?://)?[^\s/|:]*:[^\s/|]+(/\S+)$`)

// errNotFetch says that a wget command of a RUN takes arguments dmake does
// not know how to turn into a read of a file: the RUN stays as written.
type errNotFetch struct{ why string }

func (e errNotFetch) Error() string { return e.why }

// rewriteFetches turns the wget commands of a RUN's shell command that
// fetch files from the build host (HOST:PORT/PATH) into reads of the same
// files under servedDir: "wget -O FILE URL" becomes "cat /.dmake-served/PATH
// > FILE" (a new file with the mode wget gives it), "wget -O - URL" becomes
// "cat /.dmake-served/PATH", "wget -P DIR URL" writes DIR/NAME. It returns
// the new command (on one line) and the URL paths read, in order; none when
// the command fetches nothing from the build host. A wget of the build host
// with options it does not know, or a curl of it, is an errNotFetch.
func rewriteFetches(cmd string) (string, []string, error) {
	f, err := syntax.NewParser(syntax.Variant(syntax.LangPOSIX)).Parse(strings.NewReader(cmd), "")
	if err != nil {
		return "", nil, nil // not ours to judge: the engine's shell will say
	}
	var paths []string
	var walkErr error
	syntax.Walk(f, func(n syntax.Node) bool {
		st, ok := n.(*syntax.Stmt)
		if !ok || walkErr != nil {
			return walkErr == nil
		}
		call, ok := st.Cmd.(*syntax.CallExpr)
		if !ok || len(call.Args) < 2 {
			return true
		}
		if call.Args[0].Lit() == "curl" {
			for _, a := range call.Args[1:] {
				if servedURLRe.MatchString(printNode(a)) {
					walkErr = errNotFetch{fmt.Sprintf("%s: curl, which dmake does not turn into a copy", printNode(call))}
					return false
				}
			}
			return true
		}
		if call.Args[0].Lit() != "wget" {
			return true
		}
		repl, p, err := fetchRead(call.Args[1:])
		if err != nil {
			walkErr = err
			return false
		}
		if repl == "" {
			return true
		}
		rf, err := syntax.NewParser().Parse(strings.NewReader(repl), "")
		if err != nil || len(rf.Stmts) != 1 {
			walkErr = fmt.Errorf("rewriting %s: %v", printNode(st), err)
			return false
		}
		st.Cmd = rf.Stmts[0].Cmd
		st.Redirs = append(st.Redirs, rf.Stmts[0].Redirs...)
		paths = append(paths, p)
		return false
	})
	if walkErr != nil {
		return "", nil, walkErr
	}
	if len(paths) == 0 {
		return "", nil, nil
	}
	var buf bytes.Buffer
	if err := syntax.NewPrinter(syntax.SingleLine(true)).Print(&buf, f); err != nil {
		return "", nil, err
	}
	return strings.TrimSpace(buf.String()), paths, nil
}

// fetchRead returns the command that reads what the wget arguments args
// fetch from the build host, and the URL path; "" when no argument is a URL
// of the build host.
func fetchRead(args []*syntax.Word) (string, string, error) {
	var out, dir, url string
	outSet := false
	words := make([]string, len(args))
	for i, a := range args {
		words[i] = printNode(a)
	}
	value := func(i *int, rest string) (string, bool) {
		if rest != "" {
			return rest, true
		}
		if *i+1 < len(words) {
			*i++
			return words[*i], true
		}
		return "", false
	}
	var unknown []string
	var urls []string
	for i := 0; i < len(words); i++ {
		w := words[i]
		switch {
		case w == "-q" || w == "--quiet" || w == "-nv" || w == "--no-verbose":
		case w == "--output-document" || strings.HasPrefix(w, "--output-document="):
			v, ok := value(&i, strings.TrimPrefix(strings.TrimPrefix(w, "--output-document"), "="))
			out, outSet = v, ok
		case w == "--directory-prefix" || strings.HasPrefix(w, "--directory-prefix="):
			dir, _ = value(&i, strings.TrimPrefix(strings.TrimPrefix(w, "--directory-prefix"), "="))
		case strings.HasPrefix(w, "--"):
			unknown = append(unknown, w)
		case strings.HasPrefix(w, "-") && len(w) > 1:
			// A cluster of short options: -q, -qO-, -O FILE, -P DIR.
		cluster:
			for j := 1; j < len(w); j++ {
				switch w[j] {
				case 'q':
				case 'O':
					out, outSet = value(&i, w[j+1:])
					break cluster
				case 'P':
					dir, _ = value(&i, w[j+1:])
					break cluster
				default:
					unknown = append(unknown, w)
					break cluster
				}
			}
		default:
			urls = append(urls, w)
		}
	}
	served := false
	for _, u := range urls {
		if m := servedURLRe.FindStringSubmatch(u); m != nil {
			served, url = true, path.Clean(m[1])
		}
	}
	if !served {
		return "", "", nil
	}
	if len(unknown) > 0 || len(urls) != 1 {
		return "", "", errNotFetch{fmt.Sprintf("wget %s: options or URLs dmake does not turn into a copy (%s)", strings.Join(words, " "), strings.Join(append(unknown, urls...), " "))}
	}
	src := servedDir + url
	switch {
	case outSet && out == "-":
		return "cat " + src, url, nil
	case outSet:
		return "cat " + src + " > " + out, url, nil
	case dir != "":
		return "cat " + src + " > " + strings.TrimSuffix(dir, "/") + "/" + path.Base(url), url, nil
	default:
		return "cat " + src + " > " + path.Base(url), url, nil
	}
}

// servedPaths returns the URL paths of the build host that the wget and
// curl commands of a RUN's shell command name, in order.
func servedPaths(cmd string) []string {
	f, err := syntax.NewParser(syntax.Variant(syntax.LangPOSIX)).Parse(strings.NewReader(cmd), "")
	if err != nil {
		return nil
	}
	var out []string
	syntax.Walk(f, func(n syntax.Node) bool {
		call, ok := n.(*syntax.CallExpr)
		if !ok || len(call.Args) < 2 || call.Args[0].Lit() != "wget" && call.Args[0].Lit() != "curl" {
			return true
		}
		for _, a := range call.Args[1:] {
			if m := servedURLRe.FindStringSubmatch(printNode(a)); m != nil {
				out = append(out, path.Clean(m[1]))
			}
		}
		return true
	})
	return out
}

func printNode(n syntax.Node) string {
	var buf bytes.Buffer
	syntax.NewPrinter(syntax.SingleLine(true)).Print(&buf, n)
	return buf.String()
}

// serveFiles serves the files of roots (the first that has a path wins)
// over HTTP on port, on every address, as the legacy web server did for a
// build whose Dockerfile fetches from it in a way dmake sends as written.
// Only regular files are served, never a listing or a file through a path
// out of its root. stop shuts the server down.
func serveFiles(port string, roots []string) (stop func(), err error) {
	ln, err := net.Listen("tcp", net.JoinHostPort("", port))
	if err != nil {
		return nil, err
	}
	srv := &http.Server{
		ReadHeaderTimeout: 10 * time.Second,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodGet && r.Method != http.MethodHead {
				http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
				return
			}
			src := findServed(path.Clean("/"+r.URL.Path), roots)
			if src == "" {
				http.NotFound(w, r)
				return
			}
			f, err := os.Open(src)
			if err != nil {
				http.NotFound(w, r)
				return
			}
			defer f.Close()
			fi, err := f.Stat()
			if err != nil || !fi.Mode().IsRegular() {
				http.NotFound(w, r)
				return
			}
			http.ServeContent(w, r, filepath.Base(src), fi.ModTime(), f)
		}),
	}
	go srv.Serve(ln)
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	}, nil
}
