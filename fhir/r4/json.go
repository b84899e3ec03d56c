package r4

import "github.com/fhirlake/fhirlake/internal/jsontree"

// The validator reads resources as order-preserving JSON trees that keep
// each value's raw bytes (package jsontree).
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

// parseJSON parses one JSON value filling the whole input.
func parseJSON(data []byte) (node, error) { return jsontree.Parse(data) }
