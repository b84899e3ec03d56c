package deid

import "github.com/fhirlake/fhirlake/internal/jsontree"

// Resources are rewritten as order-preserving JSON trees (package
// jsontree), so the output reads like the input. Strings and booleans
// hold their text in Str, numbers their source text in Raw.
type (
	node   = jsontree.Node
	member = jsontree.Member
)

const (
	jNull   = jsontree.Null
	jBool   = jsontree.Bool
	jNumber = jsontree.Number
	jString = jsontree.String
	jArray  = jsontree.Array
	jObject = jsontree.Object
)

// maxDepth bounds nesting so hostile input cannot exhaust the stack.
const maxDepth = jsontree.MaxDepth

// parseJSON parses one JSON value that must be the whole of b (apart from
// white space).
func parseJSON(b []byte) (node, error) { return jsontree.Parse(b) }

// getString returns the string value of member key of n, or "".
func getString(n *node, key string) string {
	if v := n.Get(key); v != nil && v.Kind == jString {
		return v.Str
	}
	return ""
}
