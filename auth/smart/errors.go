package smart

import "errors"

// ErrInvalidToken is wrapped by every refusal of a bearer token. An HTTP
// layer answers it with 401 and an OperationOutcome whose diagnostics are
// the error's message; the message names the reason and never contains
// the token or any part of it.
var ErrInvalidToken = errors.New("smart: invalid token")

// TokenError is a refused token. Reason is a short fixed phrase such as
// "expired" or "key id not in key set"; Err, when set, is the underlying
// cause (for logs) and is deliberately left out of Error so that nothing
// taken from the token reaches a client.
type TokenError struct {
	Reason string
	Err    error
}

// Error returns "smart: invalid token: " followed by the reason.
func (e *TokenError) Error() string { return ErrInvalidToken.Error() + ": " + e.Reason }

// Unwrap returns ErrInvalidToken and the cause, so errors.Is(err,
// ErrInvalidToken) holds for every TokenError.
func (e *TokenError) Unwrap() []error {
	if e.Err == nil {
		return []error{ErrInvalidToken}
	}
	return []error{ErrInvalidToken, e.Err}
}

// refuse builds a TokenError.
func refuse(reason string, cause error) error {
	return &TokenError{Reason: reason, Err: cause}
}
