package engine

import (
	"context"
	"sync"

	"github.com/fhirlake/fhirlake/wire"
)

var _ wire.TemplateQuerier = (*session)(nil)

// maxTemplates bounds the cache of checked statement templates; when it
// is full it starts afresh.
const maxTemplates = 4096

// templateCache remembers the prepared statements (with $n parameters)
// that passed the safety check as plain queries needing no rewrite.
type templateCache struct {
	mu   sync.Mutex
	tags map[string]string // template → command tag of its plan
}

func (c *templateCache) get(template string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	tag, ok := c.tags[template]
	return tag, ok
}

func (c *templateCache) put(template, tag string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tags == nil || len(c.tags) >= maxTemplates {
		c.tags = map[string]string{}
	}
	c.tags[template] = tag
}

// QueryTemplate implements wire.TemplateQuerier. The template is
// classified once per engine (DuckDB's parser sees its $n parameters);
// when it is a query that the Postgres compatibility rewrite leaves as it
// is, later executions run sql at once: substituted literals cannot add
// a table, a function or a statement, nor anything the rewrite would
// change. Anything else goes through Query.
func (s *session) QueryTemplate(ctx context.Context, template, sql string) (wire.Rows, error) {
	key := s.templateKey(template)
	tag, ok := s.e.templates.get(key)
	if !ok {
		p, err := s.classify(ctx, template)
		if err != nil || p.Kind != planQuery || p.SQL != template {
			return s.Query(ctx, sql)
		}
		s.e.templates.put(key, p.Tag)
		tag = p.Tag
	}
	return s.run(ctx, sql, tag)
}
