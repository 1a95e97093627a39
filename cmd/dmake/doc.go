package main

// The help's text, shared by --help and the man page (--man); the options
// come from the flag definitions (parseFlags).

// synopsis are the forms of dmake's command line.
var synopsis = []string{
	"dmake [OPTION]... [VAR=VALUE]... [GOAL]...",
	"dmake --util NAME [ARG]...",
}

// description says what dmake is: paragraphs, separated by a blank line.
const description = `dmake builds Docker images from legacy Makefile repositories, one cached
layer per install script, through the Docker Engine API. At the root of such
a repository (or with -C DIR, or inside $DOCKER_HOME) a goal that names an
image builds that image; anywhere else dmake is GNU make, and so is dmake
invoked through a link named make.

A legacy repository is the layout of legacy-images/ (images/, make/,
script/), or any directory with an executable bin/build: there "dmake
IMAGE" runs bin/build IMAGE as the legacy build does, with make bound to
dmake's make and every docker build taken over. To learn the images' tags,
FROM images and components (for --graph, --check, and the order of a
build), dmake runs bin/build for each image with nothing sent: the
repository's own recipes run, as the legacy build runs them, but never
docker build.

In any other Makefile, a recipe's docker build is dmake's too: the line
runs in dmake's shell interpreter (unless it needs the real shell), the
Dockerfile's RUN lines are dry-run in the sandbox first, and the image is
built on the engine (or --builder), with nothing sent when its inputs are
unchanged. What dmake does not do (--secret, --ssh, -o, a remote context,
the CLI's -H or --context) is left to the docker CLI, with a note. So is a
docker buildx build that pushes, exports its cache or builds several
platforms; one that loads one platform is dmake's too. A shell script of
the directory that a recipe runs and that calls docker runs in the
interpreter as well. Every other docker command runs the CLI. --watch
makes the goals again whenever a makefile, a source (a file no rule makes)
or a file a docker build sent changes. --check runs nothing: it makes the
goals as a dry run that only says the commands (docker push, kubectl...)
and writes no file, and dry-runs in the sandbox the RUN lines of the
Dockerfile of every docker build they would run; --graph adds those images
(tag, FROM, the target whose recipe builds it) to the target graph.`

// example is one example command line and what it does.
type example struct{ cmd, what string }

// examples are the help's examples: each runs as written at the root of a
// copy of legacy-images (TestHelpExamples).
var examples = []example{
	{"dmake base ssh", "build the images base and ssh, in FROM order"},
	{"dmake ssh", "build ssh, and base first if it changed"},
	{"dmake -C legacy-images web", "the same from elsewhere"},
	{"dmake --watch ssh", "rebuild ssh whenever one of its inputs changes"},
	{"dmake --check ssh", "dry-run ssh's scripts in a sandbox and report"},
	{"dmake --graph=json ssh", "print the dependency graph for tools"},
	{"dmake --bust 03_sshd.sh ssh", "re-run that script and everything after it"},
	{"dmake -C images/ssh -n -j4", "plain make in an image's directory: print what would run"},
	{"dmake --util ssh web uptime", "the legacy bin/ssh, on the Engine API"},
}
