package wire

// memRows is a Rows held in memory, for the statements the server answers
// itself (SET, SHOW, BEGIN...).
type memRows struct {
	cols []Column
	data [][]any
	tag  string
	next int
}

var _ Rows = (*memRows)(nil)

// tagRows returns an empty result with only a command tag.
func tagRows(tag string) *memRows { return &memRows{tag: tag} }

// textColumn describes a text result column.
func textColumn(name string) Column {
	return Column{Name: name, TypeOID: 25, TypeSize: -1, TypeModifier: -1}
}

func (r *memRows) Columns() []Column { return r.cols }

func (r *memRows) Next() bool {
	if r.next >= len(r.data) {
		return false
	}
	r.next++
	return true
}

func (r *memRows) Values() []any { return r.data[r.next-1] }
func (r *memRows) Err() error    { return nil }
func (r *memRows) Tag() string   { return r.tag }
func (r *memRows) Close() error  { return nil }
