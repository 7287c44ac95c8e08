package synth

// Curated name tables. People are composed from a heritage group (so that first names and
// surnames go together), a sex and, for the largest group, the decade of birth (so that a
// 90-year-old is a Doris rather than an Isla). The mix roughly follows Greater Manchester's
// 2021 census ethnic groups; names are common UK forms, without diacritics.

type nameGroup struct {
	weight  int // per mille of the population
	male    [][]string
	female  [][]string
	surname []string
}

// Eras of birth for the British/Irish group: before 1950, 1950s-60s, 1970s-80s, 1990-2004, 2005+.
func era(birthYear int) int {
	switch {
	case birthYear < 1950:
		return 0
	case birthYear < 1970:
		return 1
	case birthYear < 1990:
		return 2
	case birthYear < 2005:
		return 3
	}
	return 4
}

var nameGroups = []nameGroup{
	{ // White British and Irish
		weight: 760,
		male: [][]string{
			{"Harold", "Kenneth", "Ronald", "Dennis", "Albert", "Frank", "Arthur", "Stanley", "Norman", "Eric", "Leslie", "Walter", "Jack", "Ernest", "Frederick", "George", "Roy", "Raymond", "Bernard", "Cyril"},
			{"David", "John", "Peter", "Michael", "Stephen", "Paul", "Alan", "Keith", "Brian", "Gary", "Ian", "Kevin", "Robert", "Anthony", "Philip", "Graham", "Colin", "Martin", "Trevor", "Barry"},
			{"Mark", "Darren", "Lee", "Craig", "Jason", "Andrew", "Christopher", "Matthew", "Daniel", "Richard", "James", "Neil", "Wayne", "Carl", "Stuart", "Simon", "Scott", "Gareth", "Dean", "Jonathan"},
			{"Thomas", "Jack", "Joshua", "Ryan", "Liam", "Callum", "Jordan", "Luke", "Adam", "Connor", "Bradley", "Jake", "Nathan", "Kieran", "Lewis", "Sam", "Ben", "Joe", "Aaron", "Reece"},
			{"Oliver", "Harry", "George", "Noah", "Jack", "Leo", "Arthur", "Oscar", "Charlie", "Freddie", "Alfie", "Theo", "Archie", "Jacob", "Henry", "Thomas", "Teddy", "Louie", "Reggie", "Finley"},
		},
		female: [][]string{
			{"Doris", "Joan", "Margaret", "Dorothy", "Irene", "Jean", "Betty", "Edna", "Mary", "Eileen", "Elsie", "Kathleen", "Vera", "Sheila", "Audrey", "Brenda", "Joyce", "Mavis", "Barbara", "Hilda"},
			{"Susan", "Linda", "Christine", "Janet", "Patricia", "Carol", "Elaine", "Julie", "Karen", "Gillian", "Pauline", "Lesley", "Jacqueline", "Deborah", "Lynn", "Sandra", "Denise", "Tracey", "Angela", "Anne"},
			{"Sarah", "Claire", "Nicola", "Emma", "Lisa", "Joanne", "Michelle", "Helen", "Rachel", "Kelly", "Louise", "Stacey", "Donna", "Gemma", "Laura", "Samantha", "Natalie", "Victoria", "Hayley", "Kirsty"},
			{"Jessica", "Rebecca", "Lauren", "Chloe", "Sophie", "Hannah", "Amy", "Megan", "Charlotte", "Bethany", "Jade", "Katie", "Danielle", "Georgia", "Holly", "Abigail", "Olivia", "Ellie", "Shannon", "Emily"},
			{"Olivia", "Amelia", "Isla", "Ava", "Mia", "Ivy", "Lily", "Isabella", "Sophia", "Grace", "Freya", "Florence", "Evie", "Poppy", "Willow", "Ella", "Daisy", "Rosie", "Sienna", "Millie"},
		},
		surname: []string{"Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Robinson", "Wright",
			"Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood", "Jackson", "Clarke",
			"Holt", "Hughes", "Ashworth", "Barlow", "Whittaker", "Ogden", "Lees", "Schofield", "Kershaw", "Howarth",
			"Butterworth", "Hardman", "Pilkington", "Entwistle", "Haworth", "Lomax", "Greenhalgh", "Fletcher", "Shaw", "Mellor",
			"Kelly", "Murphy", "O'Brien", "Ryan", "Byrne", "Doyle", "Brennan", "McCarthy", "Gallagher", "Nolan"},
	},
	{ // Pakistani and Bangladeshi
		weight:  110,
		male:    [][]string{{"Mohammed", "Muhammad", "Ahmed", "Ali", "Hassan", "Imran", "Tariq", "Asif", "Zahid", "Bilal", "Usman", "Hamza", "Ibrahim", "Yusuf", "Zain", "Adnan", "Faisal", "Shahid", "Nadeem", "Rizwan"}},
		female:  [][]string{{"Fatima", "Ayesha", "Aisha", "Maryam", "Zainab", "Samina", "Nasreen", "Shazia", "Rubina", "Sana", "Amina", "Hafsa", "Noor", "Iqra", "Parveen", "Khadija", "Saima", "Rukhsana", "Nazia", "Sadia"}},
		surname: []string{"Khan", "Hussain", "Ahmed", "Ali", "Iqbal", "Mahmood", "Akhtar", "Rehman", "Shah", "Butt", "Malik", "Chowdhury", "Miah", "Uddin", "Rashid", "Aslam", "Anwar", "Qureshi", "Siddiqui", "Islam"},
	},
	{ // Indian
		weight:  30,
		male:    [][]string{{"Arjun", "Rajesh", "Sanjay", "Amit", "Rahul", "Vikram", "Ravi", "Deepak", "Anil", "Suresh"}},
		female:  [][]string{{"Priya", "Anjali", "Sunita", "Neha", "Pooja", "Kavita", "Meera", "Asha", "Divya", "Shreya"}},
		surname: []string{"Patel", "Sharma", "Kumar", "Mistry", "Joshi", "Mehta", "Chauhan", "Desai", "Parmar", "Solanki"},
	},
	{ // Black African and Caribbean
		weight:  40,
		male:    [][]string{{"Kwame", "Chidi", "Emeka", "Olu", "Tunde", "Kofi", "Samuel", "Joseph", "Daniel", "Femi", "Marcus", "Tyrone", "Delroy", "Winston", "Abdi"}},
		female:  [][]string{{"Amara", "Chioma", "Ngozi", "Adaeze", "Folake", "Abena", "Grace", "Blessing", "Precious", "Esther", "Marcia", "Simone", "Janelle", "Yasmin", "Hodan"}},
		surname: []string{"Okafor", "Adeyemi", "Okonkwo", "Mensah", "Asante", "Boateng", "Osei", "Adebayo", "Campbell", "Francis", "Grant", "Thomas", "Mohamed", "Abdi", "Yusuf"},
	},
	{ // Polish
		weight:  20,
		male:    [][]string{{"Piotr", "Tomasz", "Krzysztof", "Pawel", "Marcin", "Jakub", "Lukasz", "Bartosz", "Michal", "Adam"}},
		female:  [][]string{{"Anna", "Katarzyna", "Agnieszka", "Magdalena", "Joanna", "Monika", "Natalia", "Zuzanna", "Ewa", "Marta"}},
		surname: []string{"Nowak", "Wojcik", "Kaczmarek", "Mazur", "Krawczyk", "Zajac", "Krol", "Wieczorek", "Jablonski", "Michalak"},
	},
	{ // Romanian
		weight:  10,
		male:    [][]string{{"Andrei", "Mihai", "Ionut", "Florin", "Alexandru", "Bogdan", "Cristian", "Gabriel"}},
		female:  [][]string{{"Elena", "Ioana", "Andreea", "Maria", "Alina", "Mihaela", "Cristina", "Diana"}},
		surname: []string{"Popescu", "Ionescu", "Dumitru", "Stan", "Constantin", "Popa", "Munteanu", "Stoica"},
	},
	{ // Chinese
		weight:  15,
		male:    [][]string{{"Wei", "Jun", "Hao", "Ming", "Jian", "Kevin", "Michael", "David"}},
		female:  [][]string{{"Mei", "Li", "Ying", "Xin", "Hui", "Jenny", "Grace", "Amy"}},
		surname: []string{"Chen", "Wang", "Li", "Zhang", "Liu", "Wong", "Chan", "Lam", "Cheung", "Ng"},
	},
	{ // Arab and other Middle Eastern
		weight:  15,
		male:    [][]string{{"Omar", "Karim", "Youssef", "Ahmad", "Hussein", "Rami", "Samir", "Khalid"}},
		female:  [][]string{{"Layla", "Nour", "Rania", "Hiba", "Dina", "Salma", "Yasmin", "Mariam"}},
		surname: []string{"Al-Sayed", "Haddad", "Hamdan", "Saleh", "Nasser", "Mansour", "Abbas", "Karimi"},
	},
}

var nameGroupWeights = func() []int {
	w := make([]int, len(nameGroups))
	for i, g := range nameGroups {
		w[i] = g.weight
	}
	return w
}()

// personName is a composed name.
type personName struct {
	given  []string
	family string
	prefix string
}

// newName composes a name for a person of the given sex and birth year.
func newName(r *rng, female bool, birthYear, age int) personName {
	g := &nameGroups[weighted(r, nameGroupWeights)]
	lists := g.male
	if female {
		lists = g.female
	}
	list := lists[0]
	if len(lists) > 1 {
		list = lists[era(birthYear)]
	}
	n := personName{given: []string{pick(r, list)}, family: pick(r, g.surname)}
	if r.percent(45) {
		if m := pick(r, list); m != n.given[0] {
			n.given = append(n.given, m)
		}
	}
	if age >= 18 {
		switch {
		case !female:
			n.prefix = "Mr"
		case r.percent(55):
			n.prefix = "Mrs"
		case r.percent(60):
			n.prefix = "Ms"
		default:
			n.prefix = "Miss"
		}
	}
	return n
}

// text is the name as displayed: "Amelia Rose Taylor".
func (n personName) text() string {
	s := ""
	for _, g := range n.given {
		s += g + " "
	}
	return s + n.family
}
