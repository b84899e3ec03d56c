package linkage

// nicknameGroups lists common English given names with their usual
// diminutives and variants (each line a formal name first). Two given
// names that appear in one group are taken as the same name written
// differently; a name may belong to several groups (Al: Albert, Alan,
// Alexander).
var nicknameGroups = [][]string{
	{"WILLIAM", "BILL", "BILLY", "WILL", "WILLY", "WILLIE", "LIAM"},
	{"ROBERT", "BOB", "BOBBY", "ROB", "ROBBIE", "BERT"},
	{"RICHARD", "DICK", "RICK", "RICKY", "RICH", "RICHIE"},
	{"JAMES", "JIM", "JIMMY", "JAMIE"},
	{"JOHN", "JACK", "JOHNNY", "JON"},
	{"JOSEPH", "JOE", "JOEY", "JOSE"},
	{"MICHAEL", "MIKE", "MIKEY", "MICK", "MICKEY"},
	{"THOMAS", "TOM", "TOMMY"},
	{"CHARLES", "CHARLIE", "CHUCK", "CHAS"},
	{"CHRISTOPHER", "CHRIS", "KIT"},
	{"DANIEL", "DAN", "DANNY"},
	{"DAVID", "DAVE", "DAVY"},
	{"MATTHEW", "MATT", "MATTY"},
	{"ANTHONY", "TONY"},
	{"STEVEN", "STEVE", "STEPHEN"},
	{"ANDREW", "ANDY", "DREW"},
	{"JOSHUA", "JOSH"},
	{"EDWARD", "ED", "EDDIE", "TED", "TEDDY", "NED"},
	{"RONALD", "RON", "RONNIE"},
	{"KENNETH", "KEN", "KENNY"},
	{"TIMOTHY", "TIM", "TIMMY"},
	{"NICHOLAS", "NICK", "NICKY"},
	{"SAMUEL", "SAM", "SAMMY"},
	{"BENJAMIN", "BEN", "BENNY"},
	{"ALEXANDER", "ALEX", "AL", "SANDY"},
	{"ALBERT", "AL", "BERT"},
	{"ALAN", "AL", "ALLEN"},
	{"PATRICK", "PAT", "PADDY"},
	{"PETER", "PETE"},
	{"GEORGE", "GEORGIE"},
	{"GREGORY", "GREG"},
	{"FREDERICK", "FRED", "FREDDY"},
	{"LUIS", "LOUIS", "LOU"},
	{"MARY", "MOLLY", "POLLY", "MAE", "MAMIE"},
	{"PATRICIA", "PAT", "PATTY", "TRISH", "TRICIA"},
	{"JENNIFER", "JEN", "JENNY", "JENN"},
	{"ELIZABETH", "LIZ", "LIZZY", "BETH", "BETSY", "BETTY", "ELIZA", "LIBBY", "ELLIE"},
	{"BARBARA", "BARB", "BARBIE", "BABS"},
	{"SUSAN", "SUE", "SUSIE", "SUZY"},
	{"JESSICA", "JESS", "JESSIE"},
	{"SARAH", "SARA", "SALLY"},
	{"MARGARET", "MAGGIE", "MEG", "PEGGY", "MARGE", "MADGE", "GRETA"},
	{"SANDRA", "SANDY"},
	{"DONNA", "DONNIE"},
	{"CAROL", "CAROLE", "CARRIE"},
	{"AMANDA", "MANDY"},
	{"OLIVIA", "LIV", "LIVVY", "OLLIE"},
	{"EMILY", "EM", "EMMY", "MILLY"},
	{"EMMA", "EM", "EMMY"},
	{"SOPHIA", "SOPHIE", "SOFIA"},
	{"MARIA", "MARIE", "MIA"},
	{"ANA", "ANNA", "ANN", "ANNE", "ANNIE"},
	{"LINDA", "LINDY"},
	{"NANCY", "NAN"},
	{"KAREN", "KARIN", "CAREN"},
	{"MICHELLE", "SHELLY", "MICHELE"},
	{"ASHLEY", "ASH"},
	{"KATHERINE", "KATE", "KATIE", "KATHY", "KAT", "CATHERINE", "KATHRYN"},
	{"VICTORIA", "VICKY", "TORI"},
	{"ABIGAIL", "ABBY"},
	{"DEBORAH", "DEBBIE", "DEB"},
	{"REBECCA", "BECKY", "BECCA"},
	{"CHRISTINE", "CHRIS", "CHRISSY", "TINA"},
}

// nicknameIndex maps a folded given name to the groups it belongs to.
var nicknameIndex = func() map[string][]int {
	idx := map[string][]int{}
	for g, names := range nicknameGroups {
		for _, n := range names {
			idx[n] = append(idx[n], g)
		}
	}
	return idx
}()

// isNickname reports whether the folded given names a and b are different
// spellings of one name according to nicknameGroups.
func isNickname(a, b string) bool {
	for _, ga := range nicknameIndex[a] {
		for _, gb := range nicknameIndex[b] {
			if ga == gb {
				return true
			}
		}
	}
	return false
}
