package synth

// pool is the shared set of organizations and practitioners that patients'
// encounters refer to as Organization/<id> and Practitioner/<id>.
type pool struct {
	orgs []organizationResource
	// staff[i] are the practitioners working for orgs[i].
	staff [][]practitionerResource
}

// practitionersPerOrg is the size of each organization's staff.
const practitionersPerOrg = 5

// orgSuffixes name the organizations of the pool.
var orgSuffixes = []string{"Family Medicine", "General Hospital", "Community Health Center", "Medical Group", "Internal Medicine Associates"}

// newPool builds the pool for a run: one organization per 200 patients,
// between 3 and 50, each with practitionersPerOrg practitioners. It draws
// from its own random stream (0); patient i uses stream i+1.
func newPool(seed int64, patients int) *pool {
	r := newRNG(seed, 0)
	n := min(max(patients/200, 3), 50)
	p := &pool{orgs: make([]organizationResource, n), staff: make([][]practitionerResource, n)}
	for i := range n {
		c := cities[i%len(cities)]
		addr := r.address(c)
		addr.Use = "work"
		p.orgs[i] = organizationResource{
			ResourceType: "Organization", ID: r.uuid(), Active: true,
			Name:       c.name + " " + orgSuffixes[(i+i/len(cities))%len(orgSuffixes)],
			Identifier: []identifier{{System: systemOrgID, Value: "ORG" + pad(i+1, 5)}},
			Type:       []codeableConcept{concept(systemOrgType, "prov", "Healthcare Provider")},
			Telecom:    []contactPoint{{System: "phone", Value: r.phone(c), Use: "work"}},
			Address:    []address{addr},
		}
		for j := range practitionersPerOrg {
			gender, given := "female", pick(r, femaleGivenNames)
			if r.chance(0.5) {
				gender, given = "male", pick(r, maleGivenNames)
			}
			p.staff[i] = append(p.staff[i], practitionerResource{
				ResourceType: "Practitioner", ID: r.uuid(), Active: true, Gender: gender,
				// NPIs are 10 digits; the 9 prefix keeps them out of real ranges' style.
				Identifier: []identifier{{System: systemNPI, Value: "9" + pad(i*practitionersPerOrg+j+1, 9)}},
				Name:       []humanName{{Use: "official", Family: pick(r, familyNames), Given: []string{given}, Prefix: []string{"Dr."}}},
			})
		}
	}
	return p
}

// emit writes the pool's Organization and Practitioner resources.
func (p *pool) emit(out emitter) error {
	for i := range p.orgs {
		if err := out.put("Organization", p.orgs[i].ID, &p.orgs[i]); err != nil {
			return err
		}
		for j := range p.staff[i] {
			if err := out.put("Practitioner", p.staff[i][j].ID, &p.staff[i][j]); err != nil {
				return err
			}
		}
	}
	return nil
}

// displayName returns "Dr. Given Family".
func displayName(pr *practitionerResource) string {
	n := pr.Name[0]
	return "Dr. " + n.Given[0] + " " + n.Family
}
