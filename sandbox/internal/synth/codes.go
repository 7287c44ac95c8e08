package synth

// Code tables. Every code here was checked against a public source (the NHS Greater Manchester
// Secure Data Environment's clinical code sets, NHS England and NHS Digital documentation, the
// FHIR examples of UK and international implementation guides); docs/sandbox-data.md lists the
// sources. Displays are the UK dm+d names for medicines and the SNOMED CT / LOINC terms
// otherwise.

// Code systems and identifier namespaces.
const (
	sysSNOMED       = "http://snomed.info/sct"
	sysLOINC        = "http://loinc.org"
	sysDMD          = "https://dmd.nhs.uk"
	sysUCUM         = "http://unitsofmeasure.org"
	sysNHSNumber    = "https://fhir.nhs.uk/Id/nhs-number"
	sysODS          = "https://fhir.nhs.uk/Id/ods-organization-code"
	sysGMC          = "https://fhir.hl7.org.uk/Id/gmc-number"
	sysActCode      = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
	sysCondClinical = "http://terminology.hl7.org/CodeSystem/condition-clinical"
	sysCondVerify   = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
	sysCondCategory = "http://terminology.hl7.org/CodeSystem/condition-category"
	sysObsCategory  = "http://terminology.hl7.org/CodeSystem/observation-category"
	sysInterp       = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
	sysAllergyClin  = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"
	sysAllergyVer   = "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification"
	sysMedCategory  = "http://terminology.hl7.org/CodeSystem/medicationrequest-category"
	sysMedCourse    = "http://terminology.hl7.org/CodeSystem/medicationrequest-course-of-therapy"
	sysOrgType      = "http://terminology.hl7.org/CodeSystem/organization-type"

	extNHSVerification = "https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-NHSNumberVerificationStatus"
	sysNHSVerification = "https://fhir.hl7.org.uk/CodeSystem/UKCore-NHSNumberVerificationStatusEngland"
)

// UK Core profiles, one per resource type (laboratory results use the Lab profile).
const (
	profilePatient      = "https://fhir.hl7.org.uk/StructureDefinition/UKCore-Patient"
	profilePractitioner = "https://fhir.hl7.org.uk/StructureDefinition/UKCore-Practitioner"
	profileOrganization = "https://fhir.hl7.org.uk/StructureDefinition/UKCore-Organization"
	profileEncounter    = "https://fhir.hl7.org.uk/StructureDefinition/UKCore-Encounter"
	profileCondition    = "https://fhir.hl7.org.uk/StructureDefinition/UKCore-Condition"
	profileObservation  = "https://fhir.hl7.org.uk/StructureDefinition/UKCore-Observation"
	profileObsLab       = "https://fhir.hl7.org.uk/StructureDefinition/UKCore-Observation-Lab"
	profileMedRequest   = "https://fhir.hl7.org.uk/StructureDefinition/UKCore-MedicationRequest"
	profileAllergy      = "https://fhir.hl7.org.uk/StructureDefinition/UKCore-AllergyIntolerance"
	profileImmunization = "https://fhir.hl7.org.uk/StructureDefinition/UKCore-Immunization"
)

// Fixed codings used by many resources.
var (
	codeNHSVerified     = coding{sysNHSVerification, "01", "Number present and verified"}
	codeActive          = coding{sysCondClinical, "active", "Active"}
	codeResolved        = coding{sysCondClinical, "resolved", "Resolved"}
	codeConfirmed       = coding{sysCondVerify, "confirmed", "Confirmed"}
	codeProblemList     = coding{sysCondCategory, "problem-list-item", "Problem List Item"}
	codeVitalSigns      = coding{sysObsCategory, "vital-signs", "Vital Signs"}
	codeLaboratory      = coding{sysObsCategory, "laboratory", "Laboratory"}
	codeSocialHistory   = coding{sysObsCategory, "social-history", "Social History"}
	codeHigh            = coding{sysInterp, "H", "High"}
	codeLow             = coding{sysInterp, "L", "Low"}
	codeNormal          = coding{sysInterp, "N", "Normal"}
	codeAllergyActive   = coding{sysAllergyClin, "active", "Active"}
	codeAllergyConfirm  = coding{sysAllergyVer, "confirmed", "Confirmed"}
	codeCommunity       = coding{sysMedCategory, "community", "Community"}
	codeContinuous      = coding{sysMedCourse, "continuous", "Continuous long term therapy"}
	codeOralRoute       = coding{sysSNOMED, "26643006", "Oral route"}
	codeProvider        = coding{sysOrgType, "prov", "Healthcare Provider"}
	codeGovernment      = coding{sysOrgType, "govt", "Government"}
	codeGP              = coding{sysSNOMED, "62247001", "General practitioner"}
	codePhysician       = coding{sysSNOMED, "309343006", "Physician"}
	codeClassAmbulatory = coding{sysActCode, "AMB", "ambulatory"}
	codeClassEmergency  = coding{sysActCode, "EMER", "emergency"}
	codeClassInpatient  = coding{sysActCode, "IMP", "inpatient encounter"}
)

// ---------------------------------------------------------------- conditions

// cond identifies a condition in the curated table.
type cond int

const (
	condHypertension cond = iota
	condT2DM
	condAsthma
	condCOPD
	condAF
	condHF
	condCKD3
	condDepression
	condAnxiety
	condHypothyroid
	condOA
	condPregnancy
	numConds
)

// condDef is a curated SNOMED CT condition.
type condDef struct {
	code     coding
	text     string // what a clinician would write
	minAge   int    // no onset before this age (years)
	female   bool   // recorded for females only
	chronic  bool   // stays active once diagnosed
	hospital bool   // usually diagnosed in secondary care
}

var conds = [numConds]condDef{
	condHypertension: {coding{sysSNOMED, "38341003", "Hypertensive disorder, systemic arterial"}, "Hypertension", 18, false, true, false},
	condT2DM:         {coding{sysSNOMED, "44054006", "Diabetes mellitus type 2"}, "Type 2 diabetes", 18, false, true, false},
	condAsthma:       {coding{sysSNOMED, "195967001", "Asthma"}, "Asthma", 2, false, true, false},
	condCOPD:         {coding{sysSNOMED, "13645005", "Chronic obstructive lung disease"}, "COPD", 35, false, true, false},
	condAF:           {coding{sysSNOMED, "49436004", "Atrial fibrillation"}, "Atrial fibrillation", 40, false, true, true},
	condHF:           {coding{sysSNOMED, "84114007", "Heart failure"}, "Heart failure", 45, false, true, true},
	condCKD3:         {coding{sysSNOMED, "433144002", "Chronic kidney disease stage 3"}, "CKD stage 3", 30, false, true, false},
	condDepression:   {coding{sysSNOMED, "35489007", "Depressive disorder"}, "Depression", 16, false, false, false},
	condAnxiety:      {coding{sysSNOMED, "197480006", "Anxiety disorder"}, "Anxiety", 16, false, false, false},
	condHypothyroid:  {coding{sysSNOMED, "40930008", "Hypothyroidism"}, "Hypothyroidism", 18, false, true, false},
	condOA:           {coding{sysSNOMED, "396275006", "Osteoarthritis"}, "Osteoarthritis", 45, false, true, false},
	condPregnancy:    {coding{sysSNOMED, "72892002", "Normal pregnancy"}, "Pregnancy", 16, true, false, false},
}

// ---------------------------------------------------------------- medicines (dm+d VMPs)

// drug identifies a medicine in the curated table.
type drug int

const (
	drugMetformin drug = iota
	drugAtorvastatin
	drugAmlodipine
	drugRamipril
	drugSalbutamol
	drugBeclometasone
	drugApixaban
	drugBisoprolol
	drugFurosemide
	drugSertraline
	drugLevothyroxine
	drugParacetamol
	numDrugs
)

// drugDef is a dm+d virtual medicinal product with a typical dose.
type drugDef struct {
	code      coding
	dosage    string // as printed on the label
	perDay    int    // doses per day (0 with prn)
	dose      int    // units per dose
	unit      string // unit of presentation
	prn       bool   // "when required"
	oral      bool
	packSize  int    // quantity supplied per 28 days
	treats    []cond // conditions it may be prescribed for (reasonReference)
	minAge    int    // not prescribed below this age
	reasonTxt string
}

var drugs = [numDrugs]drugDef{
	drugMetformin:     {coding{sysDMD, "325278007", "Metformin 500mg tablets"}, "One tablet twice a day with meals", 2, 1, "tablet", false, true, 56, []cond{condT2DM}, 18, ""},
	drugAtorvastatin:  {coding{sysDMD, "320030001", "Atorvastatin 20mg tablets"}, "One tablet at night", 1, 1, "tablet", false, true, 28, []cond{condT2DM, condCKD3, condHypertension}, 40, "Primary prevention of cardiovascular disease"},
	drugAmlodipine:    {coding{sysDMD, "319283006", "Amlodipine 5mg tablets"}, "One tablet once a day", 1, 1, "tablet", false, true, 28, []cond{condHypertension}, 18, ""},
	drugRamipril:      {coding{sysDMD, "318902004", "Ramipril 5mg capsules"}, "One capsule once a day", 1, 1, "capsule", false, true, 28, []cond{condHypertension, condHF}, 18, ""},
	drugSalbutamol:    {coding{sysDMD, "39113611000001102", "Salbutamol 100micrograms/dose inhaler CFC free"}, "Two puffs when required for wheeze or breathlessness", 0, 2, "puff", true, false, 200, []cond{condAsthma, condCOPD}, 2, ""},
	drugBeclometasone: {coding{sysDMD, "408063002", "Beclometasone 100micrograms/dose inhaler CFC free"}, "Two puffs twice a day", 2, 2, "puff", false, false, 200, []cond{condAsthma}, 5, ""},
	drugApixaban:      {coding{sysDMD, "703908001", "Apixaban 5mg tablets"}, "One tablet twice a day", 2, 1, "tablet", false, true, 56, []cond{condAF}, 18, "Stroke prevention in atrial fibrillation"},
	drugBisoprolol:    {coding{sysDMD, "318590006", "Bisoprolol 5mg tablets"}, "One tablet once a day", 1, 1, "tablet", false, true, 28, []cond{condHF, condAF}, 18, ""},
	drugFurosemide:    {coding{sysDMD, "317972000", "Furosemide 40mg tablets"}, "One tablet each morning", 1, 1, "tablet", false, true, 28, []cond{condHF}, 18, ""},
	drugSertraline:    {coding{sysDMD, "321959007", "Sertraline 50mg tablets"}, "One tablet once a day", 1, 1, "tablet", false, true, 28, []cond{condDepression}, 18, ""},
	drugLevothyroxine: {coding{sysDMD, "374296008", "Levothyroxine sodium 100microgram tablets"}, "One tablet each morning before breakfast", 1, 1, "tablet", false, true, 28, []cond{condHypothyroid}, 18, ""},
	drugParacetamol:   {coding{sysDMD, "322236009", "Paracetamol 500mg tablets"}, "Two tablets up to four times a day when required for pain", 0, 2, "tablet", true, true, 100, []cond{condOA}, 16, ""},
}

// treats reports whether d may be prescribed for c.
func (d drug) treats(c cond) bool {
	for _, t := range drugs[d].treats {
		if t == c {
			return true
		}
	}
	return false
}

// ---------------------------------------------------------------- observations (LOINC)

// obsKind identifies an observation in the curated table.
type obsKind int

const (
	obsBP obsKind = iota
	obsWeight
	obsHeight
	obsBMI
	obsHbA1c
	obsEGFR
	obsCholesterol
	obsTSH
	obsSmoking
	numObs
)

// obsDef is a LOINC-coded observation with its UCUM unit.
type obsDef struct {
	code     coding
	category coding
	lab      bool
	unit     string
	ucum     string
	scale    int // decimals of the value
}

var obsDefs = [numObs]obsDef{
	obsBP:          {coding{sysLOINC, "85354-9", "Blood pressure panel with all children optional"}, codeVitalSigns, false, "", "", 0},
	obsWeight:      {coding{sysLOINC, "29463-7", "Body weight"}, codeVitalSigns, false, "kg", "kg", 1},
	obsHeight:      {coding{sysLOINC, "8302-2", "Body height"}, codeVitalSigns, false, "cm", "cm", 0},
	obsBMI:         {coding{sysLOINC, "39156-5", "Body mass index (BMI) [Ratio]"}, codeVitalSigns, false, "kg/m2", "kg/m2", 1},
	obsHbA1c:       {coding{sysLOINC, "4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood"}, codeLaboratory, true, "mmol/mol", "mmol/mol", 0},
	obsEGFR:        {coding{sysLOINC, "62238-1", "Glomerular filtration rate/1.73 sq M.predicted [Volume Rate/Area] in Serum, Plasma or Blood by Creatinine-based formula (CKD-EPI)"}, codeLaboratory, true, "mL/min/1.73m2", "mL/min/{1.73_m2}", 0},
	obsCholesterol: {coding{sysLOINC, "14647-2", "Cholesterol [Moles/volume] in Serum or Plasma"}, codeLaboratory, true, "mmol/L", "mmol/L", 1},
	obsTSH:         {coding{sysLOINC, "3016-3", "Thyrotropin [Units/volume] in Serum or Plasma"}, codeLaboratory, true, "mU/L", "m[IU]/L", 1},
	obsSmoking:     {coding{sysLOINC, "72166-2", "Tobacco smoking status"}, codeSocialHistory, false, "", "", 0},
}

var (
	codeSystolic  = coding{sysLOINC, "8480-6", "Systolic blood pressure"}
	codeDiastolic = coding{sysLOINC, "8462-4", "Diastolic blood pressure"}
)

// Smoking status values (SNOMED CT).
const (
	smokeNever = iota
	smokeEx
	smokeCurrent
)

var smokingCodes = [3]coding{
	smokeNever:   {sysSNOMED, "266919005", "Never smoked tobacco"},
	smokeEx:      {sysSNOMED, "8517006", "Ex-smoker"},
	smokeCurrent: {sysSNOMED, "77176002", "Smoker"},
}

// ---------------------------------------------------------------- encounters

// encKind identifies an encounter type.
type encKind int

const (
	encSymptom     encKind = iota // GP appointment about a new problem
	encReview                     // GP long-term condition review or health check
	encFollowUp                   // GP follow-up / blood test
	encChildCheck                 // child health and immunisation clinic
	encVaccination                // adult vaccination clinic
	encOutpatient                 // hospital outpatient consultation
	encEmergency                  // A&E attendance
	encInpatient                  // emergency hospital admission
	numEncKinds
)

type encDef struct {
	class    coding
	code     coding
	hospital bool
	minutes  [2]int // duration range
}

var encDefs = [numEncKinds]encDef{
	encSymptom:     {codeClassAmbulatory, coding{sysSNOMED, "185345009", "Encounter for symptom"}, false, [2]int{10, 15}},
	encReview:      {codeClassAmbulatory, coding{sysSNOMED, "185349003", "Encounter for check up"}, false, [2]int{15, 30}},
	encFollowUp:    {codeClassAmbulatory, coding{sysSNOMED, "390906007", "Follow-up encounter"}, false, [2]int{10, 15}},
	encChildCheck:  {codeClassAmbulatory, coding{sysSNOMED, "410620009", "Well child visit"}, false, [2]int{15, 20}},
	encVaccination: {codeClassAmbulatory, coding{sysSNOMED, "33879002", "Administration of vaccine to produce active immunity"}, false, [2]int{5, 10}},
	encOutpatient:  {codeClassAmbulatory, coding{sysSNOMED, "11429006", "Consultation"}, true, [2]int{20, 40}},
	encEmergency:   {codeClassEmergency, coding{sysSNOMED, "50849002", "Emergency room admission"}, true, [2]int{120, 360}},
	encInpatient:   {codeClassInpatient, coding{sysSNOMED, "183452005", "Emergency hospital admission"}, true, [2]int{0, 0}},
}

// ---------------------------------------------------------------- allergies

type allergyKind int

const (
	allergyPenicillin allergyKind = iota
	allergyAspirin
	allergyPeanut
	allergyLatex
	numAllergies
)

type allergyDef struct {
	substance   coding
	category    string // medication | food | environment
	criticality string
	reactions   []reactionDef
}

type reactionDef struct {
	manifestation coding
	severity      string
}

var (
	reactUrticaria   = coding{sysSNOMED, "126485001", "Urticaria"}
	reactAnaphylaxis = coding{sysSNOMED, "39579001", "Anaphylaxis"}
	reactRash        = coding{sysSNOMED, "271807003", "Eruption of skin"}
	reactAngioedema  = coding{sysSNOMED, "41291007", "Angioedema"}
	reactWheeze      = coding{sysSNOMED, "56018004", "Wheezing"}
)

var allergyDefs = [numAllergies]allergyDef{
	allergyPenicillin: {coding{sysSNOMED, "764146007", "Penicillin"}, "medication", "high", []reactionDef{{reactUrticaria, "moderate"}, {reactRash, "mild"}, {reactAngioedema, "severe"}, {reactAnaphylaxis, "severe"}}},
	allergyAspirin:    {coding{sysSNOMED, "387458008", "Aspirin"}, "medication", "low", []reactionDef{{reactWheeze, "moderate"}, {reactUrticaria, "mild"}}},
	allergyPeanut:     {coding{sysSNOMED, "762952008", "Peanut"}, "food", "high", []reactionDef{{reactAnaphylaxis, "severe"}, {reactUrticaria, "moderate"}, {reactAngioedema, "severe"}}},
	allergyLatex:      {coding{sysSNOMED, "111088007", "Latex"}, "environment", "low", []reactionDef{{reactRash, "mild"}, {reactUrticaria, "moderate"}}},
}
