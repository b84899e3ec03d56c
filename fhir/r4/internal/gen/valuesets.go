package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

type concept struct {
	Code    string    `json:"code"`
	Concept []concept `json:"concept"`
}

type codeSystem struct {
	ResourceType string    `json:"resourceType"`
	URL          string    `json:"url"`
	Content      string    `json:"content"`
	Concept      []concept `json:"concept"`
	Compose      *struct {
		Include []include `json:"include"`
		Exclude []include `json:"exclude"`
	} `json:"compose"`
}

type include struct {
	System   string            `json:"system"`
	Concept  []concept         `json:"concept"`
	Filter   []json.RawMessage `json:"filter"`
	ValueSet []string          `json:"valueSet"`
}

// valueSets indexes the ValueSet and CodeSystem resources of valuesets.json.
type valueSets struct {
	sets    map[string]codeSystem
	systems map[string]codeSystem
}

func loadValueSets(path string) (valueSets, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return valueSets{}, fmt.Errorf("gen: %w", err)
	}
	var bu bundle
	if err := json.Unmarshal(raw, &bu); err != nil {
		return valueSets{}, fmt.Errorf("gen: %s: %w", path, err)
	}
	vs := valueSets{sets: map[string]codeSystem{}, systems: map[string]codeSystem{}}
	for i, e := range bu.Entry {
		var r codeSystem
		if err := json.Unmarshal(e.Resource, &r); err != nil {
			return valueSets{}, fmt.Errorf("gen: %s entry %d: %w", path, i, err)
		}
		switch r.ResourceType {
		case "ValueSet":
			vs.sets[r.URL] = r
		case "CodeSystem":
			vs.systems[r.URL] = r
		}
	}
	return vs, nil
}

// codes returns the codes of a required value set when it is small and can
// be expanded without filters, nested value sets or excludes; nil otherwise
// (the binding is then not checked).
func (vs valueSets) codes(url string) []string {
	url, _, _ = strings.Cut(url, "|")
	set, ok := vs.sets[url]
	if !ok || set.Compose == nil || len(set.Compose.Exclude) > 0 {
		return nil
	}
	var out []string
	for _, inc := range set.Compose.Include {
		if len(inc.Filter) > 0 || len(inc.ValueSet) > 0 || inc.System == "" {
			return nil
		}
		list := inc.Concept
		if len(list) == 0 {
			cs, ok := vs.systems[inc.System]
			if !ok || cs.Content != "complete" {
				return nil
			}
			list = cs.Concept
		}
		out = appendCodes(out, list)
	}
	if len(out) == 0 || len(out) > maxCodes {
		return nil
	}
	return dedup(out)
}

func appendCodes(out []string, list []concept) []string {
	for _, c := range list {
		out = append(out, c.Code)
		out = appendCodes(out, c.Concept)
	}
	return out
}
