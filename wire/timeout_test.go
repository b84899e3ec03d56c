package wire

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestDefaultStatementTimeout checks the server's default
// statement_timeout: a runaway statement is cancelled with 57014, the
// connection stays usable, and a client may change the setting.
func TestDefaultStatementTimeout(t *testing.T) {
	_, addr := startServerWith(t, newTestEngine(), Options{StatementTimeout: 150 * time.Millisecond})
	c, _ := connect(t, addr, nil)
	require.Equal(t, []string{"RowDescription statement_timeout:25", "DataRow 150ms", "CommandComplete SHOW", "ReadyForQuery I"},
		c.query("SHOW statement_timeout"))
	start := time.Now()
	got := c.query("SELECT sleep")
	require.Contains(t, got, "ErrorResponse ERROR 57014 canceling statement due to statement timeout")
	require.Less(t, time.Since(start), 5*time.Second)
	require.Equal(t, "DataRow 1", c.query("SELECT 1")[1], "the connection survives")
	c.query("SET statement_timeout = '10s'")
	require.Equal(t, "DataRow 10s", c.query("SHOW statement_timeout")[1])
	c.query("RESET statement_timeout")
	require.Equal(t, "DataRow 150ms", c.query("SHOW statement_timeout")[1], "RESET goes back to the server's default")
}

// TestSettingsStayInTheirSession checks that SET in one connection
// changes nothing in another, nor in the next connection.
func TestSettingsStayInTheirSession(t *testing.T) {
	_, addr := startServer(t, newTestEngine())
	a, _ := connect(t, addr, nil)
	b, _ := connect(t, addr, nil)
	a.query("SET TimeZone = 'Europe/Paris'")
	a.query("SET statement_timeout = '5s'")
	a.query("SET application_name = 'first'")
	require.Equal(t, "DataRow Europe/Paris", a.query("SHOW TimeZone")[1])
	require.Equal(t, "DataRow UTC", b.query("SHOW TimeZone")[1])
	require.Equal(t, "DataRow 0", b.query("SHOW statement_timeout")[1])
	require.Equal(t, "DataRow ", b.query("SHOW application_name")[1])
	c, _ := connect(t, addr, nil)
	require.Equal(t, "DataRow UTC", c.query("SHOW TimeZone")[1], "a new connection starts from the defaults")
}
