package shellrun

import "context"

type sourceKey struct{}

// WithSource returns ctx carrying where the commands run under it come
// from ("images/ssh/Makefile:12"), so that an exec middleware can say where
// a command it refuses was written.
func WithSource(ctx context.Context, where string) context.Context {
	return context.WithValue(ctx, sourceKey{}, where)
}

// Source returns what WithSource put in ctx, or "".
func Source(ctx context.Context) string {
	s, _ := ctx.Value(sourceKey{}).(string)
	return s
}
