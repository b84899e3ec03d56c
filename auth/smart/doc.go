// Package smart verifies OAuth 2 bearer JWTs from an external identity
// provider and decides what their SMART on FHIR scopes allow.
//
// The main types are Verifier (NewVerifier, Verify), which turns a token
// into a Principal, and Principal.Allows, which turns a Principal, an
// Interaction and a resource type into a Decision. WellKnown writes the
// /.well-known/smart-configuration document. Specifications: RFC 7519
// (JWT), RFC 7515/7517 (JWS, JWK), RFC 8725 (JWT best practices) and SMART
// App Launch 2.x, https://hl7.org/fhir/smart-app-launch/ ("Scopes and
// Launch Context", "Conformance").
//
// # Token checks
//
// Verify refuses a token, with a *TokenError wrapping ErrInvalidToken
// whose message names the reason and never repeats the token, unless all
// of these hold:
//
//   - It is a compact JWS of at most 16 KiB whose "alg" is RS256 or ES256.
//     The allow-list is fixed: "none" is no signature, and HS256 would let
//     anyone who knows the provider's public key forge tokens by using the
//     key bytes as an HMAC secret (algorithm confusion). The header is
//     checked before the library (go-jose v4, which is also given the
//     allow-list) parses it.
//   - Its "kid" names a key of the configured key set. Keys are only
//     public RSA keys of at least 2048 bits (RS256) and P-256 keys (ES256)
//     with "use" absent or "sig"; a key's own "alg", when present, must
//     match. A token without "kid" is accepted only when the set holds
//     exactly one key, since otherwise the verifier would have to try keys
//     until one fits.
//   - The signature verifies with that key.
//   - "iss" equals Config.Issuer and "aud" contains one of Config.Audience.
//   - "exp" is present and now ≤ exp + leeway; "nbf" and "iat", when
//     present, are ≤ now + leeway. The leeway (Config.Leeway, default 60 s)
//     absorbs clock skew between the provider and this server.
//   - The scope claim is a string or an array of strings, and the
//     "patient" claim, when present, is a valid FHIR id.
//
// A key set comes from a file, read once, or a URL. A URL is fetched by
// NewVerifier; again when a token names an unknown kid, at most once a
// minute (so a rotated key is picked up quickly, but random kids cannot
// make the server hammer the provider); and again when the set is more
// than an hour old (so withdrawn keys stop verifying). A failed refresh
// keeps the previous keys; the HTTP client has a 10 s timeout.
//
// # Scopes
//
// The claim "scope" (space-separated) or, if absent, "scp" (array) is
// parsed by ParseScopes. Accepted resource scopes:
//
//	context "/" type "." permissions [ "?" query ]
//	context     = "patient" | "user" | "system"
//	type        = an R4 resource type | "*"
//	permissions = v2: a non-empty ordered subset of "cruds"
//	            | v1: "read" (= rs) | "write" (= cud) | "*" (= cruds)
//	query       = param "=" token *("," token) *("&" param "=" ...)   (v2 only)
//	param       = "category" | "code"
//	token       = code | system "|" code | "|" code | system "|"
//
// Values may be percent-encoded. Repeated parameters are ANDed and
// comma-separated tokens ORed, as in FHIR search. Any other parameter or a
// modifier (code:in, …) makes the scope invalid rather than ignored, so a
// constraint can never be silently dropped. Invalid resource scopes are
// dropped from a token (they can only narrow access). Anything whose
// prefix before "/" is not a context (openid, fhirUser, launch/patient,
// offline_access, a bare "*.*") is kept with Context Other and never
// grants access.
//
// # Decisions
//
// Read, VRead and History need "r"; Search needs "s"; Create, Update and
// Delete need "c", "u", "d". A scope grants an interaction when its type is
// the resource type or "*" and its permissions include the letter. A
// patient/ scope grants nothing unless the token carries a "patient"
// claim, and then restricts the access to that patient's compartment
// (Decision.Patient); user/ and system/ scopes are not compartment-bound
// (a user's own access rights are the identity provider's business). A
// scope's query parameters become a Filter in Decision.Filters.
//
// Several granting scopes are alternatives: one without restriction makes
// the decision unrestricted; otherwise the decision keeps the compartment
// and lists every filter as an alternative. When patient scopes mix with
// filtered user/system scopes, the decision keeps only the patient
// scopes (see combine): it may refuse something, never over-grant.
// Principal.Everything applies this to $everything, which needs both read
// and search on every type it returns.
package smart
