package resolve

import "fmt"

// errorf wraps an error about the resource typ/id.
func errorf(typ, id, format string, args ...any) error {
	return fmt.Errorf("resolve: %s/%s: "+format, append([]any{typ, id}, args...)...)
}
