package jsonscan

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestEndOfValue(t *testing.T) {
	for _, tc := range []struct {
		in  string
		end int // -1: malformed
	}{
		{`"a\"b",1`, 6}, {`"a\\",1`, 5}, {`{"a":[1,"}"]} ,`, 13}, {`[{}, []]x`, 8},
		{`12.5e3,`, 6}, {`true}`, 4}, {`null`, 4}, {`false `, 5},
		{`"open`, -1}, {`{"a":1`, -1}, {`,`, -1}, {``, -1},
	} {
		end, err := EndOfValue([]byte(tc.in), 0)
		if tc.end < 0 {
			require.True(t, errors.Is(err, ErrMalformed), "%q", tc.in)
			continue
		}
		require.NoError(t, err, tc.in)
		require.Equal(t, tc.end, end, tc.in)
	}
}
