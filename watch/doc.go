// Package watch is dmake's --watch: it watches the inputs of a plan with
// fsnotify, gathers file events into debounced batches of real changes,
// says what each batch affects, and runs a rebuild loop over them.
//
// The plan is given as an Inputs: the files and directories to watch, the
// Makefiles and wildcard-include patterns whose change means reading the
// Makefiles again, which images read which path, and which image is built
// FROM which. The package knows nothing of Makefiles or Docker.
//
// A Watcher turns file events into Batches. Decisions it makes:
//   - Input files are watched through their parent directories (atomic
//     saves replace the inode), input directories recursively, with watches
//     added and removed as directories appear, disappear and are renamed.
//     A missing directory is watched through its nearest existing ancestor.
//   - Events only mark paths to look at. When the debounce (default 100 ms
//     after the last event, on an injectable Clock) runs out, each marked
//     path is compared with what was seen before: a change is a file that
//     appeared, disappeared, whose content hash changed, or whose
//     executable bits changed. Other mode bits, owners and timestamps do not
//     count: chmod 600 or touch on a file make no batch, chmod +x does (a
//     boot script or runit run file without it breaks the image). Saving the
//     same content, or deleting and re-creating a file with the same
//     content, makes no batch either.
//   - Editor droppings are ignored by name: vim's 4913 probe, swap files
//     (.swp .swo .swn .swx), backups (*~), Emacs' .#* locks and #*#
//     autosaves.
//   - A burst of events, however long, makes one batch as long as no gap
//     between two events is longer than the debounce. An fsnotify queue
//     overflow makes the watcher look at every input again.
//
// Run is the loop: it calls Rebuild (after Replan when the Makefiles must
// be read again) for each batch, under a Policy for changes that arrive
// during a rebuild, and reports each step as an Event; JSONWriter writes
// them for --progress=json (schema: EventSchema, events.schema.json) and
// TextWriter writes one human line per cycle.
//
// A caller such as dmake --watch does roughly:
//
//	err := watch.Run(ctx, watch.Config{
//		Inputs:  plan,                        // an Inputs built from the graph
//		Exclude: buildDirs,                   // what the rebuild writes itself
//		Policy:  policy,                      // watch.ParsePolicy(opts.WatchPolicy)
//		Replan:  func(ctx context.Context, b watch.Batch) (watch.Inputs, error) { … },
//		Rebuild: func(ctx context.Context, b watch.Batch) error { … b.Images … },
//		OnEvent: watch.TextWriter(os.Stderr, root), // or watch.JSONWriter(os.Stdout)
//	})
package watch
