package deid

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRedact(t *testing.T) {
	r := newRedactor(testNow)
	for _, tc := range []struct {
		name, in string
		own      []string
		want     string
	}{
		{"dictionary names", "Seen with Mary and Robert Johnson today.", nil, "Seen with [NAME] and [NAME] [NAME] today."},
		{"lower-case words are not names", "will mark the chart", nil, "will mark the chart"},
		{"own names", "Zebulon Quartermaine called.", []string{"Zebulon", "Quartermaine"}, "[NAME] [NAME] called."},
		{"own names whole words only", "Quincy and Quincyville", []string{"Quincy"}, "[NAME] and Quincyville"},
		{"title", "Referred to Dr. Gregory House.", nil, "Referred to [NAME]."},
		{"label", "Patient: Xavier Zed, 40-year-old male.", nil, "Patient: [NAME], 40-year-old male."},
		{"ISO date keeps year", "Date of service: 2023-07-25", nil, "Date of service: 2023"},
		{"ISO dateTime", "at 2023-07-25T10:11:12Z.", nil, "at 2023."},
		{"slash date", "DOB 04/12/1961 and 3/5", nil, "DOB [DATE] and [DATE]"},
		{"written date", "on March 5, 2019 and 5 Jan", nil, "on 2019 and [DATE]"},
		{"phone", "call (412) 555-0109 or 412-555-0109", nil, "call [CONTACT] or [CONTACT]"},
		{"ssn", "SSN 999-53-9345", nil, "SSN [NUMBER]"},
		{"record number", "MRN M00000001, acct 12345", nil, "MRN [NUMBER], acct [NUMBER]"},
		{"email and url", "mail a.b@example.org or see https://x.example/p?q=1", nil, "mail [CONTACT] or see [CONTACT]"},
		{"ip", "from 10.0.0.12", nil, "from [CONTACT]"},
		{"street", "lives at 9112 Park Ct in town", nil, "lives at [ADDRESS] in town"},
		{"age over 89", "a 93-year-old and a 45 year old", nil, "a 90+-year-old and a 45 year old"},
		{"year of birth of the over-89s", "born 1931, flu in 1999", nil, "born [DATE], flu in 1999"},
		{"vitals kept", "BP 107/74 mmHg, HR 69/min, Temp 36.5 C", nil, "BP 107/74 mmHg, HR 69/min, Temp 36.5 C"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, r.redact(tc.in, tc.own))
		})
	}
}

func TestZIP3(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"15222", "152", true},
		{"03601", "000", true},
		{"89301-1234", "000", true},
		{"02115-3304", "021", true},
		{"NW1 6XE", "", false},
		{"1522", "", false},
	} {
		got, ok := zip3(tc.in)
		require.Equal(t, tc.ok, ok, tc.in)
		require.Equal(t, tc.want, got, tc.in)
	}
}

func TestDates(t *testing.T) {
	for _, tc := range []struct {
		in   string
		days int
		want string
		ok   bool
	}{
		{"2019-03-05", 10, "2019-03-15", true},
		{"2019-12-25T10:00:00+01:00", 10, "2020-01-04T10:00:00+01:00", true},
		{"2019-03", -40, "2019-01", true},
		{"2019", 400, "2020", true},
		{"20x9", 1, "", false},
		{"2019-03-05X", 1, "", false},
	} {
		got, ok := shiftDate(tc.in, tc.days)
		require.Equal(t, tc.ok, ok, tc.in)
		require.Equal(t, tc.want, got, tc.in)
	}
	age, ok := birthAge("1935-12-31", testNow)
	require.True(t, ok)
	require.Equal(t, 90, age)
	age, _ = birthAge("1936-01-01", testNow)
	require.Equal(t, 89, age)
	require.Equal(t, "1935", agedYear(testNow))
}
