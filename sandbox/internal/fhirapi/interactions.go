package fhirapi

// The per-resource-type methods of api.ServerInterface. Each names its FHIR interaction and
// hands over to the generic implementation; nothing else belongs here.

import (
	"net/http"

	"github.com/gm-lhcr/lhcr/openapi/api"
)

// ReadPatient FHIR: GET /Patient/{id}
func (s *Server) ReadPatient(w http.ResponseWriter, r *http.Request, id api.ResourceIDParam, _ api.ReadPatientParams) {
	s.read(w, r, "Patient", id)
}

// VreadPatient FHIR: GET /Patient/{id}/_history/{vid}
func (s *Server) VreadPatient(w http.ResponseWriter, r *http.Request, id api.ResourceIDParam, vid api.VersionIDParam, _ api.VreadPatientParams) {
	s.vread(w, r, "Patient", id, vid)
}

// SearchPatient FHIR: GET /Patient
func (s *Server) SearchPatient(w http.ResponseWriter, r *http.Request, _ api.SearchPatientParams) {
	s.search(w, r, "Patient", false)
}

// SearchPatientPost FHIR: POST /Patient/_search
func (s *Server) SearchPatientPost(w http.ResponseWriter, r *http.Request, _ api.SearchPatientPostParams) {
	s.search(w, r, "Patient", true)
}

// CreatePatient FHIR: POST /Patient
func (s *Server) CreatePatient(w http.ResponseWriter, r *http.Request, p api.CreatePatientParams) {
	s.create(w, r, "Patient", p.IfNoneExist)
}

// UpdatePatient FHIR: PUT /Patient/{id}
func (s *Server) UpdatePatient(w http.ResponseWriter, r *http.Request, id api.ResourceIDParam, p api.UpdatePatientParams) {
	s.update(w, r, "Patient", id, p.IfMatch)
}

// DeletePatient FHIR: DELETE /Patient/{id}
func (s *Server) DeletePatient(w http.ResponseWriter, r *http.Request, id api.ResourceIDParam, p api.DeletePatientParams) {
	s.remove(w, r, "Patient", id, p.IfMatch)
}

// HistoryPatient FHIR: GET /Patient/{id}/_history
func (s *Server) HistoryPatient(w http.ResponseWriter, r *http.Request, id api.ResourceIDParam, p api.HistoryPatientParams) {
	s.history(w, r, "Patient", id, p.UnderscoreCount, p.UnderscoreCursor)
}

// ReadPractitioner FHIR: GET /Practitioner/{id}
func (s *Server) ReadPractitioner(w http.ResponseWriter, r *http.Request, id api.ResourceIDParam, _ api.ReadPractitionerParams) {
	s.read(w, r, "Practitioner", id)
}

// VreadPractitioner FHIR: GET /Practitioner/{id}/_history/{vid}
func (s *Server) VreadPractitioner(w http.ResponseWriter, r *http.Request, id api.ResourceIDParam, vid api.VersionIDParam, _ api.VreadPractitionerParams) {
	s.vread(w, r, "Practitioner", id, vid)
}

// SearchPractitioner FHIR: GET /Practitioner
func (s *Server) SearchPractitioner(w http.ResponseWriter, r *http.Request, _ api.SearchPractitionerParams) {
	s.search(w, r, "Practitioner", false)
}

// SearchPractitionerPost FHIR: POST /Practitioner/_search
func (s *Server) SearchPractitionerPost(w http.ResponseWriter, r *http.Request, _ api.SearchPractitionerPostParams) {
	s.search(w, r, "Practitioner", true)
}

// CreatePractitioner FHIR: POST /Practitioner
func (s *Server) CreatePractitioner(w http.ResponseWriter, r *http.Request, p api.CreatePractitionerParams) {
	s.create(w, r, "Practitioner", p.IfNoneExist)
}

// UpdatePractitioner FHIR: PUT /Practitioner/{id}
func (s *Server) UpdatePractitioner(w http.ResponseWriter, r *http.Request, id api.ResourceIDParam, p api.UpdatePractitionerParams) {
	s.update(w, r, "Practitioner", id, p.IfMatch)
}

// DeletePractitioner FHIR: DELETE /Practitioner/{id}
func (s *Server) DeletePractitioner(w http.ResponseWriter, r *http.Request, id api.ResourceIDParam, p api.DeletePractitionerParams) {
	s.remove(w, r, "Practitioner", id, p.IfMatch)
}

// HistoryPractitioner FHIR: GET /Practitioner/{id}/_history
func (s *Server) HistoryPractitioner(w http.ResponseWriter, r *http.Request, id api.ResourceIDParam, p api.HistoryPractitionerParams) {
	s.history(w, r, "Practitioner", id, p.UnderscoreCount, p.UnderscoreCursor)
}

// ReadOrganization FHIR: GET /Organization/{id}
func (s *Server) ReadOrganization(w http.ResponseWriter, r *http.Request, id api.ResourceIDParam, _ api.ReadOrganizationParams) {
	s.read(w, r, "Organization", id)
}

// VreadOrganization FHIR: GET /Organization/{id}/_history/{vid}
func (s *Server) VreadOrganization(w http.ResponseWriter, r *http.Request, id api.ResourceIDParam, vid api.VersionIDParam, _ api.VreadOrganizationParams) {
	s.vread(w, r, "Organization", id, vid)
}

// SearchOrganization FHIR: GET /Organization
func (s *Server) SearchOrganization(w http.ResponseWriter, r *http.Request, _ api.SearchOrganizationParams) {
	s.search(w, r, "Organization", false)
}

// SearchOrganizationPost FHIR: POST /Organization/_search
func (s *Server) SearchOrganizationPost(w http.ResponseWriter, r *http.Request, _ api.SearchOrganizationPostParams) {
	s.search(w, r, "Organization", true)
}

// CreateOrganization FHIR: POST /Organization
func (s *Server) CreateOrganization(w http.ResponseWriter, r *http.Request, p api.CreateOrganizationParams) {
	s.create(w, r, "Organization", p.IfNoneExist)
}

// UpdateOrganization FHIR: PUT /Organization/{id}
func (s *Server) UpdateOrganization(w http.ResponseWriter, r *http.Request, id api.ResourceIDParam, p api.UpdateOrganizationParams) {
	s.update(w, r, "Organization", id, p.IfMatch)
}

// DeleteOrganization FHIR: DELETE /Organization/{id}
func (s *Server) DeleteOrganization(w http.ResponseWriter, r *http.Request, id api.ResourceIDParam, p api.DeleteOrganizationParams) {
	s.remove(w, r, "Organization", id, p.IfMatch)
}

// HistoryOrganization FHIR: GET /Organization/{id}/_history
func (s *Server) HistoryOrganization(w http.ResponseWriter, r *http.Request, id api.ResourceIDParam, p api.HistoryOrganizationParams) {
	s.history(w, r, "Organization", id, p.UnderscoreCount, p.UnderscoreCursor)
}

// ReadEncounter FHIR: GET /Encounter/{id}
func (s *Server) ReadEncounter(w http.ResponseWriter, r *http.Request, id api.ResourceIDParam, _ api.ReadEncounterParams) {
	s.read(w, r, "Encounter", id)
}

// VreadEncounter FHIR: GET /Encounter/{id}/_history/{vid}
func (s *Server) VreadEncounter(w http.ResponseWriter, r *http.Request, id api.ResourceIDParam, vid api.VersionIDParam, _ api.VreadEncounterParams) {
	s.vread(w, r, "Encounter", id, vid)
}

// SearchEncounter FHIR: GET /Encounter
func (s *Server) SearchEncounter(w http.ResponseWriter, r *http.Request, _ api.SearchEncounterParams) {
	s.search(w, r, "Encounter", false)
}

// SearchEncounterPost FHIR: POST /Encounter/_search
func (s *Server) SearchEncounterPost(w http.ResponseWriter, r *http.Request, _ api.SearchEncounterPostParams) {
	s.search(w, r, "Encounter", true)
}

// CreateEncounter FHIR: POST /Encounter
func (s *Server) CreateEncounter(w http.ResponseWriter, r *http.Request, p api.CreateEncounterParams) {
	s.create(w, r, "Encounter", p.IfNoneExist)
}

// UpdateEncounter FHIR: PUT /Encounter/{id}
func (s *Server) UpdateEncounter(w http.ResponseWriter, r *http.Request, id api.ResourceIDParam, p api.UpdateEncounterParams) {
	s.update(w, r, "Encounter", id, p.IfMatch)
}

// DeleteEncounter FHIR: DELETE /Encounter/{id}
func (s *Server) DeleteEncounter(w http.ResponseWriter, r *http.Request, id api.ResourceIDParam, p api.DeleteEncounterParams) {
	s.remove(w, r, "Encounter", id, p.IfMatch)
}

// HistoryEncounter FHIR: GET /Encounter/{id}/_history
func (s *Server) HistoryEncounter(w http.ResponseWriter, r *http.Request, id api.ResourceIDParam, p api.HistoryEncounterParams) {
	s.history(w, r, "Encounter", id, p.UnderscoreCount, p.UnderscoreCursor)
}

// ReadCondition FHIR: GET /Condition/{id}
func (s *Server) ReadCondition(w http.ResponseWriter, r *http.Request, id api.ResourceIDParam, _ api.ReadConditionParams) {
	s.read(w, r, "Condition", id)
}

// VreadCondition FHIR: GET /Condition/{id}/_history/{vid}
func (s *Server) VreadCondition(w http.ResponseWriter, r *http.Request, id api.ResourceIDParam, vid api.VersionIDParam, _ api.VreadConditionParams) {
	s.vread(w, r, "Condition", id, vid)
}

// SearchCondition FHIR: GET /Condition
func (s *Server) SearchCondition(w http.ResponseWriter, r *http.Request, _ api.SearchConditionParams) {
	s.search(w, r, "Condition", false)
}

// SearchConditionPost FHIR: POST /Condition/_search
func (s *Server) SearchConditionPost(w http.ResponseWriter, r *http.Request, _ api.SearchConditionPostParams) {
	s.search(w, r, "Condition", true)
}

// CreateCondition FHIR: POST /Condition
func (s *Server) CreateCondition(w http.ResponseWriter, r *http.Request, p api.CreateConditionParams) {
	s.create(w, r, "Condition", p.IfNoneExist)
}

// UpdateCondition FHIR: PUT /Condition/{id}
func (s *Server) UpdateCondition(w http.ResponseWriter, r *http.Request, id api.ResourceIDParam, p api.UpdateConditionParams) {
	s.update(w, r, "Condition", id, p.IfMatch)
}

// DeleteCondition FHIR: DELETE /Condition/{id}
func (s *Server) DeleteCondition(w http.ResponseWriter, r *http.Request, id api.ResourceIDParam, p api.DeleteConditionParams) {
	s.remove(w, r, "Condition", id, p.IfMatch)
}

// HistoryCondition FHIR: GET /Condition/{id}/_history
func (s *Server) HistoryCondition(w http.ResponseWriter, r *http.Request, id api.ResourceIDParam, p api.HistoryConditionParams) {
	s.history(w, r, "Condition", id, p.UnderscoreCount, p.UnderscoreCursor)
}

// ReadObservation FHIR: GET /Observation/{id}
func (s *Server) ReadObservation(w http.ResponseWriter, r *http.Request, id api.ResourceIDParam, _ api.ReadObservationParams) {
	s.read(w, r, "Observation", id)
}

// VreadObservation FHIR: GET /Observation/{id}/_history/{vid}
func (s *Server) VreadObservation(w http.ResponseWriter, r *http.Request, id api.ResourceIDParam, vid api.VersionIDParam, _ api.VreadObservationParams) {
	s.vread(w, r, "Observation", id, vid)
}

// SearchObservation FHIR: GET /Observation
func (s *Server) SearchObservation(w http.ResponseWriter, r *http.Request, _ api.SearchObservationParams) {
	s.search(w, r, "Observation", false)
}

// SearchObservationPost FHIR: POST /Observation/_search
func (s *Server) SearchObservationPost(w http.ResponseWriter, r *http.Request, _ api.SearchObservationPostParams) {
	s.search(w, r, "Observation", true)
}

// CreateObservation FHIR: POST /Observation
func (s *Server) CreateObservation(w http.ResponseWriter, r *http.Request, p api.CreateObservationParams) {
	s.create(w, r, "Observation", p.IfNoneExist)
}

// UpdateObservation FHIR: PUT /Observation/{id}
func (s *Server) UpdateObservation(w http.ResponseWriter, r *http.Request, id api.ResourceIDParam, p api.UpdateObservationParams) {
	s.update(w, r, "Observation", id, p.IfMatch)
}

// DeleteObservation FHIR: DELETE /Observation/{id}
func (s *Server) DeleteObservation(w http.ResponseWriter, r *http.Request, id api.ResourceIDParam, p api.DeleteObservationParams) {
	s.remove(w, r, "Observation", id, p.IfMatch)
}

// HistoryObservation FHIR: GET /Observation/{id}/_history
func (s *Server) HistoryObservation(w http.ResponseWriter, r *http.Request, id api.ResourceIDParam, p api.HistoryObservationParams) {
	s.history(w, r, "Observation", id, p.UnderscoreCount, p.UnderscoreCursor)
}

// ReadMedicationRequest FHIR: GET /MedicationRequest/{id}
func (s *Server) ReadMedicationRequest(w http.ResponseWriter, r *http.Request, id api.ResourceIDParam, _ api.ReadMedicationRequestParams) {
	s.read(w, r, "MedicationRequest", id)
}

// VreadMedicationRequest FHIR: GET /MedicationRequest/{id}/_history/{vid}
func (s *Server) VreadMedicationRequest(w http.ResponseWriter, r *http.Request, id api.ResourceIDParam, vid api.VersionIDParam, _ api.VreadMedicationRequestParams) {
	s.vread(w, r, "MedicationRequest", id, vid)
}

// SearchMedicationRequest FHIR: GET /MedicationRequest
func (s *Server) SearchMedicationRequest(w http.ResponseWriter, r *http.Request, _ api.SearchMedicationRequestParams) {
	s.search(w, r, "MedicationRequest", false)
}

// SearchMedicationRequestPost FHIR: POST /MedicationRequest/_search
func (s *Server) SearchMedicationRequestPost(w http.ResponseWriter, r *http.Request, _ api.SearchMedicationRequestPostParams) {
	s.search(w, r, "MedicationRequest", true)
}

// CreateMedicationRequest FHIR: POST /MedicationRequest
func (s *Server) CreateMedicationRequest(w http.ResponseWriter, r *http.Request, p api.CreateMedicationRequestParams) {
	s.create(w, r, "MedicationRequest", p.IfNoneExist)
}

// UpdateMedicationRequest FHIR: PUT /MedicationRequest/{id}
func (s *Server) UpdateMedicationRequest(w http.ResponseWriter, r *http.Request, id api.ResourceIDParam, p api.UpdateMedicationRequestParams) {
	s.update(w, r, "MedicationRequest", id, p.IfMatch)
}

// DeleteMedicationRequest FHIR: DELETE /MedicationRequest/{id}
func (s *Server) DeleteMedicationRequest(w http.ResponseWriter, r *http.Request, id api.ResourceIDParam, p api.DeleteMedicationRequestParams) {
	s.remove(w, r, "MedicationRequest", id, p.IfMatch)
}

// HistoryMedicationRequest FHIR: GET /MedicationRequest/{id}/_history
func (s *Server) HistoryMedicationRequest(w http.ResponseWriter, r *http.Request, id api.ResourceIDParam, p api.HistoryMedicationRequestParams) {
	s.history(w, r, "MedicationRequest", id, p.UnderscoreCount, p.UnderscoreCursor)
}

// ReadAllergyIntolerance FHIR: GET /AllergyIntolerance/{id}
func (s *Server) ReadAllergyIntolerance(w http.ResponseWriter, r *http.Request, id api.ResourceIDParam, _ api.ReadAllergyIntoleranceParams) {
	s.read(w, r, "AllergyIntolerance", id)
}

// VreadAllergyIntolerance FHIR: GET /AllergyIntolerance/{id}/_history/{vid}
func (s *Server) VreadAllergyIntolerance(w http.ResponseWriter, r *http.Request, id api.ResourceIDParam, vid api.VersionIDParam, _ api.VreadAllergyIntoleranceParams) {
	s.vread(w, r, "AllergyIntolerance", id, vid)
}

// SearchAllergyIntolerance FHIR: GET /AllergyIntolerance
func (s *Server) SearchAllergyIntolerance(w http.ResponseWriter, r *http.Request, _ api.SearchAllergyIntoleranceParams) {
	s.search(w, r, "AllergyIntolerance", false)
}

// SearchAllergyIntolerancePost FHIR: POST /AllergyIntolerance/_search
func (s *Server) SearchAllergyIntolerancePost(w http.ResponseWriter, r *http.Request, _ api.SearchAllergyIntolerancePostParams) {
	s.search(w, r, "AllergyIntolerance", true)
}

// CreateAllergyIntolerance FHIR: POST /AllergyIntolerance
func (s *Server) CreateAllergyIntolerance(w http.ResponseWriter, r *http.Request, p api.CreateAllergyIntoleranceParams) {
	s.create(w, r, "AllergyIntolerance", p.IfNoneExist)
}

// UpdateAllergyIntolerance FHIR: PUT /AllergyIntolerance/{id}
func (s *Server) UpdateAllergyIntolerance(w http.ResponseWriter, r *http.Request, id api.ResourceIDParam, p api.UpdateAllergyIntoleranceParams) {
	s.update(w, r, "AllergyIntolerance", id, p.IfMatch)
}

// DeleteAllergyIntolerance FHIR: DELETE /AllergyIntolerance/{id}
func (s *Server) DeleteAllergyIntolerance(w http.ResponseWriter, r *http.Request, id api.ResourceIDParam, p api.DeleteAllergyIntoleranceParams) {
	s.remove(w, r, "AllergyIntolerance", id, p.IfMatch)
}

// HistoryAllergyIntolerance FHIR: GET /AllergyIntolerance/{id}/_history
func (s *Server) HistoryAllergyIntolerance(w http.ResponseWriter, r *http.Request, id api.ResourceIDParam, p api.HistoryAllergyIntoleranceParams) {
	s.history(w, r, "AllergyIntolerance", id, p.UnderscoreCount, p.UnderscoreCursor)
}

// ReadImmunization FHIR: GET /Immunization/{id}
func (s *Server) ReadImmunization(w http.ResponseWriter, r *http.Request, id api.ResourceIDParam, _ api.ReadImmunizationParams) {
	s.read(w, r, "Immunization", id)
}

// VreadImmunization FHIR: GET /Immunization/{id}/_history/{vid}
func (s *Server) VreadImmunization(w http.ResponseWriter, r *http.Request, id api.ResourceIDParam, vid api.VersionIDParam, _ api.VreadImmunizationParams) {
	s.vread(w, r, "Immunization", id, vid)
}

// SearchImmunization FHIR: GET /Immunization
func (s *Server) SearchImmunization(w http.ResponseWriter, r *http.Request, _ api.SearchImmunizationParams) {
	s.search(w, r, "Immunization", false)
}

// SearchImmunizationPost FHIR: POST /Immunization/_search
func (s *Server) SearchImmunizationPost(w http.ResponseWriter, r *http.Request, _ api.SearchImmunizationPostParams) {
	s.search(w, r, "Immunization", true)
}

// CreateImmunization FHIR: POST /Immunization
func (s *Server) CreateImmunization(w http.ResponseWriter, r *http.Request, p api.CreateImmunizationParams) {
	s.create(w, r, "Immunization", p.IfNoneExist)
}

// UpdateImmunization FHIR: PUT /Immunization/{id}
func (s *Server) UpdateImmunization(w http.ResponseWriter, r *http.Request, id api.ResourceIDParam, p api.UpdateImmunizationParams) {
	s.update(w, r, "Immunization", id, p.IfMatch)
}

// DeleteImmunization FHIR: DELETE /Immunization/{id}
func (s *Server) DeleteImmunization(w http.ResponseWriter, r *http.Request, id api.ResourceIDParam, p api.DeleteImmunizationParams) {
	s.remove(w, r, "Immunization", id, p.IfMatch)
}

// HistoryImmunization FHIR: GET /Immunization/{id}/_history
func (s *Server) HistoryImmunization(w http.ResponseWriter, r *http.Request, id api.ResourceIDParam, p api.HistoryImmunizationParams) {
	s.history(w, r, "Immunization", id, p.UnderscoreCount, p.UnderscoreCursor)
}

// PatientEverything FHIR: GET /Patient/{id}/$everything
func (s *Server) PatientEverything(w http.ResponseWriter, r *http.Request, id api.ResourceIDParam, p api.PatientEverythingParams) {
	s.everything(w, r, id, p.UnderscoreCount, p.UnderscoreCursor)
}
