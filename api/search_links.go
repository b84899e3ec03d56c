package api

import (
	"net/url"
	"strconv"

	"github.com/fhirlake/fhirlake/search"
)

// pageLinks returns the links of a searchset page
// (https://hl7.org/fhir/R4/search.html#paging): self, the request as
// understood; first, when this is not the first page; next, with the
// cursor after the last match of this page, when more matches follow;
// previous, only for a client that pages by _offset.
//
// Next links carry a cursor (_after), never an offset: the next page
// starts after the last row of this one in the sort order, so a client
// following them while resources are written sees every resource that
// stays unchanged exactly once (see search.NewPlan). There is no
// previous link for cursor pages: the server keeps no state, and a
// cursor only reads forwards; clients go back to first. The offset of a
// request that has one is not carried into its next link, since the
// cursor already marks the position.
func pageLinks(self string, params url.Values, q *search.Query, limit int, next string) []bundleLink {
	link := func(rel, after string, offset int) bundleLink {
		return bundleLink{Relation: rel, URL: self + encodeQuery(pageQuery(params, after, offset))}
	}
	links := []bundleLink{link("self", q.After, q.Offset)}
	if q.After != "" || q.Offset > 0 {
		links = append(links, link("first", "", 0))
	}
	if next != "" && limit > 0 {
		links = append(links, link("next", next, 0))
	}
	if q.Offset > 0 && limit > 0 {
		links = append(links, link("previous", q.After, max(q.Offset-limit, 0)))
	}
	return links
}

// pageQuery returns params with the page position replaced: _after set
// to the cursor after and _offset to offset, each dropped when empty.
func pageQuery(params url.Values, after string, offset int) url.Values {
	n := url.Values{}
	for k, v := range params {
		if k != "_offset" && k != "_after" {
			n[k] = v
		}
	}
	if after != "" {
		n.Set("_after", after)
	}
	if offset > 0 {
		n.Set("_offset", strconv.Itoa(offset))
	}
	return n
}
