package flatten

// RunView parses and compiles the ViewDefinition view (JSON) and
// evaluates it over resources (JSON, of any resource type; those of
// another type than the view's give no rows). It returns the output
// column names in order and the rows, as [View.Evaluate] gives them. It is
// the implementation the SQL-on-FHIR conformance suite runs (see
// flattentest and `fhirlake sof-test`). Errors are *ViewError values.
func RunView(view []byte, resources [][]byte) ([]string, [][]any, error) {
	vd, err := ParseView(view)
	if err != nil {
		return nil, nil, err
	}
	v, err := Compile(vd)
	if err != nil {
		return nil, nil, err
	}
	var rows [][]any
	for _, r := range resources {
		rs, err := v.Evaluate(r)
		if err != nil {
			return nil, nil, err
		}
		rows = append(rows, rs...)
	}
	return v.Columns(), rows, nil
}
