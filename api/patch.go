package api

import (
	"errors"
	"fmt"
	"hash/fnv"
	"net/http"

	jsonpatch "github.com/evanphx/json-patch/v5"

	"github.com/fhirlake/fhirlake/store"
)

// jsonPatchType is the media type of a JSON Patch (RFC 6902).
const jsonPatchType = "application/json-patch+json"

// patchRetries bounds how often a patch is re-applied to a newer version
// when another writer got in between its read and its write.
const patchRetries = 5

// patch serves PATCH /fhir/{datastore}/{type}/{id} with a JSON Patch
// (https://hl7.org/fhir/R4/http.html#patch). The patch applies to the
// version current when it is read and is committed only if that version
// is still current (If-Match, given or implied), so a concurrent update is
// never lost: without If-Match the patch is re-applied to the newer
// version, with it the answer is 412.
func (h *handler) patch(w http.ResponseWriter, r *http.Request, st Store, typ, id string) {
	if ct := r.Header.Get("Content-Type"); ct == "" {
		writeOutcome(w, r, http.StatusUnsupportedMediaType, "not-supported",
			"a PATCH needs Content-Type "+jsonPatchType)
		return
	}
	want, ok := ifMatch(w, r)
	if !ok {
		return
	}
	body, ok := readBody(w, r, jsonPatchType)
	if !ok {
		return
	}
	if jsonTypes[mediaTypeOf(r)] {
		writeOutcome(w, r, http.StatusUnsupportedMediaType, "not-supported",
			"FHIRPath Patch (a Parameters resource) is not supported; send a JSON Patch as "+jsonPatchType)
		return
	}
	ops, err := jsonpatch.DecodePatch(body)
	if err != nil {
		writeOutcome(w, r, http.StatusBadRequest, "invalid", "the JSON Patch cannot be read: "+err.Error())
		return
	}
	// Patches of one resource in this process take turns, so they do not
	// spin on each other's conflicts; other writers are caught by the
	// version check.
	unlock := h.lockResource(typ, id)
	defer unlock()
	for try := 0; ; try++ {
		cur, err := st.Read(r.Context(), typ, id)
		switch {
		case errors.Is(err, store.ErrDeleted):
			writeOutcome(w, r, http.StatusGone, "deleted", fmt.Sprintf("%s/%s was deleted (version %d)", typ, id, cur.Version))
			return
		case errors.Is(err, store.ErrNotFound):
			writeOutcome(w, r, http.StatusNotFound, "not-found",
				fmt.Sprintf("%s/%s is not known in data store %q", typ, id, r.PathValue("datastore")))
			return
		case err != nil:
			h.serverError(w, r, err)
			return
		}
		if want > 0 && cur.Version != want {
			writeOutcome(w, r, http.StatusPreconditionFailed, "conflict",
				fmt.Sprintf("%s/%s is at version %d, not %d", typ, id, cur.Version, want))
			return
		}
		patched, err := ops.Apply(cur.Body)
		if err != nil {
			writeOutcome(w, r, http.StatusUnprocessableEntity, "processing", "applying the JSON Patch: "+err.Error())
			return
		}
		ms, status, issues := h.checkResource(patched, typ, "patched resource")
		if status != 0 {
			writeIssues(w, r, status, issues)
			return
		}
		if pid, _ := stringMember(ms, "id"); pid != id {
			writeOutcome(w, r, http.StatusUnprocessableEntity, "processing",
				fmt.Sprintf("the patch changes the resource's id to %q", pid))
			return
		}
		res, err := st.Apply(r.Context(), []store.Op{{Type: typ, ID: id, Body: patched, IfMatch: cur.Version}})
		if errors.Is(err, store.ErrConflict) && want == 0 && try < patchRetries {
			continue
		}
		if err != nil {
			h.writeApplyError(w, r, err)
			return
		}
		h.changed(r)
		writeWritten(w, r, http.StatusOK, res[0].Resource,
			fmt.Sprintf("patched %s/%s (version %d)", typ, id, res[0].Resource.Version))
		return
	}
}

// mediaTypeOf returns the request's media type, lower case, without
// parameters.
func mediaTypeOf(r *http.Request) string { return mediaType(r.Header.Get("Content-Type")) }

// lockResource takes the stripe lock of typ/id.
func (h *handler) lockResource(typ, id string) func() {
	f := fnv.New32a()
	f.Write([]byte(typ))
	f.Write([]byte{0})
	f.Write([]byte(id))
	m := &h.resLocks[f.Sum32()%uint32(len(h.resLocks))]
	m.Lock()
	return m.Unlock
}
