package shellrun

import "context"

type sourceKey struct{}

// recipeLine is where a recipe line is written and the target whose
// recipe it is.
type recipeLine struct{ where, target string }

// WithSource returns ctx carrying where the commands run under it come
// from ("images/ssh/Makefile:12"), so that an exec middleware can say where
// a command it refuses was written.
func WithSource(ctx context.Context, where string) context.Context {
	return context.WithValue(ctx, sourceKey{}, recipeLine{where: where})
}

// WithRecipeLine is WithSource for a line of target's recipe: Target then
// names it too.
func WithRecipeLine(ctx context.Context, where, target string) context.Context {
	return context.WithValue(ctx, sourceKey{}, recipeLine{where, target})
}

// Source returns where WithSource or WithRecipeLine said the commands of
// ctx come from, or "".
func Source(ctx context.Context) string {
	s, _ := ctx.Value(sourceKey{}).(recipeLine)
	return s.where
}

// Target returns the target WithRecipeLine named, or "".
func Target(ctx context.Context) string {
	s, _ := ctx.Value(sourceKey{}).(recipeLine)
	return s.target
}
