package export

import (
	"context"
	"encoding/json"
	"fmt"
)

// groupMembers reads Group/id from src and returns the ids of its active
// members that are Patients. The error wraps store.ErrNotFound or
// store.ErrDeleted when there is no such Group.
func groupMembers(ctx context.Context, src Source, id string) (map[string]bool, error) {
	r, err := src.Read(ctx, "Group", id)
	if err != nil {
		return nil, fmt.Errorf("export: group %s: %w", id, err)
	}
	var g struct {
		Member []struct {
			Entity struct {
				Reference string `json:"reference"`
			} `json:"entity"`
			Inactive bool `json:"inactive"`
		} `json:"member"`
	}
	if err := json.Unmarshal(r.Body, &g); err != nil {
		return nil, fmt.Errorf("export: group %s: %w", id, err)
	}
	members := make(map[string]bool, len(g.Member))
	for _, m := range g.Member {
		if pid, ok := patientID(m.Entity.Reference); ok && !m.Inactive {
			members[pid] = true
		}
	}
	return members, nil
}
