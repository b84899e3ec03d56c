package store

import (
	"fmt"
	"sync"

	"github.com/klauspost/compress/zstd"
)

// Codec turns a stored resource body into its on-disk form and back.
// Encryption at rest is not a Codec's business: with [Options].Encryption
// the store seals what the codec encodes, with key as associated data.
//
// Implementations must be safe for concurrent use. Encode and Decode append
// to dst and return it; they must not retain plain, stored or key.
type Codec interface {
	// Name identifies the codec; it is recorded in the file and checked on
	// Open, so a file is never decoded with the wrong codec.
	Name() string
	// Encode appends the on-disk form of plain to dst.
	Encode(dst, plain, key []byte) ([]byte, error)
	// Decode appends the body stored as stored under key to dst.
	Decode(dst, stored, key []byte) ([]byte, error)
}

// Zstd returns the default codec: zstd compression, one frame per value,
// with a checksum. It is shared and safe for concurrent use.
func Zstd() Codec { return zstdCodec{} }

type zstdCodec struct{}

var zstdState struct {
	once sync.Once
	enc  *zstd.Encoder
	dec  *zstd.Decoder
	err  error
}

func zstdInit() error {
	zstdState.once.Do(func() {
		zstdState.enc, zstdState.err = zstd.NewWriter(nil,
			zstd.WithEncoderLevel(zstd.SpeedFastest),
			zstd.WithEncoderCRC(true))
		if zstdState.err != nil {
			return
		}
		zstdState.dec, zstdState.err = zstd.NewReader(nil,
			zstd.WithDecoderConcurrency(0),
			zstd.WithDecoderMaxMemory(1<<30))
	})
	return zstdState.err
}

func (zstdCodec) Name() string { return "zstd" }

func (zstdCodec) Encode(dst, plain, _ []byte) ([]byte, error) {
	if err := zstdInit(); err != nil {
		return nil, fmt.Errorf("store: zstd: %w", err)
	}
	return zstdState.enc.EncodeAll(plain, dst), nil
}

func (zstdCodec) Decode(dst, stored, _ []byte) ([]byte, error) {
	if err := zstdInit(); err != nil {
		return nil, fmt.Errorf("store: zstd: %w", err)
	}
	out, err := zstdState.dec.DecodeAll(stored, dst)
	if err != nil {
		return nil, fmt.Errorf("store: zstd decode: %w", err)
	}
	return out, nil
}
