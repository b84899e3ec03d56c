// Package flattentest runs the official SQL-on-FHIR v2 conformance suite
// (https://github.com/FHIR/sql-on-fhir-v2, tests/*.json) against any
// implementation of [Impl], in the manner of promqltest.RunBuiltinTests.
//
// The suite folder comes from the SOF_TESTS_DIR environment variable, or
// else from the first ../shared/sof-tests found walking up from the working
// directory. Each test becomes a subtest named file/title (file without
// .json). Rows are compared as an unordered multiset of canonical JSON
// objects (numbers compared by value), as the suite's README prescribes;
// expectColumns, when present, is compared in order.
package flattentest
