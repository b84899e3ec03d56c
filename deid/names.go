package deid

// commonNames are frequent US given names (Social Security
// Administration lists of popular baby names across the last century) and
// surnames (US Census Bureau 2010 surname list, top of the table), written
// here from those public lists. The redactor removes any capitalised word
// in it. Names that are also everyday English words in capitals ("Will",
// "May", "Bill") are included: removing a word too many is safer than
// leaving a name.
var commonNames = []string{
	// Given names.
	"Aaron", "Adam", "Adrian", "Aiden", "Alan", "Albert", "Alex", "Alexander", "Alexis", "Alice",
	"Alicia", "Allison", "Alyssa", "Amanda", "Amber", "Amy", "Ana", "Andrea", "Andrew", "Angela",
	"Anita", "Ann", "Anna", "Anne", "Annie", "Anthony", "Antonio", "April", "Arthur", "Ashley",
	"Audrey", "Austin", "Ava", "Barbara", "Benjamin", "Betty", "Beverly", "Bill", "Billy", "Bobby",
	"Bonnie", "Brandon", "Brenda", "Brian", "Brittany", "Bruce", "Bryan", "Caleb", "Cameron", "Carl",
	"Carlos", "Carol", "Caroline", "Carolyn", "Catherine", "Charles", "Charlotte", "Cheryl", "Chloe", "Chris",
	"Christian", "Christina", "Christine", "Christopher", "Cindy", "Claire", "Cody", "Connie", "Craig", "Crystal",
	"Cynthia", "Dale", "Daniel", "Danielle", "Danny", "David", "Dawn", "Dean", "Deborah", "Debra",
	"Denise", "Dennis", "Derek", "Diana", "Diane", "Dolores", "Donald", "Donna", "Doris", "Dorothy",
	"Douglas", "Dylan", "Earl", "Edith", "Edward", "Elijah", "Elizabeth", "Ella", "Ellen", "Emily",
	"Emma", "Eric", "Erica", "Erin", "Ethan", "Eugene", "Evelyn", "Frances", "Frank", "Fred",
	"Gabriel", "Gary", "George", "Gerald", "Gladys", "Gloria", "Grace", "Gregory", "Hannah", "Harold",
	"Harry", "Heather", "Helen", "Henry", "Howard", "Isabella", "Jack", "Jacob", "Jacqueline", "James",
	"Jamie", "Jane", "Janet", "Janice", "Jason", "Jean", "Jeffrey", "Jennifer", "Jeremy", "Jerry",
	"Jesse", "Jessica", "Jesus", "Jimmy", "Joan", "Joe", "Joel", "John", "Johnny", "Jonathan",
	"Jordan", "Jose", "Joseph", "Joshua", "Joyce", "Juan", "Judith", "Judy", "Julia", "Julie",
	"Justin", "Karen", "Katherine", "Kathleen", "Kathryn", "Kathy", "Katie", "Kayla", "Keith", "Kelly",
	"Kenneth", "Kevin", "Kimberly", "Kyle", "Larry", "Laura", "Lauren", "Lawrence", "Leslie", "Liam",
	"Lillian", "Linda", "Lisa", "Logan", "Lori", "Louis", "Lucas", "Luis", "Madison", "Margaret",
	"Maria", "Marie", "Marilyn", "Mark", "Martha", "Mary", "Mason", "Matthew", "Megan", "Mei",
	"Melissa", "Mia", "Michael", "Michelle", "Mildred", "Nancy", "Natalie", "Nathan", "Nicholas", "Nicole",
	"Noah", "Norma", "Olivia", "Pamela", "Patricia", "Patrick", "Paul", "Peggy", "Peter", "Philip",
	"Phyllis", "Rachel", "Ralph", "Randy", "Raymond", "Rebecca", "Richard", "Robert", "Robin", "Roger",
	"Ronald", "Rose", "Roy", "Ruby", "Russell", "Ruth", "Ryan", "Samantha", "Samuel", "Sandra",
	"Sara", "Sarah", "Scott", "Sean", "Sharon", "Shirley", "Sophia", "Stephanie", "Stephen", "Steven",
	"Susan", "Tammy", "Teresa", "Terry", "Theresa", "Thomas", "Timothy", "Tina", "Todd", "Tyler",
	"Victoria", "Vincent", "Virginia", "Walter", "Wayne", "Wei", "William", "Willie", "Zachary",
	// Surnames.
	"Adams", "Alexander", "Allen", "Alvarez", "Anderson", "Bailey", "Baker", "Barnes", "Bell", "Bennett",
	"Brooks", "Brown", "Bryant", "Butler", "Campbell", "Carter", "Castillo", "Chavez", "Chen", "Clark",
	"Coleman", "Collins", "Cook", "Cooper", "Cox", "Cruz", "Davis", "Diaz", "Edwards", "Evans",
	"Fisher", "Flores", "Foster", "Garcia", "Gomez", "Gonzales", "Gonzalez", "Graham", "Gray", "Green",
	"Griffin", "Gutierrez", "Hall", "Hamilton", "Harris", "Hayes", "Henderson", "Hernandez", "Hill", "Howard",
	"Hughes", "Jackson", "James", "Jenkins", "Jimenez", "Johnson", "Jones", "Kelly", "Kim", "King",
	"Lee", "Lewis", "Long", "Lopez", "Martin", "Martinez", "Mendoza", "Miller", "Mitchell", "Moore",
	"Morales", "Morgan", "Morris", "Murphy", "Myers", "Nelson", "Nguyen", "Ortiz", "Parker", "Patel",
	"Perez", "Perry", "Peterson", "Phillips", "Powell", "Price", "Ramirez", "Ramos", "Reed", "Reyes",
	"Richardson", "Rivera", "Roberts", "Robinson", "Rodriguez", "Rogers", "Ross", "Ruiz", "Russell", "Sanchez",
	"Sanders", "Scott", "Simmons", "Smith", "Stewart", "Sullivan", "Taylor", "Thomas", "Thompson", "Torres",
	"Turner", "Walker", "Ward", "Washington", "Watson", "White", "Williams", "Wilson", "Wood", "Wright",
	"Young",
}
