package normalize

// tagJSON is the meta.tag coding added to a changed resource.
const tagJSON = `{"system":"` + TagSystem + `","code":"` + TagCode + `"}`

// tagPlan records where the top-level resource's meta and meta.tag are.
type tagPlan struct {
	after    int // end of the id value, else of the resourceType value
	metaEnd  int // closing brace of meta; -1 when there is no meta object
	tagEnd   int // closing bracket of meta.tag; -1 when there is no tag array
	tagEmpty bool
	metaBad  bool // meta or meta.tag is not of the right JSON kind
	tagged   bool // meta.tag already holds the normalized tag
}

// tagEdit returns the edit adding the normalized tag to the resource in
// body (already read once, so valid), or nil when it is there already or
// meta cannot take it.
func tagEdit(body []byte) (*edit, error) {
	s := scanner{data: body}
	p := tagPlan{metaEnd: -1, tagEnd: -1}
	err := s.members(func(k []byte) error {
		switch key := string(k); {
		case key == "meta" && s.peek() == '{':
			return p.meta(&s)
		case key == "meta":
			p.metaBad = true
		case key == "id" || key == "resourceType" && p.after == 0:
			err := s.skip(1)
			p.after = s.pos
			return err
		}
		return s.skip(1)
	})
	switch {
	case err != nil:
		return nil, err
	case p.tagged || p.metaBad:
		return nil, nil
	case p.tagEnd >= 0 && p.tagEmpty:
		return &edit{start: p.tagEnd, end: p.tagEnd, text: tagJSON}, nil
	case p.tagEnd >= 0:
		return &edit{start: p.tagEnd, end: p.tagEnd, text: "," + tagJSON}, nil
	case p.metaEnd >= 0:
		w := walker{scanner: s}
		w.insert(p.metaEnd, []byte(`,"tag":[`+tagJSON+`]`))
		return &w.edits[0], nil
	}
	return &edit{start: p.after, end: p.after, text: `,"meta":{"tag":[` + tagJSON + `]}`}, nil
}

// meta reads the meta object.
func (p *tagPlan) meta(s *scanner) error {
	err := s.members(func(key []byte) error {
		if string(key) != "tag" {
			return s.skip(2)
		}
		if s.peek() != '[' {
			p.metaBad = true
			return s.skip(2)
		}
		p.tagEmpty = true
		err := s.items(func(int) error {
			p.tagEmpty = false
			return p.tag(s)
		})
		p.tagEnd = s.pos - 1
		return err
	})
	p.metaEnd = s.pos - 1
	return err
}

// tag reads one meta.tag item, noting whether it is the normalized tag.
func (p *tagPlan) tag(s *scanner) error {
	if s.peek() != '{' {
		return s.skip(3)
	}
	var system, code string
	err := s.members(func(k []byte) error {
		if key := string(k); (key == "system" || key == "code") && s.peek() == '"' {
			v, _, _, err := s.str()
			if key == "system" {
				system = v
			} else {
				code = v
			}
			return err
		}
		return s.skip(3)
	})
	p.tagged = p.tagged || system == TagSystem && code == TagCode
	return err
}
