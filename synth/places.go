package synth

// Compact name and place lists. Family and given names are among the most
// common in the US (US Census Bureau surname list, SSA baby names); cities
// are real US cities with one of their real ZIP codes (USPS).

var familyNames = []string{
	"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
	"Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore",
	"Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark",
	"Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres",
	"Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell",
	"Mitchell", "Carter", "Roberts", "Kim", "Patel", "Chen", "Murphy", "Cook", "Rogers",
}

var maleGivenNames = []string{
	"James", "John", "Robert", "Michael", "William", "David", "Richard", "Joseph", "Thomas",
	"Charles", "Christopher", "Daniel", "Matthew", "Anthony", "Mark", "Steven", "Paul", "Andrew",
	"Joshua", "Kevin", "Brian", "George", "Edward", "Ronald", "Jose", "Luis", "Noah", "Liam",
	"Ethan", "Wei",
}

var femaleGivenNames = []string{
	"Mary", "Patricia", "Jennifer", "Linda", "Elizabeth", "Barbara", "Susan", "Jessica", "Sarah",
	"Karen", "Lisa", "Nancy", "Betty", "Margaret", "Sandra", "Ashley", "Emily", "Donna",
	"Michelle", "Carol", "Amanda", "Maria", "Olivia", "Emma", "Sophia", "Ava", "Mia", "Grace",
	"Ana", "Mei",
}

var streetNames = []string{
	"Main", "Oak", "Maple", "Cedar", "Elm", "Washington", "Lake", "Hill", "Park", "Pine",
	"Walnut", "Sunset", "Lincoln", "Church", "Spring", "Highland", "River", "Jefferson",
	"Madison", "Chestnut",
}

var streetSuffixes = []string{"St", "Ave", "Rd", "Ln", "Dr", "Ct", "Blvd"}

type city struct{ name, state, zip, area string }

var cities = []city{
	{"Boston", "MA", "02108", "617"}, {"Springfield", "IL", "62701", "217"},
	{"Columbus", "OH", "43215", "614"}, {"Austin", "TX", "78701", "512"},
	{"Denver", "CO", "80202", "303"}, {"Seattle", "WA", "98101", "206"},
	{"Portland", "OR", "97201", "503"}, {"Phoenix", "AZ", "85003", "602"},
	{"Atlanta", "GA", "30303", "404"}, {"Miami", "FL", "33130", "305"},
	{"Chicago", "IL", "60601", "312"}, {"Minneapolis", "MN", "55401", "612"},
	{"Nashville", "TN", "37201", "615"}, {"Raleigh", "NC", "27601", "919"},
	{"Richmond", "VA", "23219", "804"}, {"Baltimore", "MD", "21201", "410"},
	{"Pittsburgh", "PA", "15222", "412"}, {"Albany", "NY", "12207", "518"},
	{"Burlington", "VT", "05401", "802"}, {"Madison", "WI", "53703", "608"},
	{"Omaha", "NE", "68102", "402"}, {"Salt Lake City", "UT", "84101", "801"},
	{"Albuquerque", "NM", "87102", "505"}, {"Sacramento", "CA", "95814", "916"},
	{"San Diego", "CA", "92101", "619"}, {"Kansas City", "MO", "64106", "816"},
	{"Louisville", "KY", "40202", "502"}, {"New Orleans", "LA", "70112", "504"},
	{"Boise", "ID", "83702", "208"}, {"Des Moines", "IA", "50309", "515"},
	{"Hartford", "CT", "06103", "860"}, {"Providence", "RI", "02903", "401"},
}

// address returns a random street address in c.
func (r *rng) address(c city) address {
	line := itoa(1+r.IntN(9899)) + " " + pick(r, streetNames) + " " + pick(r, streetSuffixes)
	return address{Use: "home", Line: []string{line}, City: c.name, State: c.state, PostalCode: c.zip, Country: "US"}
}

// phone returns a fictional phone number (555-01xx exchange) in c's area
// code.
func (r *rng) phone(c city) string {
	return "(" + c.area + ") 555-01" + pad(r.IntN(100), 2)
}
