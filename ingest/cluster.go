package ingest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/fhirlake/fhirlake/catalog"
)

// An IndexClusterer rewrites the data files of one generation of a search
// index table into clustered files (catalog.File.Partitioned), leaving
// the given files for the caller to remove. engine.Clusterer is one; it
// sorts with DuckDB, which this package does not link.
type IndexClusterer interface {
	ClusterIndex(ctx context.Context, dsDir string, files []catalog.File) ([]catalog.File, error)
}

// WithClusterer returns cat with a clusterer: Refresh and the Materialize
// functions given the result cluster each generation of a search index
// they write that has at least minRows rows (smaller ones are read whole
// faster than their clustered files are opened).
func WithClusterer(cat Catalog, c IndexClusterer, minRows int64) Catalog {
	return clusteringCatalog{Catalog: cat, c: c, minRows: minRows}
}

type clusteringCatalog struct {
	Catalog
	c       IndexClusterer
	minRows int64
}

// clusterPolicy is what buildGroup needs of a clusteringCatalog.
type clusterPolicy struct {
	c       IndexClusterer
	minRows int64
}

func (c clusteringCatalog) unwrap() Catalog { return c.Catalog }

func clusterPolicyOf(cat Catalog) *clusterPolicy {
	if cc, ok := wrapperOf[clusteringCatalog](cat); ok && cc.c != nil {
		return &clusterPolicy{cc.c, cc.minRows}
	}
	return nil
}

// cluster replaces the files just written for the search index jobs of
// a group by clustered ones.
func (p *clusterPolicy) cluster(ctx context.Context, dir string, jobs []*viewJob) error {
	if p == nil {
		return nil
	}
	for _, j := range jobs {
		if _, ok := j.view.(indexTable); !ok || j.report.Rows < p.minRows {
			continue
		}
		var rows int64
		for _, f := range j.files {
			rows += f.Rows
		}
		if rows == 0 {
			continue
		}
		out, err := p.c.ClusterIndex(ctx, dir, j.files)
		if err != nil {
			return fmt.Errorf("search index %s: %w", j.cv.Name, err)
		}
		var got int64
		for _, f := range out {
			got += f.Rows
		}
		if got != rows {
			for _, f := range out {
				os.Remove(filepath.Join(dir, f.Path))
			}
			return fmt.Errorf("search index %s: clustering wrote %d rows of %d", j.cv.Name, got, rows)
		}
		for _, f := range j.files {
			os.Remove(filepath.Join(dir, f.Path))
		}
		j.files = out
	}
	return nil
}
