// Package flattentest runs the official SQL-on-FHIR v2 conformance suite
// (https://github.com/FHIR/sql-on-fhir-v2, tests/*.json) against any
// implementation of [Impl], in the manner of promqltest.RunBuiltinTests.
//
// [RunDir] runs a suite folder without a *testing.T and returns a
// [Report], whose MarshalJSON writes the leaderboard's test-report format
// (schema/test-report.schema.json) with files and tests in suite order;
// `fhirlake sof-test` uses it. [Run] and [RunOptions] wrap it for go test:
// each test becomes a subtest named file/title (file without .json), and
// a list of known failures is skipped while it fails and is an error once
// it passes.
//
// The suite folder comes from the SOF_TESTS_DIR environment variable, or
// else from the first ../shared/sof-tests found walking up from the working
// directory; when there is none the test is skipped, or fails under
// CI=true. Rows are compared as an unordered multiset of canonical JSON
// objects (numbers compared by value), as the suite's README prescribes;
// expectColumns, when present, is compared in order.
package flattentest
