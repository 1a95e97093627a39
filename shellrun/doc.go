// Package shellrun runs shell text for dmake with mvdan.cc/sh/v3's
// interpreter, in-process: recipe lines and .ONESHELL recipes as GNU make
// hands them to its shell (Recipe), and the commands of $(shell …) and
// "VAR != …" (RunCapture). Only the external commands a line names are real
// processes, and every one of them passes through the caller's exec-handler
// middlewares first (the symlinker's file commands, the image layer's
// docker build). Lines make would run without a shell take make's own fast
// path; a shell the interpreter cannot stand in for is executed. Plain
// make (Recipe.RealShell, Capture.RealShell) executes the real shell for
// every line that needs one, as GNU make does, and keeps in-process only
// what make runs without a shell and the middlewares or builtins do
// identically.
//
// The sandboxed dry run of install, boot and runit scripts, which must not
// touch the host, is the subpackage sandbox.
package shellrun
