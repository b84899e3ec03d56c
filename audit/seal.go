package audit

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/fhirlake/fhirlake/internal/sealed"
)

// Errors about sealed (encrypted) logs, returned by [Open] and the
// readers ([Reader], [Verify], [Rows], [Export]).
var (
	// ErrEncrypted reports a sealed log read or opened without its key.
	ErrEncrypted = errors.New("audit: the audit log is encrypted: pass the key")
	// ErrWrongKey reports a sealed log read or opened with another key
	// than the one it was sealed with.
	ErrWrongKey = errors.New("audit: wrong key for the encrypted audit log")
	// ErrNotSealed reports a plaintext log holding records that was given
	// a seal key. A log keeps the format it was created with; the caller
	// decides whether to go on without the key.
	ErrNotSealed = errors.New("audit: the audit log is not encrypted (it was created without a key)")
)

// SealedFile is the name of the file that marks a log as sealed and holds
// the check value of its key.
const SealedFile = "SEALED"

// sealFormat names the sealed line format in the SEALED file.
const sealFormat = "fhirlake-audit-sealed"

// sealAADLabel starts the AAD of every sealed record.
const sealAADLabel = "fhirlake audit v1\x00"

// keyCheckLabel is what the key check value of the SEALED file is an
// HMAC of.
const keyCheckLabel = "fhirlake audit key check v1"

// sealedMarker is the content of the SEALED file.
type sealedMarker struct {
	Format   string `json:"format"`
	Version  int    `json:"version"`
	KeyCheck string `json:"keyCheck"`
}

// keyCheck returns the hex HMAC-SHA-256 of a fixed label under key: it
// tells a wrong key at once without revealing anything of the key.
func keyCheck(key []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(keyCheckLabel))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// IsSealed reports whether the log in dir is sealed (was created with
// Options.SealKey). An absent log is not.
func IsSealed(dir string) (bool, error) {
	_, err := os.Stat(filepath.Join(dir, SealedFile))
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("audit: %w", err)
	}
	return true, nil
}

// codec turns stored lines into record lines and back: the identity for a
// plaintext log, AES-256-GCM per line for a sealed one.
type codec struct {
	box *sealed.Box // nil for a plaintext log
}

// newCodec returns the codec for the log in dir given the caller's seal
// key (nil for none). It checks the key against the SEALED file. forOpen
// lets an empty plaintext log become sealed (the writer then writes the
// SEALED file); readers refuse a key for a plaintext log with records.
func newCodec(dir string, key []byte, forOpen bool) (codec, bool, error) {
	b, err := os.ReadFile(filepath.Join(dir, SealedFile))
	switch {
	case errors.Is(err, os.ErrNotExist):
		return plainCodec(dir, key, forOpen)
	case err != nil:
		return codec{}, false, fmt.Errorf("audit: %w", err)
	case key == nil:
		return codec{}, false, fmt.Errorf("%w (%s)", ErrEncrypted, dir)
	}
	var m sealedMarker
	if err := json.Unmarshal(b, &m); err != nil || m.Format != sealFormat || m.Version != 1 {
		return codec{}, false, fmt.Errorf("audit: %s: not a sealed-log marker of version 1", filepath.Join(dir, SealedFile))
	}
	if !hmac.Equal([]byte(m.KeyCheck), []byte(keyCheck(key))) {
		return codec{}, false, fmt.Errorf("%w (%s)", ErrWrongKey, dir)
	}
	c, err := sealingCodec(key)
	return c, false, err
}

// plainCodec is newCodec for a log without a SEALED file. With a key, an
// empty log may become sealed (for Open: the bool result says the SEALED
// file must be written); a log with records is ErrNotSealed.
func plainCodec(dir string, key []byte, forOpen bool) (codec, bool, error) {
	if key == nil {
		return codec{}, false, nil
	}
	has, err := hasRecords(dir)
	if err != nil {
		return codec{}, false, err
	}
	if has {
		return codec{}, false, fmt.Errorf("%w (%s)", ErrNotSealed, dir)
	}
	if !forOpen {
		return codec{}, false, nil // nothing to read
	}
	c, err := sealingCodec(key)
	return c, true, err
}

func sealingCodec(key []byte) (codec, error) {
	box, err := sealed.NewBox(key)
	if err != nil {
		return codec{}, fmt.Errorf("audit: seal key: %w", err)
	}
	return codec{box: box}, nil
}

// hasRecords reports whether any segment in dir holds bytes.
func hasRecords(dir string) (bool, error) {
	nums, err := segments(dir)
	if err != nil {
		return false, err
	}
	for _, n := range nums {
		st, err := os.Stat(filepath.Join(dir, segmentName(n)))
		if err != nil {
			return false, fmt.Errorf("audit: %w", err)
		}
		if st.Size() > 0 {
			return true, nil
		}
	}
	return false, nil
}

// writeMarker writes the SEALED file of a new sealed log atomically and
// makes it durable before any record is written.
func writeMarker(dir string, key []byte) error {
	b, err := json.Marshal(sealedMarker{Format: sealFormat, Version: 1, KeyCheck: keyCheck(key)})
	if err != nil {
		return fmt.Errorf("audit: seal marker: %w", err)
	}
	tmp := filepath.Join(dir, SealedFile+".tmp")
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("audit: seal marker: %w", err)
	}
	_, err = f.Write(append(b, '\n'))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(dir, SealedFile))
	}
	if err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("audit: seal marker: %w", err)
	}
	return syncDir(dir)
}

// sealAAD binds a sealed record to its segment and seq.
func sealAAD(seg int, seq uint64) []byte {
	aad := make([]byte, 0, len(sealAADLabel)+12)
	aad = append(aad, sealAADLabel...)
	aad = binary.BigEndian.AppendUint32(aad, uint32(seg))
	return binary.BigEndian.AppendUint64(aad, seq)
}

// sealedPrefix and sealedMember open every sealed line:
// {"seq":N,"sealed":"<base64>"}.
const (
	sealedPrefix = `{"seq":`
	sealedMember = `,"sealed":"`
)

// appendStored appends the stored form of the record line pt (without its
// newline) of seq in segment seg to dst, with a newline.
func (c codec) appendStored(dst []byte, seg int, seq uint64, pt []byte) ([]byte, error) {
	if c.box == nil {
		dst = append(dst, pt...)
		return append(dst, '\n'), nil
	}
	ct, err := c.box.Seal(sealAAD(seg, seq), pt)
	if err != nil {
		return nil, fmt.Errorf("audit: seal record %d: %w", seq, err)
	}
	dst = append(dst, sealedPrefix...)
	dst = strconv.AppendUint(dst, seq, 10)
	dst = append(dst, sealedMember...)
	dst = base64.StdEncoding.AppendEncode(dst, ct)
	return append(dst, "\"}\n"...), nil
}

// open returns the record line held by the stored line (without its
// newline) of segment seg. The error says what is wrong with the line.
func (c codec) open(seg int, line []byte) ([]byte, error) {
	seq, b64, isSealed := splitSealed(line)
	if c.box == nil {
		if isSealed {
			return nil, errors.New("the record is encrypted but the log has no SEALED file (it was removed?)")
		}
		return line, nil
	}
	if !isSealed {
		return nil, errors.New("the record is not encrypted in an encrypted log")
	}
	ct, err := base64.StdEncoding.DecodeString(string(b64))
	if err != nil {
		return nil, fmt.Errorf("%w: bad base64: %v", errFormat, err)
	}
	pt, err := c.box.Open(sealAAD(seg, seq), ct)
	if err != nil {
		return nil, fmt.Errorf("the record cannot be decrypted: it was changed or moved (or the key is wrong): %w", err)
	}
	want := strconv.AppendUint([]byte(sealedPrefix), seq, 10)
	if !bytes.HasPrefix(pt, append(want, ',')) {
		return nil, fmt.Errorf("the decrypted record does not hold seq %d", seq)
	}
	return pt, nil
}

// splitSealed parses {"seq":N,"sealed":"B"}; ok is false for any other
// line.
func splitSealed(line []byte) (seq uint64, b64 []byte, ok bool) {
	rest, found := bytes.CutPrefix(line, []byte(sealedPrefix))
	if !found {
		return 0, nil, false
	}
	i := bytes.IndexByte(rest, ',')
	if i <= 0 {
		return 0, nil, false
	}
	seq, err := strconv.ParseUint(string(rest[:i]), 10, 64)
	if err != nil {
		return 0, nil, false
	}
	rest, found = bytes.CutPrefix(rest[i:], []byte(sealedMember))
	if !found || !bytes.HasSuffix(rest, []byte(`"}`)) {
		return 0, nil, false
	}
	return seq, rest[:len(rest)-2], true
}
