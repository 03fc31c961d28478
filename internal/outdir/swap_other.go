//go:build !linux && !darwin

package outdir

// exchange is not available here: swap falls back to two renames.
var exchange func(a, b string) error

func unsupported(error) bool { return true }
