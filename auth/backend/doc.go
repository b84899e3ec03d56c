// Package backend is the OAuth 2 token endpoint of SMART Backend Services:
// a registered client (a bulk-export job, an integration engine) that runs
// unattended obtains a short-lived access token by the client-credentials
// grant, authenticating with a JWT assertion signed by one of its private
// keys (RFC 6749 §4.4 with the private_key_jwt method of RFC 7523).
//
// [NewTokenEndpoint] returns the http.Handler of POST /auth/token. It
// knows nothing of storage: its [Config] looks clients up (their JSON Web
// Key Set of public keys and the scopes they may hold), issues the access
// token, and records each grant and refusal. [ParseKeySet] and
// [ParseSystemScopes] validate a client's registration; [GrantScopes]
// is the scope policy (the requested scopes narrowed to the allowed ones).
//
// Specifications:
//   - SMART App Launch 2, Backend Services:
//     https://hl7.org/fhir/smart-app-launch/backend-services.html
//   - RFC 6749 (OAuth 2.0) §4.4 and §5: https://www.rfc-editor.org/rfc/rfc6749
//   - RFC 7523 (JWT profile for client authentication):
//     https://www.rfc-editor.org/rfc/rfc7523
package backend
